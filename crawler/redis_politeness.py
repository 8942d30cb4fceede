"""Politeness and conditional requests that hold across all frontier workers, not per worker.

`DomainLeaseMiddleware`: before a request goes out, the worker takes one of the host's N leases in Redis
(N = NEWSCLAIMS_FRONTIER_DOMAIN_CONCURRENCY, default CONCURRENT_REQUESTS_PER_DOMAIN); when the answer
arrives the lease is kept for the host's current download delay (DOWNLOAD_DELAY, as AutoThrottle adjusted
it in this worker), then expires. So at most N requests to a host are open at once over all workers, and
each lease is reused only after the delay. A lease expires after DOWNLOAD_TIMEOUT + 30 s, and one held by a worker
whose heartbeat is gone is taken over at once, so a killed worker cannot block a host. robots.txt is
read and obeyed by each worker (the same file, the same rules).

`FrontierIncrementalMiddleware`: the stored validators (ETag, Last-Modified, fetch time) come from the
Redis hash the ingest publishes from the database, so workers need no database.
"""
from __future__ import annotations

import asyncio
import json
import logging
import random
import uuid
from typing import Any
from urllib.parse import urlsplit

from scrapy import Request
from scrapy.http import Response

from crawler.frontier import KNOWN_KEY, REDIS_DOWN, Frontier
from crawler.middlewares import IncrementalMiddleware
from db.store import KnownPage

log = logging.getLogger(__name__)

LEASE_META = "nc_lease"
LOCAL_META = "nc_lease_host"
MAX_POLL = 0.05  # seconds between two tries for a busy host's lease, at most (pages often take ~100 ms)
# Take a lease if it is free or its holder's heartbeat is gone (a killed worker must not block a host until
# the lease expires); a lease kept for a delay has no holder and is respected. Values: "<worker>|<token>".
_ACQUIRE = """
local v = redis.call('GET', KEYS[1])
if v then
  local holder = string.match(v, '^([^|]+)|')
  if not holder or redis.call('EXISTS', ARGV[3] .. holder) == 1 then return 0 end
end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return 1
"""
# give the lease back (kept for the delay) only if it is still ours
_RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
  if tonumber(ARGV[2]) > 0 then redis.call('SET', KEYS[1], 'delay', 'PX', ARGV[2]) else redis.call('DEL', KEYS[1]) end
  return 1
end
return 0
"""


class DomainLeaseMiddleware:
    def __init__(self, frontier: Frontier, *, concurrency: int, lease_seconds: float, poll: float,
                 crawler: Any) -> None:
        self.frontier = frontier
        self.concurrency = max(1, concurrency)
        self.lease_ms = int(lease_seconds * 1000)
        self.poll = poll
        self.crawler = crawler
        self._release = frontier.redis.register_script(_RELEASE)
        self._acquire = frontier.redis.register_script(_ACQUIRE)
        self.alive_prefix = frontier.keys.alive("")
        # a worker's own requests to a host queue here, so only N of them at a time ask Redis for a lease
        self.local: dict[str, asyncio.Semaphore] = {}

    @classmethod
    def from_crawler(cls, crawler: Any) -> DomainLeaseMiddleware:
        s = crawler.settings
        concurrency = s.getint("NEWSCLAIMS_FRONTIER_DOMAIN_CONCURRENCY", 0) or s.getint("CONCURRENT_REQUESTS_PER_DOMAIN", 2)
        return cls(Frontier.of(crawler), concurrency=concurrency,
                   lease_seconds=s.getfloat("DOWNLOAD_TIMEOUT", 180) + 30, poll=s.getfloat(
                       "NEWSCLAIMS_FRONTIER_LEASE_POLL", 0.01), crawler=crawler)

    def slot_key(self, host: str, n: int) -> str:
        return f"newsclaims:lease:{host}:{n}"

    async def process_request(self, request: Request, spider: Any = None) -> None:
        host = urlsplit(request.url).hostname or ""
        token = f"{self.frontier.worker}|{uuid.uuid4().hex}"
        wait = self.poll
        local = self.local.setdefault(host, asyncio.Semaphore(self.concurrency))
        await local.acquire()
        request.meta[LOCAL_META] = host
        while not self.frontier.lost:
            try:
                for n in range(self.concurrency):
                    key = self.slot_key(host, n)
                    if self._acquire(keys=[key], args=[token, self.lease_ms, self.alive_prefix]):
                        request.meta[LEASE_META] = (key, token)
                        return None
            except REDIS_DOWN as exc:
                self.frontier.fail(exc)
                break
            # back off (with jitter) while the host is busy: many waiting requests must not busy-poll Redis
            await asyncio.sleep(wait * (0.5 + random.random()))
            wait = min(wait * 2, MAX_POLL)
        return None  # the worker is stopping; the request stays in flight and is fetched on the next run

    def process_response(self, request: Request, response: Response, spider: Any = None) -> Response:
        self._give_back(request)
        return response

    def process_exception(self, request: Request, exception: BaseException, spider: Any = None) -> None:
        self._give_back(request)
        return None

    def _give_back(self, request: Request) -> None:
        host = request.meta.pop(LOCAL_META, None)
        if host is not None:
            self.local[host].release()
        lease = request.meta.pop(LEASE_META, None)
        if lease is None or self.frontier.lost:
            return
        key, token = lease
        try:
            self._release(keys=[key], args=[token.encode(), int(self._delay(request) * 1000)])
        except REDIS_DOWN as exc:
            self.frontier.fail(exc)

    def _delay(self, request: Request) -> float:
        """This worker's current delay for the request's download slot (AutoThrottle adjusts it)."""
        downloader = getattr(self.crawler.engine, "downloader", None)
        key = request.meta.get("download_slot") or urlsplit(request.url).hostname or ""
        slot = getattr(downloader, "slots", {}).get(key) if downloader is not None else None
        return float(slot.delay) if slot is not None else self.crawler.settings.getfloat("DOWNLOAD_DELAY", 0.0)


class FrontierIncrementalMiddleware(IncrementalMiddleware):
    """IncrementalMiddleware with the stored pages' validators read from Redis instead of SQLite."""

    frontier: Frontier

    @classmethod
    def from_crawler(cls, crawler: Any) -> FrontierIncrementalMiddleware:
        middleware = super().from_crawler(crawler)
        middleware.frontier = Frontier.of(crawler)
        return middleware

    def known(self, url: str) -> KnownPage | None:
        if self.frontier.lost:
            return None
        try:
            data = self.frontier.redis.hget(KNOWN_KEY, url)
        except REDIS_DOWN as exc:
            self.frontier.fail(exc)
            return None
        return decode_known(data) if data else None


def encode_known(page: KnownPage) -> bytes:
    return json.dumps({"url": page.url, "etag": page.etag, "last_modified": page.last_modified,
                       "fetched_at": page.fetched_at}).encode("utf-8")


def decode_known(data: bytes) -> KnownPage | None:
    try:
        obj = json.loads(data)
        return KnownPage(obj["url"], obj.get("etag"), obj.get("last_modified"), obj["fetched_at"])
    except (ValueError, KeyError, TypeError):
        log.warning("ignoring an unreadable validator entry in %s", KNOWN_KEY)
        return None

"""A crawl frontier shared by many worker processes through Redis (scrapy-redis underneath).

`newsclaims crawl --frontier redis://...` runs the ordinary `news` spider with these pieces instead of the
local scheduler, duplicate filter and store pipeline (see `frontier_settings`):

- `FrontierScheduler`: scrapy-redis's scheduler and duplicate filter, so every worker pulls from one
  queue and no URL is queued twice. It also
  * queues the configured feeds/sitemaps/start pages once per crawl (a Redis set of seeds), not once per
    worker;
  * moves each popped request into this worker's *in-flight* hash in the same atomic step, and removes it
    only once Scrapy has finished with it (callback run, items pushed, new requests queued). A worker that
    dies stops renewing its heartbeat key, and any other worker puts its in-flight requests back in the
    queue: nothing popped is ever lost.
- `FrontierExtension`: the heartbeat, the hand-back of dead workers' requests, counters for the ingest's
  run ledger, `--idle-exit`, and one clear error (close reason `frontier_lost`) when Redis goes away.
- `crawler.redis_items.RedisItemPipeline` pushes items; `newsclaims ingest` is the one SQLite writer.
- `crawler.redis_politeness`: per-domain leases shared by all workers, validators read from Redis.

Keys live under `newsclaims:<spider>:` (see `Keys`); the items list and validators are shared by spiders.
"""
from __future__ import annotations

import hashlib
import logging
import os
import socket
import threading
import time
import uuid
from dataclasses import dataclass
from typing import Any

import redis
from scrapy import signals
from scrapy.exceptions import DontCloseSpider
from scrapy_redis.scheduler import Scheduler
from twisted.internet import task

from crawler.spiders.news import ERROR_PREFIX, STATS_PREFIX
from newsclaims.errors import ConfigError

log = logging.getLogger(__name__)

# Redis errors that mean "the frontier is gone" (connection refused/reset, timeouts, a server restarting)
REDIS_DOWN = (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError, redis.exceptions.BusyLoadingError,
              OSError)
FRONTIER_LOST = "frontier_lost"


@dataclass(frozen=True)
class Keys:
    """The Redis keys of one spider's frontier."""

    spider: str

    @property
    def base(self) -> str:
        return f"newsclaims:{self.spider}"

    @property
    def requests(self) -> str:
        return f"{self.base}:requests"

    @property
    def dupefilter(self) -> str:
        return f"{self.base}:dupefilter"

    @property
    def seeds(self) -> str:
        return f"{self.base}:seeds"

    def inflight(self, worker: str) -> str:
        return f"{self.base}:inflight:{worker}"

    def alive(self, worker: str) -> str:
        return f"{self.base}:alive:{worker}"

    @property
    def inflight_pattern(self) -> str:
        return f"{self.base}:inflight:*"

    @property
    def alive_pattern(self) -> str:
        return f"{self.base}:alive:*"


ITEMS_KEY = "newsclaims:items"  # Article / NotModified / counter messages, oldest first
PROCESSING_KEY = "newsclaims:items:processing"  # the batch the ingest is writing (back to ITEMS if it dies)
KNOWN_KEY = "newsclaims:known"  # url -> validators of the stored article (published by the ingest)


def connect(url: str, *, timeout: float = 10.0) -> redis.Redis:
    """A client for `redis://HOST:PORT/DB` that fails within `timeout` seconds instead of hanging."""
    try:
        return redis.Redis.from_url(url, socket_timeout=timeout, socket_connect_timeout=timeout)
    except ValueError as exc:
        raise ConfigError(f"--frontier expects redis://HOST:PORT/DB, got {url!r} ({exc})") from None


def frontier_settings(url: str, *, idle_exit: float) -> dict[str, Any]:
    """The Scrapy settings that turn a crawl process into a frontier worker."""
    return {
        "REDIS_URL": url,
        "REDIS_PARAMS": {"socket_timeout": 10, "socket_connect_timeout": 10},
        "SCHEDULER": "crawler.frontier.FrontierScheduler",
        "SCHEDULER_PERSIST": True,  # the queue outlives a worker; the crawl ends when the frontier is empty
        "SCHEDULER_QUEUE_KEY": "newsclaims:%(spider)s:requests",
        "SCHEDULER_QUEUE_CLASS": "scrapy_redis.queue.PriorityQueue",
        "SCHEDULER_DUPEFILTER_KEY": "newsclaims:%(spider)s:dupefilter",
        "DUPEFILTER_CLASS": "scrapy_redis.dupefilter.RFPDupeFilter",
        "DUPEFILTER_DEBUG": False,
        "JOBDIR": None,  # resuming is the frontier's job here
        "ITEM_PIPELINES": {"crawler.redis_items.RedisItemPipeline": 300},
        "DOWNLOADER_MIDDLEWARES": {
            "crawler.middlewares.IncrementalMiddleware": None,
            "crawler.redis_politeness.FrontierIncrementalMiddleware": 540,
            "crawler.middlewares.RetryAfterMiddleware": 560,
            # last before the download: robots.txt-refused and skipped requests never take a lease
            "crawler.redis_politeness.DomainLeaseMiddleware": 950,
        },
        "EXTENSIONS": {"crawler.frontier.FrontierExtension": 500},
        "NEWSCLAIMS_FRONTIER": url,
        "NEWSCLAIMS_IDLE_EXIT": idle_exit,
    }


class Frontier:
    """This worker's view of the shared frontier: its id, its Redis client, whether Redis went away."""

    def __init__(self, url: str, spider: str, *, heartbeat: float = 2.0, lease: float = 15.0) -> None:
        self.url = url
        self.keys = Keys(spider)
        self.redis = connect(url)
        self.worker = f"{socket.gethostname()}-{os.getpid()}-{uuid.uuid4().hex[:6]}"
        self.heartbeat = heartbeat
        self.lease = lease  # a worker silent this long is dead: its in-flight requests are handed back
        self.lost: str | None = None  # the Redis error that ended this worker, if any
        self._beating = threading.Event()

    def start_heartbeat(self) -> None:
        """Renew this worker's alive key from a thread of its own, so a reactor busy extracting a large page
        is never mistaken for a dead worker; only a dead process (or a lost Redis) stops it."""
        self.beat()
        thread = threading.Thread(target=self._heartbeat, name="frontier-heartbeat", daemon=True)
        thread.start()

    def stop_heartbeat(self) -> None:
        self._beating.set()

    def beat(self) -> None:
        self.redis.set(self.keys.alive(self.worker), b"1", px=int(self.lease * 1000))

    def _heartbeat(self) -> None:
        client = connect(self.url)  # redis-py clients are thread-safe, but a second one keeps this independent
        while not self._beating.wait(self.heartbeat):
            try:
                client.set(self.keys.alive(self.worker), b"1", px=int(self.lease * 1000))
            except REDIS_DOWN as exc:
                self.fail(exc)
                return

    @classmethod
    def of(cls, crawler: Any) -> Frontier:
        """The one Frontier of a crawler (scheduler, extension, pipeline and middlewares share it)."""
        frontier = getattr(crawler, "_newsclaims_frontier", None)
        if frontier is None:
            settings = crawler.settings
            frontier = cls(settings.get("NEWSCLAIMS_FRONTIER") or settings.get("REDIS_URL"),
                           crawler.spidercls.name,
                           heartbeat=settings.getfloat("NEWSCLAIMS_FRONTIER_HEARTBEAT", 2.0),
                           lease=settings.getfloat("NEWSCLAIMS_FRONTIER_LEASE", 15.0))
            crawler._newsclaims_frontier = frontier
        return frontier

    def fail(self, exc: BaseException) -> None:
        """Remember the first Redis failure; it is reported once, as one line, when the worker stops."""
        if self.lost is None:
            self.lost = f"{type(exc).__name__}: {exc}"
            log.error("the frontier at %s went away (%s): stopping this worker; what it fetched is either "
                      "queued for the ingest or handed back to the frontier", self.url, self.lost)


# Pop the best request and note it as in flight in one step: a worker killed in between loses nothing.
_POP = """
local r = redis.call('ZRANGE', KEYS[1], 0, 0)
if #r == 0 then return false end
redis.call('ZREMRANGEBYRANK', KEYS[1], 0, 0)
redis.call('HSET', KEYS[2], redis.sha1hex(r[1]), r[1])
return r[1]
"""
# A dead worker's in-flight requests go back to the queue (first in line), unless it is alive after all.
_HAND_BACK = """
if redis.call('EXISTS', KEYS[3]) == 1 then return -1 end
local v = redis.call('HVALS', KEYS[1])
for _, data in ipairs(v) do redis.call('ZADD', KEYS[2], 0, data) end
redis.call('DEL', KEYS[1])
return #v
"""


class FrontierScheduler(Scheduler):
    """scrapy-redis's scheduler with seeds queued once per crawl and in-flight requests that survive a kill."""

    frontier: Frontier
    crawler: Any

    @classmethod
    def from_crawler(cls, crawler: Any) -> FrontierScheduler:
        scheduler = super().from_crawler(crawler)
        scheduler.crawler = crawler
        scheduler.frontier = Frontier.of(crawler)
        scheduler.popped: dict[Any, str] = {}  # request -> its field in the in-flight hash
        scheduler._pop = scheduler.frontier.redis.register_script(_POP)
        scheduler._hand_back = scheduler.frontier.redis.register_script(_HAND_BACK)
        return scheduler

    def open(self, spider: Any) -> None:
        import warnings

        with warnings.catch_warnings():  # scrapy-redis 0.9 calls the deprecated Spider.log() here
            warnings.simplefilter("ignore")
            super().open(spider)
        self.frontier.start_heartbeat()

    def enqueue_request(self, request: Any) -> bool:
        if self.frontier.lost:
            return False  # its parent stays in flight, so it is found again on the next run
        try:
            if self._is_seed(request) and not self.frontier.redis.sadd(self.frontier.keys.seeds,
                                                                        self._fingerprint(request)):
                return False  # another worker queued this feed/start page for this crawl already
            if not request.dont_filter and self.df.request_seen(request):
                self.df.log(request, self.spider)
                return False
            self.queue.push(request)
            if self.stats:
                self.stats.inc_value("scheduler/enqueued/redis")
            return True
        except REDIS_DOWN as exc:
            self.frontier.fail(exc)
            return False

    def next_request(self) -> Any:
        if self.frontier.lost:
            return None
        try:
            data = self._pop(keys=[self.queue.key, self.frontier.keys.inflight(self.frontier.worker)])
        except REDIS_DOWN as exc:
            self.frontier.fail(exc)
            return None
        if not data:
            return None
        request = self.queue._decode_request(data)
        self.popped[request] = hashlib.sha1(data).hexdigest()
        if self.stats:
            self.stats.inc_value("scheduler/dequeued/redis")
        return request

    def has_pending_requests(self) -> bool:
        if self.frontier.lost:
            return False
        try:
            return len(self) > 0
        except REDIS_DOWN as exc:
            self.frontier.fail(exc)
            return False

    # -- bookkeeping the extension drives ---------------------------------------------------------------

    def release_finished(self, in_progress: set[Any]) -> int:
        """Drop from the in-flight hash the requests the engine has finished with (all their output is out)."""
        done = [r for r in self.popped if r not in in_progress]
        if not done or self.frontier.lost:
            return 0
        fields = [self.popped[r] for r in done]
        self.frontier.redis.hdel(self.frontier.keys.inflight(self.frontier.worker), *fields)
        for r in done:
            del self.popped[r]
        return len(done)

    def hand_back_dead(self) -> int:
        """Requests in flight at workers whose heartbeat expired go back to the queue; returns how many."""
        keys = self.frontier.keys
        count = 0
        for key in self.frontier.redis.scan_iter(match=keys.inflight_pattern, count=100):
            worker = key.decode().rsplit(":", 1)[1]
            if worker == self.frontier.worker:
                continue
            moved = self._hand_back(keys=[key, self.queue.key, keys.alive(worker)])
            if moved > 0:
                log.warning("worker %s stopped answering: %d of its requests are back in the frontier", worker, moved)
                count += moved
        return count

    def frontier_idle(self) -> bool:
        """Nothing queued and nothing in flight at any worker (dead workers' requests are handed back first)."""
        r, keys = self.frontier.redis, self.frontier.keys
        if r.zcard(self.queue.key):
            return False
        return not any(r.hlen(key) for key in r.scan_iter(match=keys.inflight_pattern, count=100))

    def reset_crawl(self) -> None:
        """The crawl is complete: forget its duplicates and seeds so the next crawl fetches everything anew."""
        self.frontier.redis.delete(self.frontier.keys.dupefilter, self.frontier.keys.seeds)

    @staticmethod
    def _is_seed(request: Any) -> bool:
        # configured URLs are the only requests the spider marks dont_filter at depth 0 (retries carry retry_times)
        return bool(request.dont_filter and request.meta.get("nc_depth") == 0 and not request.meta.get("retry_times")
                    and "nc_source" in request.meta and not request.meta.get("redirect_urls"))

    def _fingerprint(self, request: Any) -> str:
        return self.crawler.request_fingerprinter.fingerprint(request).hex()


class FrontierExtension:
    """Heartbeat, in-flight bookkeeping, counters for the ingest, `--idle-exit`, and Redis failures."""

    def __init__(self, crawler: Any) -> None:
        self.crawler = crawler
        self.frontier = Frontier.of(crawler)
        self.idle_exit = crawler.settings.getfloat("NEWSCLAIMS_IDLE_EXIT", 30.0)
        self.idle_since: float | None = None
        self.sent: dict[str, int] = {}  # counters already pushed to the ingest
        self.timer: task.LoopingCall | None = None
        self.closing = False

    @classmethod
    def from_crawler(cls, crawler: Any) -> FrontierExtension:
        ext = cls(crawler)
        crawler.signals.connect(ext.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.spider_idle, signal=signals.spider_idle)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        return ext

    @property
    def scheduler(self) -> FrontierScheduler:
        return self.crawler.engine._slot.scheduler  # no public accessor to the running scheduler

    def spider_opened(self, spider: Any) -> None:
        log.info("frontier worker %s on %s (idle exit after %g s)", self.frontier.worker, self.frontier.url,
                 self.idle_exit)
        self.timer = task.LoopingCall(self.tick)
        self.timer.start(min(self.frontier.heartbeat, 0.5), now=False)
        self._last_beat = 0.0

    def tick(self) -> None:
        """Every half second: release finished requests; every heartbeat: hand back dead workers' requests,
        send counters. (The alive key is renewed by Frontier's heartbeat thread.)"""
        if self.frontier.lost:
            self._stop(FRONTIER_LOST)
            return
        engine = self.crawler.engine
        slot = getattr(engine, "_slot", None)
        if slot is None:
            return
        try:
            self.scheduler.release_finished(slot.inprogress)
            now = time.monotonic()
            if now - self._last_beat >= self.frontier.heartbeat:
                self._last_beat = now
                self.scheduler.hand_back_dead()
                self.send_counters()
            # pick up what other workers queued (and re-check idleness) without waiting for Scrapy's 5 s beat
            slot.nextcall.schedule()
        except REDIS_DOWN as exc:
            self.frontier.fail(exc)
            self._stop(FRONTIER_LOST)
        except Exception:  # a LoopingCall stops for good on an exception: log it and keep beating
            log.exception("frontier bookkeeping failed")

    def spider_idle(self, spider: Any) -> None:
        """Stay open until the whole frontier has been empty for `idle_exit` seconds."""
        if self.frontier.lost or self.closing:
            return
        try:
            self.scheduler.release_finished(self.crawler.engine._slot.inprogress)
            idle = self.scheduler.frontier_idle()
        except REDIS_DOWN as exc:
            self.frontier.fail(exc)
            return
        now = time.monotonic()
        if not idle:
            self.idle_since = None
            raise DontCloseSpider
        if self.idle_since is None:
            self.idle_since = now
        if now - self.idle_since < self.idle_exit:
            raise DontCloseSpider
        log.info("the frontier has been empty for %g s: this worker is done", self.idle_exit)
        try:
            self.scheduler.reset_crawl()
        except REDIS_DOWN as exc:
            self.frontier.fail(exc)

    def spider_closed(self, spider: Any, reason: str) -> None:
        if self.timer is not None and self.timer.running:
            self.timer.stop()
        self.frontier.stop_heartbeat()
        if self.frontier.lost:
            return
        try:
            self.scheduler.release_finished(self.crawler.engine._slot.inprogress if self.crawler.engine._slot
                                            else set())
            self.send_counters()
            # a worker that stops cleanly hands its leftovers back at once instead of after its lease
            self.frontier.redis.delete(self.frontier.keys.alive(self.frontier.worker))
        except REDIS_DOWN as exc:
            self.frontier.fail(exc)
        except Exception as exc:  # a close-time hiccup must not hide the crawl's own outcome
            log.warning("frontier bookkeeping at close failed: %r", exc)

    def send_counters(self) -> None:
        """Push the change of this worker's counters since the last push, for the ingest's run row."""
        from crawler.redis_items import encode_counters

        current = {k: int(v) for k, v in self.crawler.stats.get_stats().items()
                   if isinstance(k, str) and k.startswith(STATS_PREFIX) and isinstance(v, (int, float))}
        delta = {k: v - self.sent.get(k, 0) for k, v in current.items() if v != self.sent.get(k, 0)}
        if not delta:
            return
        stats = {k[len(STATS_PREFIX):]: v for k, v in delta.items() if not k.startswith(ERROR_PREFIX)}
        errors = {k[len(ERROR_PREFIX):]: v for k, v in delta.items() if k.startswith(ERROR_PREFIX)}
        self.frontier.redis.rpush(ITEMS_KEY, encode_counters(self.frontier.worker, stats, errors))
        self.sent = current

    def _stop(self, reason: str) -> None:
        if not self.closing and self.crawler.engine is not None:
            self.closing = True
            if self.timer is not None and self.timer.running:
                self.timer.stop()
            engine = self.crawler.engine
            if hasattr(engine, "close_spider_async"):  # Scrapy >= 2.14
                from scrapy.utils.defer import deferred_from_coro

                deferred_from_coro(engine.close_spider_async(reason=reason))
            else:
                engine.close_spider(self.crawler.spider, reason)

"""Items on their way from frontier workers to the one ingest, as JSON messages in a Redis list.

JSON (raw bodies in base64) rather than pickle: the ingest never executes what a worker sent, and a message
can be read with `redis-cli`. Three kinds:
  {"type": "article", ...Article fields...}      an extracted article with its raw body
  {"type": "not_modified", "url":, "fetched_at":}  a 304 to a conditional request
  {"type": "counters", "worker":, "stats":, "errors":}  changes of a worker's counters, for the run ledger
"""
from __future__ import annotations

import base64
import dataclasses
import json
import logging
from dataclasses import dataclass, field
from typing import Any

from scrapy.exceptions import DropItem

from crawler.frontier import ITEMS_KEY, REDIS_DOWN, Frontier
from crawler.items import Article, NotModified

log = logging.getLogger(__name__)


@dataclass
class Counters:
    worker: str
    stats: dict[str, int] = field(default_factory=dict)
    errors: dict[str, int] = field(default_factory=dict)


Message = Article | NotModified | Counters


class BadMessage(ValueError):
    """A list entry that is not one of our messages (written by something else, or truncated)."""


def encode(item: Article | NotModified) -> bytes:
    if isinstance(item, Article):
        fields = dataclasses.asdict(item)
        fields["raw_body"] = base64.b64encode(item.raw_body or b"").decode("ascii")
        return json.dumps({"type": "article", **fields}, ensure_ascii=False).encode("utf-8")
    return json.dumps({"type": "not_modified", "url": item.url, "fetched_at": item.fetched_at}).encode("utf-8")


def encode_counters(worker: str, stats: dict[str, int], errors: dict[str, int]) -> bytes:
    return json.dumps({"type": "counters", "worker": worker, "stats": stats, "errors": errors}).encode("utf-8")


_ARTICLE_FIELDS = {f.name for f in dataclasses.fields(Article)}


def decode(data: bytes) -> Message:
    try:
        obj = json.loads(data)
        kind = obj.pop("type")
        if kind == "article":
            obj["raw_body"] = base64.b64decode(obj.get("raw_body") or "")
            return Article(**{k: v for k, v in obj.items() if k in _ARTICLE_FIELDS})
        if kind == "not_modified":
            return NotModified(url=obj["url"], fetched_at=obj["fetched_at"])
        if kind == "counters":
            return Counters(worker=str(obj["worker"]), stats=dict(obj.get("stats") or {}),
                            errors=dict(obj.get("errors") or {}))
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise BadMessage(f"unreadable frontier message ({type(exc).__name__}: {exc})") from exc
    raise BadMessage(f"unknown frontier message type {kind!r}")


class RedisItemPipeline:
    """Pushes each item to the shared items list at once: a killed worker has lost no item it yielded."""

    def __init__(self, frontier: Frontier) -> None:
        self.frontier = frontier

    @classmethod
    def from_crawler(cls, crawler: Any) -> RedisItemPipeline:
        return cls(Frontier.of(crawler))

    def process_item(self, item: Any, spider: Any = None) -> Any:
        if not isinstance(item, (Article, NotModified)):
            return item
        if self.frontier.lost:
            raise DropItem("the frontier is gone; the page is fetched again on the next run")
        try:
            self.frontier.redis.rpush(ITEMS_KEY, encode(item))
        except REDIS_DOWN as exc:
            # the request stays in this worker's in-flight hash, so the next run fetches the page again
            self.frontier.fail(exc)
            raise DropItem("the frontier is gone; the page is fetched again on the next run") from None
        return item

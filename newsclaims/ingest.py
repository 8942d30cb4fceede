"""`newsclaims ingest`: the one writer that drains frontier workers' items from Redis into SQLite.

It stores articles exactly as the crawl's item pipeline does (`Store.save_articles`, `confirm_unchanged`:
same dedup by canonical URL and content hash, same versions) under a run row of its own (command
`ingest`) whose counters add up the workers' counters. After each batch it publishes the stored pages'
validators to Redis, where workers read them for conditional requests.

Nothing is lost when either side dies: a batch is moved (atomically) to a processing list before it is
written and removed only after its transaction committed, and a processing list left by a dead ingest is
put back in front of the queue at start. A batch written twice is harmless (the second write finds the
same content hash: "unchanged").
"""
from __future__ import annotations

import logging
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from crawler.frontier import ITEMS_KEY, KNOWN_KEY, PROCESSING_KEY, REDIS_DOWN, Keys, connect
from crawler.items import Article, NotModified
from crawler.redis_items import BadMessage, Counters, decode
from crawler.redis_politeness import encode_known
from db.store import Store
from newsclaims.errors import NewsclaimsError

log = logging.getLogger(__name__)

OUTCOME_COUNTERS = {"new": "articles_new", "updated": "articles_updated", "unchanged": "articles_unchanged"}
WORKER_COUNTERS = ("pages_fetched", "skipped", "not_modified", "ignored", "up_to_date", "robots_disallowed",
                   "max_pages_reached")


class FrontierError(NewsclaimsError):
    """Redis cannot be reached (or went away mid-run)."""


def check_frontier(url: str) -> None:
    """One clear error before any start-up (Scrapy, a run row) when the URL is wrong or Redis is not there."""
    try:
        connect(url, timeout=5).ping()
    except REDIS_DOWN as exc:
        raise FrontierError(f"the frontier at {url} cannot be reached ({type(exc).__name__}: {exc})") from None


@dataclass
class IngestResult:
    run_id: int
    status: str
    stats: dict[str, int] = field(default_factory=dict)
    errors: dict[str, int] = field(default_factory=dict)


class Ingest:
    def __init__(self, url: str, store: Store, run_id: int, *, batch_size: int = 50, spider: str = "news") -> None:
        self.url = url
        self.redis = connect(url)
        self.store = store
        self.run_id = run_id
        self.batch_size = batch_size
        self.keys = Keys(spider)
        self.stats: Counter[str] = Counter()
        self.errors: Counter[str] = Counter()

    def recover(self) -> int:
        """A batch an earlier ingest took but did not finish goes back to the front of the queue."""
        moved = 0
        while self.redis.lmove(PROCESSING_KEY, ITEMS_KEY, "RIGHT", "LEFT") is not None:
            moved += 1
        if moved:
            log.warning("%d items an earlier ingest had not finished are queued again", moved)
        return moved

    def publish_known(self) -> int:
        """All stored validators -> Redis, so workers ask conditionally from their first request."""
        count, pipe = 0, self.redis.pipeline(transaction=False)
        for page in self.store.known_pages():
            pipe.hset(KNOWN_KEY, page.url, encode_known(page))
            count += 1
            if count % 1000 == 0:
                pipe.execute()
        pipe.execute()
        return count

    def take_batch(self, wait: float) -> list[bytes]:
        """Up to batch_size messages moved to the processing list (waits up to `wait` s for the first)."""
        first = self.redis.blmove(ITEMS_KEY, PROCESSING_KEY, wait, "LEFT", "RIGHT") if wait > 0 else \
            self.redis.lmove(ITEMS_KEY, PROCESSING_KEY, "LEFT", "RIGHT")
        if first is None:
            return []
        batch = [first]
        while len(batch) < self.batch_size:
            data = self.redis.lmove(ITEMS_KEY, PROCESSING_KEY, "LEFT", "RIGHT")
            if data is None:
                break
            batch.append(data)
        return batch

    def write(self, batch: list[bytes]) -> None:
        """Store one batch in the database, then publish its validators and drop it from Redis."""
        articles: list[Article] = []
        confirmed: list[NotModified] = []
        for data in batch:
            try:
                message = decode(data)
            except BadMessage as exc:
                log.warning("skipped: %s", exc)
                self.errors["bad_message"] += 1
                continue
            if isinstance(message, Article):
                articles.append(message)
            elif isinstance(message, NotModified):
                confirmed.append(message)
            elif isinstance(message, Counters):
                self.stats.update({k: int(v) for k, v in message.stats.items() if k in WORKER_COUNTERS})
                self.errors.update({k: int(v) for k, v in message.errors.items()})
        if articles:
            outcomes = self.store.save_articles(articles, self.run_id)
            self.stats.update(OUTCOME_COUNTERS[o] for o in outcomes)
        if confirmed:
            self.store.confirm_unchanged([c.url for c in confirmed], self.run_id, confirmed[-1].fetched_at)
            self.stats["articles_unchanged"] += len(confirmed)
        self.store.update_run(self.run_id, stats=dict(self.stats), errors=dict(self.errors))
        pipe = self.redis.pipeline(transaction=True)
        for art in articles:
            for url in {art.url, art.canonical_url}:
                pipe.hset(KNOWN_KEY, url, _known_json(art, url))
        pipe.delete(PROCESSING_KEY)
        pipe.execute()

    def workers_alive(self) -> bool:
        return any(True for _ in self.redis.scan_iter(match=self.keys.alive_pattern, count=100))


def _known_json(art: Article, url: str) -> bytes:
    from db.store import KnownPage

    return encode_known(KnownPage(url, art.etag, art.last_modified, art.fetched_at))


ProgressCallback = Callable[[dict[str, Any]], None]


def run_ingest(url: str, db_path: str, *, until_idle: float | None = None, batch_size: int = 50,
               progress: ProgressCallback | None = None, hold: Callable[[], bool] | None = None) -> IngestResult:
    """Drain the items queue into `db_path` until it and the workers have been idle `until_idle` seconds
    (None: forever, until interrupted); never idle while `hold()` is true (e.g. a worker we started is still
    starting up). Raises FrontierError when Redis cannot be reached or goes away."""
    check_frontier(url)
    store = Store.open(db_path)
    status = "failed"
    run_id = 0
    try:
        store.mark_stale_runs()
        run_id = store.start_run(sources=[], command="ingest")
        ingest = Ingest(url, store, run_id, batch_size=batch_size)
        try:
            ingest.recover()
            published = ingest.publish_known()
            log.info("published validators of %d stored pages to %s", published, url)
            idle_since: float | None = None
            while True:
                batch = ingest.take_batch(wait=0.5)
                if batch:
                    ingest.write(batch)
                    idle_since = None
                    if progress is not None:
                        progress(store.get_run(run_id))
                    continue
                if until_idle is None:
                    continue
                if ingest.workers_alive() or (hold is not None and hold()):
                    idle_since = None
                    continue
                now = time.monotonic()
                idle_since = idle_since or now
                if now - idle_since >= until_idle:
                    break
            status = "finished"
        except KeyboardInterrupt:
            status = "interrupted"
        except REDIS_DOWN as exc:
            raise FrontierError(f"the frontier at {url} cannot be reached or went away ({type(exc).__name__}: "
                                f"{exc}); nothing is lost: unfinished items stay queued in Redis for the "
                                "next ingest") from None
        row = store.get_run(run_id)
        return IngestResult(run_id, status, {k: int(v) for k, v in ingest.stats.items()}, dict(ingest.errors)) \
            if row else IngestResult(run_id, status)
    finally:
        if run_id:
            store.finish_run(run_id, status=status)
        store.close()

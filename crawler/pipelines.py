"""StorePipeline: Article items -> db.Store in batches, plus the crawl_runs row's progress and outcome.

No NLP here. Each batch is one transaction (`Store.save_articles`), so a killed crawl leaves every
article either fully stored or absent. Progress (pages, articles, skips, errors) is written to the
crawl_runs row every few seconds; `newsclaims crawl` reads it to show progress.

Every database call runs on one writer thread, in the order it was asked for, so the reactor (and
with it every download) never waits for the disk. Counters are read on the reactor thread and handed
over as values. When writes fall behind by MAX_PENDING_WRITES batches, new items wait for them (their
Deferred), so a slow disk slows the crawl instead of filling memory.
"""
from __future__ import annotations

import logging
import time
from collections import Counter
from typing import Any

from scrapy import signals
from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet import defer, task, threads
from twisted.python.threadpool import ThreadPool

from crawler.items import Article, NotModified
from crawler.spiders.news import ERROR_PREFIX, STATS_PREFIX
from db.store import Store

log = logging.getLogger(__name__)

OUTCOME_COUNTERS = {"new": "articles_new", "updated": "articles_updated", "unchanged": "articles_unchanged"}
# Scrapy close reasons that mean the crawl did what it was asked (page limits count as done)
FINISHED_REASONS = {"finished", "closespider_pagecount", "closespider_itemcount", "closespider_timeout"}
MAX_PENDING_WRITES = 4


class Writer:
    """One thread that runs calls in submission order; each call's result comes back as a Deferred."""

    def __init__(self, *, threaded: bool = True) -> None:
        self.pool: ThreadPool | None = None
        if threaded:
            self.pool = ThreadPool(minthreads=1, maxthreads=1, name="newsclaims-store")
            self.pool.start()
        self.pending = 0
        self._last: defer.Deferred = defer.succeed(None)

    def submit(self, func: Any, *args: Any, **kwargs: Any) -> defer.Deferred:
        from twisted.internet import reactor

        self.pending += 1
        if self.pool is None:  # NEWSCLAIMS_STORE_THREAD = False: on the reactor thread, as before (bench)
            done = defer.maybeDeferred(func, *args, **kwargs)
        else:
            done = threads.deferToThreadPool(reactor, self.pool, func, *args, **kwargs)
        done.addBoth(self._finished)
        self._last = done
        return done

    def _finished(self, result: Any) -> Any:
        self.pending -= 1
        return result

    def drained(self) -> defer.Deferred:
        """Fires once everything submitted so far has run (one thread: the last call runs last)."""
        waiter: defer.Deferred = defer.Deferred()
        self._last.addBoth(lambda result: (waiter.callback(None), result)[1])
        return waiter

    def stop(self) -> None:
        if self.pool is not None:
            self.pool.stop()


class StorePipeline:
    """Buffers articles and writes them every `NEWSCLAIMS_BATCH_SIZE` items / `NEWSCLAIMS_BATCH_SECONDS`."""

    def __init__(self, db_path: str, *, batch_size: int = 25, batch_seconds: float = 2.0,
                 run_id: int | None = None, stats: Any = None, write_thread: bool = True) -> None:
        self.db_path = db_path
        self.write_thread = write_thread
        self.batch_size = max(1, batch_size)
        self.batch_seconds = batch_seconds
        self.run_id = run_id
        self.owns_run = run_id is None  # else `newsclaims crawl` started the row and will finish it
        self.crawl_stats = stats
        self.store: Store | None = None
        self.buffer: list[Article] = []
        self.not_modified: list[NotModified] = []  # 304s: stored articles confirmed current
        self.outcomes: Counter[str] = Counter()
        self.base: dict[str, Any] = {}  # counters already in the run row (an earlier process of the same run)
        self.base_errors: Counter[str] = Counter()
        self._last_flush = time.monotonic()
        self._timer: task.LoopingCall | None = None
        self.crawler: Any = None
        self.writer: Writer | None = None

    @classmethod
    def from_crawler(cls, crawler: Any) -> StorePipeline:
        settings = crawler.settings
        run_id = settings.get("NEWSCLAIMS_RUN_ID")
        pipeline = cls(
            settings.get("NEWSCLAIMS_DB") or "newsclaims.db",
            batch_size=settings.getint("NEWSCLAIMS_BATCH_SIZE", 25),
            batch_seconds=settings.getfloat("NEWSCLAIMS_BATCH_SECONDS", 2.0),
            run_id=int(run_id) if run_id not in (None, "", "None") else None,
            stats=crawler.stats,
            write_thread=settings.getbool("NEWSCLAIMS_STORE_THREAD", True),
        )
        pipeline.crawler = crawler
        crawler.signals.connect(pipeline.spider_error, signal=signals.spider_error)
        crawler.signals.connect(pipeline.spider_closed, signal=signals.spider_closed)
        return pipeline

    # -- lifecycle ------------------------------------------------------------------------------------------

    def open_spider(self, spider: Any = None) -> None:
        spider = spider or self.crawler.spider
        self.store = Store.open(self.db_path)
        sources = getattr(spider, "sources", [])
        self.store.upsert_sources([s.row() for s in sources])
        if self.run_id is None:
            self.run_id = self.store.start_run(sources=[s.name for s in sources], command=f"scrapy crawl {spider.name}")
        else:
            self._read_base()
        log.info("storing articles in %s (crawl run %d)", self.db_path, self.run_id)
        self.writer = Writer(threaded=self.write_thread)
        if self.batch_seconds > 0:
            self._timer = task.LoopingCall(self._tick)
            self._timer.start(self.batch_seconds, now=False)

    def process_item(self, item: Any, spider: Any = None) -> Any:
        if isinstance(item, Article):
            self.buffer.append(item)
        elif isinstance(item, NotModified):
            self.not_modified.append(item)
        if len(self.buffer) + len(self.not_modified) >= self.batch_size:
            self.flush()
            if self.writer is not None and self.writer.pending >= MAX_PENDING_WRITES:
                return self.writer.drained().addCallback(lambda _: item)  # the disk is behind: wait for it
        return item

    async def close_spider(self, spider: Any = None) -> None:
        """Write what is left; the run row is finished in `spider_closed`, which knows the close reason."""
        if self._timer is not None and self._timer.running:
            self._timer.stop()
        self.flush()
        if self.writer is not None:
            await maybe_deferred_to_future(self.writer.drained())

    async def spider_closed(self, spider: Any, reason: str) -> None:
        if self.store is None or self.run_id is None or self.writer is None:
            return
        self.flush()
        writer, store, run_id = self.writer, self.store, self.run_id
        self.store = None  # nothing more is queued after the run row below

        def finish(_: Any) -> defer.Deferred:
            # counted only now: the outcomes of the last batches arrive as their writes complete
            stats, errors = self.run_stats(), self.error_counts()
            stats["close_reason"] = reason
            stats["slot_delay_ms"] = self.slot_delays()
            if self.owns_run:
                status = "finished" if reason in FINISHED_REASONS else (
                    "interrupted" if reason == "shutdown" else "failed")
                done = writer.submit(store.finish_run, run_id, status=status, stats=stats, errors=errors)
            else:
                done = writer.submit(store.update_run, run_id, stats=stats, errors=errors)
            done.addErrback(self._write_failed, "the run row")
            return done.addBoth(lambda _: writer.submit(store.close)).addBoth(lambda _: writer.stop())

        await maybe_deferred_to_future(writer.drained().addCallback(finish))

    def spider_error(self, failure: Any, response: Any, spider: Any) -> None:
        if self.crawl_stats is not None:
            self.crawl_stats.inc_value(ERROR_PREFIX + "spider_error")

    # -- batches and progress -----------------------------------------------------------------------------

    def _tick(self) -> None:
        if self.buffer or self.not_modified:
            self.flush()
        else:
            self.report()

    def flush(self) -> None:
        """Queue the buffered articles for one transaction on the writer thread, then the run's progress."""
        if self.store is None or self.writer is None:
            return
        batch, self.buffer = self.buffer, []
        if batch:
            self.writer.submit(self.store.save_articles, batch, self.run_id).addCallbacks(
                self._stored, self._write_failed, errbackArgs=(f"{len(batch)} articles",))
        confirmed, self.not_modified = self.not_modified, []
        if confirmed:
            # a 304 is an unchanged article that cost no download: counted as unchanged and as not_modified
            self.writer.submit(self.store.confirm_unchanged, [c.url for c in confirmed], self.run_id,
                               confirmed[-1].fetched_at).addCallbacks(
                lambda _: self.outcomes.update(unchanged=len(confirmed)), self._write_failed,
                errbackArgs=("304 confirmations",))
        self._last_flush = time.monotonic()
        self.report()

    def _stored(self, outcomes: list[str]) -> None:
        self.outcomes.update(outcomes)
        log.info("stored %d articles (%s)", len(outcomes), ", ".join(f"{k} {v}" for k, v in Counter(outcomes).items()))

    def _write_failed(self, failure: Any, what: str) -> None:
        log.error("could not write %s to %s: %s", what, self.db_path, failure.getErrorMessage())
        if self.crawl_stats is not None:
            self.crawl_stats.inc_value(ERROR_PREFIX + "store_error")

    def report(self) -> None:
        """Queue the run row's progress, as counted now (read here, on the reactor thread)."""
        if self.store is not None and self.run_id is not None and self.writer is not None:
            self.writer.submit(self.store.update_run, self.run_id, stats=self.run_stats(),
                               errors=self.error_counts()).addErrback(self._write_failed, "progress")

    def run_stats(self) -> dict[str, Any]:
        stats: dict[str, Any] = {
            "pages_fetched": self._crawl_stat("pages_fetched"),
            "skipped": self._crawl_stat("skipped"),
            **{counter: self.outcomes[outcome] for outcome, counter in OUTCOME_COUNTERS.items()},
        }
        for name in ("not_modified", "ignored", "up_to_date", "resume_skipped", "robots_disallowed"):
            stats[name] = self._crawl_stat(name)
        stats["max_pages_reached"] = self._crawl_stat("max_pages_reached")
        return {k: v + int(self.base.get(k) or 0) for k, v in stats.items()}

    def slot_delays(self) -> dict[str, dict[str, int]]:
        """host -> {"min": ms, "max": ms}: the download delays AutoThrottle gave each site (crawler.throttle)."""
        out: dict[str, dict[str, int]] = {}
        prefix = STATS_PREFIX + "slot_delay_ms/"
        for key, value in (self.crawl_stats.get_stats().items() if self.crawl_stats is not None else ()):
            if key.startswith(prefix):
                host, _, bound = key[len(prefix):].rpartition("/")
                out.setdefault(host, {})[bound] = int(value)
        return out

    def error_counts(self) -> dict[str, int]:
        counts: Counter[str] = Counter(self.base_errors)
        if self.crawl_stats is not None:
            for key, value in self.crawl_stats.get_stats().items():
                if key.startswith(ERROR_PREFIX):
                    counts[key[len(ERROR_PREFIX):]] += int(value)
        return dict(counts)

    def _crawl_stat(self, name: str) -> int:
        return int(self.crawl_stats.get_value(STATS_PREFIX + name, 0)) if self.crawl_stats is not None else 0

    def _read_base(self) -> None:
        """Counters an earlier process of the same run wrote (one run can span a process per spider)."""
        assert self.store is not None
        row = self.store.get_run(self.run_id)
        extra = row["stats"]
        self.base = {k: row.get(k) or extra.get(k) or 0 for k in (
            "pages_fetched", "skipped", "articles_new", "articles_updated", "articles_unchanged", "ignored",
            "max_pages_reached", "not_modified", "up_to_date", "resume_skipped", "robots_disallowed")}
        self.base_errors = Counter(row["error_counts"])

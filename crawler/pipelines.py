"""StorePipeline: Article items -> db.Store in batches, plus the crawl_runs row's progress and outcome.

No NLP here. Each batch is one transaction (`Store.save_articles`), so a killed crawl leaves every
article either fully stored or absent. Progress (pages, articles, skips, errors) is written to the
crawl_runs row every few seconds; `newsclaims crawl` reads it to show progress.
"""
from __future__ import annotations

import logging
import time
from collections import Counter
from typing import Any

from scrapy import signals
from twisted.internet import task

from crawler.items import Article, NotModified
from crawler.spiders.news import ERROR_PREFIX, STATS_PREFIX
from db.store import Store

log = logging.getLogger(__name__)

OUTCOME_COUNTERS = {"new": "articles_new", "updated": "articles_updated", "unchanged": "articles_unchanged"}
# Scrapy close reasons that mean the crawl did what it was asked (page limits count as done)
FINISHED_REASONS = {"finished", "closespider_pagecount", "closespider_itemcount", "closespider_timeout"}


class StorePipeline:
    """Buffers articles and writes them every `NEWSCLAIMS_BATCH_SIZE` items / `NEWSCLAIMS_BATCH_SECONDS`."""

    def __init__(self, db_path: str, *, batch_size: int = 25, batch_seconds: float = 2.0,
                 run_id: int | None = None, stats: Any = None) -> None:
        self.db_path = db_path
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
        return item

    def close_spider(self, spider: Any = None) -> None:
        """Write what is left; the run row is finished in `spider_closed`, which knows the close reason."""
        if self._timer is not None and self._timer.running:
            self._timer.stop()
        self.flush()

    def spider_closed(self, spider: Any, reason: str) -> None:
        if self.store is None or self.run_id is None:
            return
        try:
            self.flush()
        finally:
            stats, errors = self.run_stats(), self.error_counts()
            stats["close_reason"] = reason
            stats["slot_delay_ms"] = self.slot_delays()
            if self.owns_run:
                status = "finished" if reason in FINISHED_REASONS else (
                    "interrupted" if reason == "shutdown" else "failed")
                self.store.finish_run(self.run_id, status=status, stats=stats, errors=errors)
            else:
                self.store.update_run(self.run_id, stats=stats, errors=errors)
            self.store.close()
            self.store = None

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
        """Write the buffered articles in one transaction, then the run's progress."""
        if self.store is None:
            return
        batch, self.buffer = self.buffer, []
        if batch:
            outcomes = self.store.save_articles(batch, self.run_id)
            self.outcomes.update(outcomes)
            log.info("stored %d articles (%s)", len(batch), ", ".join(f"{k} {v}" for k, v in Counter(outcomes).items()))
        confirmed, self.not_modified = self.not_modified, []
        if confirmed:
            # a 304 is an unchanged article that cost no download: counted as unchanged and as not_modified
            self.store.confirm_unchanged([c.url for c in confirmed], self.run_id, confirmed[-1].fetched_at)
            self.outcomes["unchanged"] += len(confirmed)
        self._last_flush = time.monotonic()
        self.report()

    def report(self) -> None:
        if self.store is not None and self.run_id is not None:
            self.store.update_run(self.run_id, stats=self.run_stats(), errors=self.error_counts())

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

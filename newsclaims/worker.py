"""`newsclaims crawl --frontier redis://...`: one crawler worker on a frontier shared through Redis.

A worker runs the ordinary `news` spider in this process (a worker is one crawl, so the reactor never needs
a restart) with crawler.frontier's scheduler, pipeline and middlewares. It writes no SQLite: its items go
to Redis for `newsclaims ingest`. It exits 0 once the whole frontier has been empty for `idle_exit`
seconds, and 1 with one clear line when Redis cannot be reached or goes away.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from crawler.frontier import FRONTIER_LOST, frontier_settings
from newsclaims.errors import ConfigError
from newsclaims.ingest import FrontierError, check_frontier
from newsclaims.runner import (GENERIC_SPIDER, CrawlOptions, _child_log_level, group_by_spider, plan_sources,
                               spider_arguments)

log = logging.getLogger(__name__)


@dataclass
class WorkerResult:
    reason: str  # Scrapy's close reason: finished, shutdown, frontier_lost, ...
    stats: dict[str, Any]

    @property
    def ok(self) -> bool:
        return self.reason == "finished"


def run_worker(options: CrawlOptions, frontier: str, *, idle_exit: float) -> WorkerResult:
    """Crawl from the shared frontier until it has been empty `idle_exit` seconds."""
    from scrapy.crawler import CrawlerProcess
    from scrapy.settings import Settings

    sources = plan_sources(options)
    spiders = set(group_by_spider(sources))
    if spiders - {GENERIC_SPIDER}:
        raise ConfigError(f"--frontier runs the {GENERIC_SPIDER!r} spider only; these sources need "
                          f"{', '.join(sorted(spiders - {GENERIC_SPIDER}))}")
    check_frontier(frontier)
    settings = Settings()
    settings.setmodule("crawler.settings", priority="project")
    settings.setdict(frontier_settings(frontier, idle_exit=idle_exit), priority="cmdline")
    settings.setdict(dict(options.settings), priority="cmdline")
    # Scrapy logs through the root logger that `newsclaims -v` configured (no second handler)
    settings.set("LOG_INSTALL_ROOT_HANDLER", False, priority="cmdline")
    settings.set("LOG_LEVEL", options.log_level or _child_log_level(), priority="cmdline")
    root = logging.getLogger()
    level = root.level
    process = CrawlerProcess(settings)
    # Scrapy resets the root logger's level (more than once); our handlers keep what -v asked for
    root.setLevel(level)
    for handler in root.handlers:
        handler.setLevel(level)
    crawler = process.create_crawler(GENERIC_SPIDER)
    process.crawl(crawler, **spider_arguments(options, sources))
    process.start()
    stats = dict(crawler.stats.get_stats()) if crawler.stats else {}
    reason = str(stats.get("finish_reason") or "failed")
    frontier_state = getattr(crawler, "_newsclaims_frontier", None)
    if reason == FRONTIER_LOST or (frontier_state is not None and frontier_state.lost):
        raise FrontierError(f"the frontier at {frontier} went away ({frontier_state.lost if frontier_state else '?'})"
                            "; nothing is lost: pages in flight are fetched again by the next worker")
    return WorkerResult(reason, stats)

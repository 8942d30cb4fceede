"""IncrementalMiddleware: fetch an article page again only when it may have changed.

For requests the spider marks as article candidates (`meta["nc_page"]`), in this order:
  1. on `--resume`, a page this job already fetched is not requested again (`AlreadyFetched`);
  2. a stored page fetched after the date its sitemap/feed entry says it last changed is not requested
     at all (`UpToDate`);
  3. any other stored page is requested conditionally (If-None-Match / If-Modified-Since) and a 304
     reaches the spider, which counts it as not modified without parsing anything.
Feeds, sitemaps and configured start pages are never marked, so they are always re-read.
The database is read through a read-only `Store` (WAL: never blocks the pipeline's writes).
"""
from __future__ import annotations

import logging
from typing import Any

from scrapy import Request, signals
from scrapy.exceptions import IgnoreRequest

from crawler.freshness import is_current
from crawler.resume import ARTICLE, PAGE
from db.store import KnownPage, Store
from newsclaims.errors import DatabaseError

log = logging.getLogger(__name__)


class UpToDate(IgnoreRequest):
    """The stored copy is newer than the page's last change: nothing to fetch."""


class AlreadyFetched(IgnoreRequest):
    """This (resumed) job fetched the page before it was interrupted."""


class IncrementalMiddleware:
    def __init__(self, db_path: str) -> None:
        self.db_path = db_path
        self.store: Store | None = None
        self.crawler: Any = None

    @classmethod
    def from_crawler(cls, crawler: Any) -> IncrementalMiddleware:
        middleware = cls(crawler.settings.get("NEWSCLAIMS_DB") or "newsclaims.db")
        middleware.crawler = crawler
        crawler.signals.connect(middleware.spider_closed, signal=signals.spider_closed)
        return middleware

    def spider_closed(self, spider: Any) -> None:
        if self.store is not None:
            self.store.close()
            self.store = None

    def known(self, url: str) -> KnownPage | None:
        if self.store is None:
            try:
                self.store = Store.open(self.db_path, readonly=True)
            except DatabaseError:  # no database yet: nothing is known, everything is fetched
                return None
        return self.store.known_page(url)

    def process_request(self, request: Request, spider: Any = None) -> None:
        if not request.meta.get("nc_page") or request.meta.get("nc_checked"):
            return None
        request.meta["nc_checked"] = True  # once: retries and redirects come back through here
        ledger = getattr(self.crawler.spider, "ledger", None)
        known = self.known(request.url)
        if ledger is not None:
            kind = ledger.get(self.crawler.request_fingerprinter.fingerprint(request).hex())
            if kind == PAGE or (kind == ARTICLE and known is not None and known.fetched_at >= ledger.started_at):
                raise AlreadyFetched("fetched earlier in this job")
        if known is None:
            return None
        if is_current(known.fetched_at, request.meta.get("nc_modified")):
            raise UpToDate(f"stored copy of {known.fetched_at} is newer than {request.meta['nc_modified']}")
        if known.etag:
            request.headers["If-None-Match"] = known.etag
        if known.last_modified:
            request.headers["If-Modified-Since"] = known.last_modified
        if known.etag or known.last_modified:
            request.meta["nc_conditional"] = True
            request.meta["handle_httpstatus_list"] = [*request.meta.get("handle_httpstatus_list", ()), 304]
        return None

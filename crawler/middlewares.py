"""IncrementalMiddleware: fetch an article page again only when it may have changed.

For requests the spider marks as article candidates (`meta["nc_page"]`), in this order:
  1. on `--resume`, a page this job already fetched is not requested again (`AlreadyFetched`);
  2. a stored page fetched after the date its sitemap/feed entry says it last changed is not requested
     at all (`UpToDate`);
  3. any other stored page is requested conditionally (If-None-Match / If-Modified-Since) and a 304
     reaches the spider, which counts it as not modified without parsing anything.
Feeds, sitemaps and configured start pages are never marked, so they are always re-read.
The database is read through a read-only `Store` (WAL: never blocks the pipeline's writes).

RetryAfterMiddleware: 429/503 answers with `Retry-After` wait that long before Scrapy's retry (bounded by
NEWSCLAIMS_MAX_RETRY_AFTER; a longer wait is honoured by not retrying at all), and answers that succeed
after a retry are counted as `http_429_retried` / `http_5xx_retried`.
"""
from __future__ import annotations

import asyncio
import email.utils
import logging
from datetime import datetime, timezone
from typing import Any

from scrapy import Request, signals
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response

from crawler.freshness import is_current
from crawler.resume import ARTICLE, PAGE
from db.store import KnownPage, Store
from newsclaims.errors import DatabaseError

log = logging.getLogger(__name__)


class UpToDate(IgnoreRequest):
    """The stored copy is newer than the page's last change: nothing to fetch."""


class AlreadyFetched(IgnoreRequest):
    """This (resumed) job fetched the page before it was interrupted."""


class RedirectLoop(IgnoreRequest):
    """A redirect back to a URL of the request's own redirect chain."""


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
        # Scrapy's duplicate filter would catch most loops silently, but not those of retried requests
        # (retries bypass it), so loops are named here, where every request passes
        if request.url in request.meta.get("redirect_urls", ()):
            raise RedirectLoop(f"redirect loop: {' -> '.join([*request.meta['redirect_urls'], request.url])}")
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


ERROR_PREFIX = "newsclaims/errors/"  # as in crawler.spiders.news (which imports this module)


def retry_after_seconds(value: str | None, now: datetime | None = None) -> float | None:
    """`Retry-After: 120` or `Retry-After: <HTTP date>` -> seconds from now (None if absent or unreadable)."""
    if not value or not value.strip():
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return max(0.0, (when - (now or datetime.now(timezone.utc))).total_seconds())


class RetryAfterMiddleware:
    """Runs just before Scrapy's RetryMiddleware on responses (a higher priority number)."""

    def __init__(self, max_wait: float, retry_codes: set[int], max_retries: int, stats: Any) -> None:
        self.max_wait = max_wait
        self.retry_codes = retry_codes
        self.max_retries = max_retries
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler: Any) -> RetryAfterMiddleware:
        settings = crawler.settings
        return cls(settings.getfloat("NEWSCLAIMS_MAX_RETRY_AFTER", 120.0),
                   {int(c) for c in settings.getlist("RETRY_HTTP_CODES")}, settings.getint("RETRY_TIMES"),
                   crawler.stats)

    async def process_response(self, request: Request, response: Response, spider: Any = None) -> Response:
        if response.status < 300:
            for category in dict.fromkeys(request.meta.get("nc_retried_for", ())):
                self.stats.inc_value(ERROR_PREFIX + f"{category}_retried")
            return response
        if response.status not in self.retry_codes or request.meta.get("dont_retry"):
            return response
        will_retry = request.meta.get("retry_times", 0) < request.meta.get("max_retry_times", self.max_retries)
        header = response.headers.get("Retry-After")
        wait = retry_after_seconds(header.decode("latin-1") if header else None)
        if wait is not None and wait > self.max_wait:
            # coming back sooner than the site asked would be rude; give up on this page for this run
            log.warning("%s asks to retry after %.0f s (more than NEWSCLAIMS_MAX_RETRY_AFTER=%g): not retried",
                        request.url, wait, self.max_wait)
            request.meta["dont_retry"] = True
            return response
        category = "http_5xx" if response.status >= 500 else f"http_{response.status}"
        request.meta["nc_retried_for"] = [*request.meta.get("nc_retried_for", ()), category]
        if wait and will_retry:
            log.info("%s: HTTP %d, retrying after %.1f s as asked", request.url, response.status, wait)
            await asyncio.sleep(wait)
        return response

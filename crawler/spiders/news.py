"""The one generic spider: feeds, sitemaps and listing pages of every configured source -> Article items.

Arguments (`scrapy crawl news -a NAME=VALUE`):
  sources   the sources file (default: sources.toml or $NEWSCLAIMS_SOURCES)
  source    comma-separated source names to crawl (default: every source without a site-specific spider)
  urls      whitespace-separated URLs to crawl as one one-off source instead (feeds/sitemaps are expanded)
  max_pages cap on requests per source, overriding the file
  base_url  replaces `{base}` in the sources file's URLs
  kind, lang  kind and language hint of the one-off `urls` source

Callbacks only fetch and extract (cheap, pure); no NLP happens here. Problems are counted in the crawl
stats under `newsclaims/errors/<category>` (e.g. http_404, http_5xx, feed_malformed), which the store
pipeline writes to the crawl_runs row.

Incremental crawls: article requests carry `nc_page` (and the sitemap/feed's last-change date as
`nc_modified`) so `crawler.middlewares.IncrementalMiddleware` can skip or condition them; a 304 arrives
here as a `NotModified` item. With a JOBDIR, every answered article request is written to the job's
`FetchLedger` so `--resume` does not fetch it again.
"""
from __future__ import annotations

import re
from collections import Counter
from importlib import resources
from collections.abc import AsyncIterator, Iterator, Mapping
from dataclasses import replace
from datetime import datetime, timezone
from typing import Any
from urllib.parse import urlsplit

import scrapy
from scrapy.http import Response, TextResponse
from scrapy.linkextractors import IGNORED_EXTENSIONS, LinkExtractor
from scrapy.spidermiddlewares.httperror import HttpError
from scrapy.exceptions import IgnoreRequest
from twisted.python.failure import Failure
from w3lib.url import canonicalize_url as fingerprint_url

from crawler import feeds
from crawler.encoding import declared_charsets
from crawler.extract import canonicalize_url, extract
from crawler.items import Article, NotModified
from crawler.middlewares import AlreadyFetched, UpToDate
from crawler.resume import ARTICLE, PAGE, FetchLedger
from crawler.shutdown import ShuttingDown
from crawler.urls import http_url_problem, join_url
from crawler.sources import Source, load_sources, select_sources, url_source
from newsclaims.config import default_sources

STATS_PREFIX = "newsclaims/"
ERROR_PREFIX = STATS_PREFIX + "errors/"
PDF_TYPES = ("application/pdf", "application/x-pdf")
# letters are often PDFs, so unlike Scrapy's default we follow links to .pdf files
_LINK_EXTENSIONS_DENIED = [e for e in IGNORED_EXTENSIONS if e != "pdf"]


# Download failures by exception class name: Twisted's, and the wrappers newer Scrapy versions raise
DOWNLOAD_ERRORS = {
    "DownloadCancelledError": "too_large",  # Content-Length above DOWNLOAD_MAXSIZE
    "CancelledError": "too_large",  # a body that grew past DOWNLOAD_MAXSIZE while being received
    "DNSLookupError": "dns", "CannotResolveHostError": "dns",
    "TimeoutError": "timeout", "DownloadTimeoutError": "timeout",
    "ConnectionRefusedError": "connection", "DownloadConnectionRefusedError": "connection",
    "ResponseNeverReceived": "connection", "ConnectionLost": "connection", "ResponseFailed": "connection",
    "DownloadFailedError": "connection", "ResponseDataLossError": "connection",
}


# IgnoreRequest messages of Scrapy's middlewares -> category (anything else is a quiet skip, e.g. robots.txt)
IGNORED_ERRORS = {
    "during decompression": "too_large_decompressed",  # a gzip bomb, stopped at DOWNLOAD_MAXSIZE
    "max redirections reached": "too_many_redirects",
    "redirect loop": "redirect_loop",
    # crawler.guard's refusals
    "bad URL": "bad_url",
    "offsite redirect": "offsite_redirect",
    "internal address": "internal_address",
}
# libxml2's refusals of entity expansion (billion laughs); anything else wrong with a feed is feed_malformed
ENTITY_BOMB_MESSAGES = ("amplification", "entity reference loop")
_LINK_TAG = re.compile(rb"<a\s", re.IGNORECASE)


def _load_skip_categories() -> dict[str, str]:
    text = resources.files("crawler.data").joinpath("skip_categories.tsv").read_text(encoding="utf-8")
    rows = (line.split("\t") for line in text.splitlines() if line.strip() and not line.startswith("#"))
    return {reason: category.strip() for reason, category in rows}


SKIP_CATEGORIES = _load_skip_categories()


def skip_category(reason: str | None) -> str | None:
    """The error category of a page extract() rejected, or None for an ordinary non-article page."""
    return next((c for prefix, c in SKIP_CATEGORIES.items() if (reason or "").startswith(prefix)), None)


def download_error_category(exc: BaseException) -> str:
    for cls in type(exc).__mro__:
        if cls.__name__ in DOWNLOAD_ERRORS:
            return DOWNLOAD_ERRORS[cls.__name__]
    return "download"


def utcnow() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def header(response: Response, name: str) -> str | None:
    value = response.headers.get(name)
    return value.decode("latin-1") if value else None


def plain_headers(response: Response) -> dict[str, str]:
    return {k.decode("latin-1"): v[0].decode("latin-1") for k, v in response.headers.items() if v}


class NewsSpider(scrapy.Spider):
    """Crawls sources from a sources file (or one-off URLs) into `crawler.items.Article` items."""

    name = "news"

    def __init__(self, sources: str | None = None, source: str | None = None, urls: str | None = None,
                 max_pages: str | int | None = None, base_url: str | None = None, kind: str = "news",
                 lang: str = "auto", **kwargs: Any) -> None:
        super().__init__(**kwargs)
        limit = int(max_pages) if max_pages not in (None, "") else None
        if urls:
            chosen = [url_source(urls.split(), kind=kind, lang=lang, max_pages=limit)]
        else:
            every = load_sources(sources or default_sources(), base_url=base_url)
            names = [n.strip() for n in (source or "").split(",") if n.strip()]
            chosen = select_sources(every, names) if names else [
                s for s in every if s.spider in (None, self.name)]
        if limit is not None:
            chosen = [_with_max_pages(s, limit) for s in chosen]
        self.sources: list[Source] = chosen
        self._requested: Counter[str] = Counter()  # source name -> requests made (for max_pages)
        self._seen: set[str] = set()
        self._deny = {s.name: [re.compile(p) for p in s.deny] for s in chosen}
        self._links = {s.name: self._link_extractor(s) for s in chosen}
        self.ledger: FetchLedger | None = None  # set when the crawl has a JOBDIR (resumable)

    @classmethod
    def from_crawler(cls, crawler: Any, *args: Any, **kwargs: Any) -> NewsSpider:
        spider = super().from_crawler(crawler, *args, **kwargs)
        agent = user_agent(crawler.settings)
        if agent:
            crawler.settings.set("USER_AGENT", agent, priority="spider")
        jobdir = crawler.settings.get("JOBDIR")
        if jobdir:
            spider.ledger = FetchLedger(jobdir)
            if spider.ledger.resumed:
                spider.logger.info("resuming the job in %s (%d pages answered before)", jobdir,
                                   len(spider.ledger.kinds))
        slots = spider.download_slots(crawler.settings.getdict("DOWNLOAD_SLOTS"))
        if slots:
            # settings are still writable here (Scrapy freezes them after the spider is created)
            crawler.settings.set("DOWNLOAD_SLOTS", slots, priority="spider")
        return spider

    def download_slots(self, existing: Mapping[str, Any]) -> dict[str, Any]:
        """Per-domain delay/concurrency from the sources that set `download_delay` / `concurrency`."""
        slots = dict(existing)
        for src in self.sources:
            conf = {k: v for k, v in (("delay", src.download_delay), ("concurrency", src.concurrency))
                    if v is not None}
            for domain in src.domains if conf else ():
                slots[domain] = {**slots.get(domain, {}), **conf}
        return slots

    @staticmethod
    def _link_extractor(source: Source) -> LinkExtractor:
        # domains are checked by hostname in follow_links: LinkExtractor's allow_domains compares host:port
        return LinkExtractor(allow=source.follow, deny=source.deny, deny_extensions=_LINK_EXTENSIONS_DENIED)

    # -- requests ---------------------------------------------------------------------------------------

    async def start(self) -> AsyncIterator[scrapy.Request]:
        for request in self.start_requests_for_sources():
            yield request

    def start_requests_for_sources(self) -> Iterator[scrapy.Request]:
        for src in self.sources:
            self.logger.info("source %s: %d feeds, %d sitemaps, %d start URLs (max %d pages, depth %d)",
                             src.name, len(src.feeds), len(src.sitemaps), len(src.start_urls),
                             src.max_pages, src.max_depth)
            for url in src.feeds:
                yield from self.follow_url(url, src, self.parse_feed, depth=0, configured=True)
            for url in src.sitemaps:
                yield from self.follow_url(url, src, self.parse_sitemap, depth=0, configured=True)
            for url in src.start_urls:
                yield from self.follow_url(url, src, self.parse_page, depth=0, configured=True)

    def follow_url(self, url: str, source: Source, callback: Any, *, depth: int,
                   configured: bool = False, modified: str | None = None) -> Iterator[scrapy.Request]:
        """A request for `url` unless already requested, denied, or over the source's page budget."""
        problem = http_url_problem(url)
        if problem:
            # ftp://, mailto:, a malformed IPv6 host, port 99999: never handed to Scrapy's download handlers
            self.logger.info("not following %s: %s", url[:200], problem)
            self.count_error("bad_url")
            return
        key = fingerprint_url(url)
        if key in self._seen:
            return
        if not configured and any(p.search(url) for p in self._deny[source.name]):
            return
        if not configured and len(url) > self.settings.getint("URLLENGTH_LIMIT", 2083):
            self.logger.warning("not following a %d-character URL: %s...", len(url), url[:120])
            self.count_error("url_too_long")
            return
        if not configured and not self.same_site(url, source):
            # a feed or sitemap pointing elsewhere: only `allowed_domains` may widen a source
            self.logger.info("not following %s: outside %s", url, ", ".join(source.domains))
            self.count_error("offsite")
            return
        if self._requested[source.name] >= source.max_pages:
            self.count("max_pages_reached")
            return
        self._seen.add(key)
        self._requested[source.name] += 1
        meta: dict[str, Any] = {"nc_source": source.name, "nc_depth": depth}
        if callback == self.parse_page and not configured:
            meta["nc_page"] = True
            if modified:
                meta["nc_modified"] = modified
        # configured URLs are always (re-)read, also on --resume, whatever an earlier process queued
        yield scrapy.Request(url, callback=callback, errback=self.on_error, meta=meta, dont_filter=configured)

    def source_of(self, response: Response | scrapy.Request) -> Source:
        name = response.meta["nc_source"]
        return next(s for s in self.sources if s.name == name)

    # -- counting ---------------------------------------------------------------------------------------

    def count(self, key: str) -> None:
        self.crawler.stats.inc_value(STATS_PREFIX + key)

    def count_error(self, category: str) -> None:
        self.crawler.stats.inc_value(ERROR_PREFIX + category)

    def remember(self, request: scrapy.Request, kind: str) -> None:
        """Note an answered article request in the job ledger (resumable crawls only)."""
        if self.ledger is not None and request.meta.get("nc_page"):
            self.ledger.record(self.crawler.request_fingerprinter.fingerprint(request).hex(), kind)

    def closed(self, reason: str) -> None:
        if self.ledger is not None:
            self.ledger.close()

    def on_error(self, failure: Failure) -> None:
        request = failure.request
        if failure.check(UpToDate):
            self.count("up_to_date")
            self.logger.debug("not fetched (%s): %s", failure.getErrorMessage(), request.url)
            return
        if failure.check(AlreadyFetched):
            self.count("resume_skipped")
            return
        if failure.check(ShuttingDown):
            return  # not an answer: requeued for --resume
        self.remember(request, PAGE)
        if failure.check(HttpError):
            response = failure.value.response
            self.count("pages_fetched")
            category = "http_5xx" if response.status >= 500 else f"http_{response.status}"
            self.logger.warning("HTTP %d for %s", response.status, response.url)
        elif failure.check(IgnoreRequest) and self.ignored_category(failure.getErrorMessage()):
            category = self.ignored_category(failure.getErrorMessage()) or "ignored"
            self.logger.warning("not fetched (%s): %s", failure.getErrorMessage(), request.url)
        elif failure.check(IgnoreRequest):
            # robots.txt disallowed it, or similar: a skip, not an error
            self.count("ignored")
            if "robots.txt" in failure.getErrorMessage():
                self.count("robots_disallowed")
                if not request.meta.get("nc_page") and request.meta.get("nc_depth") == 0:
                    self.logger.warning("robots.txt of %s disallows %s, a configured URL of source %s: "
                                        "nothing is crawled from it", urlsplit(request.url).netloc, request.url,
                                        request.meta.get("nc_source"))
                    return
            self.logger.info("not fetched (%s): %s", failure.getErrorMessage(), request.url)
            return
        else:
            category = download_error_category(failure.value)
            self.logger.warning("cannot fetch %s: %s", request.url,
                                failure.getErrorMessage() or f"{category} ({type(failure.value).__name__})")
        self.count_error(category)

    @staticmethod
    def ignored_category(message: str) -> str | None:
        return next((c for text, c in IGNORED_ERRORS.items() if text in message), None)

    # -- callbacks --------------------------------------------------------------------------------------

    def parse_feed(self, response: Response) -> Iterator[scrapy.Request]:
        self.count("pages_fetched")
        source, depth = self.source_of(response), response.meta["nc_depth"]
        parsed = feeds.parse_feed(response.body, response.url)
        if parsed.problem:
            self.logger.warning("feed %s: %s", response.url, parsed.problem)
            bomb = any(m in parsed.problem for m in ENTITY_BOMB_MESSAGES)
            self.count_error("xml_entity_bomb" if bomb else "feed_malformed")
        if not parsed.urls and not parsed.problem:
            self.logger.info("feed %s has no entries", response.url)
        for url in parsed.urls:
            yield from self.follow_url(url, source, self.parse_page, depth=depth, modified=parsed.modified.get(url))

    def parse_sitemap(self, response: Response) -> Iterator[scrapy.Request]:
        self.count("pages_fetched")
        source, depth = self.source_of(response), response.meta["nc_depth"]
        parsed = feeds.parse_sitemap(response.body, response.url)
        if parsed.problem:
            self.logger.warning("sitemap %s: %s", response.url, parsed.problem)
            self.count_error("sitemap_malformed")
        for url in parsed.sitemaps:
            yield from self.follow_url(url, source, self.parse_sitemap, depth=depth)
        for url in parsed.urls:
            yield from self.follow_url(url, source, self.parse_page, depth=depth, modified=parsed.modified.get(url))

    def parse_page(self, response: Response) -> Iterator[Any]:
        """An HTML page or PDF -> an Article, or a skipped listing page whose links and feeds are followed."""
        if response.status == 304:
            yield from self.not_modified(response)
            return
        xml_kind = None if self.is_pdf(response) else feeds.sniff_kind(response.body[:4096])
        if xml_kind:
            self.remember(response.request, PAGE)
        if xml_kind == "feed":
            yield from self.parse_feed(response)
            return
        if xml_kind == "sitemap":
            yield from self.parse_sitemap(response)
            return
        self.count("pages_fetched")
        source, depth = self.source_of(response), response.meta["nc_depth"]
        if not self.is_pdf(response) and not self.link_count_ok(response):
            self.remember(response.request, PAGE)
            return
        try:
            extracted = extract(response.body, response.url, content_type=header(response, "Content-Type"),
                                headers=plain_headers(response), lang_hint=source.lang)
        except Exception as exc:  # extract() promises not to raise; if it does, lose this page, not the crawl
            self.remember(response.request, PAGE)
            self.logger.error("extraction failed for %s: %r", response.url, exc)
            self.count_error("extract_error")
            return
        self.remember(response.request, ARTICLE if extracted.is_article else PAGE)
        if extracted.is_article:
            self.count("articles")
            if not self.decodes_as_declared(response):
                self.count_error("invalid_encoding")  # stored anyway: a few bad bytes do not spoil an article
                self.logger.info("invalid %s bytes in %s (replaced)", extracted.encoding, response.url)
            yield self.article(response, source, extracted)
        else:
            self.count("skipped")
            category = skip_category(extracted.reason)
            if category:
                self.count_error(category)
                self.logger.warning("not an article (%s): %s", extracted.reason, response.url)
            else:
                self.logger.debug("not an article (%s): %s", extracted.reason, response.url)
        # only listing pages lead on: links on articles are mostly "related stories" noise
        if isinstance(response, TextResponse) and not extracted.is_article and not skip_category(extracted.reason):
            yield from self.discover_feeds(response, source, depth)
            if depth < source.max_depth:
                for link in self._links[source.name].extract_links(response):
                    if self.same_site(link.url, source):
                        yield from self.follow_url(link.url, source, self.parse_page, depth=depth + 1)

    def not_modified(self, response: Response) -> Iterator[NotModified]:
        """A 304 to our conditional request: the stored article is current; nothing to parse."""
        self.count("pages_fetched")
        self.count("not_modified")
        self.remember(response.request, ARTICLE)
        yield NotModified(url=response.request.url, fetched_at=utcnow())

    def link_count_ok(self, response: Response) -> bool:
        """A page with more links than NEWSCLAIMS_MAX_LINKS is a link farm: neither an article nor a listing."""
        limit = self.settings.getint("NEWSCLAIMS_MAX_LINKS", 5000)
        found = len(_LINK_TAG.findall(response.body))  # cheap: extracting 100,000 links takes seconds
        if found <= limit:
            return True
        self.logger.warning("not following the %d links of %s (more than NEWSCLAIMS_MAX_LINKS=%d)",
                            found, response.url, limit)
        self.count_error("too_many_links")
        return False

    def decodes_as_declared(self, response: Response) -> bool:
        """False when the page declares a charset (header or <meta>) its bytes are not valid in."""
        if self.is_pdf(response):
            return True
        for charset in declared_charsets(response.body, plain_headers(response)):
            try:
                response.body.decode(charset)
            except UnicodeDecodeError:
                return False
            except LookupError:  # an unknown charset name: extract() already chose another one
                continue
        return True

    def discover_feeds(self, response: TextResponse, source: Source, depth: int) -> Iterator[scrapy.Request]:
        """`<link rel=alternate type=application/rss+xml href=...>` on a page -> that feed."""
        try:
            links = response.css("link[rel~=alternate][href]")
        except (ValueError, AttributeError):  # a text response that is not HTML
            return
        for link in links:
            if (link.attrib.get("type") or "").split(";")[0].strip().lower() in feeds.FEED_LINK_TYPES:
                url = join_url(response.url, link.attrib["href"])
                if self.same_site(url, source):
                    yield from self.follow_url(url, source, self.parse_feed, depth=depth)

    @staticmethod
    def same_site(url: str, source: Source) -> bool:
        try:
            host = urlsplit(url).hostname or ""
        except ValueError:  # malformed (e.g. an unclosed IPv6 bracket): on no site
            return False
        return any(host == d or host.endswith("." + d) for d in source.domains)

    @staticmethod
    def is_pdf(response: Response) -> bool:
        ctype = (header(response, "Content-Type") or "").split(";")[0].strip().lower()
        return ctype in PDF_TYPES or response.body[:5] == b"%PDF-"

    def article(self, response: Response, source: Source, extracted: Any) -> Article:
        is_pdf = extracted.content_type in PDF_TYPES or self.is_pdf(response)
        return Article(
            url=response.url,
            canonical_url=extracted.canonical_url or canonicalize_url(response.url),
            source=source.name,
            kind="letter" if is_pdf else source.kind,
            text=extracted.text,
            raw_body=response.body,
            content_type=extracted.content_type,
            fetched_at=utcnow(),
            lang=extracted.lang,
            title=extracted.title,
            author=extracted.author,
            published=extracted.published,
            description=extracted.description,
            encoding=extracted.encoding,
            http_status=response.status,
            etag=header(response, "ETag"),
            last_modified=header(response, "Last-Modified"),
        )


def user_agent(settings: Any) -> str | None:
    """The User-Agent naming a contact URL given on the command line (`-s NEWSCLAIMS_CONTACT_URL=...`).

    None when USER_AGENT itself was set there, or the contact URL is the one settings.py already used.
    """
    from newsclaims import __version__

    if settings.getpriority("USER_AGENT") > settings.getpriority("NEWSCLAIMS_CONTACT_URL"):
        return None
    if settings.getpriority("NEWSCLAIMS_CONTACT_URL") <= settings.getpriority("BOT_NAME"):
        return None
    template = settings.get("USER_AGENT_TEMPLATE") or "newsclaims/{version} (+{contact})"
    return template.format(version=__version__, contact=settings.get("NEWSCLAIMS_CONTACT_URL"))


def _with_max_pages(source: Source, limit: int) -> Source:
    return replace(source, max_pages=limit)

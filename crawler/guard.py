"""SiteGuardMiddleware: every request a crawl sends stays on its source's sites and off internal networks.

Checked on every request, including those a redirect or `<meta http-equiv=refresh>` produced (Scrapy
sends those through the downloader middlewares again), so a site cannot take the crawler elsewhere:
  - only http(s) URLs with a valid host and port are fetched (`bad_url`): an ftp:// link to an HTTP
    port would otherwise hang the download handler beyond DOWNLOAD_TIMEOUT;
  - a redirect or refresh to a host outside the source's `allowed_domains` is dropped (`offsite_redirect`);
  - a private, loopback or link-local target is refused (`internal_address`) unless the source's own
    configured URLs are on such hosts too (local test sites, the demo, an intranet source).
Each refusal is an IgnoreRequest subclass whose message the spider maps to its error category.
"""
from __future__ import annotations

import logging
from typing import Any
from urllib.parse import urlsplit

from scrapy import Request
from scrapy.exceptions import IgnoreRequest
from scrapy.utils.defer import maybe_deferred_to_future

from crawler.netguard import is_ip_literal, ip_is_internal, name_is_internal
from crawler.urls import http_url_problem

log = logging.getLogger(__name__)


class BadUrl(IgnoreRequest):
    """Not an http(s) URL with a host and a valid port."""


class OffsiteRedirect(IgnoreRequest):
    """A redirect or meta refresh to a host outside the source's allowed domains."""


class InternalAddress(IgnoreRequest):
    """A private, loopback or link-local target of a source that lives on public hosts."""


class SiteGuardMiddleware:
    def __init__(self, crawler: Any) -> None:
        self.crawler = crawler
        self._internal_hosts: dict[str, bool] = {}  # host -> resolves to an internal address
        self._internal_sources: dict[str, bool] = {}  # source name -> its own URLs are internal

    @classmethod
    def from_crawler(cls, crawler: Any) -> SiteGuardMiddleware:
        return cls(crawler)

    async def process_request(self, request: Request, spider: Any = None) -> None:
        problem = http_url_problem(request.url)
        if problem:
            raise BadUrl(f"bad URL: {problem}: {request.url[:200]}")
        spider = self.crawler.spider
        source = spider.source_of(request) if request.meta.get("nc_source") and hasattr(spider, "source_of") \
            else None
        if source is None:
            return None  # robots.txt requests and other spiders' requests: not ours to judge
        if request.meta.get("redirect_urls") and not spider.same_site(request.url, source):
            raise OffsiteRedirect(f"offsite redirect: {request.meta['redirect_urls'][0]} -> {request.url} is "
                                  f"outside {', '.join(source.domains)}")
        host = urlsplit(request.url).hostname or ""
        if await self.host_is_internal(host) and not await self.source_is_internal(source):
            raise InternalAddress(f"internal address: {request.url} is on a private/loopback/link-local host "
                                  f"and source {source.name} is not")
        return None

    async def source_is_internal(self, source: Any) -> bool:
        if source.name not in self._internal_sources:
            hosts = {urlsplit(u).hostname or "" for u in (*source.feeds, *source.sitemaps, *source.start_urls)}
            internal = False
            for host in hosts:
                internal = internal or await self.host_is_internal(host)
            self._internal_sources[source.name] = internal
        return self._internal_sources[source.name]

    async def host_is_internal(self, host: str) -> bool:
        if host not in self._internal_hosts:
            self._internal_hosts[host] = name_is_internal(host) or (
                not is_ip_literal(host) and ip_is_internal(await self._resolve(host)))
        return self._internal_hosts[host]

    @staticmethod
    async def _resolve(host: str) -> str:
        """The address Scrapy will connect to (its cached resolver); '' if it cannot be resolved."""
        from twisted.internet import reactor

        try:
            return str(await maybe_deferred_to_future(reactor.resolve(host)))
        except Exception:  # noqa: BLE001 -- the download itself reports the DNS error, under `dns`
            return ""

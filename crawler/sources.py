"""sources.toml -> validated `Source` records.

Every problem is a `ConfigError` naming the file, the source and the field, so a typo in a sources file
is one clear line for the user, never a crawl that silently does nothing.
"""
from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from crawler.urls import http_url_problem
from newsclaims.errors import ConfigError

KINDS = ("news", "letter")
LANGS = ("en", "zh", "auto")
URL_LISTS = ("feeds", "sitemaps", "start_urls")
PATTERN_LISTS = ("follow", "deny")
DEFAULT_MAX_PAGES = 200
DEFAULT_MAX_DEPTH = 2
BASE_PLACEHOLDER = "{base}"  # replaced by `base_url` (the demo and tests serve sites at a random port)
_NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$")
_SPIDER_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


@dataclass(frozen=True)
class Source:
    """One site (or one-off list of URLs) to crawl, as configured."""

    name: str
    kind: str = "news"
    lang: str = "auto"
    feeds: tuple[str, ...] = ()
    sitemaps: tuple[str, ...] = ()
    start_urls: tuple[str, ...] = ()
    follow: tuple[str, ...] = ()  # URL regexes of links worth following from listing pages (empty: all)
    deny: tuple[str, ...] = ()
    allowed_domains: tuple[str, ...] = ()  # empty: the hosts of the configured URLs
    max_pages: int = DEFAULT_MAX_PAGES
    max_depth: int = DEFAULT_MAX_DEPTH  # link hops from a start URL; feed and sitemap entries add none
    spider: str | None = None  # name of a site-specific spider (in crawler/spiders/); None: the generic "news"
    download_delay: float | None = None
    concurrency: int | None = None

    @property
    def domains(self) -> tuple[str, ...]:
        if self.allowed_domains:
            return self.allowed_domains
        hosts = {urlsplit(u).hostname for u in (*self.feeds, *self.sitemaps, *self.start_urls)}
        return tuple(sorted(h for h in hosts if h))

    def config(self) -> dict[str, Any]:
        """The source as a plain dict (stored in the `sources` table)."""
        return {k: list(v) if isinstance(v, tuple) else v for k, v in asdict(self).items()}

    def row(self) -> dict[str, Any]:
        return {"name": self.name, "kind": self.kind, "lang": self.lang, "config": self.config()}


@dataclass
class _Checker:
    """Validates one [[sources]] table, collecting the file and source name for messages."""

    file: str
    index: int
    table: dict[str, Any]
    name: str = field(init=False, default="")

    def fail(self, key: str, problem: str) -> ConfigError:
        who = f"source {self.name!r}" if self.name else f"source #{self.index + 1}"
        return ConfigError(f"{self.file}: {who}: `{key}` {problem}")

    def string(self, key: str, default: str | None = None, *, choices: Sequence[str] = ()) -> str | None:
        value = self.table.get(key, default)
        if value is None:
            return None
        if not isinstance(value, str) or not value.strip():
            raise self.fail(key, f"must be a non-empty string, got {value!r}")
        if choices and value not in choices:
            raise self.fail(key, f"must be one of {', '.join(choices)}, got {value!r}")
        return value.strip()

    def strings(self, key: str) -> tuple[str, ...]:
        value = self.table.get(key, [])
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
            raise self.fail(key, f"must be a list of strings, got {value!r}")
        return tuple(v.strip() for v in value)

    def urls(self, key: str, base_url: str | None) -> tuple[str, ...]:
        out = []
        for url in self.strings(key):
            if BASE_PLACEHOLDER in url:
                if not base_url:
                    raise self.fail(key, f"uses {BASE_PLACEHOLDER} in {url!r} but no base URL was given")
                url = url.replace(BASE_PLACEHOLDER, base_url.rstrip("/"))
            problem = http_url_problem(url)
            if problem:
                raise self.fail(key, f"has {url!r}, which cannot be crawled: {problem}")
            out.append(url)
        return tuple(out)

    def patterns(self, key: str) -> tuple[str, ...]:
        patterns = self.strings(key)
        for pattern in patterns:
            try:
                re.compile(pattern)
            except re.error as exc:
                raise self.fail(key, f"has an invalid regular expression {pattern!r}: {exc}") from exc
        return patterns

    def number(self, key: str, default: Any, *, kind: type, minimum: float) -> Any:
        value = self.table.get(key, default)
        if value is None:
            return None
        ok = isinstance(value, (int, float)) and not isinstance(value, bool)
        if kind is int:
            ok = ok and float(value).is_integer()
        if not ok or value < minimum:
            article = "an integer" if kind is int else "a number"
            raise self.fail(key, f"must be {article} >= {minimum:g}, got {value!r}")
        return kind(value)


def _source_from_table(file: str, index: int, table: Any, base_url: str | None) -> Source:
    if not isinstance(table, dict):
        raise ConfigError(f"{file}: sources entry #{index + 1} must be a table ([[sources]])")
    check = _Checker(file, index, table)
    name = check.string("name")
    if name is None:
        raise check.fail("name", "is missing")
    if not _NAME_RE.match(name):
        raise check.fail("name", f"may only contain letters, digits, '.', '_' and '-', got {name!r}")
    check.name = name
    unknown = sorted(set(table) - set(Source.__dataclass_fields__))
    if unknown:
        raise check.fail(unknown[0], f"is not a known field (known: {', '.join(Source.__dataclass_fields__)})")
    spider = check.string("spider")
    if spider is not None and not _SPIDER_RE.match(spider):
        raise check.fail("spider", f"must be a spider name like 'xiaomi_ir', got {spider!r}")
    source = Source(
        name=name,
        kind=check.string("kind", "news", choices=KINDS) or "news",
        lang=check.string("lang", "auto", choices=LANGS) or "auto",
        feeds=check.urls("feeds", base_url),
        sitemaps=check.urls("sitemaps", base_url),
        start_urls=check.urls("start_urls", base_url),
        follow=check.patterns("follow"),
        deny=check.patterns("deny"),
        allowed_domains=check.strings("allowed_domains"),
        max_pages=check.number("max_pages", DEFAULT_MAX_PAGES, kind=int, minimum=1),
        max_depth=check.number("max_depth", DEFAULT_MAX_DEPTH, kind=int, minimum=0),
        spider=spider,
        download_delay=check.number("download_delay", None, kind=float, minimum=0),
        concurrency=check.number("concurrency", None, kind=int, minimum=1),
    )
    if not (source.feeds or source.sitemaps or source.start_urls):
        raise check.fail("feeds", "or `sitemaps` or `start_urls` is needed: there is nothing to crawl")
    return source


def parse_sources(text: str, *, file: str = "<sources>", base_url: str | None = None) -> list[Source]:
    """Parse the TOML text of a sources file."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{file}: not valid TOML: {exc}") from exc
    tables = data.get("sources")
    if not isinstance(tables, list) or not tables:
        raise ConfigError(f"{file}: no [[sources]] tables found")
    sources = [_source_from_table(file, i, t, base_url) for i, t in enumerate(tables)]
    seen: set[str] = set()
    for source in sources:
        if source.name in seen:
            raise ConfigError(f"{file}: source {source.name!r} is defined twice")
        seen.add(source.name)
    return sources


def load_sources(path: str | Path, *, base_url: str | None = None) -> list[Source]:
    """Read and validate a sources file; `{base}` in URLs becomes `base_url`."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise ConfigError(f"sources file {path} not found") from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read sources file {path}: {exc}") from exc
    return parse_sources(text, file=str(path), base_url=base_url)


def select_sources(sources: Sequence[Source], names: Iterable[str]) -> list[Source]:
    """The named sources, in the order given; all of them when no names are given."""
    names = list(names)
    if not names:
        return list(sources)
    by_name = {s.name: s for s in sources}
    unknown = [n for n in names if n not in by_name]
    if unknown:
        raise ConfigError(
            f"unknown source {', '.join(map(repr, unknown))}; known sources: {', '.join(by_name) or '(none)'}"
        )
    return [by_name[n] for n in dict.fromkeys(names)]


def url_source(urls: Sequence[str], *, kind: str = "news", lang: str = "auto",
               max_pages: int | None = None) -> Source:
    """A one-off source for `newsclaims crawl --url`: fetch these pages (feeds and sitemaps are expanded)."""
    start_urls = tuple(u.strip() for u in urls if u.strip())
    if not start_urls:
        raise ConfigError("--url: no URL given")
    for url in start_urls:
        problem = http_url_problem(url)
        if problem:
            raise ConfigError(f"--url {url!r} cannot be crawled: {problem}")
    hosts = sorted({urlsplit(u).hostname or "" for u in start_urls})
    name = hosts[0] if len(hosts) == 1 else "urls"
    return Source(name=name, kind=kind, lang=lang, start_urls=start_urls, max_depth=0,
                  max_pages=max_pages or max(DEFAULT_MAX_PAGES, len(start_urls)))

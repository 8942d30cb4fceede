"""The article item: what a fetched page becomes before `db/` stores it."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass
class Article:
    url: str  # the URL as fetched (after redirects)
    canonical_url: str  # <link rel=canonical> or the URL without tracking parameters
    source: str  # name of the source in sources.toml
    kind: str  # "news" or "letter"
    text: str  # main text, paragraphs separated by "\n"
    raw_body: bytes  # the response body as received (db/ compresses it)
    content_type: str  # "text/html", "application/pdf"
    fetched_at: str  # ISO 8601 UTC
    lang: str | None = None  # "en", "zh", ...
    title: str | None = None
    author: str | None = None
    published: str | None = None  # ISO 8601 date or datetime with offset
    description: str | None = None
    encoding: str | None = None  # the encoding the body was decoded with
    http_status: int = 200
    etag: str | None = None
    last_modified: str | None = None


@dataclass
class NotModified:
    """A stored article the server answered 304 for: still current, nothing new to store."""

    url: str  # the URL requested (the stored article's url or canonical_url)
    fetched_at: str  # ISO 8601 UTC

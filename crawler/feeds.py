"""Feeds (RSS 2.0, RSS 1.0/RDF, Atom) and sitemaps (urlset, sitemap index, Google News) -> URLs.

Pure functions over bytes. Broken XML is parsed strictly first so the problem can be reported; what a
forgiving parse still recovers is returned too, because one bad character should not lose a whole feed.
"""
from __future__ import annotations

import gzip
import io
import zlib
from dataclasses import dataclass, field

import lxml.etree
from scrapy.utils.sitemap import Sitemap

from crawler.urls import join_url

FEED_ROOTS = {"rss", "feed", "RDF"}
SITEMAP_ROOTS = {"urlset", "sitemapindex"}
FEED_LINK_TYPES = {"application/rss+xml", "application/atom+xml", "application/rdf+xml"}
MAX_GUNZIPPED = 50 * 1024 * 1024


@dataclass
class ParsedXml:
    """URLs found in a feed or sitemap; `problem` is set when the XML was malformed or of the wrong kind."""

    kind: str | None  # root element: "rss", "feed", "RDF", "urlset", "sitemapindex"; None if unreadable
    urls: list[str] = field(default_factory=list)  # article/page URLs
    sitemaps: list[str] = field(default_factory=list)  # child sitemaps of a sitemap index
    problem: str | None = None
    # url -> when the page last changed, as written (sitemap <lastmod>, Atom <updated>); decides re-fetching
    modified: dict[str, str] = field(default_factory=dict)


def _local(tag: object) -> str:
    return tag.rpartition("}")[2] if isinstance(tag, str) else ""


def maybe_gunzip(body: bytes) -> bytes:
    """Sitemaps are often served as .xml.gz without Content-Encoding."""
    if body[:2] != b"\x1f\x8b":
        return body
    try:
        with gzip.GzipFile(fileobj=io.BytesIO(body)) as fh:
            return fh.read(MAX_GUNZIPPED)
    except (OSError, EOFError, zlib.error):
        return body


def _parser(recover: bool) -> lxml.etree.XMLParser:
    # no entities, no network: feeds are untrusted input
    return lxml.etree.XMLParser(recover=recover, resolve_entities=False, no_network=True, huge_tree=False,
                                remove_comments=True)


def _root(body: bytes) -> tuple[lxml.etree._Element | None, str | None]:
    """The parsed root and a description of what was wrong with the XML (None if well-formed)."""
    body = maybe_gunzip(body).lstrip()
    if not body:
        return None, "empty document"
    try:
        return lxml.etree.fromstring(body, _parser(False)), None
    except lxml.etree.XMLSyntaxError as exc:
        problem = f"malformed XML: {exc.msg}"
    try:
        return lxml.etree.fromstring(body, _parser(True)), problem
    except lxml.etree.XMLSyntaxError:
        return None, problem


def sniff_kind(body: bytes) -> str | None:
    """'feed', 'sitemap' or None, from the first bytes (cheap; used to route responses of unknown type)."""
    head = maybe_gunzip(body[:4096] if body[:2] != b"\x1f\x8b" else body)[:4096].lstrip()
    if not head.startswith(b"<"):
        return None
    try:
        for _event, elem in lxml.etree.iterparse(io.BytesIO(head), events=("start",),
                                                  recover=True, resolve_entities=False, no_network=True):
            name = _local(elem.tag)
            return "feed" if name in FEED_ROOTS else "sitemap" if name in SITEMAP_ROOTS else None
    except lxml.etree.XMLSyntaxError:
        return None
    return None


def parse_feed(body: bytes, base_url: str) -> ParsedXml:
    """Entry links of an RSS/RDF/Atom feed, absolute, in feed order."""
    root, problem = _root(body)
    if root is None:
        return ParsedXml(None, problem=problem or "not XML")
    kind = _local(root.tag)
    if kind not in FEED_ROOTS:
        return ParsedXml(kind, problem=f"not a feed (root element <{kind}>)")
    urls: list[str] = []
    modified: dict[str, str] = {}
    for elem in root.iter():
        name = _local(elem.tag)
        if name == "item":  # RSS 2.0 and RSS 1.0
            link = _child_text(elem, "link") or _permalink_guid(elem) or elem.get(
                "{http://www.w3.org/1999/02/22-rdf-syntax-ns#}about")
        elif name == "entry":  # Atom
            link = _atom_link(elem)
        else:
            continue
        if link:
            url = join_url(base_url, link)
            urls.append(url)
            # only "last changed" dates count: <pubDate>/<published> stay put when an article is edited
            changed = _child_text(elem, "updated") or _child_text(elem, "modified")
            if changed:
                modified.setdefault(url, changed)
    return ParsedXml(kind, urls=list(dict.fromkeys(urls)), problem=problem, modified=modified)


def _child_text(elem: lxml.etree._Element, name: str) -> str | None:
    for child in elem:
        if _local(child.tag) == name and child.text and child.text.strip():
            return child.text.strip()
    return None


def _permalink_guid(item: lxml.etree._Element) -> str | None:
    for child in item:
        if _local(child.tag) == "guid" and child.get("isPermaLink", "true") == "true":
            text = (child.text or "").strip()
            if text.startswith(("http://", "https://")):
                return text
    return None


def _atom_link(entry: lxml.etree._Element) -> str | None:
    fallback = None
    for child in entry:
        if _local(child.tag) != "link" or not child.get("href"):
            continue
        rel = child.get("rel", "alternate")
        if rel == "alternate" and child.get("type", "text/html").startswith(("text/html", "application/xhtml")):
            return child.get("href")
        fallback = fallback or (child.get("href") if rel == "alternate" else None)
    return fallback


def parse_sitemap(body: bytes, base_url: str) -> ParsedXml:
    """Page URLs of a urlset (plain or Google News) or child sitemaps of a sitemap index."""
    root, problem = _root(body)
    if root is None:
        return ParsedXml(None, problem=problem or "not XML")
    kind = _local(root.tag)
    if kind not in SITEMAP_ROOTS:
        return ParsedXml(kind, problem=f"not a sitemap (root element <{kind}>)")
    # Scrapy's own sitemap reader; fed the re-serialised (recovered) tree so broken files still yield entries
    entries = [e for e in Sitemap(lxml.etree.tostring(root)) if e.get("loc")]
    locs = list(dict.fromkeys(join_url(base_url, e["loc"]) for e in entries))
    modified = {join_url(base_url, e["loc"]): e["lastmod"].strip() for e in entries if (e.get("lastmod") or "").strip()}
    if kind == "sitemapindex":
        return ParsedXml(kind, sitemaps=locs, problem=problem, modified=modified)
    return ParsedXml(kind, urls=locs, problem=problem, modified=modified)

"""Is this page one article? Listings, tag pages, home pages, error pages and stubs are not."""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from urllib.parse import urlsplit

from lxml import html as lxml_html

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib  # type: ignore[no-redef]

_HAN = re.compile(r"[\u3400-\u9fff]")


@dataclass(frozen=True)
class PageRules:
    article_types: frozenset[str]
    listing_types: frozenset[str]
    min_text_chars: int
    min_text_chars_cjk: int
    headline_words: int
    headline_han: int
    listing_min_headlines: int
    listing_headline_text_ratio: float
    listing_text_is_links_share: float
    listing_min_linked_headings: int
    linked_heading_text_chars: int
    listing_path_segments: frozenset[str]
    error_patterns: tuple[re.Pattern, ...]


@lru_cache(maxsize=None)
def page_rules() -> PageRules:
    raw = tomllib.loads(resources.files("crawler.data").joinpath("page_rules.toml").read_text(encoding="utf-8"))
    return PageRules(
        article_types=frozenset(raw["article_types"]),
        listing_types=frozenset(raw["listing_types"]),
        min_text_chars=raw["min_text_chars"],
        min_text_chars_cjk=raw["min_text_chars_cjk"],
        headline_words=raw["headline_words"],
        headline_han=raw["headline_han"],
        listing_min_headlines=raw["listing_min_headlines"],
        listing_headline_text_ratio=raw["listing_headline_text_ratio"],
        listing_text_is_links_share=raw["listing_text_is_links_share"],
        listing_min_linked_headings=raw["listing_min_linked_headings"],
        linked_heading_text_chars=raw["linked_heading_text_chars"],
        listing_path_segments=frozenset(raw["listing_path_segments"]),
        error_patterns=tuple(re.compile(p, re.IGNORECASE) for p in raw["error_patterns"]),
    )


def _is_headline(text: str, rules: PageRules) -> bool:
    return len(_HAN.findall(text)) >= rules.headline_han or len(text.split()) >= rules.headline_words


def headline_links(tree: lxml_html.HtmlElement) -> list[str]:
    """Texts of links that read like headlines (long enough), de-duplicated, in page order."""
    rules = page_rules()
    seen: dict[str, None] = {}
    for a in tree.iter("a"):
        text = " ".join(a.text_content().split())
        if text and _is_headline(text, rules):
            seen.setdefault(text, None)
    return list(seen)


def _text_size(text: str) -> int:
    """Characters that carry content: every Han character, and non-space Latin characters."""
    return len(re.sub(r"\s", "", text))


def _is_cjk(text: str) -> bool:
    return len(_HAN.findall(text)) > 0.3 * max(1, _text_size(text))


def non_article_reason(
    tree: lxml_html.HtmlElement, text: str, url: str, title: str | None, types: set[str]
) -> str | None:
    """Why the page is not an article, or None if it is one."""
    rules = page_rules()
    heading = " ".join(filter(None, [title, *(h.text_content() for h in tree.xpath("//h1")[:1])]))
    size = _text_size(text)
    declared_article = bool(types & rules.article_types)
    if any(p.search(heading) for p in rules.error_patterns) and size < 3 * rules.min_text_chars:
        return "error page"
    min_chars = rules.min_text_chars_cjk if _is_cjk(text) else rules.min_text_chars
    if size < min_chars:
        return "too little text"
    if not declared_article and types & rules.listing_types - {"website"}:
        return "listing page"
    headlines = headline_links(tree)
    link_chars = sum(_text_size(h) for h in headlines if h in text)
    if link_chars > rules.listing_text_is_links_share * size:
        return "listing page"
    if declared_article:
        return None
    linked_headings = len(tree.xpath("//*[self::h2 or self::h3 or self::h4][.//a[@href]]"))
    if (
        linked_headings >= rules.listing_min_linked_headings
        and size < linked_headings * rules.linked_heading_text_chars
    ):
        return "listing page"
    path_segments = {seg.lower() for seg in urlsplit(url).path.split("/") if seg}
    if path_segments & rules.listing_path_segments and len(headlines) >= rules.listing_min_headlines // 2:
        return "listing page"
    if len(headlines) >= rules.listing_min_headlines:
        headline_chars = sum(_text_size(h) for h in headlines)
        if size < rules.listing_headline_text_ratio * headline_chars:
            return "home page" if urlsplit(url).path in ("", "/") else "listing page"
    return None

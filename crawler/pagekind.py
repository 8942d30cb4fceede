"""Is this page one article? Listings, tag pages, home pages, error pages and stubs are not."""
from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from urllib.parse import urlsplit

from lxml import html as lxml_html

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
    link_list_text_share: float
    prose_paragraph_chars: int
    prose_paragraph_chars_cjk: int
    listing_min_teasers: int
    listing_teaser_share: float
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
        link_list_text_share=raw["link_list_text_share"],
        prose_paragraph_chars=raw["prose_paragraph_chars"],
        prose_paragraph_chars_cjk=raw["prose_paragraph_chars_cjk"],
        listing_min_teasers=raw["listing_min_teasers"],
        listing_teaser_share=raw["listing_teaser_share"],
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


def _all_link_chars(tree: lxml_html.HtmlElement, text: str) -> int:
    """Characters of the main text that are link texts (any link, headline-like or not), each text once."""
    texts = {" ".join(a.text_content().split()) for a in tree.iter("a")}
    return sum(_text_size(t) for t in texts if t and t in text)


_HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5"})
_LIST_MARK = re.compile(r"^[-*•·]\s+")
_MIN_TEASER_LINE_CHARS = 10


def _has_linked_heading(el: lxml_html.HtmlElement) -> bool:
    """Does the element have a heading child that is a link (or a link child wrapping a heading)?"""
    for child in el:
        if child.tag in _HEADINGS and child.find(".//a[@href]") is not None:
            return True
        if child.tag == "a" and child.get("href") and any(h.tag in _HEADINGS for h in child.iter()):
            return True
    return False


def teaser_count(tree: lxml_html.HtmlElement, text: str) -> tuple[int, int]:
    """(paragraphs of the main text found in the page, how many of them sit beside a linked heading)."""
    lines = {
        _LIST_MARK.sub("", line.strip()) for line in text.split("\n") if _text_size(line) >= _MIN_TEASER_LINE_CHARS
    }
    matched = teasers = 0
    for p in tree.iter("p", "div", "span"):
        own = " ".join(p.text_content().split())
        if own not in lines:
            continue
        matched += 1
        parent = p.getparent()
        if parent is not None and _has_linked_heading(parent):
            teasers += 1
    return matched, teasers


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
    cjk = _is_cjk(text)
    min_chars = rules.min_text_chars_cjk if cjk else rules.min_text_chars
    if size < min_chars:
        return "too little text"
    if not declared_article and types & rules.listing_types:
        return "listing page"
    headlines = headline_links(tree)
    link_chars = sum(_text_size(h) for h in headlines if h in text)
    if link_chars > rules.listing_text_is_links_share * size:
        return "listing page"
    if _all_link_chars(tree, text) > rules.link_list_text_share * size:
        return "list of links"
    if declared_article:
        return None
    matched, teasers = teaser_count(tree, text)
    if teasers >= rules.listing_min_teasers and teasers >= rules.listing_teaser_share * matched:
        return "listing page"
    path_segments = {seg.lower() for seg in urlsplit(url).path.split("/") if seg}
    if path_segments & rules.listing_path_segments and len(headlines) >= rules.listing_min_headlines // 2:
        return "listing page"
    prose_chars = rules.prose_paragraph_chars_cjk if cjk else rules.prose_paragraph_chars
    has_prose = any(_text_size(line) >= prose_chars for line in text.split("\n"))
    if len(headlines) >= rules.listing_min_headlines and not has_prose:
        headline_chars = sum(_text_size(h) for h in headlines)
        if size < rules.listing_headline_text_ratio * headline_chars:
            return "home page" if urlsplit(url).path in ("", "/") else "listing page"
    return None

"""Main text of an article page without navigation, related links, comments or footers."""
from __future__ import annotations

import copy
import logging
import re

from lxml import html as lxml_html

_BLANK_LINES = re.compile(r"\n\s*\n+")
_SPACES = re.compile(r"[ \t\u00a0\u3000]+")


def normalize_text(text: str | None) -> str:
    """Paragraphs joined by single newlines, runs of spaces collapsed."""
    if not text:
        return ""
    lines = (_SPACES.sub(" ", line).strip() for line in text.replace("\r", "\n").split("\n"))
    return "\n".join(line for line in lines if line)


# trafilatura warns about every page it finds too little text in ("discarding data"); for us that is a normal
# outcome (listing pages, the densest-block fallback below), reported through Extracted.reason instead.
_trafilatura_log = logging.getLogger("trafilatura")
if _trafilatura_log.getEffectiveLevel() < logging.ERROR:  # never louder than a caller asked for
    _trafilatura_log.setLevel(logging.ERROR)


def trafilatura_text(tree: lxml_html.HtmlElement, url: str | None, *, favor: str = "precision") -> str:
    """trafilatura's main text (it prunes the tree it is given, so it gets a copy)."""
    import trafilatura

    result = trafilatura.extract(
        copy.deepcopy(tree),
        url=url,
        include_comments=False,
        favor_precision=favor == "precision",
        favor_recall=favor == "recall",
        deduplicate=False,
    )
    return normalize_text(result)


_CELL_SPLIT = re.compile(r"\s*(?<!\\)\|\s*")
# A table row whose every cell is shorter than this is navigation or layout, not prose.
_MIN_PROSE_CELL_CHARS = 20


def _content_chars(text: str) -> int:
    return len(re.sub(r"[\s\\|]", "", text))


def drop_layout_rows(text: str) -> str:
    """Remove table rows of short cells (menus, toolbars in layout tables); keep the prose cells of the rest.

    trafilatura renders tables as "| a | b |" rows, and old portals lay whole pages out in tables.
    """
    kept = []
    for line in text.split("\n"):
        if line.count("|") < 2 or not line.lstrip().startswith("|"):
            kept.append(line)
            continue
        cells = [c.replace("\\|", "|").strip() for c in _CELL_SPLIT.split(line.strip().strip("|"))]
        prose = [c for c in cells if _content_chars(c) >= _MIN_PROSE_CELL_CHARS]
        if prose:
            kept.append(" ".join(prose))
    return "\n".join(kept)


_LAYOUT_TABLE_LANGS = {"zh", "ja", "ko"}
# A line whose content is at least this share link text is a list of links (related stories, tags, menus).
_MAX_LINK_SHARE = 0.5
_MIN_ANCHOR_CHARS = 4


_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]")


def _mostly_cjk(text: str) -> bool:
    return len(_CJK.findall(text)) > 0.3 * max(1, _content_chars(text))


def anchor_texts(tree: lxml_html.HtmlElement) -> list[str]:
    """Distinct link texts of the page, longest first (so a long headline is matched before its words)."""
    texts = {" ".join(a.text_content().split()) for a in tree.iter("a")}
    return sorted((t for t in texts if _content_chars(t) >= _MIN_ANCHOR_CHARS), key=len, reverse=True)


def drop_link_lines(text: str, anchors: list[str]) -> str:
    """Remove lines made mostly of link texts."""
    kept = []
    for line in text.split("\n"):
        size = _content_chars(line)
        rest = line
        for anchor in anchors:
            if anchor in rest:
                rest = rest.replace(anchor, " ")
        if size and size - _content_chars(rest) >= _MAX_LINK_SHARE * size:
            continue
        kept.append(line)
    return "\n".join(kept)


_PARAGRAPH_TAGS = ("p",)
_SKIP_TAGS = ("script", "style", "noscript", "textarea", "select", "form", "nav", "footer", "header", "aside")
# The densest block must hold this many times trafilatura's text before it replaces it: trafilatura is the
# better extractor wherever it found the article at all.
_DENSITY_WINS_FACTOR = 1.5


def _own_text(el: lxml_html.HtmlElement) -> tuple[str, int]:
    """An element's text and how many of its characters are link text."""
    text = " ".join(el.text_content().split())
    link_chars = sum(_content_chars(a.text_content()) for a in el.iter("a"))
    return text, link_chars


def densest_paragraphs(tree: lxml_html.HtmlElement) -> str:
    """The paragraphs of the block holding the most non-link paragraph text (a CJK-friendly fallback).

    Chinese portals put the article in one container of <p> elements surrounded by link-heavy boxes;
    extractors tuned on Western pages sometimes pick a comment box or nothing at all.
    """
    scores: dict[lxml_html.HtmlElement, int] = {}
    paragraphs: dict[lxml_html.HtmlElement, list[str]] = {}
    for p in tree.iter(*_PARAGRAPH_TAGS):
        if any(anc.tag in _SKIP_TAGS for anc in p.iterancestors()):
            continue
        text, link_chars = _own_text(p)
        size = _content_chars(text)
        if not size or link_chars > 0.5 * size:
            continue
        parent = p.getparent()
        if parent is None:
            continue
        scores[parent] = scores.get(parent, 0) + size - link_chars
        paragraphs.setdefault(parent, []).append(text)
    if not scores:
        return ""
    best = max(scores, key=scores.get)
    return "\n".join(paragraphs[best])


def main_text(tree: lxml_html.HtmlElement, url: str | None, lang: str | None = None) -> str:
    """Main text; on CJK pages, layout-table rows and link lists are dropped too (Western tables tend to be data)."""
    text = trafilatura_text(tree, url)
    if lang in _LAYOUT_TABLE_LANGS or _mostly_cjk(text):
        text = drop_link_lines(drop_layout_rows(text), anchor_texts(tree))
        dense = densest_paragraphs(tree)
        if _content_chars(dense) > _DENSITY_WINS_FACTOR * _content_chars(text):
            text = dense
    return normalize_text(text)

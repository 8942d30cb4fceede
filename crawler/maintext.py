"""Main text of an article page without navigation, related links, comments or footers."""
from __future__ import annotations

import copy
import logging
import re

from lxml import html as lxml_html

log = logging.getLogger(__name__)

_BLANK_LINES = re.compile(r"\n\s*\n+")
_SPACES = re.compile(r"[ \t\u00a0\u3000]+")


def normalize_text(text: str | None) -> str:
    """Paragraphs joined by single newlines, runs of spaces collapsed."""
    if not text:
        return ""
    lines = (_SPACES.sub(" ", line).strip() for line in text.replace("\r", "\n").split("\n"))
    return "\n".join(line for line in lines if line)


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


def main_text(tree: lxml_html.HtmlElement, url: str | None, lang: str | None = None) -> str:
    """Main text; on CJK pages, layout-table rows are dropped too (Western tables tend to be data)."""
    text = trafilatura_text(tree, url)
    return normalize_text(drop_layout_rows(text)) if lang in _LAYOUT_TABLE_LANGS else text

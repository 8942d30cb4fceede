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


def main_text(tree: lxml_html.HtmlElement, url: str | None, lang: str | None = None) -> str:
    return trafilatura_text(tree, url)

"""Full-text search that works for Chinese as well as English.

FTS5's unicode61 tokenizer treats a run of Han characters as one token, and the trigram tokenizer
cannot match two-character words such as 小米 or 季度. So text is indexed with every CJK run
segmented into words (jieba's search mode, which also emits the sub-words of long words), and
queries go through the same segmentation.

Both sides are NFKC-normalised first, so full-width ＸＩＡＯＭＩ or ５００ find Xiaomi and 500.
"""
from __future__ import annotations

import re
import threading
import unicodedata
from typing import Any

_CJK_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
_lock = threading.Lock()
_tokenizer: Any = None


def _jieba() -> Any:
    global _tokenizer
    with _lock:
        if _tokenizer is None:
            import logging

            import jieba

            jieba.setLogLevel(logging.WARNING)
            _tokenizer = jieba.Tokenizer()  # an instance: never mutate jieba's global dictionary
        return _tokenizer


def normalize(text: str) -> str:
    """NFKC: the compatibility forms (full-width Latin and digits, ligatures) as their plain letters."""
    return unicodedata.normalize("NFKC", text)


def segment(text: str) -> str:
    """The text, NFKC-normalised, with every CJK run replaced by its space-separated words."""
    text = normalize(text or "")
    if not _CJK_RUN.search(text):
        return text
    tokenizer = _jieba()

    def words(match: re.Match[str]) -> str:
        return " " + " ".join(w for w in tokenizer.cut_for_search(match.group(0)) if w.strip()) + " "

    return _CJK_RUN.sub(words, text)


def fts_query(query: str) -> str:
    """Turn what a user typed into an FTS5 MATCH expression (terms ANDed, each quoted)."""
    terms: list[str] = []
    for chunk in normalize(query).split():
        # Segment CJK the way the index was segmented; every word must match (AND), not as a phrase,
        # because search-mode segmentation of the index interleaves sub-words.
        pieces = _jieba().lcut(chunk) if _CJK_RUN.search(chunk) else [chunk]
        for piece in pieces:
            for part in _split_non_cjk(piece):
                terms.append('"' + part.replace('"', '""') + '"')
    return " ".join(terms)


def _split_non_cjk(piece: str) -> list[str]:
    return [p for p in re.split(r"[^\w]+", piece) if p]

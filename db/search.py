"""Full-text search that works for Chinese as well as English.

FTS5's unicode61 tokenizer treats a run of Han characters as one token, and the trigram tokenizer
cannot match two-character words such as 小米 or 季度. So text is indexed with every CJK run
segmented into words (jieba's search mode, which also emits the sub-words of long words), and
queries go through the same segmentation.

Both sides are NFKC-normalised first, so full-width ＸＩＡＯＭＩ or ５００ find Xiaomi and 500.

A query needs only a few dictionary entries, but a jieba.Tokenizer loads all 580,000 of them
(0.6-2.5 s) before its first cut. So queries are cut by a tokenizer that holds just the entries for
the query's own substrings, read from an SQLite copy of jieba's prefix dictionary (built once per
machine beside jieba's own cache). jieba looks up nothing but substrings of the text it cuts, so
the cut is identical (tests/test_search_segmentation.py checks it against the full tokenizer).
"""
from __future__ import annotations

import hashlib
import logging
import os
import re
import sqlite3
import tempfile
import threading
import unicodedata
from pathlib import Path
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


# Longer CJK runs in a query are cut by the full tokenizer: their substrings are too many to look up.
_LITE_MAX_CHARS = 40
_log = logging.getLogger(__name__)


def cut_query(chunk: str) -> list[str]:
    """jieba's default cut (accurate mode, HMM) of a query chunk, without loading the whole dictionary."""
    if len(chunk) > _LITE_MAX_CHARS:
        return _jieba().lcut(chunk)
    try:
        tokenizer = _lite_tokenizer(chunk)
    except (OSError, sqlite3.Error) as exc:  # no writable temp dir, a damaged cache: the slow way works
        _log.warning("query dictionary unavailable (%s); loading jieba's full dictionary", exc)
        return _jieba().lcut(chunk)
    return tokenizer.lcut(chunk)


def _lite_tokenizer(text: str) -> Any:
    import jieba

    jieba.setLogLevel(logging.WARNING)
    substrings = sorted({text[i:j] for i in range(len(text)) for j in range(i + 1, len(text) + 1)})
    conn = sqlite3.connect(f"file:{_prefix_dictionary()}?mode=ro", uri=True)
    try:
        total = conn.execute("SELECT freq FROM meta WHERE key = 'total'").fetchone()[0]
        marks = ", ".join("?" for _ in substrings)
        freq = dict(conn.execute(f"SELECT word, freq FROM prefix WHERE word IN ({marks})", substrings))
    finally:
        conn.close()
    tokenizer = jieba.Tokenizer()
    tokenizer.FREQ, tokenizer.total, tokenizer.initialized = freq, total, True
    return tokenizer


def _prefix_dictionary() -> Path:
    """An SQLite copy of jieba's prefix dictionary (word -> frequency, 0 for a prefix of a word), built
    on first use and named after the dictionary file it came from."""
    import jieba

    with jieba.get_dict_file() as dict_file:
        source = Path(dict_file.name)
    stat = source.stat()
    key = hashlib.sha256(f"{jieba.__version__}|{source}|{stat.st_size}|{stat.st_mtime_ns}".encode()).hexdigest()[:16]
    path = Path(tempfile.gettempdir()) / f"newsclaims-jieba-prefix-{key}.sqlite"
    if not path.exists():
        _build_prefix_dictionary(path)
    return path


def _build_prefix_dictionary(path: Path) -> None:
    import jieba

    freq, total = jieba.Tokenizer.gen_pfdict(jieba.get_dict_file())  # reads and closes the file
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".tmp")
    os.close(fd)
    try:
        conn = sqlite3.connect(tmp)
        with conn:
            conn.execute("CREATE TABLE prefix (word TEXT PRIMARY KEY, freq INTEGER NOT NULL) WITHOUT ROWID")
            conn.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, freq INTEGER NOT NULL)")
            conn.executemany("INSERT INTO prefix VALUES (?, ?)", freq.items())
            conn.execute("INSERT INTO meta VALUES ('total', ?)", (total,))
        conn.close()
        os.replace(tmp, path)  # whole or absent, whoever else builds it at the same time
    finally:
        Path(tmp).unlink(missing_ok=True)


def fts_query(query: str) -> str:
    """Turn what a user typed into an FTS5 MATCH expression (terms ANDed, each quoted)."""
    terms: list[str] = []
    for chunk in normalize(query).split():
        # Segment CJK the way the index was segmented; every word must match (AND), not as a phrase,
        # because search-mode segmentation of the index interleaves sub-words.
        pieces = cut_query(chunk) if _CJK_RUN.search(chunk) else [chunk]
        for piece in pieces:
            for part in _split_non_cjk(piece):
                terms.append('"' + part.replace('"', '""') + '"')
    return " ".join(terms)


def _split_non_cjk(piece: str) -> list[str]:
    return [p for p in re.split(r"[^\w]+", piece) if p]

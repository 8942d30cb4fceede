"""Turn an HTML body into text: HTTP charset, BOM, <meta charset>, then detection."""
from __future__ import annotations

import codecs
import re
from collections.abc import Mapping
from functools import lru_cache

from crawler.data import data_lines, data_table

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([a-zA-Z0-9_.:-]+)""", re.IGNORECASE)
_HEADER_CHARSET = re.compile(r"""charset\s*=\s*["']?\s*([a-zA-Z0-9_.:-]+)""", re.IGNORECASE)
_BOMS = ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be"))
# Browsers only look for <meta charset> near the top of the document.
_META_SCAN_BYTES = 4096


@lru_cache(maxsize=None)
def _aliases() -> dict[str, str]:
    return {row[0].lower(): row[1] for row in data_table("charset_aliases.tsv")}


def normalize_charset(name: str | None) -> str | None:
    """The codec to decode a declared charset with (gb2312 -> gb18030, ...); None if Python doesn't know it."""
    if not name:
        return None
    name = name.strip().strip("\"'").lower()
    name = _aliases().get(name, name)
    try:
        codec = codecs.lookup(name).name
    except LookupError:
        return None
    return _aliases().get(codec, codec)


def header_value(headers: Mapping[str, str] | None, key: str) -> str | None:
    """Case-insensitive header lookup that accepts bytes values (as Scrapy gives them)."""
    if not headers:
        return None
    for k, v in headers.items():
        k = k.decode("latin-1") if isinstance(k, bytes) else str(k)
        if k.lower() == key.lower():
            if isinstance(v, (list, tuple)):
                v = v[0] if v else ""
            return v.decode("latin-1") if isinstance(v, bytes) else str(v)
    return None


def declared_charsets(body: bytes, headers: Mapping[str, str] | None = None) -> list[str]:
    """Charsets in the order we trust them: HTTP Content-Type, then <meta> in the head."""
    found = []
    content_type = header_value(headers, "content-type")
    if content_type:
        m = _HEADER_CHARSET.search(content_type)
        if m:
            found.append(m.group(1).decode() if isinstance(m.group(1), bytes) else m.group(1))
    m = _META_CHARSET.search(body[:_META_SCAN_BYTES])
    if m:
        found.append(m.group(1).decode("ascii", "ignore"))
    return [c for c in (normalize_charset(name) for name in found) if c]


def _strict(body: bytes, codec: str) -> str | None:
    try:
        return body.decode(codec)
    except (UnicodeDecodeError, LookupError):
        return None


_HAN = re.compile(r"[\u4e00-\u9fff]")
# Share of the non-ASCII characters that must be common Han characters to call a GB decoding right.
_MIN_HAN_SHARE = 0.7
_MAX_BAD_CHARS_SHARE = 0.001


def _mostly(body: bytes, codec: str) -> str | None:
    """Decoded text if only a few bytes are invalid (a stray or truncated character), else None."""
    try:
        text = body.decode(codec, errors="replace")
    except LookupError:
        return None
    return text if text.count("\ufffd") <= _MAX_BAD_CHARS_SHARE * len(text) + 2 else None


def _looks_chinese_gb(body: bytes) -> bool:
    text = _mostly(body, "gb18030")
    if text is None:
        return False
    non_ascii = sum(1 for ch in text if ord(ch) > 127)
    return non_ascii > 0 and len(_HAN.findall(text)) >= _MIN_HAN_SHARE * non_ascii


_HAN_RUN = re.compile(r"[\u4e00-\u9fff]+")
_LATIN_LETTER = re.compile(r"[A-Za-z]")
# Latin text read as GB turns each accented letter and the byte after it into one Han character inside a
# Latin word ("élève" -> "閘鑦e"): short Han runs that touch Latin letters. Chinese text has long Han runs.
_MISREAD_MAX_MEAN_RUN = 2.0
_MISREAD_MIN_GLUED_SHARE = 0.5


def _reads_as_misread_latin(text: str) -> bool:
    """Does this GB reading look like Latin text decoded with the wrong charset?"""
    runs = list(_HAN_RUN.finditer(text))
    if not runs:
        return False
    glued = sum(1 for m in runs if _LATIN_LETTER.match(text[max(0, m.start() - 1):m.start()] or " ")
                or _LATIN_LETTER.match(text[m.end():m.end() + 1] or " "))
    mean_run = sum(len(m.group()) for m in runs) / len(runs)
    return mean_run <= _MISREAD_MAX_MEAN_RUN and glued >= _MISREAD_MIN_GLUED_SHARE * len(runs)


@lru_cache(maxsize=None)
def _preference() -> dict[str, int]:
    names = (normalize_charset(line.strip()) for line in data_lines("charset_preference.txt"))
    return {name: rank for rank, name in enumerate(dict.fromkeys(n for n in names if n))}


def _most_likely(body: bytes) -> str | None:
    """The charset that fits the bytes best; among equally good fits, the most common on the web."""
    from charset_normalizer import from_bytes

    matches = list(from_bytes(body[:200_000]))
    if not matches:
        return None
    best = min((m.chaos, -m.coherence) for m in matches)
    tied = [normalize_charset(m.encoding) for m in matches if (m.chaos, -m.coherence) == best]
    tied = [c for c in tied if c]
    rank = _preference()
    return min(tied, key=lambda c: rank.get(c, len(rank))) if tied else normalize_charset(matches[0].encoding)


def _detect(body: bytes) -> str | None:
    detected = _most_likely(body)
    # Undeclared GBK pages are common on Chinese portals and short ones fool statistical detection
    # (into Cyrillic code pages, say); a clean GB decoding that is mostly Han, and not misread Latin, settles it.
    if detected not in ("gb18030", "big5hkscs", "cp950", "utf-8") and _looks_chinese_gb(body):
        if not _reads_as_misread_latin(body.decode("gb18030", errors="replace")):
            return "gb18030"
    return detected


def decode_html(body: bytes, headers: Mapping[str, str] | None = None) -> tuple[str, str]:
    """Decode an HTML body; returns (text, codec used). Never raises on bad bytes."""
    for bom, codec in _BOMS:
        if body.startswith(bom):
            return body[len(bom):].decode(codec, errors="replace"), codec
    declared = declared_charsets(body, headers)
    # A declaration that the bytes contradict is common (servers default to one charset for all pages),
    # so each declaration must decode cleanly before we believe it; utf-8 validates itself reliably.
    for codec in [*declared, "utf-8"]:
        text = _strict(body, codec)
        if text is not None:
            return text, codec
    # Real pages carry the odd invalid byte; a declaration that decodes all but a few is still right.
    for codec in declared:
        text = _mostly(body, codec)
        if text is not None:
            return text, codec
    detected = _detect(body)
    if detected == "gb18030" and _strict(body, detected) is None:
        return body.decode(detected, errors="replace"), detected
    if detected:
        text = _strict(body, detected)
        if text is not None:
            return text, detected
    # Truncated or damaged pages: keep what decodes under the most trusted guess.
    codec = (declared or [detected or "utf-8"])[0]
    return body.decode(codec, errors="replace"), codec

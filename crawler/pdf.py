"""PDF letters: text from the pages, title/date/author from the document info or the first page."""
from __future__ import annotations

import io
import re
from dataclasses import dataclass

from crawler.data import data_lines
from crawler.dates import parse_date


_MONTHS = "January|February|March|April|May|June|July|August|September|October|November|December"
# "April 2014", "February 7, 2018", "7 February 2018", "2018年2月7日"
_LETTER_DATE = re.compile(
    rf"^\s*(?:(?:{_MONTHS})\s+\d{{1,2}},\s*(?:19|20)\d\d|\d{{1,2}}\s+(?:{_MONTHS})\s+(?:19|20)\d\d"
    rf"|(?:{_MONTHS})\s+(?:19|20)\d\d|(?:19|20)\d\d\s*年\s*\d{{1,2}}\s*月\s*\d{{1,2}}\s*日?|(?:19|20)\d\d-\d\d-\d\d)\s*$"
)
_MONTH_ONLY = re.compile(rf"^\s*({_MONTHS})\s+((?:19|20)\d\d)\s*$")
_PDF_DATE = re.compile(r"D:(\d{4})(\d{2})?(\d{2})?")
_MAX_TITLE_CHARS = 120


@dataclass
class PdfFields:
    text: str
    title: str | None
    author: str | None
    published: str | None


class PdfError(ValueError):
    """The bytes are not a PDF we can read."""


_SENTENCE_END = tuple(".!?:;。！？：；”\"')")
_CJK_END = re.compile(r"[\u3000-\u9fff\uff00-\uffef]$")
# A line at least this share of the page's longest line was wrapped by the layout, not ended by the writer.
_WRAPPED_LINE_SHARE = 0.75


def reflow(lines: list[str]) -> list[str]:
    """Join lines the PDF layout wrapped back into paragraphs (sentence splitters need whole sentences)."""
    if not lines:
        return []
    width = max(len(line) for line in lines)
    paragraphs = [lines[0]]
    for prev, line in zip(lines, lines[1:]):
        wrapped = len(prev) >= _WRAPPED_LINE_SHARE * width and not prev.endswith(_SENTENCE_END)
        if wrapped:
            joiner = "" if _CJK_END.search(prev) else " "
            paragraphs[-1] = paragraphs[-1] + joiner + line
        else:
            paragraphs.append(line)
    return paragraphs


def letter_date(line: str) -> str | None:
    """The date of a letter's date line ("April 2014", "February 7, 2018", "2018年2月7日"), else None."""
    if not _LETTER_DATE.match(line):
        return None
    m = _MONTH_ONLY.match(line)
    if m:  # a month and year only ("April 2014"): the month is the most precise thing we know
        month = _MONTHS.split("|").index(m.group(1)) + 1
        return f"{m.group(2)}-{month:02d}"
    return parse_date(line)


def _signature(lines: list[str]) -> str | None:
    closings = tuple(c.lower() for c in data_lines("letter_closings.txt"))
    for i, line in enumerate(lines):
        if line.strip().lower().rstrip(",，:：!！") in closings:
            for following in lines[i + 1:i + 3]:
                name = following.strip()
                if 1 < len(name) <= 40 and not re.search(r"\d", name):
                    return name
    return None


def _info_date(info: dict) -> str | None:
    raw = str(info.get("/CreationDate") or "")
    m = _PDF_DATE.match(raw)
    if not m:
        return None
    year, month, day = m.group(1), m.group(2) or "01", m.group(3) or "01"
    return parse_date(f"{year}-{month}-{day}")


def read_pdf(body: bytes) -> PdfFields:
    """Text and metadata of a PDF; raises PdfError when it cannot be parsed."""
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    try:
        reader = PdfReader(io.BytesIO(body))
        pages = [page.extract_text() or "" for page in reader.pages]
        info = dict(reader.metadata or {})
    except (PyPdfError, ValueError, KeyError, TypeError, OSError, AssertionError, ArithmeticError) as exc:
        raise PdfError(f"unreadable PDF: {exc}") from exc
    lines = []
    for page in pages:
        lines.extend(reflow([ln.strip() for ln in page.splitlines() if ln.strip()]))
    text = "\n".join(lines)
    first_page = [ln.strip() for ln in (pages[0] if pages else "").splitlines() if ln.strip()]

    title = str(info.get("/Title") or "").strip() or None
    if title is None:
        title = next((ln for ln in first_page[:5] if len(ln) <= _MAX_TITLE_CHARS and not _LETTER_DATE.match(ln)), None)
    author = str(info.get("/Author") or "").strip() or _signature(lines)
    published = None
    for line in first_page[:15] + lines[-15:]:
        published = letter_date(line)
        if published:
            break
    return PdfFields(text=text, title=title, author=author, published=published or _info_date(info))

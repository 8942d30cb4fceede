"""Dates and periods a figure refers to: '2017', 'Q4 2017', 'the final quarter of last year', '2017年第四季度'.

Periods are not figures; they are resolved to ISO strings ("2017", "2017-Q4", "2018-H1", "2018-02",
"2018-02-08") and attached to figures by the caller. Relative expressions ("last year", "去年", "Q4" alone,
"上半年") need the publication date; without it they are skipped.
Rule for a quarter or half without a year: the latest one that has started by the publication date
(published 2018-02-08: "Q4" -> 2017-Q4, "Q1" -> 2018-Q1).
Word lists (months, relative years, quarter words) are data: nlp/data/figures/periods.tsv.
"""
from __future__ import annotations

import datetime
import functools
import re
from dataclasses import dataclass

from nlp.figures_data import read_tsv
from nlp.numbers import parse_number


@dataclass
class PeriodMention:
    text: str
    start: int
    end: int
    period: str


@functools.lru_cache(maxsize=2)
def _words(lang: str) -> dict[str, dict[str, int]]:
    out: dict[str, dict[str, int]] = {}
    for plang, surface, kind, value in (r[:4] for r in read_tsv("periods.tsv")):
        if plang == lang:
            out.setdefault(kind, {})[surface] = int(value)
    return out


def _alt(words: dict[str, int]) -> str:
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


@functools.lru_cache(maxsize=2)
def _patterns(lang: str) -> list[tuple[re.Pattern[str], str]]:
    w = _words(lang)
    rel = _alt(w["year_offset"])
    if lang == "en":
        month, qword, hword = _alt(w["month"]), _alt(w["quarter_word"]), _alt(w["half_word"])
        year = r"(?P<year>(?:19|20)\d{2})"
        ofyear = rf"(?:\s+of\s+(?:{year}|(?P<rel>{rel})))?"
        return [(re.compile(p, re.I), kind) for p, kind in [
            (rf"\b(?P<month>{month})\.?\s+(?P<day>\d{{1,2}}),?\s+{year}\b", "day"),
            (rf"\b(?P<month>{month})\.?\s+{year}\b", "month"),
            (rf"\b(?:Q(?P<q>[1-4])|(?P<q2>[1-4])Q)(?:\s*(?:FY\s?)?{year})?\b", "quarter"),
            (rf"\b(?:the\s+)?(?P<qw>{qword})[\s-]+quarter{ofyear}", "quarter"),
            (rf"\b(?:H(?P<h>[12])|(?P<h2>[12])H)(?:\s*{year})?\b", "half"),
            (rf"\b(?:the\s+)?(?P<hw>{hword})\s+half{ofyear}", "half"),
            (rf"\b(?P<rel>{rel})\b", "year"),
            (rf"(?<![\d,.$€£¥#-])\b(?:fiscal\s+|FY\s?)?{year}\b(?![\d%]|[.,]\d)", "year"),
        ]]
    num = r"(?P<year>(?:19|20)\d{2}|[〇零一二三四五六七八九]{4})"
    qn = _alt(w["quarter_word"])
    md = r"(?:(?P<month>\d{1,2}|[一二三四五六七八九十]{1,3})月(?:(?P<day>\d{1,2}|[一二三四五六七八九十]{1,3})[日号])?)"
    tail = rf"(?:第?(?P<q>{qn})季度|(?P<h>[上下])半年|{md})?"
    return [(re.compile(p), kind) for p, kind in [
        (rf"{num}年{tail}", "zh"),
        (rf"(?P<rel>{rel}){tail}", "zh"),
        (rf"(?<![年第前])第?(?P<q>{qn})季度", "zh"),
        (r"(?<![年])(?P<h>[上下])半年", "zh"),
    ]]


def find_periods(text: str, lang: str, published: datetime.date | None) -> list[PeriodMention]:
    """Periods in `text`, resolved against the publication date, in text order, never overlapping."""
    if not text:
        return []
    lang = "zh" if lang.startswith("zh") else "en"
    found: list[PeriodMention] = []
    taken: list[tuple[int, int]] = []
    for pattern, kind in _patterns(lang):
        for m in pattern.finditer(text):
            if m.end() == m.start() or any(not (m.end() <= a or m.start() >= b) for a, b in taken):
                continue
            period = _resolve(m, kind, lang, published)
            if period:
                found.append(PeriodMention(m.group(0), m.start(), m.end(), period))
                taken.append((m.start(), m.end()))
    return sorted(found, key=lambda p: p.start)


def _num(s: str | None) -> int | None:
    if not s:
        return None
    value = parse_number(s)
    if value is None and len(s) == 4:  # "二〇一七" digit by digit
        value = parse_number(s)
    return int(value) if value is not None else None


def _resolve(m: re.Match[str], kind: str, lang: str, published: datetime.date | None) -> str | None:
    g = m.groupdict()
    w = _words(lang)
    year = _num(g.get("year"))
    if year is None and g.get("rel"):
        if published is None:
            return None
        year = published.year + w["year_offset"][g["rel"].lower() if lang == "en" else g["rel"]]
    quarter = g.get("q") or g.get("q2")
    q = w["quarter_word"].get(quarter, None) if lang == "zh" and quarter else (int(quarter) if quarter else None)
    if g.get("qw"):
        q = w["quarter_word"][g["qw"].lower()]
    half = g.get("h") or g.get("h2")
    h = (w["half_word"][half] if lang == "zh" else int(half)) if half else None
    if g.get("hw"):
        h = w["half_word"][g["hw"].lower()]
    month = g.get("month")
    mo = (w["month"][month.lower().rstrip(".")] if lang == "en" else _num(month)) if month else None
    day = _num(g.get("day")) if g.get("day") else None
    if kind == "quarter" or (kind == "zh" and q):
        year = year or _latest(published, 3 * (q - 1) + 1)
        return f"{year}-Q{q}" if year else None
    if kind == "half" or (kind == "zh" and h):
        year = year or _latest(published, 6 * (h - 1) + 1)
        return f"{year}-H{h}" if year else None
    if mo:
        if not 1 <= mo <= 12:
            return None
        if day:
            try:
                return datetime.date(year, mo, day).isoformat() if year else None
            except ValueError:
                return None
        return f"{year}-{mo:02d}" if year else None
    return str(year) if year else None


def _latest(published: datetime.date | None, first_month: int) -> int | None:
    """The year of the latest quarter/half starting in `first_month` that had begun by `published`."""
    if published is None:
        return None
    return published.year if first_month <= published.month else published.year - 1

"""Deadlines of outlooks that name a fiscal period without a date: "for the first quarter", "Q2", "full year",
"second half", "fiscal 2025", "FY25", 一季度, 下半年, 全年.

Such a period is the NEXT one of its kind that ends on or after publication, in the subject company's fiscal
calendar (nlp/data/claims/fiscal_years.tsv: company -> the month its fiscal year ends; the calendar year when the
company is not listed). A fiscal year is named by the calendar year it ends in. Companies on a 52/53-week year end
near, not on, the month's last day; the deadline is that last day. Patterns are data: fiscal_periods.tsv.
"""
from __future__ import annotations

import calendar
import datetime
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent / "data" / "claims"
_WORDS = {"first": 1, "second": 2, "third": 3, "fourth": 4, "front": 1, "back": 2,
          "一": 1, "二": 2, "三": 3, "四": 4, "上": 1, "下": 2, "1": 1, "2": 2, "3": 3, "4": 4}
CALENDAR_YEAR_END = 12


@dataclass(frozen=True)
class FiscalPeriod:
    text: str
    start: int
    end: int
    rule: str
    number: int | None = None  # quarter or half number, or the fiscal year


def _rows(name: str) -> list[list[str]]:
    with (DATA_DIR / name).open(encoding="utf-8") as fh:
        return [line.rstrip("\n").split("\t") for line in fh if line.strip() and not line.startswith("#")]


@lru_cache(maxsize=1)
def fiscal_year_ends() -> dict[str, int]:
    """Company name (case-folded) -> the month its fiscal year ends."""
    return {row[0].casefold(): int(row[1]) for row in _rows("fiscal_years.tsv")}


def year_end_month(company: str | None) -> int:
    return fiscal_year_ends().get((company or "").casefold(), CALENDAR_YEAR_END)


@lru_cache(maxsize=2)
def _patterns(lang: str) -> tuple[tuple[re.Pattern[str], str], ...]:
    return tuple((re.compile(row[1], re.I if lang == "en" else 0), row[2]) for row in _rows("fiscal_periods.tsv")
                 if row[0] == lang)


def find_fiscal_periods(text: str, lang: str, start: int = 0, end: int | None = None) -> list[FiscalPeriod]:
    """Fiscal period mentions in text[start:end], longest first where they overlap, in text order."""
    end = len(text) if end is None else end
    found: list[FiscalPeriod] = []
    candidates = [(m, rule) for pattern, rule in _patterns(lang) for m in pattern.finditer(text, start, end)]
    candidates.sort(key=lambda c: (-(c[0].end() - c[0].start()), c[0].start()))
    for m, rule in candidates:
        if any(not (m.end() <= f.start or m.start() >= f.end) for f in found):
            continue
        g = m.groupdict()
        number = None
        if g.get("fy"):
            number = int(g["fy"]) + (2000 if len(g["fy"]) == 2 else 0)
        elif g.get("q") or g.get("h"):
            number = _WORDS.get((g.get("q") or g.get("h") or "").lower())
        found.append(FiscalPeriod(m.group(0), m.start(), m.end(), rule, number))
    return sorted(found, key=lambda f: f.start)


def resolve_fiscal(period: FiscalPeriod, published: datetime.date, fy_end_month: int) -> datetime.date | None:
    """The last day of the next such period ending on or after `published`, in a fiscal year ending in
    `fy_end_month`."""
    if period.rule == "fiscal_year" and period.number:
        return _month_end(period.number, fy_end_month)
    if period.rule == "year":
        return _next_end(published, fy_end_month, 12)
    if period.rule == "half" and period.number:
        return _next_end(published, _shift(fy_end_month, 6 * period.number), 12)
    if period.rule == "quarter" and period.number:
        return _next_end(published, _shift(fy_end_month, 3 * period.number), 12)
    if period.rule in ("this_quarter", "next_quarter"):
        current = min((_next_end(published, _shift(fy_end_month, 3 * q), 12) for q in range(1, 5)))
        if period.rule == "this_quarter":
            return current
        return _next_end(current + datetime.timedelta(days=1), _shift(current.month, 3), 12)
    return None


def _shift(month: int, by: int) -> int:
    """The month `by` months after `month` (1..12)."""
    return (month - 1 + by) % 12 + 1


def _next_end(published: datetime.date, month: int, every: int) -> datetime.date:
    """The first end of `month` (recurring every 12 months) on or after `published`."""
    candidate = _month_end(published.year, month)
    while candidate < published:
        candidate = _month_end(candidate.year + every // 12, month)
    return candidate


def _month_end(year: int, month: int) -> datetime.date:
    return datetime.date(year, month, calendar.monthrange(year, month)[1])

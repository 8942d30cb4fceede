"""Deadlines of targets and forecasts: 'within 10 financial quarters', '十个季度内', 'by 2026', '明年'.

`find_time_frames(text, lang, published)` finds the expressions listed in nlp/data/figures/timeframes.tsv and
resolves each to an ISO deadline with `resolve_deadline`. Conventions (also in the TSV header):
- "within N quarters": the quarter of publication counts as the first (2018-02-08 + 10 quarters -> 2020-06-30).
- "within N months/years": the same day N months/years after publication (2018-02-08 + 3 years -> 2021-02-08),
  clamped to the month's last day.
- "this year"/"今年" -> 31 December of the publication year; "by 2026"/"2025年前" -> 31 December of that year.
- "by June"/"到6月底": the last day of the next June on or after publication (published 2025-08-01 -> 2026-06-30);
  "by June 2026" -> 2026-06-30; "in the second half of 2025"/"2025年下半年" -> 2025-12-31, first half -> 06-30.
`TimeFrame.rule` names the rule; `TimeFrame.relative` is True for spans counted from publication ("in 6 years",
"三年内"): only those can be misread in a past-tense sentence ("grew tenfold in 6 years"), which the caller must check.
Without a publication date, only absolute deadlines ("by 2026") resolve; the others get `deadline=None`.
"""
from __future__ import annotations

import calendar
import datetime
import functools
import re
from dataclasses import dataclass

from nlp.figures_data import read_tsv
from nlp.numbers import parse_number

_HALF_WORDS = {"first": 1, "second": 2, "h1": 1, "h2": 2, "上": 1, "下": 2}
_ZH_MONTHS = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10, "十一": 11,
              "十二": 12}
_QUARTER_WORDS = {"first": 1, "second": 2, "third": 3, "fourth": 4, "final": 4, "last": 4,
                  "一": 1, "二": 2, "三": 3, "四": 4, "1": 1, "2": 2, "3": 3, "4": 4}


@dataclass
class TimeFrame:
    text: str
    start: int
    end: int
    deadline: str | None  # ISO date
    rule: str = ""  # the timeframes.tsv rule that resolved it ("add_years", "month_end", ...)

    @property
    def relative(self) -> bool:
        """A span from publication ("in 6 years", "within 10 quarters", "三年内"), not a date ("by 2026").

        A span in a past-tense sentence is a duration, not a deadline ("grew tenfold in 6 years"); the tense is the
        caller's to check (the time frame sees only the words)."""
        return self.rule.startswith(("add_", "quarters_incl"))


def _number(lang: str) -> str:
    if lang == "zh":
        return r"(?P<n>\d+|[零〇一二三四五六七八九十两百]+)"
    return (r"(?P<n>\d+|a|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|eighteen|"
            r"twenty|twenty-four|thirty|thirty-six|forty|fifty|sixty)")


@functools.lru_cache(maxsize=2)
def _patterns(lang: str) -> list[tuple[re.Pattern[str], str]]:
    out = []
    for plang, pattern, rule in (r[:3] for r in read_tsv("timeframes.tsv")):
        if plang != lang:
            continue
        pattern = (pattern.replace("{N2}", _number(lang).replace("?P<n>", "?P<n2>"))
                   .replace("{N}", _number(lang))
                   .replace("{Y}", r"(?P<y>(?:19|20)\d{2})")
                   .replace("{QW}", r"(?P<q>first|second|third|fourth|final|last)")
                   .replace("{Q}", r"(?P<q>[1-4一二三四])")
                   .replace("{H}", r"(?P<h>first|second|H1|H2|上|下)")
                   .replace("{MON}", rf"(?P<mon>{_month_alternation()})")
                   .replace("{MN}", r"(?P<mon>1[0-2]|0?[1-9]|十[一二]?|[一二三四五六七八九])"))
        out.append((re.compile(pattern, re.I), rule))
    return out


@functools.lru_cache(maxsize=1)
def _months() -> dict[str, int]:
    """English month names and abbreviations of periods.tsv."""
    return {surface: int(value) for plang, surface, kind, value in (r[:4] for r in read_tsv("periods.tsv"))
            if plang == "en" and kind == "month"}


def _month_alternation() -> str:
    # abbreviations only with their dot: "by Dec." is December, "by mar" is nothing
    names = sorted(_months(), key=len, reverse=True)
    return "|".join(n if len(n) > 3 or n == "may" else re.escape(n + ".") for n in names)


def _month_number(text: str) -> int | None:
    text = text.lower().rstrip(".")
    if text.isdigit():
        return int(text)
    return _ZH_MONTHS.get(text) or _months().get(text)


def find_time_frames(text: str, lang: str, published: datetime.date | None) -> list[TimeFrame]:
    """Deadline expressions in `text`, longest first where they overlap, returned in text order."""
    if not text:
        return []
    lang = "zh" if lang.startswith("zh") else "en"
    candidates = []
    for pattern, rule in _patterns(lang):
        for m in pattern.finditer(text):
            candidates.append((m, rule))
    candidates.sort(key=lambda c: (-(c[0].end() - c[0].start()), c[0].start()))
    chosen: list[TimeFrame] = []
    for m, rule in candidates:
        if any(not (m.end() <= t.start or m.start() >= t.end) for t in chosen):
            continue
        g = m.groupdict()
        n = parse_number(g["n"]) if g.get("n") else None
        if g.get("n2"):  # a range ("5到10年", "in five to ten years"): the deadline is its later end
            n = parse_number(g["n2"])
        year = int(g["y"]) if g.get("y") else None
        quarter = _QUARTER_WORDS.get((g.get("q") or "").lower())
        half = _HALF_WORDS.get((g.get("h") or "").lower())
        month = _month_number(g["mon"]) if g.get("mon") else None
        deadline = resolve_deadline(rule, published, n=n, year=year, quarter=quarter, half=half, month=month)
        chosen.append(TimeFrame(m.group(0), m.start(), m.end(), deadline.isoformat() if deadline else None,
                                rule.partition(":")[0]))
    return sorted(chosen, key=lambda t: t.start)


def resolve_deadline(rule: str, published: datetime.date | None, *, n: float | None = None,
                     year: int | None = None, quarter: int | None = None, half: int | None = None,
                     month: int | None = None) -> datetime.date | None:
    """The last day a time frame allows, by one rule of timeframes.tsv; None when it cannot be resolved."""
    name, _, arg = rule.partition(":")
    if arg and name.startswith("add_"):
        n = float(arg)
    k = int(arg) if arg and not name.startswith("add_") else 0
    if name == "year_end_y" and year:
        return datetime.date(year, 12, 31)
    if name == "quarter_end_y" and year and quarter:
        return _quarter_end(year, quarter)
    if name == "mid_year_y" and year:
        return datetime.date(year, 6, 30)
    if name == "half_end_y" and year and half:
        return _month_end(year, 6 * half)
    if name == "month_end_y" and year and month and 1 <= month <= 12:
        return _month_end(year, month)
    if published is None:
        return None
    if name == "month_end" and month and 1 <= month <= 12:
        # the next such month: "by June" written in August means June of next year
        return _month_end(published.year + (1 if month < published.month else 0), month)
    if name == "half_end" and half:
        return _month_end(published.year + k, 6 * half)
    if name == "mid_year":
        return datetime.date(published.year + k, 6, 30)
    if name == "early_year":
        return datetime.date(published.year + k, 3, 31)
    if name == "year_end":
        return datetime.date(published.year + k, 12, 31)
    if name == "decade_end":
        return datetime.date(published.year // 10 * 10 + 9, 12, 31)
    current_q = (published.month - 1) // 3 + 1
    if name == "quarter_end":
        return _quarter_after(published.year, current_q, k)
    if n is None or n <= 0 or n != int(n):
        return None
    n_int = int(n)
    if name == "quarters_incl":
        return _quarter_after(published.year, current_q, n_int - 1)
    if name == "add_months":
        return _add_months(published, n_int)
    if name == "add_years":
        return _add_months(published, 12 * n_int)
    if name == "add_weeks":
        return published + datetime.timedelta(weeks=n_int)
    if name == "add_days":
        return published + datetime.timedelta(days=n_int)
    return None


def _month_end(year: int, month: int) -> datetime.date:
    return datetime.date(year, month, calendar.monthrange(year, month)[1])


def _quarter_end(year: int, quarter: int) -> datetime.date:
    month = quarter * 3
    return datetime.date(year, month, calendar.monthrange(year, month)[1])


def _quarter_after(year: int, quarter: int, k: int) -> datetime.date:
    index = year * 4 + (quarter - 1) + k
    return _quarter_end(index // 4, index % 4 + 1)


def _add_months(day: datetime.date, months: int) -> datetime.date:
    index = day.year * 12 + day.month - 1 + months
    y, m = index // 12, index % 12 + 1
    return datetime.date(y, m, min(day.day, calendar.monthrange(y, m)[1]))

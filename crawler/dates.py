"""Publication dates: structured metadata first, then visible dates (incl. Chinese forms), then htmldate."""
from __future__ import annotations

import copy
import datetime as dt
import json
import logging
import re
import warnings
from collections.abc import Iterable, Iterator
from functools import lru_cache

from lxml import html as lxml_html

from crawler.data import data_lines

log = logging.getLogger(__name__)

_EARLIEST_YEAR = 1990
# Dates with separators: 2018-02-08, 2018/2/8, 2018.02.08, 2018年02月08日 (full-width digits are folded first).
_YMD = re.compile(
    r"(?<!\d)((?:19|20)\d{2})\s*(?:年|[-/.])\s*(\d{1,2})\s*(?:月|[-/.])\s*(\d{1,2})(?!\d)\s*日?"
    r"(?:\s*(?:T|\s)?\s*(\d{1,2})\s*[:：时]\s*(\d{2})(?:\s*[:：分]\s*(\d{2}))?)?"
    r"(?:\s*(Z|[+-]\d{2}:?\d{2}))?"
)
_COMPACT = re.compile(r"(?<!\d)((?:19|20)\d{2})(\d{2})(\d{2})(?:T?(\d{2}):?(\d{2}):?(\d{2})?)?(Z|[+-]\d{2}:?\d{2})?(?!\d)")
_FULLWIDTH = str.maketrans("０１２３４５６７８９：－／．", "0123456789:-/.")
# Labels that introduce a publication (not update) date on Chinese and English pages.
_PUBLISHED_LABEL = re.compile(r"(发布|发表|发稿|出版|刊发|时间|日期|published|posted|date)", re.IGNORECASE)
_UPDATED_LABEL = re.compile(r"(更新|修改|updated|modified|last edit)", re.IGNORECASE)


@lru_cache(maxsize=None)
def _meta_names() -> tuple[str, ...]:
    return tuple(name.lower() for name in data_lines("date_meta_names.txt"))


def _latest_year() -> int:
    return dt.date.today().year + 1


def _valid(year: int, month: int, day: int) -> dt.date | None:
    if not _EARLIEST_YEAR <= year <= _latest_year():
        return None
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def _iso(match: re.Match, with_time: bool = True) -> str | None:
    year, month, day, hour, minute, second, tz = match.groups()
    date = _valid(int(year), int(month), int(day))
    if date is None:
        return None
    if not with_time or hour is None or minute is None or int(hour) > 23 or int(minute) > 59:
        return date.isoformat()
    stamp = f"{date.isoformat()}T{int(hour):02d}:{int(minute):02d}:{int(second or 0):02d}"
    if tz:
        tz = "+00:00" if tz == "Z" else (tz if ":" in tz else f"{tz[:3]}:{tz[3:]}")
        stamp += tz
    return stamp


def parse_date(value: str | None) -> str | None:
    """ISO 8601 for a date written in a common machine or Chinese form; None if there is none."""
    if not value:
        return None
    value = value.translate(_FULLWIDTH).strip()
    m = _YMD.search(value)
    if m:
        return _iso(m)
    m = _COMPACT.search(value)
    if m:
        return _iso(m)
    return _parse_with_dateutil(value)


def _parse_with_dateutil(value: str) -> str | None:
    # English forms like "February 8, 2018" or "Thu, 08 Feb 2018 10:20:00 GMT" (only if short: it is greedy).
    if len(value) > 60 or not re.search(r"(?:19|20)\d{2}", value):
        return None
    from dateutil import parser as dateutil_parser

    try:
        with warnings.catch_warnings():
            # Unknown zone names (EDT, IST) still give the right day, which is what matters here.
            warnings.simplefilter("ignore", dateutil_parser.UnknownTimezoneWarning)
            parsed = dateutil_parser.parse(value, fuzzy=False)
    except (ValueError, OverflowError):
        return None
    if _valid(parsed.year, parsed.month, parsed.day) is None:
        return None
    has_time = bool(re.search(r"\d:\d\d", value))
    return parsed.isoformat() if has_time else parsed.date().isoformat()


def _meta_dates(tree: lxml_html.HtmlElement) -> Iterator[tuple[int, str]]:
    names = _meta_names()
    for meta in tree.iter("meta"):
        key = (meta.get("property") or meta.get("name") or meta.get("itemprop") or "").strip().lower()
        if key in names:
            yield names.index(key), meta.get("content") or ""
    for el in tree.xpath('//*[@itemprop="datePublished"]'):
        yield names.index("datepublished"), el.get("content") or el.get("datetime") or el.text_content()


def _json_ld_objects(tree: lxml_html.HtmlElement) -> Iterator[dict]:
    for script in tree.xpath('//script[@type="application/ld+json"]'):
        try:
            data = json.loads(script.text_content().strip() or "null", strict=False)
        except ValueError:
            log.debug("unreadable JSON-LD block skipped")
            continue
        yield from _walk_json(data)


def _walk_json(data: object) -> Iterator[dict]:
    if isinstance(data, list):
        for item in data:
            yield from _walk_json(item)
    elif isinstance(data, dict):
        yield data
        for key in ("@graph", "mainEntity", "mainEntityOfPage"):
            if isinstance(data.get(key), (list, dict)):
                yield from _walk_json(data[key])


def json_ld_objects(tree: lxml_html.HtmlElement) -> list[dict]:
    """Every object of every JSON-LD block, nested @graph entries included."""
    return list(_json_ld_objects(tree))


def structured_date(tree: lxml_html.HtmlElement, json_ld: Iterable[dict] = ()) -> str | None:
    """The publication date declared for machines: JSON-LD datePublished, then the best-ranked <meta>."""
    for obj in json_ld:
        value = obj.get("datePublished")
        if isinstance(value, str):
            parsed = parse_date(value)
            if parsed:
                return parsed
    ranked = sorted((rank, value) for rank, value in _meta_dates(tree) if value)
    for _, value in ranked:
        parsed = parse_date(value)
        if parsed:
            return parsed
    for time_el in tree.xpath("//time[@pubdate] | //article//time[@datetime]"):
        parsed = parse_date(time_el.get("datetime") or time_el.text_content())
        if parsed:
            return parsed
    return None


def visible_date(text: str) -> str | None:
    """A date written in the page text: a labelled one (发布时间/Published), else the first with a time, else the first.

    `text` should be the text around the article header; update dates are skipped.
    """
    text = text.translate(_FULLWIDTH)
    first = first_timed = None
    for m in _YMD.finditer(text):
        iso = _iso(m)
        if iso is None:
            continue
        before = text[max(0, m.start() - 12):m.start()]
        if _UPDATED_LABEL.search(before):
            continue
        if _PUBLISHED_LABEL.search(before):
            return iso
        if first is None:
            first = iso
        if first_timed is None and "T" in iso:
            first_timed = iso
    # A header's date line usually carries a time; dates mentioned in the story rarely do.
    return first_timed or first


def htmldate_date(tree: lxml_html.HtmlElement, url: str | None) -> str | None:
    """htmldate's guess for the original publication date (it looks at URLs, markup and text)."""
    from htmldate import find_date

    try:
        # htmldate prunes the tree it searches: give it a copy.
        found = find_date(copy.deepcopy(tree), url=url, original_date=True, max_date=f"{_latest_year()}-12-31")
    except (ValueError, TypeError) as exc:  # htmldate rejects some malformed documents
        log.debug("htmldate failed: %s", exc)
        return None
    return found or None


def _not_padded_year(found: str | None) -> str | None:
    return None if found and found.endswith("-01-01") else found


def find_published(
    tree: lxml_html.HtmlElement,
    json_ld: Iterable[dict],
    url: str | None,
    header_text: str,
    lang: str | None,
) -> str | None:
    """The publication date of a page, as precise as the page states it.

    htmldate's original-date search is the better judge on Western pages (it weighs URL dates and
    markup, and avoids the UTC day-shift of machine timestamps), but it misreads Chinese date forms; on
    Chinese pages our own structured-then-visible search goes first.
    """
    structured = structured_date(tree, json_ld)
    if lang == "zh":
        return structured or visible_date(header_text) or _not_padded_year(htmldate_date(tree, url))
    found = htmldate_date(tree, url)
    if found and _not_padded_year(found) is None and not (structured and structured.startswith(found)):
        # htmldate pads a bare year (a copyright line, say) to January 1st: that is no publication date,
        # and a wrong one would mislead every deadline resolved against it.
        found = None
    if found:
        # Keep the structured timestamp (time and offset) when it names the same day.
        return structured if structured and structured[:10] == found else found
    return structured or visible_date(header_text)

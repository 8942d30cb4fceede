"""nlp.timeframes and nlp.periods: deadlines and periods resolved against the publication date."""
from __future__ import annotations

import datetime

import pytest

from nlp.periods import find_periods
from nlp.timeframes import find_time_frames, resolve_deadline

PUBLISHED = datetime.date(2018, 2, 8)


@pytest.mark.parametrize(("text", "lang", "expected_text", "deadline"), [
    ("Xiaomi will be number one within 10 financial quarters.", "en", "within 10 financial quarters", "2020-06-30"),
    ("Xiaomi will be number one in China in 10 quarters.", "en", "in 10 quarters", "2020-06-30"),
    ("在十个季度内重回中国市场第一", "zh", "十个季度内", "2020-06-30"),
    ("We will join the top 500 this year.", "en", "this year", "2018-12-31"),
    ("今年，我们有非常大的机会进入世界500强。", "zh", "今年", "2018-12-31"),
    ("Carbon neutral by 2026.", "en", "by 2026", "2026-12-31"),
    ("到2025年实现目标。", "zh", "到2025年", "2025-12-31"),
    ("2025年前完成。", "zh", "2025年前", "2025-12-31"),
    ("Profitable next year.", "en", "next year", "2019-12-31"),
    ("明年上市。", "zh", "明年", "2019-12-31"),
    ("Sales will double over the next 18 months.", "en", "over the next 18 months", "2019-08-08"),
    ("未来18个月推出新品。", "zh", "未来18个月", "2019-08-08"),
    ("Within three years we will lead.", "en", "Within three years", "2021-02-08"),
    ("三年内完成。", "zh", "三年内", "2021-02-08"),
    ("Break even by the end of 2019.", "en", "by the end of 2019", "2019-12-31"),
    ("Ship by Q3 2020.", "en", "by Q3 2020", "2020-09-30"),
    ("Lead in the coming decade.", "en", "in the coming decade", "2028-02-08"),
    ("到2020年第三季度完成。", "zh", "到2020年第三季度", "2020-09-30"),
])
def test_deadlines(text: str, lang: str, expected_text: str, deadline: str) -> None:
    frames = find_time_frames(text, lang, PUBLISHED)
    assert [(t.text, t.deadline) for t in frames] == [(expected_text, deadline)]
    t = frames[0]
    assert text[t.start:t.end] == t.text


def test_relative_frames_need_a_publication_date() -> None:
    frames = find_time_frames("within 10 quarters, by 2026", "en", None)
    assert [(t.text, t.deadline) for t in frames] == [("within 10 quarters", None), ("by 2026", "2026-12-31")]


def test_past_periods_are_not_deadlines() -> None:
    assert find_time_frames("2017年第四季度，出货量大涨。In 2017 sales rose.", "zh", PUBLISHED) == []


def test_resolve_deadline_rules() -> None:
    assert resolve_deadline("quarters_incl", datetime.date(2018, 12, 31), n=1) == datetime.date(2018, 12, 31)
    assert resolve_deadline("add_months", datetime.date(2018, 1, 31), n=1) == datetime.date(2018, 2, 28)
    assert resolve_deadline("year_end_y", None, year=2030) == datetime.date(2030, 12, 31)
    assert resolve_deadline("add_years", PUBLISHED, n=0) is None
    assert resolve_deadline("no_such_rule", PUBLISHED, n=3) is None


@pytest.mark.parametrize(("text", "lang", "expected"), [
    ("In the final quarter of last year shipments slid.", "en", [("the final quarter of last year", "2017-Q4")]),
    ("Xiaomi was number 4 in Q4.", "en", [("Q4", "2017-Q4")]),
    ("Revenue in Q4 2017 and in 2017 overall.", "en", [("Q4 2017", "2017-Q4"), ("2017", "2017")]),
    ("Published February 8, 2018; data for February 2018.", "en",
     [("February 8, 2018", "2018-02-08"), ("February 2018", "2018-02")]),
    ("Sales in the first half of 2018 rose; last year was flat.", "en",
     [("the first half of 2018", "2018-H1"), ("last year", "2017")]),
    ("2017年第四季度，全球手机出货量同比下滑。", "zh", [("2017年第四季度", "2017-Q4")]),
    ("第四季度更是升至全球第四。", "zh", [("第四季度", "2017-Q4")]),
    ("去年营收增长，上半年利润下滑。", "zh", [("去年", "2017"), ("上半年", "2018-H1")]),
    ("2018年2月8日发布，二〇一七年。", "zh", [("2018年2月8日", "2018-02-08"), ("二〇一七年", "2017")]),
    ("It sold 2,017 phones for $2017.", "en", []),
])
def test_periods(text: str, lang: str, expected: list[tuple[str, str]]) -> None:
    found = find_periods(text, lang, PUBLISHED)
    assert [(p.text, p.period) for p in found] == expected
    for p in found:
        assert text[p.start:p.end] == p.text


def test_relative_periods_without_date_are_skipped() -> None:
    assert [(p.text, p.period) for p in find_periods("last year and 2016", "en", None)] == [("2016", "2016")]


# --- months, halves and mid-year, resolved against the publication date --------------------------------------

SPRING = datetime.date(2025, 3, 1)


@pytest.mark.parametrize(("text", "lang", "published", "expected_text", "deadline"), [
    ("We will ship by June.", "en", SPRING, "by June", "2025-06-30"),
    ("We will ship by June.", "en", datetime.date(2025, 8, 1), "by June", "2026-06-30"),  # June has passed
    ("We will ship by June.", "en", datetime.date(2025, 6, 10), "by June", "2025-06-30"),
    ("It lands by the end of June.", "en", SPRING, "by the end of June", "2025-06-30"),
    ("It lands by June 2026.", "en", SPRING, "by June 2026", "2026-06-30"),
    ("It lands by Dec. at the latest.", "en", SPRING, "by Dec.", "2025-12-31"),
    ("Done by mid-2025.", "en", SPRING, "by mid-2025", "2025-06-30"),
    ("In the second half of 2025 we launch.", "en", SPRING, "In the second half of 2025", "2025-12-31"),
    ("It ships in the first half of 2026.", "en", SPRING, "in the first half of 2026", "2026-06-30"),
    ("It ships in H2 2025.", "en", SPRING, "in H2 2025", "2025-12-31"),
    ("到6月底完成交付。", "zh", SPRING, "到6月底", "2025-06-30"),
    ("六月底前完成。", "zh", SPRING, "六月底前", "2025-06-30"),
    ("公司计划年底前上线。", "zh", SPRING, "年底前", "2025-12-31"),
    ("计划到年底推出。", "zh", SPRING, "到年底", "2025-12-31"),
    ("2026年6月底前量产。", "zh", SPRING, "2026年6月底前", "2026-06-30"),
    ("新品将于下半年推出。", "zh", SPRING, "下半年", "2025-12-31"),
    ("2025年下半年量产。", "zh", SPRING, "2025年下半年", "2025-12-31"),
])
def test_months_and_halves(text: str, lang: str, published: datetime.date, expected_text: str, deadline: str) -> None:
    frames = find_time_frames(text, lang, published)
    assert [(f.text, f.deadline) for f in frames] == [(expected_text, deadline)]
    assert not frames[0].relative


@pytest.mark.parametrize(("text", "lang"), [
    ("We met on June 5 in Paris.", "en"), ("It may be late.", "en"), ("by mar", "en"),
    ("去年6月底，营收增长。", "zh"), ("上半年营收增长10%。", "zh"), ("去年下半年，销量下滑。", "zh"),
])
def test_no_month_or_half_deadline(text: str, lang: str) -> None:
    assert find_time_frames(text, lang, SPRING) == []


def test_relative_spans_are_marked_for_the_tense_check() -> None:
    """'in 6 years' in a past-tense sentence is a duration; the time frame says it is a span, the caller checks."""
    frame = find_time_frames("Revenue grew tenfold in 6 years.", "en", SPRING)[0]
    assert (frame.text, frame.rule, frame.relative) == ("in 6 years", "add_years", True)
    dated = find_time_frames("Carbon neutral by 2026.", "en", SPRING)[0]
    assert (dated.rule, dated.relative) == ("year_end_y", False)

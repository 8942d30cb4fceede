"""Document-level resolution, fiscal periods, scopes and kind decisions (issue 8), through the real pipelines.

Every sentence here is written for these tests (fictional companies), none is taken from the unlicensed corpora.
"""
from __future__ import annotations

import datetime

import pytest

from nlp.analyze import Analyzer
from nlp.claims import Candidate, decide_kind
from nlp.fiscal import find_fiscal_periods, resolve_fiscal, year_end_month
from nlp.records import Claim, DocContext


@pytest.fixture(scope="module")
def analyzer() -> Analyzer:
    return Analyzer()


def claims_of(analyzer: Analyzer, text: str, **ctx: str) -> list[Claim]:
    return analyzer.analyze(text, DocContext(**{"published": "2025-08-13", **ctx})).claims


# -- fiscal periods --------------------------------------------------------------------------------
@pytest.mark.parametrize("text, company, published, expected", [
    ("revenue for the first quarter", "Cisco", "2025-08-13", "2025-10-31"),  # fiscal year ends in July
    ("revenue for the first quarter", None, "2025-08-13", "2026-03-31"),  # calendar year: the next Q1
    ("full year margins", "Oracle", "2024-06-11", "2025-05-31"),
    ("for fiscal 2026", "Nvidia", "2025-05-28", "2026-01-31"),
    ("for FY27", "Apple", "2025-05-01", "2027-09-30"),
    ("in the second half", "Apple", "2025-05-01", "2025-09-30"),
    ("next quarter", None, "2025-08-13", "2025-12-31"),
])
def test_next_fiscal_period_from_publication(text: str, company: str | None, published: str, expected: str) -> None:
    (period,) = find_fiscal_periods(text, "en")
    day = datetime.date.fromisoformat(published)
    assert resolve_fiscal(period, day, year_end_month(company)).isoformat() == expected


def test_chinese_fiscal_periods_use_the_calendar_year() -> None:
    found = {p.text: resolve_fiscal(p, datetime.date(2022, 5, 10), year_end_month("某公司")).isoformat()
             for p in find_fiscal_periods("预计一季度、下半年及全年", "zh")}
    assert found == {"一季度": "2023-03-31", "下半年": "2022-12-31", "全年": "2022-12-31"}


def test_outlook_gets_the_fiscal_deadline_of_its_company(analyzer: Analyzer) -> None:
    text = ("Welcome to the Quillon Systems fourth quarter earnings conference call. I'm Dana Reyes, head of investor "
            "relations. For the first quarter, we expect revenue of $2.1 billion to $2.2 billion.")
    (claim,) = [c for c in claims_of(analyzer, text, lang="en", kind="transcript") if c.kind == "forecast"]
    assert claim.subject == "Quillon Systems"
    # Quillon Systems is not in fiscal_years.tsv: the calendar year, so the next first quarter
    assert claim.deadline == "2026-03-31" and claim.time_frame == "the first quarter"


def test_outlook_header_passes_its_period_to_the_next_sentences(analyzer: Analyzer) -> None:
    text = ("Our full year outlook is as follows. We expect revenue of $9 billion to $9.4 billion. "
            "Operating margin is expected to be about 31%.")
    forecasts = [c for c in claims_of(analyzer, text, lang="en", kind="letter", title="Quillon Systems letter")
                 if c.kind == "forecast"]
    assert len(forecasts) == 2 and {c.deadline for c in forecasts} == {"2025-12-31"}


# -- subjects ----------------------------------------------------------------------------------------
def test_the_source_of_a_report_is_never_the_subject(analyzer: Analyzer) -> None:
    text = "According to the Harbor Ledger, Brightwell Motors plans to cut 2,000 jobs this year."
    (claim,) = claims_of(analyzer, text, lang="en")
    assert claim.subject == "Brightwell Motors"


def test_a_company_reporting_its_own_figures_stays_the_subject(analyzer: Analyzer) -> None:
    (claim,) = claims_of(analyzer, "Zorblax Robotics reported revenue in 2024, up 40% from a year earlier.", lang="en")
    assert claim.subject == "Zorblax Robotics"


def test_metric_words_are_never_entities(analyzer: Analyzer) -> None:
    analysis = analyzer.analyze("CapEx rose while EBITDA and GAAP EPS fell at Brightwell Motors.",
                                DocContext(lang="en"))
    assert not {"CapEx", "EBITDA", "GAAP", "EPS"} & {e.text for e in analysis.entities}


def test_an_abbreviation_stands_for_its_full_name(analyzer: Analyzer) -> None:
    text = ("Northwind Aviation Group (NAG) flew more passengers in May. "
            "NAG plans to add 12 routes next year.")
    analysis = analyzer.analyze(text, DocContext(lang="en", published="2025-06-01"))
    assert [c.subject for c in analysis.claims if c.kind == "target"] == ["Northwind Aviation"]
    assert {e.canonical for e in analysis.entities if e.text == "NAG"} == {"Northwind Aviation"}


# -- speakers ------------------------------------------------------------------------------------------
def test_transcript_statements_belong_to_the_speaker_handed_the_word(analyzer: Analyzer) -> None:
    text = ("Welcome to the Quillon Systems second quarter earnings call. I'm Dana Reyes, head of investor relations, "
            "and with me are our CEO, Marcus Hale, and our CFO, Priya Nandan. Now I'll turn it over to Marcus. "
            "Thanks, Dana. We had a record quarter. With that, I'll hand it over to Priya. Thanks, Marcus. "
            "We expect revenue of $3 billion for the third quarter.")
    (claim,) = [c for c in claims_of(analyzer, text, lang="en", kind="transcript") if c.kind == "forecast"]
    assert claim.speaker == "Priya Nandan"
    assert claim.subject == "Quillon Systems"


def test_a_thank_you_passes_the_word_to_the_other_executive(analyzer: Analyzer) -> None:
    text = ("Welcome to the Quillon Systems second quarter earnings call. I'm Dana Reyes, head of investor relations, "
            "and with me are our CEO, Marcus Hale, and our CFO, Priya Nandan. Now I'll turn it over to Marcus. "
            "We had a record quarter. Thanks, Marcus. We expect revenue of $3 billion for the third quarter.")
    (claim,) = [c for c in claims_of(analyzer, text, lang="en", kind="transcript") if c.kind == "forecast"]
    assert claim.speaker == "Priya Nandan"


def test_a_letter_without_byline_is_spoken_by_its_signature(analyzer: Analyzer) -> None:
    text = ("Dear shareholders,\nOur goal is to open 30 new stores in 2026.\nThe Marketplace grew.\n"
            "Sincerely,\nHelena Varga\nChief Executive Officer")
    claims = claims_of(analyzer, text, lang="en", kind="letter", title="Kestrel Outfitters 2025 letter")
    target = next(c for c in claims if c.kind == "target")
    assert target.speaker == "Helena Varga"


def test_a_letter_without_byline_or_signature_has_no_speaker(analyzer: Analyzer) -> None:
    text = "Our goal is to open 30 new stores in 2026, and Marketplace sellers will help us."
    target = next(c for c in claims_of(analyzer, text, lang="en", kind="letter", title="Kestrel Outfitters letter")
                  if c.kind == "target")
    assert target.speaker is None


# -- scope --------------------------------------------------------------------------------------------
@pytest.mark.parametrize("lang, text, scope", [
    ("zh", "今日沪指收盘下跌1.3%，两市成交额不足八千亿元。", "market"),
    ("en", "New vehicle sales in the region plunged 12 percent in July.", "market"),
    ("en", "GDP grew 3.1% in the second quarter.", "economy"),
    ("zh", "一季度国内生产总值同比增长4.6%。", "economy"),
    ("en", "Brightwell Motors said its sales rose 12 percent in July.", "company"),
])
def test_market_and_macro_statistics_get_their_scope(analyzer: Analyzer, lang: str, text: str, scope: str) -> None:
    claims = claims_of(analyzer, text, lang=lang)
    assert claims and {c.scope for c in claims} == {scope}
    if scope != "company":
        assert all(c.subject is None for c in claims)


# -- kinds and non-claims ----------------------------------------------------------------------------------
def test_two_forecasts_in_one_sentence_are_two_claims(analyzer: Analyzer) -> None:
    text = "Brightwell Motors expects sales to grow 8% in 2026, and it expects margins to reach 14% in 2027."
    forecasts = [c for c in claims_of(analyzer, text, lang="en") if c.kind == "forecast"]
    assert sorted(c.figure.value for c in forecasts) == [8, 14]


def test_from_to_target_is_the_to_figure(analyzer: Analyzer) -> None:
    text = "青禾汽车计划在三年内把年产能从5万辆提升到20万辆。"
    targets = [c for c in claims_of(analyzer, text, lang="zh") if c.kind == "target"]
    assert [c.figure.value for c in targets] == [200000]


def test_a_plan_with_a_future_span_is_a_target_not_a_result(analyzer: Analyzer) -> None:
    claims = claims_of(analyzer, "青禾汽车未来5年内销售额超过800亿元。", lang="zh")
    assert [c.kind for c in claims] == ["target"]


@pytest.mark.parametrize("lang, text", [
    ("en", "If prices fall further, Brightwell Motors expects sales to drop 20% next year."),
    ("en", "Companies with more than 50 employees must publish 3 reports a year."),
    ("en", "One customer told us she saved 40% on her electricity bill."),
    ("zh", "如果原材料继续涨价，青禾汽车预计明年利润将下降20%。"),
    ("en", "Can Brightwell Motors grow revenue 20% next year?"),
])
def test_non_claims(analyzer: Analyzer, lang: str, text: str) -> None:
    assert claims_of(analyzer, text, lang=lang) == []


def test_an_expected_figure_is_not_the_company_result(analyzer: Analyzer) -> None:
    text = "Brightwell Motors posted sales growth of 3.1%, missing the 4.2% gain that analysts had expected."
    results = [c for c in claims_of(analyzer, text, lang="en") if c.kind == "result"]
    assert [c.figure.value for c in results] == [3.1]


def test_decide_kind_is_one_replaceable_function() -> None:
    plan = Candidate("target", None, 0.9, 0, features={"past": True})
    hypothetical = Candidate("forecast", None, 0.9, 0, features={"hypothetical": True})
    assert [kind for _, kind in decide_kind("", [plan, hypothetical])] == ["result"]


def test_a_range_of_years_resolves_to_its_later_end(analyzer: Analyzer) -> None:
    (claim,) = claims_of(analyzer, "青禾汽车的目标是5到10年内成为全球第一。", lang="zh", published="2022-05-01")
    assert claim.kind == "target" and claim.deadline == "2032-05-01" and claim.time_frame == "5到10年内"


def test_a_date_only_forecast_is_a_claim(analyzer: Analyzer) -> None:
    (claim,) = claims_of(analyzer, "青禾汽车的新车型可能到明年初才能量产。", lang="zh", published="2022-05-01")
    assert claim.kind == "forecast" and claim.deadline == "2023-03-31"


def test_a_figure_before_the_target_noun(analyzer: Analyzer) -> None:
    (claim,) = claims_of(analyzer, "青禾汽车表示，将加快开发新车型以实现在2027年把营收提高到90亿元的目标。",
                         lang="zh", published="2024-05-01")
    assert claim.kind == "target" and claim.figure.value == 9e9 and claim.deadline == "2027-12-31"


def test_a_segmentation_fragment_is_never_the_subject(analyzer: Analyzer) -> None:
    (claim,) = claims_of(analyzer, "特斯拉加快在华布局，计划今年在上海新增3座工厂。", lang="zh", published="2024-01-01")
    assert claim.kind == "target" and claim.subject == "Tesla"  # 特斯拉, canonical from the alias table

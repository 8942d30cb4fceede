"""The promise tracker's deciding rules on records built by hand (no database, no pipeline)."""
from __future__ import annotations

from dataclasses import replace

import pytest

from nlp.promises.grouping import Group, group_claims, group_key
from nlp.promises.outcomes import as_of, bounds_of, decide, period_end
from nlp.promises.records import TrackedClaim
from nlp.promises.vocab import metrics_of, scopes_of

TODAY = "2026-12-02"

_ids = iter(range(1, 10_000))


def claim(sentence: str, *, kind: str = "result", subject: str = "Acme", made: str = "2020-01-10",
          figure_kind: str | None = "money", value: float | None = None, unit: str | None = "USD",
          lang: str = "en", article: int | None = None, **extra) -> TrackedClaim:
    cid = next(_ids)
    return TrackedClaim(id=cid, kind=kind, subject=subject, sentence=sentence, lang=lang, made=made,
                        figure_kind=figure_kind, figure_value=value, figure_unit=unit, figure_text=str(value),
                        article_id=article if article is not None else cid, **extra)


def promise(sentence: str, deadline: str | None, **kw) -> Group:
    kw.setdefault("kind", "target")
    c = claim(sentence, deadline=deadline, **kw)
    return Group(group_key(c), [c])


REVENUE_TARGET = dict(value=5e9, made="2020-02-01")


def test_kept_when_a_later_result_meets_the_figure_by_the_deadline():
    group = promise("Acme aims for revenue of $5 billion in 2021.", "2021-12-31", **REVENUE_TARGET)
    report = claim("Acme reported revenue of $5.2 billion for 2021.", value=5.2e9, made="2022-02-10", period="2021")
    out = decide(group, [report], today=TODAY)
    assert out.status == "kept" and out.reached == "2021-12-31"
    assert out.evidence[0].claim_id == report.id and out.evidence[0].verdict == "met"
    assert "kept" in out.rule and out.confidence >= 0.5


def test_missed_when_a_result_at_the_deadline_falls_short():
    group = promise("Acme aims for revenue of $5 billion in 2021.", "2021-12-31", **REVENUE_TARGET)
    report = claim("Acme reported revenue of $4.1 billion for 2021.", value=4.1e9, made="2022-02-10", period="2021")
    out = decide(group, [report], today=TODAY)
    assert out.status == "missed" and out.reached is None
    assert "fell short" in out.rule


def test_late_counts_as_missed_with_the_date_it_was_reached():
    group = promise("Acme aims for revenue of $5 billion in 2021.", "2021-12-31", **REVENUE_TARGET)
    short = claim("Acme reported revenue of $4.1 billion for 2021.", value=4.1e9, made="2022-02-10", period="2021")
    late = claim("Acme reported revenue of $5.3 billion for 2022.", value=5.3e9, made="2023-02-10", period="2022")
    out = decide(group, [short, late], today=TODAY)
    assert out.status == "missed" and out.reached == "2022-12-31" and "late" in out.rule


def test_pending_before_the_deadline_even_with_a_shortfall_so_far():
    group = promise("Acme aims for revenue of $5 billion by 2028.", "2028-12-31", **REVENUE_TARGET)
    report = claim("Acme reported revenue of $4.1 billion for 2025.", value=4.1e9, made="2026-02-10", period="2025")
    out = decide(group, [report], today=TODAY)
    assert out.status == "pending" and "2028-12-31" in out.rule


def test_kept_early_before_the_deadline():
    group = promise("Acme aims for revenue of $5 billion by 2028.", "2028-12-31", **REVENUE_TARGET)
    report = claim("Acme reported revenue of $5.5 billion for 2025.", value=5.5e9, made="2026-02-10", period="2025")
    assert decide(group, [report], today=TODAY).status == "kept"


def test_unclear_without_comparable_evidence():
    group = promise("Acme aims for revenue of $5 billion in 2021.", "2021-12-31", **REVENUE_TARGET)
    out = decide(group, [], today=TODAY)
    assert out.status == "unclear" and out.confidence == 0 and "no later report" in out.rule


def test_range_is_met_only_within_it():
    group = promise("Acme expects revenue of between $4.7 billion and $4.9 billion in 2024.", "2024-12-31",
                    kind="forecast", value=4.7e9, figure_lower=4.7e9, figure_upper=4.9e9, made="2024-04-02")
    inside = claim("Acme reported revenue of $4.8 billion for 2024.", value=4.8e9, made="2025-02-01", period="2024")
    above = claim("Acme reported revenue of $5.1 billion for 2024.", value=5.1e9, made="2025-02-01", period="2024")
    assert decide(group, [inside], today=TODAY).status == "kept"
    assert decide(group, [above], today=TODAY).status == "missed"


def test_at_least_is_met_at_or_above():
    group = promise("Acme expects subscription revenue to exceed $1 billion by 2025.", "2025-12-31",
                    kind="forecast", value=1e9, figure_lower=1e9, made="2024-04-02")
    at = claim("Acme's subscription revenue was $1 billion in 2025.", value=1e9, made="2026-02-01", period="2025")
    below = claim("Acme's subscription revenue was $0.94 billion in 2025.", value=0.94e9, made="2026-02-01",
                  period="2025")
    assert decide(group, [at], today=TODAY).status == "kept"
    assert decide(group, [below], today=TODAY).status == "missed"


def test_at_most_and_cuts_are_met_at_or_below():
    group = promise("Acme expects to keep its development cycle below 14 months in 2024.", "2024-12-31",
                    kind="forecast", figure_kind="duration", unit="month", value=14, figure_upper=14,
                    made="2024-04-02")
    ok = claim("Acme's development cycle was 13 months in 2024.", figure_kind="duration", unit="month", value=13,
               made="2025-02-01", period="2024")
    assert decide(group, [ok], today=TODAY).status == "kept"
    assert bounds_of(group.first).describe() == "at most 14 month"


RANK_ONE = dict(figure_kind="rank", unit=None, value=1, made="2018-02-08", subject="Xiaomi")


def test_rank_is_met_at_that_rank_or_better():
    group = promise("Xiaomi will be number one in China's smartphone market within 10 quarters.", "2020-06-30",
                    **RANK_ONE)
    fourth = claim("Xiaomi ranked fourth in China's smartphone market in Q2 2020.", figure_kind="rank", unit=None,
                   value=4, made="2020-08-01", period="2020-Q2", subject="Xiaomi")
    first = replace(fourth, id=999_001, article_id=999_001, figure_value=1,
                    sentence="Xiaomi ranked first in China's smartphone market in Q2 2020.")
    assert decide(group, [fourth], today=TODAY).status == "missed"
    assert decide(group, [first], today=TODAY).status == "kept"


def test_top_500_is_met_anywhere_on_the_list_and_late_is_missed():
    group = promise("Xiaomi has a great chance to enter the Fortune Global 500 this year.", "2018-12-31",
                    kind="forecast", figure_kind="rank", unit=None, value=500, figure_top=True, made="2018-02-08",
                    subject="Xiaomi")
    entered = claim("Xiaomi entered the Fortune Global 500, ranking 468th.", figure_kind="rank", unit=None, value=468,
                    made="2019-07-23", subject="Xiaomi")
    out = decide(group, [entered], today=TODAY)
    assert out.status == "missed" and out.reached == "2019-07-23"


def test_scope_mismatch_china_vs_global_is_not_evidence():
    group = promise("Xiaomi will be number one in China's smartphone market within 10 quarters.", "2020-06-30",
                    **RANK_ONE)
    india = claim("Xiaomi was the number one smartphone vendor in India's market in Q2 2018.", figure_kind="rank",
                  unit=None, value=1, made="2018-08-01", period="2018-Q2", subject="Xiaomi")
    world = claim("Xiaomi became the world's number one smartphone brand by sales in June 2021.",
                  figure_kind="rank", unit=None, value=1, made="2021-08-01", period="2021-06", subject="Xiaomi")
    out = decide(group, [india, world], today=TODAY)
    assert out.status == "unclear" and out.evidence == []
    assert scopes_of(india.sentence) == {"india"} and scopes_of(world.sentence) == {"global"}


def test_market_and_economy_claims_are_no_evidence_for_a_company():
    group = promise("Acme aims for revenue of $5 billion in 2021.", "2021-12-31", **REVENUE_TARGET)
    company = claim("Acme's revenue reached $5.2 billion in 2021.", made="2022-02-01", value=5.2e9, period="2021")
    market = claim("Revenue of the smart-speaker market reached $5.2 billion in 2021.", made="2022-02-01",
                   value=5.2e9, period="2021", scope="market")
    assert decide(group, [company], today=TODAY).status == "kept"
    assert decide(group, [market], today=TODAY).status == "unclear"


def test_metric_mismatch_is_not_evidence():
    group = promise("Acme aims for revenue of $5 billion in 2021.", "2021-12-31", **REVENUE_TARGET)
    profit = claim("Acme's net income was $5.2 billion in 2021.", value=5.2e9, made="2022-02-10", period="2021")
    assert metrics_of(profit.sentence, "money") == {"profit"}
    assert decide(group, [profit], today=TODAY).status == "unclear"


def test_market_share_is_not_market_position():
    assert metrics_of("Xiaomi's market share in China was 10%.", "percent") == {"market_share"}
    assert metrics_of("Xiaomi ranked fourth in China's smartphone market.", "rank") == {"market_position"}
    assert metrics_of("Xiaomi ranked 468th on the Fortune Global 500.", "rank") == {"fortune_global_500"}


def test_contradicting_evidence_is_unclear():
    group = promise("Acme aims for revenue of $5 billion in 2021.", "2021-12-31", **REVENUE_TARGET)
    high = claim("Acme reported revenue of $5.2 billion for 2021.", value=5.2e9, made="2022-02-10", period="2021")
    low = claim("Acme's revenue was $4.4 billion in 2021, analysts estimated.", value=4.4e9, made="2022-02-12",
                period="2021")
    out = decide(group, [high, low], today=TODAY)
    assert out.status == "unclear" and "disagree" in out.rule and len(out.evidence) == 2


def test_one_vague_report_is_too_little_evidence():
    group = promise("Xiaomi will be number one in China's smartphone market within 10 quarters.", "2020-06-30",
                    **RANK_ONE)
    vague = claim("Xiaomi was fourth in Q2 2020.", figure_kind="rank", unit=None, value=4, made="2020-08-01",
                  period="2020-Q2", subject="Xiaomi")
    out = decide(group, [vague], today=TODAY)
    assert out.status == "unclear" and "too little evidence" in out.rule
    assert decide(group, [vague], today=TODAY, threshold=0.1).status == "missed"


def test_a_report_that_says_the_figure_was_not_reached_never_meets_it():
    group = promise("Xiaomi has a great chance to enter the Fortune Global 500 this year.", "2018-12-31",
                    kind="forecast", figure_kind="rank", unit=None, value=500, figure_top=True, made="2018-02-08",
                    subject="Xiaomi")
    not_in = claim("Xiaomi did not enter the Fortune Global 500 in 2019.", figure_kind="rank", unit=None, value=500,
                   figure_top=True, made="2019-07-23", subject="Xiaomi")
    out = decide(group, [not_in], today=TODAY)
    assert out.evidence[0].verdict == "not_met" and out.status == "missed"


def test_reports_from_before_the_claim_and_other_subjects_are_ignored():
    group = promise("Acme aims for revenue of $5 billion in 2021.", "2021-12-31", **REVENUE_TARGET)
    earlier = claim("Acme reported revenue of $5.2 billion for 2019.", value=5.2e9, made="2020-01-15")
    other = claim("Beta reported revenue of $5.2 billion for 2021.", value=5.2e9, made="2022-02-10", subject="Beta",
                  period="2021")
    assert decide(group, [earlier, other], today=TODAY).status == "unclear"


def test_one_article_counts_once():
    group = promise("Acme aims for revenue of $5 billion in 2021.", "2021-12-31", **REVENUE_TARGET)
    a = claim("Acme reported revenue of $5.2 billion for 2021.", value=5.2e9, made="2022-02-10", period="2021",
              article=77)
    b = replace(a, id=999_002, sentence="Revenue at Acme was $5.2 billion in 2021.")
    assert len(decide(group, [a, b], today=TODAY).evidence) == 1


def test_results_and_comparisons_are_not_promises():
    group = Group("k", [claim("Acme reported revenue of $5.2 billion.", value=5.2e9)])
    assert decide(group, [], today=TODAY) is None


def test_english_and_chinese_reports_of_one_claim_share_a_group():
    en = claim("Xiaomi will be number one in China within 10 quarters.", kind="target", deadline="2020-06-30",
               **RANK_ONE)
    zh = claim("小米要在十个季度内重回中国市场第一。", kind="target", deadline="2020-06-30", lang="zh", **RANK_ONE)
    other = claim("Xiaomi will be number one in India.", kind="target", deadline="2021-12-31", **RANK_ONE)
    groups = group_claims([en, zh, other])
    assert [len(g.members) for g in groups] == [2, 1]
    assert groups[0].languages == ["en", "zh"] and groups[0].first_seen == "2018-02-08"


def test_claims_without_subject_are_never_merged():
    a = claim("We aim for $5 billion.", kind="target", subject=None, value=5e9, deadline="2021-12-31")
    b = replace(a, id=999_003)
    assert len(group_claims([a, b])) == 2


@pytest.mark.parametrize("period, end", [("2020-Q2", "2020-06-30"), ("2019", "2019-12-31"), ("2018-H1", "2018-06-30"),
                                         ("2024-02", "2024-02-29"), ("2019-07-22", "2019-07-22"), ("bad", None)])
def test_period_end(period, end):
    assert period_end(period) == end


def test_a_report_holds_as_of_its_period_but_never_after_publication():
    assert as_of(claim("x", made="2019-07-23", period="2019")) == "2019-07-23"
    assert as_of(claim("x", made="2020-08-05", period="2020-Q2")) == "2020-06-30"


def test_the_metric_named_nearest_the_figure_counts():
    sentence = "We plan to invest $650 million in research and development in 2024, about 14% of expected revenue."
    assert metrics_of(sentence, "money", "$650 million") == {"rd_spending"}
    assert metrics_of(sentence, "money") == {"rd_spending", "revenue"}
    entered = "Xiaomi entered the Fortune Global 500 for the first time in July 2019, ranking 468th on the list."
    assert metrics_of(entered, "rank", "468th") == {"fortune_global_500"}


# -- figures no claim carries ------------------------------------------------------------------------

from nlp.promises.bare_figures import bare_figure_report, sentence_bounds  # noqa: E402
from nlp.records import Entity, Figure  # noqa: E402


def _bare(text: str, figure_text: str, kind: str, value: float, orgs: dict[str, str], **kw):
    start = text.index(figure_text)
    figure = Figure(text=figure_text, kind=kind, value=value, start=start, end=start + len(figure_text), **kw)
    mentions = [Entity(surface, "ORG", canonical, text.index(surface), text.index(surface) + len(surface))
                for surface, canonical in orgs.items()]
    return bare_figure_report(text=text, figure=figure, figure_id=7, mentions=mentions, subject="Xiaomi", made="2020-08-01",
                              lang="en", article_id=3, url="http://127.0.0.1/a")


def test_a_bare_figure_is_a_report_on_the_nearest_organisation_before_it():
    text = "Market share aside. Xiaomi placed No. 4 in China's smartphone market in Q2 2020. Nothing else."
    report = _bare(text, "No. 4", "rank", 4, {"Xiaomi": "Xiaomi"}, period="2020-Q2")
    assert report and report.bare and report.id == -7
    assert report.sentence == "Xiaomi placed No. 4 in China's smartphone market in Q2 2020."
    assert _bare("Huawei ranked first in China, ahead of Xiaomi.", "first", "rank", 1,
                 {"Huawei": "Huawei", "Xiaomi": "Xiaomi"}) is None


def test_a_restated_promise_is_no_result():
    assert _bare("Lei Jun had promised that Xiaomi would be number one in China.", "number one", "rank", 1,
                 {"Xiaomi": "Xiaomi"}) is None
    text = "雷军曾立下十个季度重回第一的目标，但2020年第二季度小米仍排名第四。"
    assert _bare(text, "第四", "rank", 4, {"小米": "Xiaomi"}) is not None  # judged on the figure's own clause


def test_a_bare_figure_needs_the_promise_metric():
    group = promise("Xiaomi will be number one in China's smartphone market within 10 quarters.", "2020-06-30",
                    **RANK_ONE)
    vague = _bare("Xiaomi was No. 4 in China in Q2 2020.", "No. 4", "rank", 4, {"Xiaomi": "Xiaomi"}, period="2020-Q2")
    named = _bare("Xiaomi ranked No. 4 in China's smartphone market in Q2 2020.", "No. 4", "rank", 4,
                  {"Xiaomi": "Xiaomi"}, period="2020-Q2")
    assert decide(group, [vague], today=TODAY).evidence == []
    out = decide(group, [named], today=TODAY)
    assert out.status == "missed" and out.evidence[0].figure_id == 7 and out.evidence[0].claim_id is None


def test_sentence_bounds_skip_decimal_points_and_abbreviations():
    text = "First. Revenue was $4.82 billion, says Acme Inc. in a filing. Last."
    start = text.index("4.82")
    assert text[slice(*sentence_bounds(text, start, start + 4))] == " Revenue was $4.82 billion, says Acme Inc. in a filing."

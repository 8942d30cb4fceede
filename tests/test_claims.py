"""Claims on varied sentences in both languages (real pipelines, real figure functions)."""
from __future__ import annotations

import pytest

from nlp.analyze import Analyzer
from nlp.claims import merge_repeats
from nlp.records import Claim, DocContext, Figure

PUBLISHED = "2018-02-08"


@pytest.fixture(scope="module")
def analyzer() -> Analyzer:
    return Analyzer()


def claims(analyzer: Analyzer, text: str, lang: str, **ctx: str) -> list[tuple]:
    result = analyzer.analyze(text, DocContext(lang=lang, published=PUBLISHED, **ctx))
    return [(c.kind, c.subject, c.speaker, c.figure.kind if c.figure else None,
             c.figure.value if c.figure else None, c.deadline) for c in result.claims]


# (lang, text, expected (kind, subject, speaker, figure kind, figure value, deadline)); None = not checked
CASES = [
    ("en", "Tencent aims to double its cloud revenue to $10 billion by 2020, chief executive Pony Ma said.",
     ("target", "Tencent", "Pony Ma", None, None, "2020-12-31")),
    ("en", "Huawei plans to ship 200 million smartphones this year, Richard Yu told reporters.",
     ("target", "Huawei", "Richard Yu", "count", 200_000_000, "2018-12-31")),
    ("en", '"Our goal is to become the number one smartphone maker within three years," said Lei Jun.',
     ("target", "Xiaomi", "Lei Jun", "rank", 1, None)),
    ("en", "Tesla will deliver 500,000 cars in 2020, Elon Musk wrote on Twitter.",
     ("target", "Tesla", "Elon Musk", "count", 500_000, None)),
    ("en", "Baidu expects revenue to grow 20% next year, according to Robin Li.",
     ("forecast", "Baidu", "Robin Li", "percent", 20, "2019-12-31")),
    ("en", "Analysts say Oppo is likely to reach 15% market share by 2019.",
     ("forecast", "Oppo", None, "percent", 15, "2019-12-31")),
    ("en", "Alibaba's revenue rose 56% to $8.3 billion in the fourth quarter.",
     ("result", "Alibaba", None, "percent", 56, None)),
    ("en", "Samsung shipped 74 million phones in the third quarter.",
     ("result", "Samsung", None, "count", 74_000_000, None)),
    ("en", "JD.com was ranked number 2 in Chinese e-commerce last year.",
     ("result", "JD.com", None, "rank", 2, None)),
    ("en", "Nvidia's market share fell 5% in 2019.", ("result", "Nvidia", None, "percent", 5, None)),
    ("en", "BYD sold 1.8 million cars in 2022, compared with 600,000 in 2021.",
     ("comparison", "BYD", None, "count", 1_800_000, None)),
    ("en", "Zorblax Robotics Inc. reported revenue in 2017, up 40% from a year earlier.",
     ("result", "Zorblax Robotics", None, "percent", 40, None)),
    ("zh", "腾讯计划在2020年前将云业务收入提高到100亿元，马化腾表示。",
     ("target", "Tencent", "Pony Ma", "money", 10_000_000_000, "2020-12-31")),
    ("zh", "华为预计今年智能手机出货量将超过2亿部。", ("forecast", "Huawei", None, "count", 200_000_000, "2018-12-31")),
    ("zh", "比亚迪2022年销量达到186万辆，同比增长152%。", ("result", "BYD", None, "percent", 152, None)),
    ("zh", "京东目标是在三年内成为中国第一大零售商。", ("target", "JD.com", None, "rank", 1, None)),
    ("zh", "阿里巴巴第四季度营收增长56%，达到830亿元。", ("result", "Alibaba", None, "money", 83_000_000_000, None)),
    ("zh", "百度有望在2019年实现盈利增长20%。", ("forecast", "Baidu", None, "percent", 20, None)),
    ("zh", "宁德时代的市场份额已突破30%。", ("result", "CATL", None, "percent", 30, None)),
    ("zh", "任正非称，华为力争在五年内进入全球前三。", ("target", "Huawei", "Ren Zhengfei", "rank", 3, None)),
    ("zh", "星河动力科技有限公司营收增长了45%。", ("result", "星河动力科技", None, "percent", 45, None)),
]


@pytest.mark.parametrize("lang, text, expected", CASES, ids=[c[1][:30] for c in CASES])
def test_claim(analyzer: Analyzer, lang: str, text: str, expected: tuple) -> None:
    found = claims(analyzer, text, lang)
    def ok(c: tuple) -> bool:
        return all(e is None or (abs(g - e) < 1e-6 if isinstance(e, (int, float)) and g is not None else g == e)
                   for g, e in zip(c, expected))
    assert any(ok(c) for c in found), found


@pytest.mark.parametrize("lang, text", [
    ("en", "The weather in Beijing was pleasant and the food was good."),
    ("en", "It is important to keep trying."),
    ("zh", "这是一个重要的问题，需要认真对待。"),
])
def test_no_claim_without_a_figure_or_deadline(analyzer: Analyzer, lang: str, text: str) -> None:
    assert claims(analyzer, text, lang) == []


def test_letter_first_person_is_the_company_and_the_author(analyzer: Analyzer) -> None:
    text = "To our shareholders:\nAmazon had a strong year.\nOur goal is to reach 100 million customers by 2020."
    found = claims(analyzer, text, "en", kind="letter", author="Jeff Bezos", title="Amazon letter to shareholders")
    assert ("target", "Amazon", "Jeff Bezos", "count", 100_000_000, "2020-12-31") in found


def test_chinese_letter_first_person(analyzer: Analyzer) -> None:
    text = "小米同学们：\n去年公司营收增长28%，达到1780亿元。"
    found = claims(analyzer, text, "zh", kind="letter", author="雷军", title="小米年会内部信")
    assert any(c[:4] == ("result", "Xiaomi", "Lei Jun", "percent") for c in found), found


def test_quote_in_news_is_attributed_and_we_is_the_speakers_company(analyzer: Analyzer) -> None:
    text = ("Pony Ma spoke to staff on Monday.\n"
            "“We expect to double our users to 2 billion within two years,” he said.")
    found = claims(analyzer, text, "en")
    assert any(c[:3] == ("forecast", "Tencent", "Pony Ma") for c in found), found


def test_repeated_claims_are_merged_with_every_sentence_as_evidence() -> None:
    def claim(start: int) -> Claim:
        return Claim(kind="target", subject="Xiaomi", speaker=None, predicate="p", sentence=f"s{start}",
                     start=start, end=start + 1, figure=Figure("number one", "rank", 1.0, start, start + 1),
                     deadline="2020-06-30", evidence=[{"sentence": f"s{start}", "start": start, "end": start + 1}])
    merged = merge_repeats([claim(0), claim(10), Claim(kind="result", subject="Xiaomi", speaker=None,
                                                       predicate="p", sentence="x", start=20, end=21)])
    assert len(merged) == 2
    assert [e["start"] for e in merged[0].evidence] == [0, 10]


def test_confidence_is_bounded(analyzer: Analyzer) -> None:
    result = analyzer.analyze("Huawei plans to ship 200 million smartphones this year, Richard Yu said.",
                              DocContext(lang="en", published=PUBLISHED))
    assert result.claims and all(0.0 <= c.confidence <= 1.0 for c in result.claims)

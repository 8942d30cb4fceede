"""One positive and one negative sentence for each general rule added to raise recall on public test sets.

Each rule lives in nlp/data/figures/ (see the README there); the negatives pin what it must not fire on.
"""
from __future__ import annotations

import pytest

from nlp.figures import find_figures

POSITIVE = [
    # text, lang, figure text, kind, value, unit
    # percents.tsv tail digit: 七成六 = 76%, 三成半 = 35%
    ("有七成六的用户选择了小米", "zh", "七成六", "percent", 76, None),
    ("三成半的门店已经盈利", "zh", "三成半", "percent", 35, None),
    # full-width digits group thousands with a full-width comma
    ("增幅达到１１１，１１１个百分点", "zh", "１１１，１１１个百分点", "percent", 111111, "percentage_point"),
    ("全国共有５，１２３家门店", "zh", "５，１２３家门店", "count", 5123, "store"),
    # k (full width too) after digits in Chinese text
    ("百分之15Ｋ", "zh", "百分之15Ｋ", "percent", 15000, None),
    # 佰分之 (大写 prefix)
    ("佰分之一百二十点五", "zh", "佰分之一百二十点五", "percent", 120.5, None),
    # sub-units after the main unit; 块 in a money clause
    ("这个手机壳五元三毛", "zh", "五元三毛", "money", 5.3, "CNY"),
    ("一共50元6角三分", "zh", "50元6角三分", "money", 50.63, "CNY"),
    ("这瓶水花费我三块", "zh", "三块", "money", 3, "CNY"),
    ("一支笔售价5块，", "zh", "5块", "money", 5, "CNY"),
    ("只要三毛钱", "zh", "三毛钱", "money", 0.3, "CNY"),
    # Recognizers-Text's "percent of N" at the start of a clause
    ("Percent of 10", "en", "Percent of 10", "percent", 10, None),
    ("per cent of twenty-two", "en", "per cent of twenty-two", "percent", 22, None),
]


@pytest.mark.parametrize(("text", "lang", "surface", "kind", "value", "unit"), POSITIVE,
                         ids=[p[0][:30] for p in POSITIVE])
def test_rule_fires(text: str, lang: str, surface: str, kind: str, value: float, unit: str | None) -> None:
    figures = find_figures(text, lang)
    hits = [f for f in figures if f.text == surface]
    assert hits, [(f.text, f.kind, f.value, f.unit) for f in figures]
    fig = hits[0]
    assert (fig.kind, fig.unit) == (kind, unit)
    assert fig.value == pytest.approx(value)
    assert text[fig.start:fig.end] == fig.text


NEGATIVE = [
    # text, lang, surfaces that must not be (part of) a figure
    ("三成五个月后", "zh", ["三成五"]),  # 五 starts a duration, it is no tenths digit
    ("他买了三块蛋糕", "zh", ["三块"]),  # 块 counts pieces before a noun
    ("我买了三块", "zh", ["三块"]),  # no money word in the clause
    ("三毛是一位作家", "zh", ["三毛"]),  # a name, no main unit before it
    ("这是一个六角形", "zh", ["六角"]),
    ("他得了三分", "zh", ["三分"]),
    ("增长５，１２家", "zh", ["５，１２"]),  # two digits after the comma: no thousands group
    ("访问 https://www.test.com/search?q=30%25%2020%", "zh", ["2020%"]),  # URL-encoded
    ("What percent of 20 users", "en", ["percent of 20"]),
    ("The percent of 10 year olds", "en", ["percent of 10"]),
    ("Sales rose 5 percent of 20 regions", "en", ["percent of 20"]),
]


@pytest.mark.parametrize(("text", "lang", "banned"), NEGATIVE, ids=[n[0][:30] for n in NEGATIVE])
def test_rule_does_not_fire(text: str, lang: str, banned: list[str]) -> None:
    texts = [f.text for f in find_figures(text, lang)]
    assert not [t for t in texts for b in banned if b in t], texts

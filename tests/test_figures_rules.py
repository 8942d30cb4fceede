"""One positive and one negative sentence for each general rule added to raise recall on public test sets.

Each rule lives in nlp/data/figures/ (see the README there); the negatives pin what it must not fire on.
"""
from __future__ import annotations

import pytest

from newsclaims.evaluation.figures import _quantulum_target
from nlp.figures import find_figures

POSITIVE = [
    # text, lang, figure text, kind, value, unit
    # percents.tsv tail digit: 七成六 = 76%, 三成半 = 35%
    ("有七成六的用户选择了小米", "zh", "七成六", "percent", 76, None),
    ("三成半的门店已经盈利", "zh", "三成半", "percent", 35, None),
    # full-width digits group thousands with a full-width comma
    ("增幅达到１１１，１１１个百分点", "zh", "１１１，１１１个百分点", "percent", 111111, "percentage_point"),
    ("全国共有５，１２３家门店", "zh", "５，１２３家门店", "count", 5123, "store"),
    ("告别祖传5V1A充电器", "zh", "5V", "quantity", 5, "V"),
    ("苹果发布10.2英寸iPad", "zh", "10.2英寸", "quantity", 10.2, "in"),
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
    # units.tsv conditions: follow= (inches), noclock (picometres), article (a/an + full name), fixed=
    ("The panel is 2 in thick.", "en", "2 in", "quantity", 2, "in"),
    ("The length of the pencil is 2 in.", "en", "2 in", "quantity", 2, "in"),
    ("The grid has a size of 2.1 pm.", "en", "2.1 pm", "quantity", 2.1, "pm"),
    ("The species lived 66 Ma ago.", "en", "66 Ma", "quantity", 66, "Ma"),
    ("I want a gallon of milk.", "en", "a gallon", "quantity", 1, "gal"),
    ("Oh look, a penny!", "en", "a penny", "money", 0.01, "GBP"),
    ("A kibibyte is 1,024 bytes.", "en", "A kibibyte", "quantity", 1, "KiB"),
    ("Helium stays liquid near absolute zero.", "en", "absolute zero", "quantity", 0, "K"),
    ("The plant handles 4,500 tpd.", "en", "4,500 tpd", "quantity", 4500, "t/d"),
    ("The scan delivers 14 mGy.", "en", "14 mGy", "quantity", 14, "mGy"),
    ("The LHC reached 5 fb−1 of data.", "en", "5 fb−1", "quantity", 5, "1/fb"),
    ("The gym is used four times per week.", "en", "four times per week", "quantity", 4, "1/week"),
    ("Italy covers 116,347 sq mi.", "en", "116,347 sq mi", "quantity", 116347, "sq mi"),
    ("Mines shipped 278,000 t last year.", "en", "278,000 t", "quantity", 278000, "t"),
    ("The lamp gives 120cd at most.", "en", "120cd", "quantity", 120, "cd"),
    # compound units by rule
    ("Roofs receive 20 J/m^2 per year.", "en", "20 J/m^2 per year", "quantity", 20, "J/m^2/year"),
    ("The probe slowed at 9.8 km/s2.", "en", "9.8 km/s2", "quantity", 9.8, "km/s2"),
    # numbers: spaced thousands, vulgar fractions, a x b^c, tolerances
    ("The land sold for 10 000 dollars.", "en", "10 000 dollars", "money", 10000, "USD"),
    ("Add ½ tbsp of salt.", "en", "½ tbsp", "quantity", 0.5, "tbsp"),
    ("The chip stores 8x2^10 bits.", "en", "8x2^10 bits", "quantity", 8192, "bit"),
    ("Objects fall at 9.83 +/- 0.01 m/s2 here.", "en", "9.83 +/- 0.01 m/s2", "quantity", 9.83, "m/s2"),
    # a bare number listed before a quantity shares its unit; accounting negatives
    ("They were given 45 and 50 mg of ethanol.", "en", "45", "quantity", 45, "mg"),
    ("I have seen 45 and 50 cases.", "en", "45", "count", 45, "case"),
    ("The annual result is ($99.99).", "en", "($99.99)", "money", -99.99, "USD"),
    # durations without digits (durations.tsv): a/an after a lead word, another, half, "and a half"; 半年, 三年半
    ("I'll leave for an hour.", "en", "an hour", "duration", 1, "hour"),
    ("Can we wait another month?", "en", "another month", "duration", 1, "month"),
    ("It took half a year.", "en", "half a year", "duration", 0.5, "year"),
    ("They talked for an hour and a half.", "en", "an hour and a half", "duration", 1.5, "hour"),
    ("过去半年里，平头哥先后发布两款芯片", "zh", "半年", "duration", 0.5, "year"),
    ("从设计到流片只用了一年半时间", "zh", "一年半", "duration", 1.5, "year"),
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
    ("告别5Vx充电器", "zh", ["5V"]),  # a Latin symbol glued to more letters is no unit
    ("It costs $5 a month and runs twice a day", "en", ["a month", "a day"]),  # rates, not durations
    ("First half year results beat forecasts", "en", ["half year"]),  # a period
    ("A year ago the price was lower", "en", ["A year"]),
    ("上半年营收增长", "zh", ["半年"]),  # H1, a period
    ("半年报显示营收增长", "zh", ["半年"]),
    ("半个月亮爬上来", "zh", ["半个月"]),
    ("往往十天半月的不会有空", "zh", ["十天半"]),
    ("What percent of 20 users", "en", ["percent of 20"]),
    ("The percent of 10 year olds", "en", ["percent of 10"]),
    ("Sales rose 5 percent of 20 regions", "en", ["percent of 20"]),
    ("The meeting starts at 2 pm.", "en", ["2 pm"]),
    ("Trading closed at 5.30 pm today", "en", ["5.30 pm"]),
    ("He was ranked 2 in 2019", "en", ["2 in"]),
    ("Read Chapter 5 in.", "en", ["5 in"]),
    ("In 2019 Ma stepped down", "en", ["2019 Ma"]),
    ("It ships a ton of features", "en", ["a ton"]),
    ("Install a smart meter", "en", ["a smart meter", "a meter"]),
    ("It weighs a pound", "en", ["a pound"]),
    ("The lap took 5 s, later he ran 5 m and ate 5 g", "en", ["5 s", "5 m", "5 g"]),
    ("He tried four times", "en", ["four times"]),
    ("The 3 100-meter races", "en", ["3 100"]),
    ("Xiaomi launched the Mi 8 and 10 GB models", "en", ["8"]),
    ("It raised €500 million ($560 million).", "en", ["-", "($"]),
    ("The company (worth $5bn) grew", "en", ["(worth"]),
    ("A grant (up to $12,000) helps", "en", ["-"]),
    ("LB Joe Schobert 74 100% 7 tackles", "en", ["74 100"]),
    ("Between 2017 and 50 cases later", "en", ["2017"]),
]


@pytest.mark.parametrize(("text", "lang", "banned"), NEGATIVE, ids=[n[0][:30] for n in NEGATIVE])
def test_rule_does_not_fire(text: str, lang: str, banned: list[str]) -> None:
    figures = find_figures(text, lang)
    texts = [f.text for f in figures]
    assert not [t for t in texts for b in banned if b in t], texts
    assert all(f.value is None or f.value >= 0 for f in figures)


@pytest.mark.parametrize(("expected", "after", "target"), [
    ({"unit": "dimensionless", "value": 50}, " cars are stored", ("count", 50)),
    ({"unit": "dimensionless", "value": 45}, " and 50 cases.", ("count", 45)),
    ({"unit": "dimensionless", "value": 42}, " is the answer", None),
    ({"unit": "dimensionless", "value": 2}, " in 1979", None),
    ({"unit": "dollar per hour", "value": 15.4}, "", ("money", 15.4)),
    ({"unit": "dozen", "value": 1}, " eggs", ("count", 12)),
    ({"unit": "penny", "value": 1}, "!", ("money", 0.01)),
    ({"unit": "milligray", "value": 14}, "", ("quantity", 14)),
])
def test_quantulum_shared_kinds(expected: dict, after: str, target: tuple | None) -> None:
    """Which quantulum3 expectations count as kinds we share (docs/quality.md, Figures)."""
    assert _quantulum_target(expected, after) == target

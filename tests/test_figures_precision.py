"""Precision rules found by the claims work: each rule has positive and negative cases (docs/quality.md, Figures)."""
from __future__ import annotations

import pytest

from nlp.figures import find_figures


def _figs(text: str, lang: str) -> list[tuple[str, str, float | None, str | None]]:
    return [(f.text, f.kind, f.value, f.unit) for f in find_figures(text, lang)]


# --- an article before "$" is not the A of A$ -------------------------------------------------------------------

@pytest.mark.parametrize("text, expected", [
    ("After CEO Son left, SoftBank arranged a $9.5 billion rescue.", ("$9.5 billion", "money", 9.5e9, "USD")),
    ("It raised a $300 million round.", ("$300 million", "money", 3e8, "USD")),
    ("Canva raised A$5 million.", ("A$5 million", "money", 5e6, "AUD")),
    ("Canva raised AU$3 million.", ("AU$3 million", "money", 3e6, "AUD")),
    ("Canva raised AUD 2 million.", ("AUD 2 million", "money", 2e6, "AUD")),
    ("Shopify paid C$40 million.", ("C$40 million", "money", 4e7, "CAD")),
    ("it ranges between c $ 16.4 million", ("c $ 16.4 million", "money", 1.64e7, "CAD")),  # tokenised news
])
def test_only_explicit_australian_dollars(text: str, expected: tuple) -> None:
    assert _figs(text, "en") == [expected]


# --- ranks only when a position is written ----------------------------------------------------------------------

@pytest.mark.parametrize("text", ["Huawei is the market leader in China.", "Huawei, the leading vendor, grew."])
def test_leader_words_are_not_ranks(text: str) -> None:
    assert [f for f in find_figures(text, "en") if f.kind == "rank"] == []


@pytest.mark.parametrize("text, value", [("Huawei is the number one vendor.", 1), ("It is No. 1 in China.", 1),
                                         ("It is in the top 10.", 10), ("It finished first place.", 1)])
def test_explicit_ranks_stay(text: str, value: int) -> None:
    assert [f.value for f in find_figures(text, "en") if f.kind == "rank"] == [value]


# --- 块 before a noun counts pieces; 位数 counts digits, not things ---------------------------------------------

@pytest.mark.parametrize("text, expected", [
    ("阿里发布AI芯片，一块顶十块GPU。", [("十块GPU", "count", 10.0, "GPU")]),
    ("公司花钱买了10块GPU。", [("10块GPU", "count", 10.0, "GPU")]),
    ("他们采购了5台iPhone。", [("5台iPhone", "count", 5.0, "iPhone")]),
    ("日本拥有超过90架P-3C巡逻机。", [("超过90架", "count", 90.0, "aircraft")]),  # a model name before the noun
    ("这次花费我三块。", [("三块", "money", 3.0, "CNY")]),
    ("售价10块钱。", [("10块钱", "money", 10.0, "CNY")]),
])
def test_kuai_before_a_noun_is_a_measure_word(text: str, expected: list) -> None:
    assert _figs(text, "zh") == expected


@pytest.mark.parametrize("text", ["营收实现两位数增长。", "利润三位数增长。", "增速降到个位数。", "十位数的密码"])
def test_digit_counts_are_no_figures(text: str) -> None:
    assert _figs(text, "zh") == []


def test_wei_still_counts_people() -> None:
    assert [f[1:] for f in _figs("公司有两位创始人和300位工程师。", "zh")] == [("count", 2.0, "person"),
                                                                       ("count", 300.0, "engineer")]


# --- a lone "one" in an idiom is no figure (idioms.tsv) ---------------------------------------------------------

@pytest.mark.parametrize("text", ["No one knows how many users it has.", "no one users", "One of the engineers left.",
                                  "One day it will work.", "On the one hand, prices fell.", "Any one store may close."])
def test_idioms_with_one_are_no_figures(text: str) -> None:
    assert _figs(text, "en") == []


@pytest.mark.parametrize("text, expected", [
    ("The trial ran for one day.", [("one day", "duration", 1.0, "day")]),
    ("It sold one million phones.", [("one million phones", "count", 1e6, "phone")]),
    ("No one sold 5 cars.", [("5 cars", "count", 5.0, "car")]),
    ("It operates in one country.", [("one country", "count", 1.0, "country")]),
])
def test_one_as_a_number_stays(text: str, expected: list) -> None:
    assert _figs(text, "en") == expected


# --- counted nouns after one or two modifiers; a scaled number alone is a count without unit -------------------

@pytest.mark.parametrize("text, expected", [
    ("It deployed 50,000 warehouse robots.", [("50,000 warehouse robots", "count", 5e4, "robot")]),
    ("The bank opened 25 new branches.", [("25 new branches", "count", 25.0, "branch")]),
    ("It sold 2.4 million e-bikes.", [("2.4 million e-bikes", "count", 2.4e6, "e-bike")]),
    ("It sold 3 new electric cars.", [("3 new electric cars", "count", 3.0, "car")]),
    ("They sold 1,000 t-shirts", [("1,000 t-shirts", "count", 1000.0, "t-shirt")]),  # not 1,000 tonnes
    ("She sold 3 cd players", [("3 cd players", "count", 3.0, "player")]),  # not candela
    ("It used 305 million shipping boxes.", [("305 million shipping boxes", "count", 3.05e8, "box")]),
    ("It found 2 immune responses and 3 diseases.", [("2 immune responses", "count", 2.0, "response"),
                                                     ("3 diseases", "count", 3.0, "disease")]),
    ("Sales rose to 8 million from 5 million.", [("8 million", "count", 8e6, None), ("5 million", "count", 5e6, None)]),
])
def test_counts_with_modifiers(text: str, expected: list) -> None:
    assert _figs(text, "en") == expected


@pytest.mark.parametrize("text, expected", [
    ("It took 5 more years.", [("5 more years", "duration", 5.0, "year")]),
    ("About 5 of the stores closed.", []),
    ("It has 5 stores sells fruit.", [("5 stores", "count", 5.0, "store")]),  # the fewest modifiers win
    ("The score was 8 to 5 then.", []),  # unscaled bare numbers stay unnamed
    ("In 2019 five were sold and 20 were returned.", []),
    ("It had our first billion- dollar quarter.", []),  # a scale word without digits names no amount
    ("He is 73 years old.", []),
])
def test_modifiers_do_not_overreach(text: str, expected: list) -> None:
    assert _figs(text, "en") == expected


# --- the verbs double / triple are multiples like doubled / tripled ---------------------------------------------

@pytest.mark.parametrize("text, values", [
    ("Intel plans to double chip output.", [2.0]), ("We aim to double our installed base.", [2.0]),
    ("We will triple revenue by 2026.", [3.0]), ("Revenue doubled last year.", [2.0]),
    ("It wants to quadruple sales.", [4.0]),
])
def test_double_as_a_verb_is_a_multiple(text: str, values: list) -> None:
    assert [f.value for f in find_figures(text, "en") if f.kind == "multiple"] == values


@pytest.mark.parametrize("text", ["It posted double-digit growth.", "It was a double whammy.",
                                  "The triple camera is new.", "We will double down on AI.", "a double espresso",
                                  "pods that would double as cabins"])
def test_double_as_adjective_or_idiom_is_no_multiple(text: str) -> None:
    assert [f for f in find_figures(text, "en") if f.kind == "multiple"] == []


# --- N-fold: glued number words too; an adjective before a plain noun is no figure ------------------------------

@pytest.mark.parametrize("text, expected", [
    ("Revenue grew tenfold in five years.", ("tenfold", 10.0)),
    ("Tenfold growth came later.", ("Tenfold", 10.0)),
    ("a ten-fold increase", ("ten-fold", 10.0)),
    ("returns rose a hundredfold", ("a hundredfold", 100.0)),
    ("profits rose 3-fold", ("3-fold", 3.0)),
    ("A twofold increase in sales", ("twofold", 2.0)),
    ("a threefold higher risk", ("threefold", 3.0)),
    ("Chinese demand grew twentyfold", ("twentyfold", 20.0)),
    ("营收增长了十倍", ("十倍", 10.0)),
])
def test_fold_is_a_multiple(text: str, expected: tuple) -> None:
    lang = "zh" if "倍" in text else "en"
    assert [(f.text, f.value) for f in find_figures(text, lang) if f.kind == "multiple"] == [expected]


@pytest.mark.parametrize("text", ["We take a twofold approach to AI.", "A threefold strategy.",
                                  "The problems are manifold.", "the 3-fold symmetry of the crystal",
                                  "He unfolded the map.", "Manifold Markets raised money."])
def test_fold_adjective_or_other_word_is_no_multiple(text: str) -> None:
    assert [f for f in find_figures(text, "en") if f.kind == "multiple"] == []


# --- a bare 万/亿 number after a count-like verb is a count without a unit --------------------------------------

@pytest.mark.parametrize("text, expected", [
    ("用户数达到800万", ("800万", 8e6, None)),
    ("员工超过1.2万", ("超过1.2万", 1.2e4, 1.2e4)),
    ("销量突破100万。", ("100万", 1e6, None)),
    ("用户达到三千万", ("三千万", 3e7, None)),
    ("出货量达约1.5亿，同比增长", ("约1.5亿", 1.5e8, None)),
    ("会员数增至3000万以上", ("3000万以上", 3e7, 3e7)),
])
def test_bare_scaled_number_after_count_verb_is_a_count(text: str, expected: tuple) -> None:
    assert [(f.text, f.value, f.lower) for f in find_figures(text, "zh") if f.kind == "count" and f.unit is None] \
        == [expected]


@pytest.mark.parametrize("text, kind, unit", [
    ("营收达到800万元", "money", "CNY"), ("市值突破1万亿美元", "money", "USD"), ("增长达到20%", "percent", None),
    ("销量突破100万台", "count", "device"),  # the measure word keeps its unit
])
def test_bare_count_rule_leaves_marked_figures_alone(text: str, kind: str, unit: str | None) -> None:
    assert [(f.kind, f.unit) for f in find_figures(text, "zh")] == [(kind, unit)]


@pytest.mark.parametrize("text", ["用户数达到800", "2019年达到800", "电话是13800138000", "销量为800万",
                                  "估值达到10亿", "达到800万Token"])
def test_bare_number_without_scale_verb_or_end_is_no_count(text: str) -> None:
    assert [f for f in find_figures(text, "zh") if f.kind == "count"] == []

"""nlp.figures.find_figures on the gold articles and on many other sentences, English and Chinese."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from newsclaims.evaluation.figures import fixture_text, gold_figure_found
from nlp.figures import find_figures
from nlp.records import Figure

REFERENCE = Path(__file__).parent / "fixtures" / "reference"  # the Xiaomi pages and their gold files
GOLD, SITE = REFERENCE / "gold", REFERENCE / "site"


def one(text: str, lang: str, needle: str | None = None) -> Figure:
    """The single figure of `text` (or the one whose text contains `needle`)."""
    figures = find_figures(text, lang)
    if needle is not None:
        figures = [f for f in figures if needle in f.text]
    assert len(figures) == 1, [(f.text, f.kind, f.value) for f in find_figures(text, lang)]
    return figures[0]


@pytest.mark.parametrize("gold_name", ["technode-xiaomi-2018-02-08.json", "zh-xiaomi-letter-2018-02-08.json"])
def test_every_gold_figure_is_found(gold_name: str) -> None:
    gold = json.loads((GOLD / gold_name).read_text("utf-8"))
    page = (SITE / Path(gold["document"]).name).read_text("utf-8")
    text = fixture_text(page)
    figures = find_figures(text, gold["lang"])
    missing = [g for g in gold["figures"] if g.get("level") != "stretch" and not gold_figure_found(g, figures)]
    assert not missing
    for f in figures:
        assert text[f.start:f.end] == f.text


def test_gold_article_has_no_figures_from_years_quarters_or_models() -> None:
    gold = json.loads((GOLD / "technode-xiaomi-2018-02-08.json").read_text("utf-8"))
    text = fixture_text((SITE / Path(gold["document"]).name).read_text("utf-8"))
    texts = {f.text for f in find_figures(text, "en")}
    assert not texts & {"2017", "2014", "2018", "Q4", "2", "Mi Mix 2"}
    zh = fixture_text((SITE / "zh-xiaomi-letter-2018-02-08.html").read_text("utf-8"))
    zh_texts = [f.text for f in find_figures(zh, "zh")]
    assert not [t for t in zh_texts if t.startswith(("2017年", "2014年", "2018年")) or "季度" in t and "个" not in t]


EN = [
    # text, needle, kind, value, unit, extra checks
    ("Huawei's revenue rose 19.5% to RMB 721.2 billion in 2018.", "19.5%", "percent", 19.5, None, {"change": "increase"}),
    ("Huawei's revenue rose 19.5% to RMB 721.2 billion in 2018.", "RMB", "money", 7.212e11, "CNY", {}),
    ("Apple sold $3.5 trillion worth of goods", "$", "money", 3.5e12, "USD", {}),
    ("The startup raised US$3 million from investors.", "US$", "money", 3e6, "USD", {}),
    ("Alibaba paid HK$1.2bn for the stake.", "HK$", "money", 1.2e9, "HKD", {}),
    ("Spotify lost €500 million last year.", "€", "money", 5e8, "EUR", {}),
    ("ARM was bought for £24bn.", "£", "money", 2.4e10, "GBP", {}),
    ("Sony booked ¥120 billion in profit.", "¥", "money", 1.2e11, "JPY", {}),
    ("The fund holds ¥50 billion (RMB) in bonds.", "¥", "money", 5e10, "CNY", {}),
    ("It costs 100 yuan.", "yuan", "money", 100, "CNY", {}),
    ("Tesla expects between $850 million and $900 million in capex.", "between", "money", 8.5e8, "USD",
     {"lower": 8.5e8, "upper": 9e8}),
    ("Sales were $5-6 billion.", "$", "money", 5e9, "USD", {"lower": 5e9, "upper": 6e9}),
    ("The company now sells in more than 70 countries.", "70", "count", 70, "country", {"lower": 70}),
    ("It employs about 6,000 engineers.", "6,000", "count", 6000, "engineer", {"approx": True}),
    ("Nearly 300 million users log in monthly.", "300", "count", 3e8, "user", {"approx": True}),
    ("The chain opened 1,200 new stores.", "1,200", "count", 1200, "store", {}),
    ("Shipments slid 6.3 per cent in the quarter.", "6.3", "percent", 6.3, None, {"change": "decrease"}),
    ("Margins fell two percentage points.", "two", "percent", 2, "percentage_point", {"change": "decrease"}),
    ("Profit was up around 75% on the year.", "75", "percent", 75, None, {"approx": True, "change": "increase"}),
    ("Growth of up to 40% is possible.", "40", "percent", 40, None, {"upper": 40}),
    ("Inflation was -0.5% in March.", "0.5", "percent", -0.5, None, {}),
    ("Samsung was number one in India.", "number one", "rank", 1, None, {"top": False}),
    ("The app is the No. 1 download.", "No. 1", "rank", 1, None, {}),
    ("Xiaomi is in the top 10 of global brands.", "top 10", "rank", 10, None, {"top": True}),
    ("The firm finished 9th in the ranking.", "9th", "rank", 9, None, {}),
    ("Xiaomi is the world's fourth-largest phone maker.", "fourth", "rank", 4, None, {}),
    ("Huawei ranked second in China.", "second", "rank", 2, None, {}),
    ("It took 10 financial quarters.", "10", "duration", 10, "quarter", {}),
    ("It took seven years to build.", "seven", "duration", 7, "year", {}),
    ("A three-month trial starts soon.", "three", "duration", 3, "month", {}),
    ("Revenue doubled last year.", "doubled", "multiple", 2, None, {}),
    ("The chip is 3x faster.", "3x", "multiple", 3, None, {}),
    ("CATL will build a 48GWh plant.", "48GWh", "quantity", 48, "GWh", {}),
    ("TSMC's 5nm process is ready.", "5nm", "quantity", 5, "nm", {}),
    ("A 200 MW solar farm.", "200", "quantity", 200, "MW", {}),
    ("The phone has a 4,000 mAh battery.", "4,000", "quantity", 4000, "mAh", {}),
    ("It stores 2 TB of data.", "2 TB", "quantity", 2, "TB", {}),
    ("The 2,400 character letter.", "2,400", "count", 2400, "character", {}),
    ("Some 20 million pounds were spent.", "pounds", "money", 2e7, "GBP", {"approx": True}),
    ("She lost 25 pounds.", "25", "quantity", 25, "lb", {}),
]


@pytest.mark.parametrize(("text", "needle", "kind", "value", "unit", "extra"), EN, ids=[f"{i}" for i in range(len(EN))])
def test_english_sentences(text: str, needle: str, kind: str, value: float, unit: str | None, extra: dict) -> None:
    f = one(text, "en", needle)
    assert (f.kind, f.value, f.unit) == (kind, pytest.approx(value), unit)
    for key, expected in extra.items():
        assert getattr(f, key) == expected, key
    assert text[f.start:f.end] == f.text


ZH = [
    ("华为2018年销售收入7212亿元，同比增长19.5%。", "7212", "money", 7.212e11, "CNY", {}),
    ("华为2018年销售收入7212亿元，同比增长19.5%。", "19.5", "percent", 19.5, None, {"change": "increase"}),
    ("索尼营业利润3.5万亿日元。", "3.5", "money", 3.5e12, "JPY", {}),
    ("奖池金额攀升至36.57亿元。", "36.57", "money", 3.657e9, "CNY", {}),
    ("公司获得5000万美元融资。", "5000", "money", 5e7, "USD", {}),
    ("阿里巴巴以约20亿港元收购。", "20", "money", 2e9, "HKD", {"approx": True}),
    ("三星投资1万亿韩元。", "1万亿", "money", 1e12, "KRW", {}),
    ("人民币1000亿元的营收。", "1000", "money", 1e11, "CNY", {}),
    ("公司拥有超过6000名研发人员。", "6000", "count", 6000, "engineer", {"lower": 6000}),
    ("公司拥有6000多名员工。", "6000", "count", 6000, "employee", {"lower": 6000}),
    ("小米之家门店达到500家。", "500家", "count", 500, "company", {}),
    ("该应用有3亿用户。", "3亿", "count", 3e8, "user", {}),
    ("出货量同比下滑6.3%。", "6.3", "percent", 6.3, None, {"change": "decrease"}),
    ("良品率达到百分之九十六点九。", "百分之", "percent", 96.9, None, {}),
    ("毛利率提升了两个百分点。", "两", "percent", 2, "percentage_point", {"change": "increase"}),
    ("九成用户表示满意。", "九成", "percent", 90, None, {}),
    ("股价下跌约5%左右。", "5", "percent", 5, None, {"approx": True, "change": "decrease"}),
    ("小米位列全球第五。", "第五", "rank", 5, None, {}),
    ("腾讯进入世界500强。", "500强", "rank", 500, None, {"top": True}),
    ("其中16个国家位列前五。", "前五", "rank", 5, None, {"top": True}),
    ("苹果用了20年。", "20年", "duration", 20, "year", {}),
    ("在十个季度内重回第一。", "十个季度", "duration", 10, "quarter", {}),
    ("项目持续了三个月。", "三个月", "duration", 3, "month", {}),
    ("营收翻了一番。", "翻了一番", "multiple", 2, None, {}),
    ("利润翻两番。", "翻两番", "multiple", 4, None, {}),
    ("宁德时代建设48GWh电池工厂。", "48", "quantity", 48, "GWh", {}),
    ("芯片采用5纳米工艺。", "5纳米", "quantity", 5, "nm", {}),
    ("日均20万公斤远销珠三角。", "20万", "quantity", 2e5, "kg", {}),
    ("一封约2400字的内部信。", "2400", "count", 2400, "character", {"approx": True}),
]


@pytest.mark.parametrize(("text", "needle", "kind", "value", "unit", "extra"), ZH, ids=[f"{i}" for i in range(len(ZH))])
def test_chinese_sentences(text: str, needle: str, kind: str, value: float, unit: str | None, extra: dict) -> None:
    f = one(text, "zh", needle)
    assert (f.kind, f.value, f.unit) == (kind, pytest.approx(value), unit)
    for key, expected in extra.items():
        assert getattr(f, key) == expected, key
    assert text[f.start:f.end] == f.text


@pytest.mark.parametrize(("text", "lang"), [
    ("In 2017 Xiaomi launched the Mi Mix 2 and the Mi 8.", "en"),
    ("Samsung's Galaxy S20 and the iPhone 11 support 5G.", "en"),
    ("Call +86 10 1234 5678 or visit version 3.2.1.", "en"),
    ("It happened in Q4 2017 and on February 8, 2018.", "en"),
    ("He has one goal.", "en"),
    ("The first time, in the second quarter.", "en"),
    ("2017年第四季度，小米发布了小米MIX 2。", "zh"),
    ("这是一个重要的时刻，统一了认识。", "zh"),
    ("第一次，第三方，第二代产品在今年推出。", "zh"),
    ("目前70个国家", "zh"),  # the count is a figure; 目前 must not make "前70" a rank
])
def test_no_false_figures(text: str, lang: str) -> None:
    figures = find_figures(text, lang)
    if text.startswith("目前"):
        assert [(f.kind, f.value) for f in figures] == [("count", 70)]
    else:
        assert figures == [], [(f.text, f.kind) for f in figures]


@pytest.mark.parametrize("text", [
    "", " ", "%", "$", "¥¥¥", "1" * 500, "9" * 40 + "%", "第", "百分之", "between and", "\x00\x01", "一" * 300,
    "$-", "5 to", "…" * 50, "-" * 80 + "5%", "12k个百分点", "a a a a", "点点点", "1/0", "0/0 mg",
])
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_odd_input_never_raises_and_offsets_hold(text: str, lang: str) -> None:
    for f in find_figures(text, lang):
        assert text[f.start:f.end] == f.text


def test_full_width_digits_keep_offsets() -> None:
    text = "营收增长１２．５％，达到３００亿元。"
    figures = find_figures(text, "zh")
    assert [(f.kind, f.value) for f in figures] == [("percent", 12.5), ("money", 3e10)]
    for f in figures:
        assert text[f.start:f.end] == f.text

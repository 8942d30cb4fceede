"""Entities: alias table, canonical names, the English fixes and the Chinese rules — on the real pipelines."""
from __future__ import annotations

from pathlib import Path

import pytest

from newsclaims.errors import ConfigError
from nlp.analyze import Analyzer
from nlp.entities import canonical_name, load_aliases, normalise_surface
from nlp.records import DocContext


@pytest.fixture(scope="module")
def analyzer() -> Analyzer:
    return Analyzer()


@pytest.fixture(scope="module")
def rules_analyzer() -> Analyzer:
    """The Chinese rules alone (the product finds entities with the trained recogniser: tests/test_zh_ner.py)."""
    return Analyzer(zh_trained=False)


def ents(analyzer: Analyzer, text: str, lang: str) -> set[tuple[str, str, str]]:
    return {(e.text, e.label, e.canonical) for e in analyzer.analyze(text, DocContext(lang=lang)).entities}


def test_alias_table_links_spellings_and_languages() -> None:
    table = load_aliases()
    for surface in ("Xiaomi", "Xiaomi's", "小米", "小米集团"):
        assert canonical_name(surface, "ORG", table) == "Xiaomi"
    assert canonical_name("雷军", "PERSON", table) == "Lei Jun"
    assert canonical_name("中国", "GPE", table) == "China"
    assert canonical_name("阿里", "ORG", table) == "Alibaba"
    assert table.affiliation("Lei Jun") == "Xiaomi"


def test_unknown_names_are_normalised() -> None:
    assert normalise_surface("Zorblax Robotics Inc.", "ORG") == "Zorblax Robotics"
    assert normalise_surface("Acme Co., Ltd.", "ORG") == "Acme"
    assert normalise_surface("Zorblax's", "ORG") == "Zorblax"
    assert normalise_surface("星河动力有限公司", "ORG") == "星河动力"


def test_user_alias_file_extends_the_table(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    extra = tmp_path / "mine.tsv"
    extra.write_text("Zorblax\tORG\t佐布拉克斯\tzh\nZorblax\tORG\tZorblax Robotics\ten\n", encoding="utf-8")
    monkeypatch.setenv("NEWSCLAIMS_ALIASES", str(extra))
    table = load_aliases()
    assert canonical_name("佐布拉克斯", "ORG", table) == "Zorblax"
    assert canonical_name("Xiaomi", "ORG", table) == "Xiaomi"  # shipped entries stay


def test_bad_alias_file_is_a_clear_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.tsv"
    bad.write_text("Zorblax\tCOMPANY\tZorblax\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="unknown label"):
        load_aliases(bad)
    with pytest.raises(ConfigError, match="cannot read"):
        load_aliases(tmp_path / "missing.tsv")


def test_english_known_companies_are_never_people(analyzer: Analyzer) -> None:
    found = ents(analyzer, "Xiaomi said on Monday that Xiaomi and Huawei shipped more phones than Apple.", "en")
    assert ("Xiaomi", "ORG", "Xiaomi") in found
    assert not any(label == "PERSON" and text == "Xiaomi" for text, label, _ in found)
    assert ("Huawei", "ORG", "Huawei") in found


def test_english_quarters_are_not_places(analyzer: Analyzer) -> None:
    found = ents(analyzer, "Shipments in Q4 rose while Q3 was flat in India.", "en")
    assert not any(text in ("Q4", "Q3") for text, _, _ in found)
    assert ("India", "GPE", "India") in found


def test_english_possessive_and_number_are_trimmed(analyzer: Analyzer) -> None:
    found = ents(analyzer, "It took 7 years compared to Apple's 20 and Google's 9.", "en")
    assert ("Apple", "ORG", "Apple") in found
    assert not any(text.startswith("Apple's") for text, _, _ in found)


def test_english_partial_names_link_to_the_full_name(analyzer: Analyzer) -> None:
    text = ("Xiaomi founder Lei Jun wrote a letter to staff. According to Jun, the company will grow. "
            "Lei also thanked the fans.")
    result = analyzer.analyze(text, DocContext(lang="en"))
    linked = [e for e in result.entities if e.text in ("Jun", "Lei") and e.start > 20]
    assert {e.text for e in linked} == {"Jun", "Lei"}
    assert all(e.canonical == "Lei Jun" and e.label == "PERSON" for e in linked)


def test_english_unknown_company_gets_a_normalised_canonical(analyzer: Analyzer) -> None:
    result = analyzer.analyze("Shares of Zorblax Robotics Inc. rose after Zorblax Robotics Inc.'s results.",
                              DocContext(lang="en"))
    orgs = [e for e in result.entities if e.label == "ORG"]
    assert orgs and all(e.canonical == "Zorblax Robotics" for e in orgs)


def test_offsets_point_into_the_text(analyzer: Analyzer) -> None:
    for text, lang in [("Tim Cook said Apple sold 20 million iPhones in China.", "en"),
                       ("马化腾表示，腾讯在深圳发布了新产品。", "zh")]:
        for e in analyzer.analyze(text, DocContext(lang=lang)).entities:
            assert text[e.start:e.end] == e.text


@pytest.mark.parametrize("text, expected", [
    ("雷军表示，小米集团今年将加大投入。", {("雷军", "PERSON", "Lei Jun"), ("小米集团", "ORG", "Xiaomi")}),
    ("阿里巴巴和京东在杭州举行发布会。", {("阿里巴巴", "ORG", "Alibaba"), ("京东", "ORG", "JD.com"),
                                  ("杭州", "GPE", "Hangzhou")}),
    ("任正非在深圳接受采访时谈到华为的芯片。", {("任正非", "PERSON", "Ren Zhengfei"), ("华为", "ORG", "Huawei")}),
    ("比亚迪与宁德时代在电池领域展开竞争。", {("比亚迪", "ORG", "BYD"), ("宁德时代", "ORG", "CATL")}),
    ("马斯克称特斯拉将在上海扩产。", {("马斯克", "PERSON", "Elon Musk"), ("特斯拉", "ORG", "Tesla"),
                                ("上海", "GPE", "Shanghai")}),
])
def test_chinese_aliases(analyzer: Analyzer, text: str, expected: set) -> None:
    assert expected <= ents(analyzer, text, "zh")


def test_chinese_suffix_rule_builds_unknown_companies(rules_analyzer: Analyzer) -> None:
    found = ents(rules_analyzer, "星河动力科技有限公司今天宣布完成新一轮融资。", "zh")
    orgs = [(t, c) for t, label, c in found if label == "ORG"]
    assert any(t.endswith("公司") and "星河" in t for t, _ in orgs), found


def test_chinese_people_from_pos_tags(rules_analyzer: Analyzer) -> None:
    found = ents(rules_analyzer, "王小明在北京市海淀区创办了一家公司。", "zh")
    assert any(label == "PERSON" and "王小明" in t for t, label, _ in found), found
    assert any(label == "GPE" and t.startswith("北京") for t, label, _ in found), found


@pytest.mark.parametrize("text, name", [
    ("二十年来，浙东明湖农村信用社一直坚持稳健经营。", "浙东明湖农村信用社"),  # a noun ending like an organisation
    ("央行有关负责人近日表示，要加快制定条例。", "央行"),  # an abbreviation (alias: People's Bank of China)
    ("据达摩院介绍，含光800推理性能达到78563 IPS。", "达摩院"),  # jieba says nr; no given name ends in 院
    ("星河智能计划在2026年前出货100万台机器人。", "星河智能"),  # plain word + industry word opening a clause
    ("据光明乳业介绍，公司去年实现营业收入280亿元。", "光明乳业"),
    ("亚盘目前普遍开出了曼联客场让半球的盘面。", "曼联"),  # a place name in a sentence about a match is the club
])
def test_chinese_organisations_by_general_rules(rules_analyzer: Analyzer, text: str, name: str) -> None:
    assert any(t == name and label == "ORG" for t, label, _ in ents(rules_analyzer, text, "zh"))


@pytest.mark.parametrize("text, not_org", [
    ("科技公司营收增长了45%。", "科技公司"),  # a kind of company
    ("动力电池出货量增长了45%。", "动力电池"),
    ("他在比赛中获得了冠军。", "冠军"),
    ("北京是中国的首都。", "北京"),  # no match talk: a place stays a place
])
def test_chinese_kinds_of_company_are_not_names(rules_analyzer: Analyzer, text: str, not_org: str) -> None:
    assert not any(t == not_org and label == "ORG" for t, label, _ in ents(rules_analyzer, text, "zh"))


@pytest.mark.parametrize("text, name", [
    ("Orion Textiles posted a net loss of $45 million.", "Orion Textiles"),  # missed by the small model
    ("Analysts say Corvia Networks is likely to grow.", "Corvia Networks"),  # read as a person by the model
])
def test_english_company_words_make_organisations(analyzer: Analyzer, text: str, name: str) -> None:
    assert (name, "ORG", name) in ents(analyzer, text, "en")

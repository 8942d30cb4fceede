"""The trained Chinese entity recogniser: shipped weights, character features, spans back on jieba tokens.

The sentences are our own (invented companies and people), not CLUENER's, whose text may not be copied here.
"""
from __future__ import annotations

from pathlib import Path

import pytest
import spacy

from newsclaims.errors import ModelMissingError
from nlp.analyze import Analyzer
from nlp.chinese import build_chinese
from nlp.components.zh_ner import MODEL_DIR, jieba_words, load_model, split_at
from nlp.records import DocContext
from nlp.components.bio_ents import bio_spans, bio_tags
from nlp.zh_chars import char_doc


@pytest.fixture(scope="module")
def analyzer() -> Analyzer:
    return Analyzer()


def entities(analyzer: Analyzer, text: str) -> set[tuple[str, str]]:
    return {(e.text, e.label) for e in analyzer.analyze(text, DocContext(lang="zh")).entities}


def test_model_ships_with_the_package_and_is_small() -> None:
    assert (MODEL_DIR / "config.cfg").is_file()
    size = sum(p.stat().st_size for p in MODEL_DIR.rglob("*") if p.is_file())
    assert size < 10 * 1024 * 1024, f"{size} bytes"


@pytest.mark.parametrize(("text", "expected"), [
    ("星河动力有限公司董事长王建国周二在杭州宣布，公司明年将扩大生产。", {("王建国", "PERSON"), ("杭州", "GPE")}),
    ("据北辰智能科技有限公司介绍，首席执行官李晓梅将出席下周在上海举行的发布会。",
     {("北辰智能科技有限公司", "ORG"), ("李晓梅", "PERSON"), ("上海", "GPE")}),
    ("国家税务总局和中国人民银行联合发布了新的规定。", {("国家税务总局", "ORG"), ("中国人民银行", "ORG")}),
])
def test_obvious_entities(analyzer: Analyzer, text: str, expected: set[tuple[str, str]]) -> None:
    found = entities(analyzer, text)
    assert expected <= found, found


def test_entity_offsets_are_the_text(analyzer: Analyzer) -> None:
    text = "周一，远航物流集团总裁赵文博在广州市天河区表示，公司 今年的营收将增长20%。"
    analysis = analyzer.analyze(text, DocContext(lang="zh"))
    assert analysis.entities
    for e in analysis.entities:
        assert text[e.start:e.end] == e.text


def test_job_titles_are_a_span_group_not_entities() -> None:
    nlp = build_chinese()
    doc = nlp("星河动力有限公司董事长王建国表示，公司将继续投入研发。")
    assert "董事长" in {s.text for s in doc.spans["position"]}
    assert all(e.label_ in ("ORG", "PERSON", "GPE", "LOC", "PRODUCT") for e in doc.ents)


def test_known_alias_the_model_missed_is_still_found(analyzer: Analyzer) -> None:
    # 小米 is in the alias table: whatever the model reads, the entity is there with its canonical name
    analysis = analyzer.analyze("小米今年的手机出货量增长了三成。", DocContext(lang="zh"))
    assert ("小米", "Xiaomi") in {(e.text, e.canonical) for e in analysis.entities}


def test_rules_only_pipeline_still_works() -> None:
    rules = Analyzer(zh_trained=False)
    found = {(e.text, e.label) for e in rules.analyze("星河动力有限公司在杭州成立。", DocContext(lang="zh")).entities}
    assert ("星河动力有限公司", "ORG") in found


def test_missing_model_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ModelMissingError, match="make train"):
        load_model(tmp_path)


def test_bio_tags_round_trip() -> None:
    spans = [(0, 2, "ORG"), (2, 5, "PERSON"), (7, 8, "GPE")]
    tags = bio_tags(9, spans)
    assert tags[:3] == ["B-ORG", "I-ORG", "B-PERSON"]
    assert bio_spans(tags) == spans


def test_stray_inside_tags_still_make_spans() -> None:
    # a tagger decides each character alone: I- without B-, or a label change inside a run
    assert bio_spans(["O", "I-ORG", "I-ORG", "I-PERSON", "O"]) == [(1, 3, "ORG"), (3, 4, "PERSON")]


def test_character_doc_keeps_the_text_and_jieba_places() -> None:
    vocab = spacy.blank("zh").vocab
    doc = char_doc(vocab, [("华为", "nt"), ("发布", "v"), (" ", "x"), ("Mate", "eng")])
    assert doc.text == "华为发布 Mate"
    assert [t.norm_ for t in doc][:4] == ["B-nt", "E-nt", "B-v", "E-v"]
    assert doc[0].lemma_ == "华为"


def test_spans_cutting_a_jieba_word_split_it() -> None:
    nlp = build_chinese(trained=False)
    doc = nlp.make_doc("星河动力有限公司发布新品")
    text = doc.text
    assert "".join(w for w, _ in jieba_words(doc)) == text
    split_at(doc, {1, 3})
    assert doc.text == text
    assert doc.char_span(1, 3) is not None

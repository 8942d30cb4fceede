"""The quality gate: measured NLP quality must not drop below tests/quality_floors.toml."""
from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from newsclaims.evaluation.nlp import evaluate_cluener, evaluate_gold

FLOORS = tomllib.loads((Path(__file__).parent / "quality_floors.toml").read_text(encoding="utf-8"))
FIXTURES = Path(__file__).parent / "fixtures" / "reference"


@pytest.fixture(scope="module")
def gold_reports() -> list:
    return evaluate_gold(FIXTURES)


@pytest.mark.parametrize("kind", ["entity", "figure", "claim"])
def test_gold_recall_floor(gold_reports: list, kind: str) -> None:
    floor = FLOORS["gold"][f"{kind}_recall"]
    for r in gold_reports:
        score = getattr(r, {"entity": "entities", "figure": "figures", "claim": "claims"}[kind])
        assert score.recall >= floor, f"{r.document}: {kind} recall {score.recall:.2f} < {floor}; missed {score.missed}"


def test_gold_forbidden_entities(gold_reports: list) -> None:
    for r in gold_reports:
        assert len(r.forbidden) <= FLOORS["gold"]["forbidden_entities"], (r.document, r.forbidden)


def test_gold_covers_every_rendering(gold_reports: list) -> None:
    assert {r.document for r in gold_reports} >= {"site/technode-xiaomi-2018-02-08.html",
                                                   "site/zh-xiaomi-letter-2018-02-08.html",
                                                   "site/zh-xiaomi-letter-2018-02-08.gb2312.html"}


@pytest.fixture(scope="module")
def cluener(shared_dir: Path) -> dict:
    return evaluate_cluener(shared_dir / "corpus" / "cluener2020" / "dev.json")


@pytest.mark.corpus
@pytest.mark.parametrize(("system", "section"), [("trained", "cluener"), ("rules", "cluener_rules")])
def test_cluener_floors(cluener: dict, system: str, section: str) -> None:
    """A regression check: floors are the held-out numbers measured when the model shipped, minus a margin."""
    for label, floor in FLOORS[section].items():
        if label == "margin_over_jieba":
            continue
        ours, base = cluener[system][label]["f1"], cluener["jieba_pos"][label]["f1"]
        assert ours >= floor, f"{system} {label}: F1 {ours:.3f} < floor {floor}"
        assert ours >= base + FLOORS[section]["margin_over_jieba"], f"{system} {label}: {ours:.3f} vs jieba {base:.3f}"

"""`newsclaims eval extraction` end to end on a few pages of each shared corpus, and its scoring functions."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from newsclaims.evaluation.extraction import benchmark_scores, char_match, command, shingle_match


def test_shingle_scoring_matches_the_benchmark_rules() -> None:
    text = "one two three four five six"
    assert shingle_match(text, text) == (1.0, 0.0, 0.0)
    tp, fp, fn = shingle_match(text, "")
    assert (tp, fp, fn) == (0.0, 0.0, 1.0)
    scores = benchmark_scores([shingle_match(text, text), shingle_match(text, "")])
    # the empty prediction counts for recall only
    assert scores.precision == 1.0 and scores.recall == 0.5


def test_char_scoring_ignores_whitespace() -> None:
    assert char_match("小米 营收", "小米营收\n") == (1.0, 1.0)
    precision, recall = char_match("小米营收", "小米")
    assert precision == 1.0 and recall == 0.5


@pytest.mark.corpus
def test_eval_command_on_three_pages(shared_dir: Path) -> None:
    result = CliRunner().invoke(command, ["--shared", str(shared_dir), "--limit", "3", "--json"])
    assert result.exit_code == 0, result.output
    sections = json.loads(result.output)
    assert len(sections) == 4
    for section in sections:
        assert set(section["rows"]) >= {"newsclaims"}
        assert all(row.get("pages") == 3 for row in section["rows"].values())


def test_eval_command_reports_missing_corpus(tmp_path: Path) -> None:
    result = CliRunner().invoke(command, ["--shared", str(tmp_path), "--limit", "1"])
    assert result.exit_code == 1
    assert "evaluation data not found" in result.output

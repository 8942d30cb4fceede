"""nlp.numbers: English number words and Chinese numerals to numbers."""
from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from nlp.numbers import parse_number, parse_ordinal

SAMPLES = json.loads((Path(__file__).parent / "fixtures" / "figures" / "mit_samples.json").read_text("utf-8"))


@pytest.mark.parametrize(("text", "expected"), [
    ("1,200", 1200), ("1.2bn", 1.2e9), ("5k", 5000), ("3 million", 3e6), ("$5m"[1:], 5e6),
    ("five", 5), ("two", 2), ("a dozen", 12), ("two and a half million", 2.5e6), ("three quarters", 0.75),
    ("one hundred and twenty-three", 123), ("minus twenty five", -25), ("1.5 million", 1.5e6),
    ("one point five", 1.5), ("2 1/2", 2.5), ("a third", 1 / 3), ("one over three", 1 / 3),
    ("five and a quarter", 5.25), ("one million and a half", 1.5e6), ("half a dozen", 6),
    ("1 234 567", 1234567), ("1e10", 1e10), ("2.5^-1", 0.4), ("-5", -5), ("nought point nought three", 0.03),
    ("十", 10), ("两", 2), ("一千亿", 1e11), ("1.2万", 12000), ("三分之一", 1 / 3), ("百分之九十六点九", 0.969),
    ("三万五", 35000), ("两千六", 2600), ("壹贰叁", 123), ("〇", 0), ("壹佰捌拾壹圆柒角", 181.7),
    ("一亿零一", 100000001), ("3.5万亿", 3.5e12), ("三点五万", 35000), ("200亿零四千230", 20000004230),
    ("负一七二零点一", -1720.1), ("一千多万", 1e7), ("四万万", 4e8), ("三百五又三分之一", 350 + 1 / 3),
    ("７万５千", 75000), ("1,100.9亿", 1.1009e11), ("廿二", 22), ("千三", 1300),
])
def test_parse_number(text: str, expected: float) -> None:
    value = parse_number(text)
    assert value is not None and math.isclose(value, expected, rel_tol=1e-9), (text, value)


@pytest.mark.parametrize("text", ["", "   ", "hello", "a", "1.2.3", "元整", "零点点", "10..1万", "10.1万零100",
                                  "百分之", "负", "点一", "十一十二", "\x00", "%%", "万"])
def test_not_a_number_gives_none(text: str) -> None:
    assert parse_number(text) is None


def test_odd_types_give_none() -> None:
    assert parse_number(None) is None  # type: ignore[arg-type]
    assert parse_number(12) is None  # type: ignore[arg-type]


@pytest.mark.parametrize(("text", "expected"), [
    ("first", 1), ("9th", 9), ("twenty-first", 21), ("第五", 5), ("第二百五十", 250), ("21st", 21), ("cat", None)])
def test_parse_ordinal(text: str, expected: int | None) -> None:
    assert parse_ordinal(text) == expected


@pytest.mark.parametrize("case", SAMPLES["cn2an"], ids=lambda c: c["input"])
def test_cn2an_sample(case: dict) -> None:
    assert math.isclose(parse_number(case["input"]), float(case["expected"]), rel_tol=1e-9)


@pytest.mark.parametrize("text", SAMPLES["cn2an_errors"])
def test_cn2an_error_sample(text: str) -> None:
    assert parse_number(text) is None

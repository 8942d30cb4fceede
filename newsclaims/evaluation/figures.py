"""Figure and number quality on other projects' public test data (read from ../shared, never copied).

    scores = evaluate_figures()            # {corpus: {file: {expected, found, recall, ...}}}
    print(format_scores(scores))
    python -m newsclaims.evaluation.figures [SHARED_DIR]

Corpora (each folder's SOURCE.md describes it):
- recognizers-text-specs: Microsoft Recognizers-Text specs (MIT). Recall of the expected resolved values for
  the kinds we extract: percent, currency (money), ordinal (rank), dimension (quantity), duration; for the
  Number files, `parse_number` on the expected span. Cases whose `NotSupported` names python are counted apart
  as "stretch". A found figure must overlap the expected span and resolve to the same value (and ISO currency
  when the spec gives one).
- cn2an-tests: `parse_number` on the cn2an cases (MIT); error inputs must give None.
- quantulum3-tests: quantities.json / quantities.ambiguity.json (MIT), expected quantities mapped to our kinds
  (money, percent, duration, quantity, counted units such as "dozen"); bare dimensionless numbers are out of
  scope (find_figures skips bare numbers on purpose) and counted apart. quantulum3's own recall on the same
  expectations is measured in the same run when the package is installed.
- fixtures: the two gold articles of /work/shared/fixtures (non-stretch figures).
"""
from __future__ import annotations

import html
import json
import math
import re
import sys
import warnings
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from newsclaims.config import SHARED_DIR
from nlp.figures import find_figures
from nlp.numbers import parse_number
from nlp.records import Figure

Scores = dict[str, dict[str, dict[str, Any]]]

RECOGNIZERS_FILES = {
    # file -> (expected TypeName, our kind or "number" for parse_number)
    "English/Number/NumberModel.json": ("number", "number"),
    "English/Number/PercentModel.json": ("percentage", "percent"),
    "English/Number/PercentModelPercentMode.json": ("percentage", "percent"),
    "English/Number/OrdinalModel.json": ("ordinal", "rank"),
    "English/NumberWithUnit/CurrencyModel.json": ("currency", "money"),
    "English/NumberWithUnit/DimensionModel.json": ("dimension", "quantity"),
    "English/DateTime/DurationParser.json": ("duration", "duration"),
    "Chinese/Number/NumberModel.json": ("number", "number"),
    "Chinese/Number/PercentModel.json": ("percentage", "percent"),
    "Chinese/Number/OrdinalModel.json": ("ordinal", "rank"),
    "Chinese/NumberWithUnit/CurrencyModel.json": ("currency", "money"),
    "Chinese/NumberWithUnit/DimensionModel.json": ("dimension", "quantity"),
    "Chinese/DateTime/DurationParser.json": ("duration", "duration"),
}
# Recognizers' sub-units are expressed in the main unit by find_figures ("5 cents" -> 0.05 USD)
_SUBUNIT = {"Cent": 0.01, "Pence": 0.01, "Penny": 0.01, "Sen": 0.01, "Satoshi": 1e-8}
_TIMEX_UNITS = {"Y": "year", "M": "month", "W": "week", "D": "day", "H": "hour", "TM": "minute", "S": "second"}

QUANTULUM_MONEY = {"dollar": 1.0, "euro": 1.0, "pound sterling": 1.0, "penny": 0.01, "cent": 0.01, "dime": 0.1}
QUANTULUM_TIME = {"year": "year", "day": "day", "month": "month", "week": "week", "hour": "hour",
                  "minute": "minute", "second": "second"}
QUANTULUM_COUNTS = {"dozen": 12.0, "gross": 144.0, "baker's dozen": 13.0}


def _close(a: float | None, b: float | None) -> bool:
    return a is not None and b is not None and math.isclose(a, b, rel_tol=1e-6, abs_tol=1e-9)


def _overlaps(fig: Figure, start: int, end: int) -> bool:
    return fig.start < end and start < fig.end


def _row(expected: int, found: int, stretch_expected: int = 0, stretch_found: int = 0, **extra: Any) -> dict[str, Any]:
    row = {"expected": expected, "found": found, "recall": round(found / expected, 3) if expected else None,
           "stretch_expected": stretch_expected, "stretch_found": stretch_found}
    row.update(extra)
    return row


def _load(path: Path) -> Any:
    with open(path, encoding="utf-8-sig") as fh:
        return json.load(fh)


# ------------------------------------------------------------------ Recognizers-Text

def _stretch(case: dict[str, Any]) -> bool:
    marks = f"{case.get('NotSupported', '')},{case.get('NotSupportedByDesign', '')}".lower()
    return "python" in marks


def _expected_number(value: str) -> float | None:
    try:
        return float(value.rstrip("%"))
    except (ValueError, AttributeError):
        return None


def _recognizers_hit(case: dict[str, Any], result: dict[str, Any], kind: str, lang: str,
                     figures: list[Figure]) -> bool:
    text = case["Input"]
    if "Length" in result:
        start, end = result["Start"], result["Start"] + result["Length"]
    else:
        start, end = result["Start"], result["End"] + 1
    if kind == "number":
        return _close(parse_number(text[start:end]), _expected_number(result["Resolution"].get("value", "")))
    if kind == "duration":
        timex = result.get("Value", {}).get("Timex", "")
        m = re.fullmatch(r"P(T?)(\d+(?:\.\d+)?)([YMWDHS])", timex)
        if not m:
            return False
        unit = _TIMEX_UNITS["TM" if m.group(1) and m.group(3) == "M" else m.group(3)]
        return any(f.kind == "duration" and f.unit == unit and _close(f.value, float(m.group(2)))
                   and _overlaps(f, start, end) for f in figures)
    resolution = result.get("Resolution", {})
    expected = _expected_number(resolution.get("value", ""))
    if expected is None:
        return False
    expected *= _SUBUNIT.get(resolution.get("unit", ""), 1.0)
    iso = resolution.get("isoCurrency")
    for f in figures:
        # a range ("5-20%") answers for both of its ends
        if f.kind != kind or not _overlaps(f, start, end) or not any(
                _close(v, expected) for v in (f.value, f.lower, f.upper)):
            continue
        if kind == "money" and iso and f.unit != iso:
            continue
        return True
    return False


def score_recognizers(root: Path) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for name, (type_name, kind) in RECOGNIZERS_FILES.items():
        path = root / name
        if not path.exists():
            continue
        lang = "zh" if name.startswith("Chinese") else "en"
        counts = {"expected": 0, "found": 0, "stretch_expected": 0, "stretch_found": 0, "false_alarms": 0,
                  "no_value": 0}
        for case in _load(path):
            text = case.get("Input", "")
            figures = find_figures(text, lang) if kind != "number" else []
            results = [r for r in case.get("Results", [])
                       if (r.get("TypeName") or r.get("Type")) == type_name
                       and r.get("Resolution", {}).get("relativeTo", "start") == "start"]
            if not case.get("Results") and kind != "number":
                counts["false_alarms"] += sum(1 for f in figures if f.kind == kind)
            prefix = "stretch_" if _stretch(case) else ""
            for result in results:
                if "Resolution" in result and result["Resolution"].get("value") is None:
                    counts["no_value"] += 1  # a bare currency name ("dollar", "人民币") is not a figure
                    continue
                counts[prefix + "expected"] += 1
                counts[prefix + "found"] += _recognizers_hit(case, result, kind, lang, figures)
        out[name] = _row(**counts)
    return out


# ------------------------------------------------------------------ cn2an

def score_cn2an(root: Path) -> dict[str, dict[str, Any]]:
    cases = _load(root / "cn2an_cases.json")
    out = {}
    for mode in ("strict", "normal", "smart", "direct"):
        items = cases.get(mode, [])
        found = sum(_close(parse_number(c["input"]), float(c["expected"])) for c in items)
        out[f"cn2an {mode}"] = _row(len(items), found)
    errors = cases.get("error_normal", []) + cases.get("error_smart", [])
    out["cn2an errors -> None"] = _row(len(errors), sum(parse_number(e) is None for e in errors))
    return out


# ------------------------------------------------------------------ quantulum3

_COUNTED_NOUN = re.compile(r"^(?:\s+(?:and|or)\s+\S+)?\s+([a-z]{2,}s)\b")
_NOT_NOUNS = frozenset({"is", "was", "has", "does", "this", "its", "his", "us", "as", "plus", "less", "always"})


def _quantulum_target(expected: dict[str, Any], after: str = "") -> tuple[str, float] | None:
    """(our kind, value in our convention) for an expected quantulum quantity, None when out of scope.

    `after` is the text after the quantity: a dimensionless number followed by a plural noun ("50 cars", "45 and
    50 cases") is a count, which we share; other bare numbers ("42 is the answer", "Voyager 2") are not figures.
    """
    unit, value = expected["unit"], float(expected["value"])
    # a price per unit ("$15.4/hour", "dollar per hour") is money in our schema: the amount is the figure
    currency = unit.split(" per ")[0]
    if currency in QUANTULUM_MONEY:
        return "money", value * QUANTULUM_MONEY[currency]
    if unit == "percentage":
        return "percent", value
    if unit in QUANTULUM_TIME:
        return "duration", value
    if unit in QUANTULUM_COUNTS:
        return "count", value * QUANTULUM_COUNTS[unit]  # "a dozen eggs" is 12 eggs
    if unit == "dimensionless":
        noun = _COUNTED_NOUN.match(after)
        return ("count", value) if noun and noun.group(1) not in _NOT_NOUNS else None
    return "quantity", value


def _quantulum_spans(req: str, expected: list[dict[str, Any]]) -> list[tuple[int, int]]:
    spans, cursor = [], 0
    for e in expected:
        i = req.find(e["surface"], cursor)
        if i < 0:
            i = req.find(e["surface"])
        spans.append((i, i + len(e["surface"])) if i >= 0 else (-1, -1))
        cursor = max(cursor, i + 1) if i >= 0 else cursor
    return spans


def score_quantulum(root: Path, parse: Callable[[str], Iterable[Any]] | None = None) -> dict[str, dict[str, Any]]:
    out = {}
    for name in ("quantities.json", "quantities.ambiguity.json"):
        path = root / name
        if not path.exists():
            continue
        expected_n = found = out_of_scope = theirs = 0
        for item in _load(path):
            req = item["req"]
            figures = find_figures(req, "en")
            quantities = list(parse(req)) if parse else []
            for exp, (start, end) in zip(item["res"], _quantulum_spans(req, item["res"])):
                target = _quantulum_target(exp, req[end:end + 40] if start >= 0 else "")
                if target is None or start < 0:
                    out_of_scope += 1
                    continue
                kind, value = target
                expected_n += 1
                if any(f.kind == kind and _overlaps(f, start, end) and
                       (_close(f.value, value) or _close(f.value, float(exp["value"])) or
                        (f.lower is not None and f.upper is not None and
                         _close((f.lower + f.upper) / 2, float(exp["value"]))))
                       for f in figures):
                    found += 1
                if any(q.unit.name == exp["unit"] and _close(float(q.value), float(exp["value"]))
                       and q.span[0] < end and start < q.span[1] for q in quantities):
                    theirs += 1
        row = _row(expected_n, found, out_of_scope=out_of_scope)
        if parse:
            row["quantulum3_recall"] = round(theirs / expected_n, 3) if expected_n else None
        out[name] = row
    return out


def _quantulum_parser() -> Callable[[str], Iterable[Any]] | None:
    try:
        with warnings.catch_warnings():
            # quantulum3 warns that its optional classifier is not installed; its plain parser is the baseline.
            warnings.simplefilter("ignore", UserWarning)
            from quantulum3 import parser
    except ImportError:
        return None

    def parse(text: str) -> Iterable[Any]:
        try:
            return parser.parse(text)
        except (ValueError, KeyError, IndexError, AttributeError):
            return []  # quantulum3 itself raising is a miss for quantulum3, not for us

    return parse


# ------------------------------------------------------------------ gold fixtures

def fixture_text(html_text: str) -> str:
    """The article paragraphs of a gold fixture page (entry-content / article-content div)."""
    div = re.search(r'<div class="(?:entry-content|article-content)"[^>]*>(.*?)</div>', html_text, re.S)
    if not div:
        return ""
    paragraphs = re.findall(r"<p>(.*?)</p>", div.group(1), re.S)
    return "\n".join(html.unescape(re.sub(r"<[^>]+>", "", p)).strip() for p in paragraphs)


def gold_figure_found(gold: dict[str, Any], figures: list[Figure]) -> bool:
    return any(gold["text"] in f.text and f.kind == gold["kind"] and _close(f.value, float(gold["value"]))
               and f.unit == gold.get("unit") and f.approx == gold.get("approx", False)
               and f.top == gold.get("top", False) and f.change == gold.get("change") for f in figures)


def score_fixtures(root: Path) -> dict[str, dict[str, Any]]:
    out = {}
    for gold_path in sorted((root / "gold").glob("*.json")):
        gold = _load(gold_path)
        page = root / gold["document"]
        if not page.exists():
            continue
        figures = find_figures(fixture_text(page.read_text(encoding="utf-8")), gold["lang"])
        main = [g for g in gold.get("figures", []) if g.get("level") != "stretch"]
        stretch = [g for g in gold.get("figures", []) if g.get("level") == "stretch"]
        out[gold_path.name] = _row(len(main), sum(gold_figure_found(g, figures) for g in main),
                                   len(stretch), sum(gold_figure_found(g, figures) for g in stretch),
                                   figures_found=len(figures))
    return out


# ------------------------------------------------------------------ entry points

def evaluate_figures(shared_dir: Path | None = None) -> Scores:
    """Scores per corpus and file; corpora that are absent are left out (see `missing`)."""
    shared = Path(shared_dir) if shared_dir else SHARED_DIR
    corpus = shared / "corpus"
    scores: Scores = {}
    if (corpus / "recognizers-text-specs").is_dir():
        scores["recognizers-text-specs"] = score_recognizers(corpus / "recognizers-text-specs")
    if (corpus / "cn2an-tests").is_dir():
        scores["cn2an-tests"] = score_cn2an(corpus / "cn2an-tests")
    if (corpus / "quantulum3-tests").is_dir():
        scores["quantulum3-tests"] = score_quantulum(corpus / "quantulum3-tests", _quantulum_parser())
    if (shared / "fixtures" / "gold").is_dir():
        scores["fixtures"] = score_fixtures(shared / "fixtures")
    return scores


def summary(scores: Scores) -> dict[str, float | None]:
    """Pooled recall per corpus (sum found / sum expected), the numbers a quality gate can check."""
    out: dict[str, float | None] = {}
    for corpus, rows in scores.items():
        expected = sum(r["expected"] for r in rows.values())
        found = sum(r["found"] for r in rows.values())
        out[corpus] = round(found / expected, 3) if expected else None
    return out


def format_scores(scores: Scores) -> str:
    lines = [f"{'corpus / file':<58} {'expected':>8} {'found':>6} {'recall':>7} {'stretch':>9} {'other':>22}"]
    for corpus, rows in scores.items():
        for name, r in rows.items():
            stretch = f"{r['stretch_found']}/{r['stretch_expected']}" if r["stretch_expected"] else ""
            other = ", ".join(f"{k}={v}" for k, v in r.items()
                              if k not in ("expected", "found", "recall", "stretch_expected", "stretch_found"))
            recall = "" if r["recall"] is None else f"{r['recall']:.3f}"
            lines.append(f"{corpus + ' / ' + name:<58} {r['expected']:>8} {r['found']:>6} {recall:>7} "
                         f"{stretch:>9} {other:>22}")
    for corpus, recall in summary(scores).items():
        lines.append(f"{'pooled ' + corpus:<58} {'':>8} {'':>6} {recall if recall is not None else '':>7}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    shared = Path(args[0]) if args else SHARED_DIR
    scores = evaluate_figures(shared)
    if not scores:
        print(f"No evaluation corpora under {shared} (set NEWSCLAIMS_SHARED)", file=sys.stderr)
        return 1
    print(format_scores(scores))
    return 0


if __name__ == "__main__":
    sys.exit(main())

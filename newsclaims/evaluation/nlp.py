"""`newsclaims eval nlp`: entities, figures and claims against our gold fixtures, Chinese NER against CLUENER2020.

- gold fixtures (fixtures/gold/*.json): recall of every non-stretch entity, figure and claim; forbidden entities;
  "precision" = share of our distinct outputs that a gold item accounts for (the gold lists are not exhaustive);
- CLUENER2020 dev (read from the shared folder, never copied; held-out): entity-level F1 for ORG
  (company+organization+government), PERSON (name) and GPE-LOC (address): the trained recogniser, the rules
  alone and jieba POS tags alone (newsclaims/evaluation/ner.py, also `eval ner`);
- the figure evaluation of newsclaims/evaluation/figures.py, when present.
"""
from __future__ import annotations

import json
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import click

from newsclaims.config import SHARED_DIR
from newsclaims.evaluation.ner import CLUENER_DEV, evaluate_ner, format_ner, read_cluener
from nlp.records import Analysis, Claim, DocContext

FIXTURES_DIR = "fixtures"
CLUENER_FILE = CLUENER_DEV
_VALUE_TOLERANCE = 1e-6


@dataclass
class Score:
    found: int = 0
    total: int = 0
    missed: list[str] = field(default_factory=list)

    @property
    def recall(self) -> float:
        return self.found / self.total if self.total else 1.0


@dataclass
class GoldDocReport:
    document: str
    entities: Score
    figures: Score
    claims: Score
    forbidden: list[str]
    precision: dict[str, float]


# --- gold fixtures -----------------------------------------------------------------------------------------

def _same_value(a: float | None, b: float | None) -> bool:
    return a is not None and b is not None and abs(float(a) - float(b)) <= _VALUE_TOLERANCE * max(1.0, abs(b))


def _figure_matches(fig: Any, gold: dict[str, Any]) -> bool:
    if fig is None or fig.kind != gold["kind"] or not _same_value(fig.value, gold["value"]):
        return False
    if gold.get("top") and not fig.top:
        return False
    if gold.get("change") and fig.change and fig.change != gold["change"]:
        return False
    return "text" not in gold or gold["text"] in fig.text or fig.text in gold["text"]


def _entity_matches(e: Any, gold: dict[str, Any]) -> bool:
    return e.label == gold["type"] and (e.text == gold["name"] or e.canonical == gold.get("canonical", gold["name"]))


def claim_matches(c: Claim, gold: dict[str, Any]) -> bool:
    """kind + subject + speaker + figure kind/value + deadline, each only when the gold item gives it."""
    if c.kind != gold["kind"] or c.subject != gold.get("subject", c.subject):
        return False
    if "speaker" in gold and c.speaker != gold["speaker"]:
        return False
    if "figure" in gold and not _figure_matches(c.figure, {k: v for k, v in gold["figure"].items() if k != "text"}):
        return False
    return "deadline" not in gold or c.deadline in gold["deadline"]


def _describe(gold: dict[str, Any]) -> str:
    return json.dumps({k: v for k, v in gold.items() if k in ("name", "type", "text", "kind", "subject", "speaker",
                                                              "figure", "deadline")}, ensure_ascii=False)


def _score(items: Iterable[dict[str, Any]], found: Any) -> Score:
    score = Score()
    for gold in items:
        if gold.get("level") == "stretch":
            continue
        score.total += 1
        if found(gold):
            score.found += 1
        else:
            score.missed.append(_describe(gold))
    return score


def score_gold(analysis: Analysis, gold: dict[str, Any]) -> GoldDocReport:
    ents, figs, claims = analysis.entities, analysis.figures, analysis.claims
    forbidden = [_describe(g) for g in gold.get("entities_must_not", [])
                 if any(e.text == g["name"] and e.label == g["type"] for e in ents)]
    all_gold_figs = gold.get("figures", [])
    all_gold_claims = gold.get("claims", [])
    distinct_ents = {(e.canonical, e.label) for e in ents}
    explained_ents = {(e.canonical, e.label) for e in ents if any(_entity_matches(e, g) for g in gold["entities"])}
    precision = {
        "entities": len(explained_ents) / len(distinct_ents) if distinct_ents else 1.0,
        "figures": (sum(any(_figure_matches(f, g) for g in all_gold_figs) for f in figs) / len(figs)) if figs else 1.0,
        "claims": (sum(any(claim_matches(c, g) for g in all_gold_claims) for c in claims) / len(claims))
        if claims else 1.0,
    }
    return GoldDocReport(
        document=gold["document"],
        entities=_score(gold["entities"], lambda g: any(_entity_matches(e, g) for e in ents)),
        figures=_score(all_gold_figs, lambda g: any(_figure_matches(f, g) for f in figs)),
        claims=_score(all_gold_claims, lambda g: any(claim_matches(c, g) for c in claims)),
        forbidden=forbidden, precision=precision,
    )


def evaluate_gold(fixtures_dir: Path, analyzer: Any = None) -> list[GoldDocReport]:
    """Every gold file in `fixtures_dir/gold` against each rendering of its document in `fixtures_dir/site`."""
    from newsclaims.analyze_files import load_document
    from nlp.analyze import Analyzer

    analyzer = analyzer or Analyzer()
    reports = []
    for gold_path in sorted((fixtures_dir / "gold").glob("*.json")):
        gold = json.loads(gold_path.read_text(encoding="utf-8"))
        for rel in [gold["document"], *gold.get("also", [])]:
            doc = load_document(str(fixtures_dir / rel))
            ctx = DocContext(lang="auto", published=gold.get("published") or doc.published, title=doc.title,
                             author=doc.author)
            report = score_gold(analyzer.analyze(doc.text, ctx), gold)
            report.document = rel
            reports.append(report)
    return reports


# --- CLUENER2020 ---------------------------------------------------------------------------------------------

def evaluate_cluener(path: Path, limit: int | None = None) -> dict[str, Any]:
    """Entity-level P/R/F1 per type on CLUENER dev (held-out): {"trained", "rules", "jieba_pos", "sentences"}."""
    return evaluate_ner(read_cluener(path, limit))


# --- command -------------------------------------------------------------------------------------------------

def _print_gold(reports: list[GoldDocReport]) -> None:
    click.echo("Gold fixtures (non-stretch items; precision = share of our distinct outputs a gold item explains)")
    click.echo(f"  {'document':<50} {'kind':<9} {'recall':>12} {'precision':>9}")
    for r in reports:
        for kind in ("entities", "figures", "claims"):
            s: Score = getattr(r, kind)
            click.echo(f"  {r.document:<50} {kind:<9} {s.found:>3}/{s.total:<3} {s.recall:6.1%} {r.precision[kind]:9.1%}")
            for m in s.missed:
                click.echo(f"      missed: {m}")
        click.echo(f"  {r.document:<50} forbidden entities found: {len(r.forbidden)} {' '.join(r.forbidden)}")


@click.command("nlp")
@click.option("--fixtures", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Folder with gold/ and site/ (default: the shared fixtures).")
@click.option("--limit", type=int, default=None, help="Only the first N CLUENER sentences.")
@click.option("--skip-figures", is_flag=True, help="Do not run the figure evaluation.")
def command(fixtures: Path | None, limit: int | None, skip_figures: bool) -> None:
    """Entities, figures and claims vs the gold fixtures; Chinese NER vs CLUENER2020 and jieba's POS tags."""
    fixtures = fixtures or SHARED_DIR / FIXTURES_DIR
    started = time.perf_counter()
    if (fixtures / "gold").is_dir():
        _print_gold(evaluate_gold(fixtures))
    else:
        click.echo(f"Gold fixtures not found in {fixtures}; skipped.", err=True)
    cluener = SHARED_DIR / CLUENER_FILE
    if cluener.is_file():
        click.echo(format_ner(evaluate_cluener(cluener, limit), "CLUENER2020 dev (held-out: never trained or tuned "
                              "on); entity-level exact-span P/R/F1"))
    else:
        click.echo(f"{cluener} not found; CLUENER evaluation skipped.", err=True)
    click.echo(f"({time.perf_counter() - started:.1f} s)")
    if not skip_figures:
        try:
            from newsclaims.evaluation import figures as figure_eval
        except ModuleNotFoundError:
            click.echo("Figure evaluation (newsclaims/evaluation/figures.py) not available yet.", err=True)
            return
        click.echo("")
        if hasattr(figure_eval, "evaluate_figures") and hasattr(figure_eval, "format_scores"):
            click.echo(figure_eval.format_scores(figure_eval.evaluate_figures(SHARED_DIR)))
        else:
            click.get_current_context().invoke(figure_eval.command)

"""`newsclaims eval tracker`: the promise tracker on labelled (claim, later evidence, outcome) cases.

Each case's claim text and evidence texts are analysed by the real pipelines (as `process` would), the promise
claim is picked, and `nlp.promises.outcomes.decide` gives the outcome as of the case's `today`. A case whose claim
the analysis misses counts as an "unclear" answer: the tracker would have no row for it.

Reported per split (dev: looked at while building; test: frozen, **held-out**): precision and recall on kept and
on missed, the unclear rate (all cases answered unclear) and the abstention rate (cases whose history decides,
answered unclear), and the same at several confidence thresholds, to show the trade-off.
"""
from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import click

from newsclaims.config import SHARED_DIR
from nlp.promises.bare_figures import bare_figure_report
from nlp.promises.grouping import Group, group_key
from nlp.promises.outcomes import DEFAULT_THRESHOLD, EVIDENCE_KINDS, decide
from nlp.promises.records import TrackedClaim
from nlp.records import Claim, DocContext

CASES = Path(__file__).resolve().parents[2] / "nlp" / "training" / "tracker" / "cases.jsonl"
THRESHOLDS = (0.0, 0.3, 0.5, 0.65, 0.75, 0.9)
SPLIT_LABEL = {"dev": "dev", "test": "held-out"}


@dataclass
class Prepared:
    """A case after analysis: its promise claim (or None) and the later reports, ready to decide."""

    id: str
    split: str
    gold: str
    today: str
    promise: TrackedClaim | None
    reports: list[TrackedClaim] = field(default_factory=list)


def load_cases(path: Path = CASES) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def resolve_text(item: dict[str, Any], shared: Path = SHARED_DIR) -> str | None:
    """The item's text: written inline, or read from ../shared by offsets (None when that file is not here)."""
    if "text" in item:
        return item["text"]
    ref = item["ref"]
    path = shared / ref["file"]
    if not path.exists():
        return None
    return path.read_text(encoding="utf-8")[ref["start"]:ref["end"]]


def _record(claim: Claim, *, cid: int, made: str, lang: str, doc: int) -> TrackedClaim:
    fig = claim.figure
    return TrackedClaim(
        id=cid, kind=claim.kind, subject=claim.subject, sentence=claim.sentence, lang=lang, made=made,
        deadline=claim.deadline, period=claim.period, speaker=claim.speaker, article_id=doc,
        figure_text=fig.text if fig else None, figure_kind=fig.kind if fig else None,
        figure_value=fig.value if fig else None, figure_unit=fig.unit if fig else None,
        figure_lower=fig.lower if fig else None, figure_upper=fig.upper if fig else None,
        figure_top=bool(fig.top) if fig else False, figure_change=fig.change if fig else None,
        figure_period=fig.period if fig else None, scope=getattr(claim, "scope", None),
    )


def bare_reports(analysis: Any, text: str, subject: str, *, made: str, lang: str, doc_no: int) -> list[TrackedClaim]:
    """Figures no claim carries, read as results on `subject` where their sentence allows it (as db.tracking does)."""
    carried = {(c.figure.start, c.figure.end) for c in analysis.claims if c.figure}
    out = []
    for i, f in enumerate(analysis.figures):
        if (f.start, f.end) in carried:
            continue
        report = bare_figure_report(text=text, figure=f, figure_id=doc_no * 1000 + i + 1, mentions=analysis.entities,
                                    subject=subject, made=made, lang=lang, article_id=doc_no, url=None)
        if report:
            out.append(report)
    return out


def pick_promise(claims: Sequence[Claim], figure: str | None) -> Claim | None:
    forward = [c for c in claims if c.kind in ("target", "forecast") and (c.figure or c.deadline)]
    if figure:
        forward = [c for c in forward if c.figure and c.figure.text == figure] or forward
    return forward[0] if forward else None


def prepare(cases: Iterable[dict[str, Any]], analyzer: Any) -> tuple[list[Prepared], list[str]]:
    """Analyse every case; returns the prepared cases and the ids skipped (their ../shared text is not here)."""
    prepared, skipped = [], []
    for case in cases:
        texts = [resolve_text(case["claim"])] + [resolve_text(e) for e in case["evidence"]]
        if any(t is None for t in texts):
            skipped.append(case["id"])
            continue
        claim = case["claim"]  # a letter's "we" is its company: the case gives the kind and title process would see
        claim_doc = analyzer.analyze(texts[0], DocContext(lang=claim["lang"], published=claim["published"],
                                                          kind=claim.get("kind", "news"), title=claim.get("title")))
        chosen = pick_promise(claim_doc.claims, case["claim"].get("figure"))
        promise = _record(chosen, cid=0, made=case["claim"]["published"], lang=case["claim"]["lang"], doc=0) \
            if chosen else None
        reports = []
        for n, (item, text) in enumerate(zip(case["evidence"], texts[1:]), start=1):
            doc = analyzer.analyze(text, DocContext(lang=item["lang"], published=item["published"]))
            reports += [_record(c, cid=n * 100 + i, made=item["published"], lang=item["lang"], doc=n)
                        for i, c in enumerate(doc.claims) if c.kind in EVIDENCE_KINDS]
            if promise and promise.subject:
                reports += bare_reports(doc, text, promise.subject, made=item["published"], lang=item["lang"], doc_no=n)
        prepared.append(Prepared(case["id"], case["split"], case["gold"], case["today"], promise, reports))
    return prepared, skipped


def answer(case: Prepared, threshold: float) -> str:
    if case.promise is None:
        return "unclear"
    outcome = decide(Group(group_key(case.promise), [case.promise]), case.reports, today=case.today,
                     threshold=threshold)
    return outcome.status if outcome else "unclear"


def score(pairs: Sequence[tuple[str, str]]) -> dict[str, Any]:
    """pairs of (gold, answer) -> precision/recall on kept and missed, unclear and abstention rates."""
    def share(a: int, b: int) -> float | None:
        return round(a / b, 3) if b else None

    out: dict[str, Any] = {"cases": len(pairs)}
    for label in ("kept", "missed"):
        answered = [g for g, a in pairs if a == label]
        gold = [a for g, a in pairs if g == label]
        out[f"{label}_precision"] = share(sum(g == label for g in answered), len(answered))
        out[f"{label}_answered"] = len(answered)
        out[f"{label}_recall"] = share(sum(a == label for a in gold), len(gold))
    decided_gold = [(g, a) for g, a in pairs if g in ("kept", "missed")]
    out["unclear_rate"] = share(sum(a == "unclear" for _, a in pairs), len(pairs))
    out["abstention_rate"] = share(sum(a == "unclear" for _, a in decided_gold), len(decided_gold))
    out["accuracy"] = share(sum(g == a for g, a in pairs), len(pairs))
    return out


def evaluate(prepared: Sequence[Prepared], thresholds: Sequence[float] = THRESHOLDS) -> dict[str, Any]:
    result: dict[str, Any] = {"threshold": DEFAULT_THRESHOLD, "splits": {}, "sweep": {}, "errors": []}
    for split in ("dev", "test"):
        cases = [c for c in prepared if c.split == split]
        if not cases:
            continue
        pairs = [(c.gold, answer(c, DEFAULT_THRESHOLD)) for c in cases]
        result["splits"][split] = {"label": SPLIT_LABEL[split], **score(pairs),
                                   "confusion": dict(Counter(f"{g}->{a}" for g, a in pairs))}
        result["sweep"][split] = {f"{t:.2f}": score([(c.gold, answer(c, t)) for c in cases]) for t in thresholds}
        result["errors"] += [{"id": c.id, "split": split, "gold": g, "answer": a,
                              "promise": c.promise.figure_text if c.promise else None}
                             for c, (g, a) in zip(cases, pairs) if g != a]
    return result


@click.command("tracker")
@click.option("--json", "as_json", is_flag=True, help="Print the full result as JSON.")
@click.option("--errors", "show_errors", is_flag=True, help="List the cases answered wrongly.")
def command(as_json: bool, show_errors: bool) -> None:
    """The promise tracker on the labelled cases (nlp/training/tracker/cases.jsonl): precision on kept and
    missed, unclear rate, and the trade-off at several confidence thresholds."""
    from nlp.analyze import Analyzer

    prepared, skipped = prepare(load_cases(), Analyzer())
    result = evaluate(prepared)
    result["skipped"] = skipped
    if as_json:
        click.echo(json.dumps(result, ensure_ascii=False, indent=2))
        return
    if skipped:
        click.echo(f"Skipped {len(skipped)} cases whose text is in ../shared, not found at {SHARED_DIR}: "
                   f"{', '.join(skipped)}")
    click.echo(f"Promise tracker, threshold {DEFAULT_THRESHOLD} (dev = seen while building; held-out = frozen test)")
    header = ("split", "cases", "kept P", "kept R", "missed P", "missed R", "unclear rate", "abstained", "accuracy")
    click.echo("  ".join(f"{h:>12}" for h in header))
    for split, s in result["splits"].items():
        cells = (s["label"], s["cases"], s["kept_precision"], s["kept_recall"], s["missed_precision"],
                 s["missed_recall"], s["unclear_rate"], s["abstention_rate"], s["accuracy"])
        click.echo("  ".join(f"{'-' if v is None else v!s:>12}" for v in cells))
    click.echo("\nTrade-off: confidence threshold -> precision on kept / missed (answers), unclear rate")
    for split, rows in result["sweep"].items():
        for t, s in rows.items():
            click.echo(f"  {SPLIT_LABEL[split]:>8}  {t}  kept P {s['kept_precision']} ({s['kept_answered']})  "
                       f"missed P {s['missed_precision']} ({s['missed_answered']})  unclear {s['unclear_rate']}  "
                       f"abstained {s['abstention_rate']}")
    if show_errors:
        click.echo("\nWrong answers:")
        for e in result["errors"]:
            click.echo(f"  [{e['split']}] {e['id']}: gold {e['gold']}, answered {e['answer']} "
                       f"(claim figure: {e['promise']})")

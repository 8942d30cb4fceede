"""`newsclaims eval ner`: Chinese entities against CLUENER2020, through the product's own Analyzer.

- CLUENER2020 dev.json (read from the shared folder, never copied) is **held-out**: the trained recogniser and the
  rules kept beside it were never tuned on it;
- `--internal-dev` scores the seeded 10% slice of train.json the recogniser was selected on (a **dev** number);
- three systems on the same sentences: the product (trained recogniser + alias table), the rules-only pipeline
  (build_chinese(trained=False)) and jieba's POS tags alone.
Entity-level, exact character spans: ORG = company+organization+government, PERSON = name, GPE-LOC = address.
"""
from __future__ import annotations

import json
import time
from collections import Counter
from pathlib import Path
from typing import Any

import click

from newsclaims.config import SHARED_DIR
from nlp.records import DocContext

CLUENER_DEV = "corpus/cluener2020/dev.json"
CLUENER_TRAIN = "corpus/cluener2020/train.json"
CLUENER_TYPES = {"name": "PERSON", "company": "ORG", "organization": "ORG", "government": "ORG",
                 "address": "GPE-LOC"}
OUR_TYPES = {"PERSON": "PERSON", "ORG": "ORG", "GPE": "GPE-LOC", "LOC": "GPE-LOC"}
JIEBA_TYPES = {"nr": "PERSON", "nrfg": "PERSON", "nrt": "PERSON", "nt": "ORG", "ns": "GPE-LOC"}
SYSTEMS = ("trained", "rules", "jieba_pos")

Spans = set[tuple[int, int, str]]
Scores = dict[str, dict[str, float]]


def read_cluener(path: Path, limit: int | None = None) -> list[tuple[str, Spans]]:
    """(text, {(start, end_exclusive, type)}) per record, for the types we produce."""
    out = []
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            if not line.strip():
                continue
            rec = json.loads(line)
            spans = {(s, e + 1, CLUENER_TYPES[label]) for label, ents in rec.get("label", {}).items()
                     if label in CLUENER_TYPES for positions in ents.values() for s, e in positions}
            out.append((rec["text"], spans))
            if limit and len(out) >= limit:
                break
    return out


def internal_dev_records(shared: Path, limit: int | None = None) -> list[tuple[str, Spans]]:
    """The slice of train.json that `make train` held out for model selection (same seed, same split)."""
    from nlp.training.zh_ner.prepare import split

    return split(read_cluener(shared / CLUENER_TRAIN))[1][:limit]


def prf(gold: list[Spans], pred: list[Spans]) -> Scores:
    counts: dict[str, Counter] = {}
    for g, p in zip(gold, pred):
        for t in {x[2] for x in g | p}:
            c = counts.setdefault(t, Counter())
            gt, pt = {x for x in g if x[2] == t}, {x for x in p if x[2] == t}
            c["tp"] += len(gt & pt)
            c["fp"] += len(pt - gt)
            c["fn"] += len(gt - pt)
    out = {}
    for t, c in sorted(counts.items()):
        prec = c["tp"] / (c["tp"] + c["fp"]) if c["tp"] + c["fp"] else 0.0
        rec = c["tp"] / (c["tp"] + c["fn"]) if c["tp"] + c["fn"] else 0.0
        f1 = 2 * prec * rec / (prec + rec) if prec + rec else 0.0
        out[t] = {"precision": prec, "recall": rec, "f1": f1, "support": c["tp"] + c["fn"]}
    return out


def analyzer_spans(texts: list[str], trained: bool) -> list[Spans]:
    """Entities as the product reports them: Analyzer.pipe, the code path of `analyze` and `process`."""
    from nlp.analyze import Analyzer

    analyzer = Analyzer(zh_trained=trained)
    return [{(e.start, e.end, OUR_TYPES[e.label]) for e in a.entities if e.label in OUR_TYPES}
            for a in analyzer.pipe((t, DocContext(lang="zh")) for t in texts)]


def jieba_spans(texts: list[str]) -> list[Spans]:
    """jieba's own dictionary and POS tags, none of ours."""
    import jieba
    import jieba.posseg

    tok = jieba.posseg.POSTokenizer(jieba.Tokenizer())
    out = []
    for text in texts:
        spans, pos = set(), 0
        for pair in tok.cut(text):
            if pair.flag in JIEBA_TYPES:
                spans.add((pos, pos + len(pair.word), JIEBA_TYPES[pair.flag]))
            pos += len(pair.word)
        out.append(spans)
    return out


def evaluate_ner(records: list[tuple[str, Spans]], systems: tuple[str, ...] = SYSTEMS) -> dict[str, Any]:
    """{system: {type: {precision, recall, f1, support}}} for each system, plus the sentence count."""
    texts = [t for t, _ in records]
    gold = [s for _, s in records]
    runs = {"trained": lambda: analyzer_spans(texts, True), "rules": lambda: analyzer_spans(texts, False),
            "jieba_pos": lambda: jieba_spans(texts)}
    out: dict[str, Any] = {name: prf(gold, runs[name]()) for name in systems}
    out["sentences"] = len(records)
    return out


def format_ner(result: dict[str, Any], title: str) -> str:
    lines = [title, f"  {'type':<8} {'support':>7}" + "".join(f" {s + ' P/R/F1':>22}" for s in SYSTEMS
                                                             if s in result)]
    for t, s in result["trained"].items():
        cells = []
        for name in SYSTEMS:
            if name in result:
                b = result[name].get(t, {"precision": 0, "recall": 0, "f1": 0})
                cells.append(f" {b['precision']:.3f}/{b['recall']:.3f}/{b['f1']:.3f}".rjust(23))
        lines.append(f"  {t:<8} {int(s['support']):>7}" + "".join(cells))
    return "\n".join(lines)


@click.command("ner")
@click.option("--limit", type=int, default=None, help="Only the first N sentences.")
@click.option("--internal-dev", is_flag=True,
              help="Score the seeded slice of train.json used for model selection (a dev number) instead.")
def command(limit: int | None, internal_dev: bool) -> None:
    """Chinese entities vs CLUENER2020 dev (held-out): trained recogniser, rules only, jieba POS tags."""
    internal = internal_dev
    started = time.perf_counter()
    path = SHARED_DIR / (CLUENER_TRAIN if internal else CLUENER_DEV)
    if not path.is_file():
        raise click.ClickException(f"{path} not found; CLUENER2020 lives in ../shared/corpus/cluener2020")
    records = internal_dev_records(SHARED_DIR, limit) if internal else read_cluener(path, limit)
    label = ("internal dev slice of train.json (dev: selected on)" if internal
             else "CLUENER2020 dev (held-out: never trained or tuned on)")
    click.echo(format_ner(evaluate_ner(records), f"{label}, {len(records)} sentences; entity-level exact-span "
                                                 "P/R/F1"))
    click.echo(f"({time.perf_counter() - started:.1f} s)")

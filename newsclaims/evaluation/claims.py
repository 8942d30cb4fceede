"""`newsclaims eval claims`: claims against the project's own labelled corpus (nlp/training/claims/).

Each labelled document is analysed whole, as `process` would (so document-level subject and speaker resolution
take part), and the claims that fall in a labelled sentence are matched against that sentence's labels. Claims
outside the labelled windows are not counted either way.

Measures, per language and split (train and dev are **dev** numbers, test is **held-out**):
- target/forecast recall: labelled targets and forecasts with a predicted target or forecast in the same sentence
  (one predicted claim answers one labelled claim);
- target/forecast precision: predicted targets and forecasts in labelled sentences that answer a labelled one;
- subject, deadline, speaker: share right among the found target/forecast claims;
- result recall: labelled results with a predicted result in the same sentence.
"""
from __future__ import annotations

import json
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

import click

from newsclaims.dates import parse_date
from nlp.records import Claim, DocContext
from nlp.training import claims_corpus as corpus

FORWARD = {"target", "forecast"}
# Forms of an organisation's name that do not change which organisation it is.
_ORG_SUFFIX = re.compile(r"[,.]?\s+(?:inc|incorporated|corp|corporation|co|company|ltd|limited|plc|group|holdings)\.?$",
                         re.I)
_ZH_ORG_SUFFIX = re.compile(r"(?:股份)?(?:有限)?(?:公司|集团|科技)$")


@dataclass
class Tally:
    gold_forward: int = 0
    found_forward: int = 0
    predicted_forward: int = 0
    right_forward: int = 0
    subject_right: int = 0
    deadline_right: int = 0
    speaker_right: int = 0
    gold_result: int = 0
    found_result: int = 0
    sentences: int = 0
    documents: int = 0
    errors: list[dict] = field(default_factory=list)

    def scores(self) -> dict[str, float | int]:
        def share(a: int, b: int) -> float:
            return round(a / b, 3) if b else float("nan")

        return {
            "documents": self.documents,
            "sentences": self.sentences,
            "gold_target_forecast": self.gold_forward,
            "recall": share(self.found_forward, self.gold_forward),
            "precision": share(self.right_forward, self.predicted_forward),
            "subject": share(self.subject_right, self.found_forward),
            "deadline": share(self.deadline_right, self.found_forward),
            "speaker": share(self.speaker_right, self.found_forward),
            "gold_result": self.gold_result,
            "result_recall": share(self.found_result, self.gold_result),
        }


def fold(name: str | None) -> str:
    if not name:
        return ""
    name = unicodedata.normalize("NFKC", name).strip().casefold()
    name = _ORG_SUFFIX.sub("", name)
    return _ZH_ORG_SUFFIX.sub("", name) or name


def same_name(predicted: str | None, gold: str | None) -> bool:
    """Both absent, or one names the other ("Tim Cook" ~ "Cook", "Apple Inc." ~ "Apple", "小米集团" ~ "小米")."""
    a, b = fold(predicted), fold(gold)
    if not a or not b:
        return a == b
    return a == b or (min(len(a), len(b)) >= 2 and (a in b or b in a))


def context_of(doc: corpus.Doc, text: str) -> DocContext:
    genre_kind = "news" if doc.genre == "news" else "letter"
    title = text.split("\n", 1)[0].strip()[:200] if doc.doc.startswith("claims-dev/zh-news/") else None
    # a bare year or month is taken at its start, so "this year" stays in that year
    published = parse_date(doc.published) if doc.published else None
    return DocContext(lang=doc.lang, published=published, kind=genre_kind, title=title)


def _claims_in(claims: Iterable[Claim], start: int, end: int) -> list[Claim]:
    out = []
    for claim in claims:
        anchor = claim.figure.start if claim.figure is not None else (claim.start + claim.end) // 2
        if start <= anchor < end or (claim.start < end and start < claim.end and claim.figure is None):
            out.append(claim)
    return out


def _figure_overlaps(claim: Claim, gold_figure: str | None, sentence: str, offset: int) -> bool:
    if claim.figure is None or not gold_figure:
        return True
    at = sentence.find(gold_figure)
    if at < 0:
        return True
    g_start, g_end = offset + at, offset + at + len(gold_figure)
    return claim.figure.start < g_end and g_start < claim.figure.end


def score_sentence(tally: Tally, gold: list[dict], predicted: list[Claim], sentence: str, offset: int,
                   sid: str) -> None:
    tally.sentences += 1
    pred_forward = [c for c in predicted if c.kind in FORWARD]
    gold_forward = [g for g in gold if g["kind"] in FORWARD]
    tally.gold_forward += len(gold_forward)
    tally.predicted_forward += len(pred_forward)
    unused = list(pred_forward)
    for g in gold_forward:
        match = _best_match(g, unused, sentence, offset)
        if match is None:
            tally.errors.append({"id": sid, "error": "missed", "gold": g})
            continue
        unused.remove(match)
        tally.found_forward += 1
        tally.right_forward += 1
        subject_ok = same_name(match.subject, g.get("subject"))
        deadline_ok = (match.deadline or None) == (g.get("deadline") or None)
        speaker_ok = same_name(match.speaker, g.get("speaker"))
        tally.subject_right += subject_ok
        tally.deadline_right += deadline_ok
        tally.speaker_right += speaker_ok
        if not (subject_ok and deadline_ok and speaker_ok):
            tally.errors.append({"id": sid, "error": "fields", "gold": g, "predicted": _brief(match)})
    for c in unused:
        tally.errors.append({"id": sid, "error": "spurious", "predicted": _brief(c)})
    gold_results = [g for g in gold if g["kind"] == "result"]
    pred_results = [c for c in predicted if c.kind == "result"]
    tally.gold_result += len(gold_results)
    tally.found_result += min(len(gold_results), len(pred_results))


def _best_match(gold: dict, candidates: list[Claim], sentence: str, offset: int) -> Claim | None:
    overlapping = [c for c in candidates if _figure_overlaps(c, gold.get("figure"), sentence, offset)]
    pool = overlapping or candidates
    same_kind = [c for c in pool if c.kind == gold["kind"]]
    return (same_kind or pool or [None])[0]


def _brief(claim: Claim) -> dict:
    return {"kind": claim.kind, "subject": claim.subject, "speaker": claim.speaker,
            "figure": claim.figure.text if claim.figure else None, "deadline": claim.deadline}


def evaluate(splits: Iterable[str], langs: Iterable[str], analyzer=None) -> dict[tuple[str, str], Tally]:
    from nlp.analyze import Analyzer

    splits, langs = set(splits), set(langs)
    docs = corpus.load_docs()
    labels = corpus.load_labels("primary")
    by_doc: dict[str, list[corpus.Sentence]] = defaultdict(list)
    for s in corpus.load_sentences():
        d = docs[s.doc]
        # only the seeded windows: the enrichment sentences were chosen by wording, so they would bias recall
        if s.id in labels and s.pool == "window" and d.split in splits and d.lang in langs:
            by_doc[s.doc].append(s)
    analyzer = analyzer or Analyzer()
    items = [(doc_id, corpus.doc_text(doc_id)) for doc_id in sorted(by_doc)]
    analyses = analyzer.pipe((text, context_of(docs[doc_id], text)) for doc_id, text in items)
    tallies: dict[tuple[str, str], Tally] = defaultdict(Tally)
    for (doc_id, text), analysis in zip(items, analyses):
        d = docs[doc_id]
        tally = tallies[(d.lang, d.split)]
        tally.documents += 1
        for s in by_doc[doc_id]:
            predicted = _claims_in(analysis.claims, s.start, s.end)
            score_sentence(tally, labels[s.id]["claims"], predicted, text[s.start:s.end], s.start, s.id)
    return dict(tallies)


def _rows(tallies: dict[tuple[str, str], Tally]) -> Iterator[dict]:
    for (lang, split), tally in sorted(tallies.items()):
        yield {"lang": lang, "split": split, "numbers": "held-out" if split == "test" else "dev", **tally.scores()}


@click.command("claims")
@click.option("--split", "splits", multiple=True, type=click.Choice(["train", "dev", "test"]),
              default=("dev",), show_default=True,
              help="Which split(s); test is the frozen held-out split: report it, never tune on it.")
@click.option("--lang", "langs", multiple=True, type=click.Choice(["en", "zh"]), default=("en", "zh"),
              show_default=True, help="Language(s).")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True,
              help="Output format.")
@click.option("--errors", "errors_file", type=click.Path(dir_okay=False, writable=True), default=None,
              help="Write every miss, spurious claim and wrong field as JSON Lines to this file (dev splits only).")
def command(splits: tuple[str, ...], langs: tuple[str, ...], fmt: str, errors_file: str | None) -> None:
    """Claims against the labelled corpus: target/forecast recall and precision, subject, deadline, speaker."""
    if not corpus.shared_corpus().is_dir():
        raise click.ClickException(f"evaluation corpus not found: {corpus.shared_corpus()} (set $NEWSCLAIMS_SHARED)")
    tallies = evaluate(splits, langs)
    rows = list(_rows(tallies))
    if errors_file:
        with open(errors_file, "w", encoding="utf-8") as handle:
            for (lang, split), tally in sorted(tallies.items()):
                if split == "test":
                    continue  # held-out: numbers only, never the examples
                for err in tally.errors:
                    handle.write(json.dumps({"lang": lang, **err}, ensure_ascii=False) + "\n")
    if fmt == "json":
        click.echo(json.dumps(rows, ensure_ascii=False, indent=1))
        return
    from newsclaims.commands._common import format_table

    click.echo(format_table(rows, list(rows[0]) if rows else [], widths={}))

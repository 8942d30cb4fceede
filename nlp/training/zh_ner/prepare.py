"""CLUENER2020 train.json → spaCy DocBins: a seeded 90/10 split into train and an internal dev slice.

    python -m nlp.training.zh_ner.prepare SHARED/corpus/cluener2020/train.json OUT_DIR [--core-only] [--chars]

CLUENER's dev.json is never read here: it is the held-out report, not a tuning set. The internal dev slice
(10% of train.json, fixed seed) is what `spacy train` scores to keep its best model. Reference Docs carry the
entities and their BIO tags, one token per jieba word of the product's tokenizer (spans that cut a word are
dropped; it prints how many), or with --chars one token per character (the ablation, config-chars.cfg).
"""
from __future__ import annotations

import argparse
import json
import random
import sys
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import spacy
from spacy.tokens import Doc, DocBin, Span
from spacy.util import filter_spans

from nlp.components.bio_ents import bio_tags

LABELS_FILE = Path(__file__).resolve().parent / "labels.toml"
SEED = 13
DEV_SHARE = 0.1
T = TypeVar("T")


@dataclass(frozen=True)
class Record:
    text: str
    spans: tuple[tuple[int, int, str], ...]  # (start, end exclusive, our label), character offsets


def label_map(core_only: bool = False) -> dict[str, str]:
    data = tomllib.loads(LABELS_FILE.read_text(encoding="utf-8"))
    keep = set(data["core"]["labels"]) if core_only else set(data["labels"].values())
    return {k: v for k, v in data["labels"].items() if v in keep}


def read_records(path: Path, labels: dict[str, str]) -> list[Record]:
    """One Record per line; CLUENER's offsets are end-inclusive, ours end-exclusive."""
    out = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            rec = json.loads(line)
            spans = tuple(sorted((s, e + 1, labels[lab]) for lab, ents in rec.get("label", {}).items()
                                 if lab in labels for pos in ents.values() for s, e in pos))
            out.append(Record(rec["text"], spans))
        except (ValueError, KeyError, TypeError) as exc:
            print(f"{path}:{n}: skipped, not a CLUENER record ({exc})", file=sys.stderr)
    return out


def split(records: list[T], seed: int = SEED, share: float = DEV_SHARE) -> tuple[list[T], list[T]]:
    """(train, internal dev): a fixed, seeded slice of train.json, also what `eval ner --internal-dev` scores."""
    order = list(range(len(records)))
    random.Random(seed).shuffle(order)
    n_dev = int(len(records) * share)
    dev_ids = set(order[:n_dev])
    return ([r for i, r in enumerate(records) if i not in dev_ids], [r for i, r in enumerate(records) if i in dev_ids])


class Tokens:
    """Text → reference Doc tokens: the product's jieba words, or characters (--chars)."""

    def __init__(self, nlp: spacy.Language, words: bool) -> None:
        self.vocab = nlp.vocab
        self.jieba = None
        if words:
            from nlp.chinese import JiebaTokenizer

            self.jieba = JiebaTokenizer(nlp.vocab)
        self.dropped = self.total = 0

    def doc(self, rec: Record) -> Doc:
        """The reference Doc; its entities and BIO tags (spans that cut a token are dropped and counted)."""
        doc = (self.jieba(rec.text) if self.jieba is not None
               else Doc(self.vocab, words=list(rec.text), spaces=[False] * len(rec.text)))
        spans = [doc.char_span(s, e, label=lab) for s, e, lab in rec.spans]
        self.total += len(spans)
        self.dropped += sum(s is None for s in spans)
        ents = filter_spans([s for s in spans if s is not None])
        out = Doc(self.vocab, words=[t.text for t in doc], spaces=[bool(t.whitespace_) for t in doc],
                  tags=bio_tags(len(doc), [(s.start, s.end, s.label_) for s in ents]))
        out.ents = [Span(out, s.start, s.end, label=s.label_) for s in ents]
        return out


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("train_json", type=Path)
    parser.add_argument("out_dir", type=Path)
    parser.add_argument("--core-only", action="store_true", help="train ORG/PERSON/GPE only (ablation)")
    parser.add_argument("--chars", action="store_true", help="characters, not jieba words (ablation)")
    args = parser.parse_args(argv)
    if not args.train_json.is_file():
        sys.exit(f"error: {args.train_json} not found (CLUENER2020 lives in ../shared/corpus/cluener2020)")
    records = read_records(args.train_json, label_map(args.core_only))
    train, dev = split(records)
    tokens = Tokens(spacy.blank("zh"), words=not args.chars)
    args.out_dir.mkdir(parents=True, exist_ok=True)
    for name, part in (("train", train), ("dev", dev)):
        DocBin(attrs=["ORTH", "TAG", "ENT_IOB", "ENT_TYPE"], docs=(tokens.doc(r) for r in part)).to_disk(
            args.out_dir / f"{name}.spacy")
    print(f"{len(train)} train / {len(dev)} internal dev sentences (seed {SEED}) -> {args.out_dir}; spans dropped "
          f"(they cut a token): {tokens.dropped}/{tokens.total} ({tokens.dropped / max(tokens.total, 1):.1%})")


if __name__ == "__main__":
    main()

"""Train the claim-kind classifiers (one per language) from the labelled claims corpus.

    python -m nlp.training.claims_textcat --lang en     # or zh; `make train` runs both

The train split trains, the dev split picks the best checkpoint; the frozen test split is never read here.
Each sentence is one example; its categories are the kinds of the claims labelled in it (none: no claim).
The model is written to nlp/models/claims_<lang>/ (shipped with the package).
"""
from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from pathlib import Path

from nlp.claim_classifier import KINDS, MODELS_DIR, model_path
from nlp.training import claims_corpus as corpus

CONFIG_DIR = Path(__file__).resolve().parent / "claims_textcat"
# Files of a spaCy model directory that the runtime does not need.
_DROP = ("meta.json.bak",)


def examples(lang: str, split: str) -> list[tuple[str, dict[str, float]]]:
    docs = corpus.load_docs()
    labels = corpus.load_labels("primary")
    out = []
    for s in corpus.load_sentences():
        d = docs[s.doc]
        if d.lang != lang or d.split != split or s.id not in labels:
            continue
        kinds = {c["kind"] for c in labels[s.id]["claims"]}
        text = corpus.doc_text(s.doc)[s.start:s.end]
        out.append((text, {k: float(k in kinds) for k in KINDS}))
    return out


def write_docbin(nlp, rows: list[tuple[str, dict[str, float]]], path: Path) -> None:
    from spacy.tokens import DocBin

    bin_ = DocBin()
    for text, cats in rows:
        doc = nlp.make_doc(text)
        doc.cats = cats
        bin_.add(doc)
    bin_.to_disk(path)


def train(lang: str, out: Path | None = None) -> Path:
    import spacy
    from spacy.cli.train import train as spacy_train

    config = CONFIG_DIR / f"{lang}.cfg"
    train_rows, dev_rows = examples(lang, "train"), examples(lang, "dev")
    if not train_rows or not dev_rows:
        raise SystemExit(f"no labelled {lang} sentences in the train or dev split")
    blank = spacy.blank(lang) if lang == "en" else spacy.blank("zh", config={"nlp": {"tokenizer": {
        "segmenter": "char"}}})
    out = out or model_path(lang)
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        write_docbin(blank, train_rows, tmp / "train.spacy")
        write_docbin(blank, dev_rows, tmp / "dev.spacy")
        spacy_train(config, tmp / "out", overrides={"paths.train": str(tmp / "train.spacy"),
                                                     "paths.dev": str(tmp / "dev.spacy")})
        if out.exists():
            shutil.rmtree(out)
        shutil.copytree(tmp / "out" / "model-best", out)
    for name in _DROP:
        (out / name).unlink(missing_ok=True)
    print(f"{lang}: {len(train_rows)} train / {len(dev_rows)} dev sentences -> {out}")
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m nlp.training.claims_textcat")
    parser.add_argument("--lang", choices=("en", "zh"), action="append", required=True)
    parser.add_argument("--out", type=Path, default=None, help=f"model folder (default {MODELS_DIR}/claims_LANG)")
    args = parser.parse_args(argv)
    for lang in args.lang:
        train(lang, args.out if len(args.lang) == 1 else None)
    return 0


if __name__ == "__main__":
    sys.exit(main())

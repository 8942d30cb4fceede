"""Copy a trained pipeline (spacy train's model-best) into the package: nlp/models/zh_ner.

    python -m nlp.training.zh_ner.package build/zh_ner/run/model-best nlp/models/zh_ner

The model card (README.md) in the target stays; everything else is replaced. The vocabulary's string table keeps
only the tag and entity labels: the embeddings hash strings at run time and never read them back, and it would
otherwise ship the words of the training corpus. Prints the size shipped.
"""
from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

KEEP = {"README.md"}


def package(src: Path, dest: Path) -> int:
    """Bytes written; the source must be a saved spaCy pipeline."""
    if not (src / "config.cfg").is_file():
        raise SystemExit(f"error: {src} is not a trained pipeline (no config.cfg)")
    dest.mkdir(parents=True, exist_ok=True)
    for old in dest.iterdir():
        if old.name in KEEP:
            continue
        shutil.rmtree(old) if old.is_dir() else old.unlink()
    shutil.copytree(src, dest, dirs_exist_ok=True)
    labels = json.loads((src / "meta.json").read_text(encoding="utf-8"))["labels"]["tagger"]
    strings = sorted({*labels, *(t.partition("-")[2] for t in labels if "-" in t)})
    (dest / "vocab" / "strings.json").write_text(json.dumps(strings, ensure_ascii=False), encoding="utf-8")
    return sum(p.stat().st_size for p in dest.rglob("*") if p.is_file() and p.name not in KEEP)


def main(argv: list[str] | None = None) -> None:
    args = argv if argv is not None else sys.argv[1:]
    if len(args) != 2:
        raise SystemExit(__doc__)
    size = package(Path(args[0]), Path(args[1]))
    print(f"{args[1]}: {size / 1e6:.1f} MB")


if __name__ == "__main__":
    main()

"""Readers for the figure dictionaries in nlp/data/figures/ (TSV files, see the README there).

Each reader is cached: the files are read once per process, whatever calls them first.
"""
from __future__ import annotations

import functools
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent / "data" / "figures"


@functools.lru_cache(maxsize=None)
def read_tsv(name: str) -> tuple[tuple[str, ...], ...]:
    """Rows of `nlp/data/figures/<name>`, without comment lines (`#`) and blank lines.

    Trailing empty columns are kept as "" so every row can be unpacked by position.
    """
    rows = []
    with open(DATA_DIR / name, encoding="utf-8") as fh:
        for line in fh:
            line = line.rstrip("\n")
            if not line.strip() or line.startswith("#"):
                continue
            rows.append(tuple(cell.strip() for cell in line.split("\t")))
    return tuple(rows)


def column(row: tuple[str, ...], index: int, default: str = "") -> str:
    """The cell at `index`, or `default` when the row is shorter (optional trailing columns)."""
    return row[index] if index < len(row) and row[index] != "" else default

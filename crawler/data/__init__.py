"""Rule data for page extraction (charsets, tracking parameters, date meta names, placeholders)."""
from __future__ import annotations

from functools import lru_cache
from importlib import resources


@lru_cache(maxsize=None)
def data_lines(name: str) -> tuple[str, ...]:
    """Non-empty, non-comment lines of a data file in this package."""
    text = resources.files(__name__).joinpath(name).read_text(encoding="utf-8")
    return tuple(line.rstrip("\n") for line in text.splitlines() if line.strip() and not line.startswith("#"))


@lru_cache(maxsize=None)
def data_table(name: str) -> tuple[tuple[str, ...], ...]:
    """Rows of a TSV data file, split on tabs."""
    return tuple(tuple(cell.strip() for cell in line.split("\t")) for line in data_lines(name))

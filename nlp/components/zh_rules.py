"""The Chinese rules file, read once."""
from __future__ import annotations

import tomllib
from functools import lru_cache
from pathlib import Path

RULES_FILE = Path(__file__).resolve().parent.parent / "data" / "zh" / "rules.toml"


@lru_cache(maxsize=1)
def zh_rules() -> dict:
    with RULES_FILE.open("rb") as fh:
        return tomllib.load(fh)

"""Where things are by default, and how the environment overrides it."""
from __future__ import annotations

import os
from pathlib import Path

DB_ENV = "NEWSCLAIMS_DB"
SOURCES_ENV = "NEWSCLAIMS_SOURCES"
DEFAULT_DB = "newsclaims.db"
DEFAULT_SOURCES = "sources.toml"

PACKAGE_DIR = Path(__file__).resolve().parent
REPO_DIR = PACKAGE_DIR.parent
# Evaluation corpora of other projects live beside the checkout; never copied into the repo.
SHARED_DIR = Path(os.environ.get("NEWSCLAIMS_SHARED", REPO_DIR.parent / "shared"))


def default_db() -> str:
    return os.environ.get(DB_ENV, DEFAULT_DB)


def default_sources() -> str:
    return os.environ.get(SOURCES_ENV, DEFAULT_SOURCES)

"""Shared test fixtures: a database built from the demo site by the real pipeline, once per session."""
from __future__ import annotations

from pathlib import Path

import pytest

from newsclaims.config import SHARED_DIR

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    """../shared beside the checkout; tests that need it skip on a user's machine without it."""
    if not (SHARED_DIR / "corpus").is_dir():
        pytest.skip(f"evaluation corpus not found at {SHARED_DIR} (only present in the project's workspace)")
    return SHARED_DIR


@pytest.fixture(scope="session")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo site served on 127.0.0.1, crawled by the real spider and analysed by the real pipelines."""
    from newsclaims.demo import build_demo_database

    path = tmp_path_factory.mktemp("demo") / "demo.db"
    result = build_demo_database(path)
    assert result.crawl.ok, f"demo crawl failed: {result.crawl.status} {result.crawl.errors}"
    assert result.process.analysed > 0
    return path


@pytest.fixture(autouse=True)
def _no_user_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests never pick up a developer's own database or sources file."""
    for name in ("NEWSCLAIMS_DB", "NEWSCLAIMS_SOURCES", "NEWSCLAIMS_ALIASES"):
        monkeypatch.delenv(name, raising=False)

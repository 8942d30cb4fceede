"""The offline demo: the bundled demo site served on 127.0.0.1, crawled and analysed by the real pipeline."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from newsclaims.config import PACKAGE_DIR, REPO_DIR
from newsclaims.errors import NewsclaimsError
from newsclaims.runner import CrawlOptions, CrawlResult, run_crawl
from newsclaims.siteserver import SiteServer

DEMO_SITE = PACKAGE_DIR / "demo_site"
DEMO_SOURCES = REPO_DIR / "examples" / "demo-sources.toml"
# Our own server on loopback: no need to wait between requests.
LOCAL_SETTINGS = {"AUTOTHROTTLE_ENABLED": "False", "DOWNLOAD_DELAY": "0", "CONCURRENT_REQUESTS_PER_DOMAIN": "8"}


@dataclass
class DemoResult:
    db_path: str
    base_url: str
    crawl: CrawlResult
    process: Any  # newsclaims.processing.ProcessStats


def build_demo_database(
    db_path: str | Path,
    *,
    crawl_progress: Callable[[dict[str, Any]], None] | None = None,
    analyse: Callable[[str], Any] | None = None,
) -> DemoResult:
    """Serve the demo site, crawl it into `db_path` and analyse what landed.

    `analyse(db_path)` runs the analysis (default: `process_articles` without a progress bar).
    """
    db_path = str(db_path)
    _create_marked(db_path)
    with SiteServer(DEMO_SITE) as server:
        options = CrawlOptions(db_path=db_path, sources_file=str(DEMO_SOURCES), base_url=server.base_url,
                               settings=LOCAL_SETTINGS)
        crawl = run_crawl(options, progress=crawl_progress)
    stats = analyse(db_path) if analyse else _analyse_quietly(db_path)
    return DemoResult(db_path=db_path, base_url=server.base_url, crawl=crawl, process=stats)


def replace_demo_database(db_path: str | Path) -> None:
    """Remove the database a previous demo made at `db_path`, so the demo starts fresh.

    Anything else there (a crawled database, a text file) is refused, never deleted: the demo may only
    replace what it created itself (marked by `Store.mark_as_demo`). The caller holds the run lock, so a
    crawl writing to the file is never pulled from under it.
    """
    path = Path(db_path)
    if not refuse_unless_demo(path):
        return
    for suffix in ("", "-wal", "-shm", "-journal"):  # never the .lock file: see newsclaims.lock
        Path(str(path) + suffix).unlink(missing_ok=True)


def refuse_unless_demo(path: Path) -> bool:
    """False if nothing is at `path`, True for an earlier demo's database; a clear error for anything else."""
    from db.store import is_demo_database

    if not path.exists() and not path.is_symlink():
        return False
    if path.is_symlink() or not path.is_file() or not is_demo_database(path):
        raise NewsclaimsError(f"refusing to replace {path}: it was not created by `newsclaims demo` "
                              "(choose another --db, or remove it yourself)")
    return True


def _create_marked(db_path: str) -> None:
    from db.store import Store

    with Store.open(db_path) as store:
        store.mark_as_demo()


def _analyse_quietly(db_path: str) -> Any:
    from db.store import Store
    from newsclaims.processing import process_articles

    with Store.open(db_path) as store:
        return process_articles(store)

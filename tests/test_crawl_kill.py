"""A crawl killed with SIGKILL mid-run leaves a sound database, and a re-run completes without duplicates."""
from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from newsclaims.siteserver import SiteServer

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[1]
ARTICLES = 30
PAGE = """<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Story {n}: Widget maker {n} grows</title>
<meta property="og:type" content="article"><meta property="article:published_time" content="2024-01-{day:02d}">
</head><body><article><h1>Story {n}: Widget maker {n} grows</h1>
<p>Widget maker number {n} said revenue rose {n}% to ${n}.5 billion last year and that it aims to double output
within three years, according to a statement released on Monday to investors and customers alike.</p>
<p>The company, which employs {n}00 people, expects demand to stay strong in Europe and Asia and plans to open
two new factories, while keeping its spending plans for research and development unchanged for the year.</p>
<p>Analysts said the result was better than expected and pointed to strong demand from enterprise customers,
though some warned that higher component prices could weigh on margins in the second half of the year.</p>
</article></body></html>"""


def make_site(root: Path) -> None:
    items = []
    for n in range(1, ARTICLES + 1):
        (root / f"story-{n}.html").write_text(PAGE.format(n=n, day=n % 28 + 1), encoding="utf-8")
        items.append(f"<item><title>Story {n}</title><link>/story-{n}.html</link></item>")
    (root / "feed.xml").write_text(f"<rss version='2.0'><channel><title>t</title>{''.join(items)}</channel></rss>",
                                   encoding="utf-8")
    (root / "sources.toml").write_text('[[sources]]\nname = "slow"\nfeeds = ["{base}/feed.xml"]\n', encoding="utf-8")


def crawl_command(root: Path, db: Path, base: str) -> list[str]:
    return [sys.executable, "-m", "newsclaims", "crawl", "--sources", str(root / "sources.toml"), "--base-url", base,
            "--db", str(db), "--set", "AUTOTHROTTLE_ENABLED=False", "--set", "DOWNLOAD_DELAY=0",
            "--set", "NEWSCLAIMS_BATCH_SIZE=2", "--set", "NEWSCLAIMS_BATCH_SECONDS=0.2"]


def count_articles(db: Path) -> int:
    if not db.exists():
        return 0
    conn = sqlite3.connect(db, timeout=10)
    try:
        return conn.execute("SELECT count(*) FROM articles").fetchone()[0]
    except sqlite3.OperationalError:  # schema not created yet
        return 0
    finally:
        conn.close()


def test_sigkill_mid_crawl_then_rerun(tmp_path: Path) -> None:
    site, db = tmp_path / "site", tmp_path / "kill.db"
    site.mkdir()
    make_site(site)
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    server = SiteServer(site, delay=0.3)  # slow pages: the crawl is surely mid-run when we kill it
    with server:
        proc = subprocess.Popen(crawl_command(site, db, server.base_url), cwd=REPO, env=env, start_new_session=True,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 60
        while count_articles(db) < 3 and time.monotonic() < deadline and proc.poll() is None:
            time.sleep(0.1)
        assert proc.poll() is None, "the crawl ended before it could be killed"
        os.killpg(proc.pid, signal.SIGKILL)  # the command and its Scrapy child, without any chance to clean up
        proc.wait()
        stored = count_articles(db)
        assert 3 <= stored < ARTICLES

        conn = sqlite3.connect(db)
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert conn.execute("SELECT count(*) FROM articles WHERE text = '' OR raw_body IS NULL").fetchone()[0] == 0
        assert conn.execute("SELECT status FROM crawl_runs").fetchone()[0] == "running"  # nobody lived to finish it
        conn.close()

        server.delay = 0
        rerun = subprocess.run(crawl_command(site, db, server.base_url), cwd=REPO, env=env, capture_output=True,
                               text=True, timeout=120)
    assert rerun.returncode == 0, rerun.stderr
    conn = sqlite3.connect(db)
    try:
        total, distinct = conn.execute("SELECT count(*), count(DISTINCT canonical_url) FROM articles").fetchone()
        assert total == distinct == ARTICLES
        runs = dict(conn.execute("SELECT id, status FROM crawl_runs").fetchall())
        assert sorted(runs.values()) == ["finished", "interrupted"]  # the killed run is marked on the next start
        new, unchanged = conn.execute(
            "SELECT articles_new, articles_unchanged FROM crawl_runs WHERE status = 'finished'").fetchone()
        assert (new, unchanged) == (ARTICLES - stored, stored)
    finally:
        conn.close()

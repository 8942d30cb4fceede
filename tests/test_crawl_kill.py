"""A crawl killed with SIGKILL mid-run leaves a sound database, and a re-run completes without duplicates."""
from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import time
from pathlib import Path

import pytest

from crawl_site import REPO, crawl_argv, env, make_site
from newsclaims.siteserver import SiteServer

pytestmark = pytest.mark.slow

ARTICLES = 30


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
    sources = make_site(site, feed=range(1, ARTICLES + 1))
    server = SiteServer(site, delay=0.3)  # slow pages: the crawl is surely mid-run when we kill it
    with server:
        argv = crawl_argv(sources, db, server.base_url, "--set", "NEWSCLAIMS_BATCH_SIZE=2")
        proc = subprocess.Popen(argv, cwd=REPO, env=env(), start_new_session=True,
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
        rerun = subprocess.run(argv, cwd=REPO, env=env(), capture_output=True, text=True, timeout=120)
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

"""Durability: crawls killed with SIGKILL at random moments, `process` killed mid-batch, readers during writes.

Everything runs for real: `newsclaims crawl` / `newsclaims process` subprocesses, a SiteServer on 127.0.0.1,
a SQLite file. The random delays come from a seeded generator (printed on failure) so a failure can be
replayed.
"""
from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from crawl_site import REPO, assert_sound, crawl_argv, env, last_run, make_site, newsclaims, rows
from newsclaims.siteserver import SiteServer

pytestmark = pytest.mark.slow

ARTICLES = 80
KILLS = 20


def start(argv: list[str]) -> subprocess.Popen[bytes]:
    # own session: the kill reaches the command and its Scrapy child at once, neither can clean up
    return subprocess.Popen(argv, cwd=REPO, env=env(), start_new_session=True, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)


def kill(proc: subprocess.Popen[bytes]) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    proc.wait(timeout=30)


def article_count(db: Path) -> int:
    try:
        return rows(db, "SELECT count(*) FROM articles")[0][0] if db.exists() else 0
    except sqlite3.OperationalError:  # killed before the schema was created
        return 0


def analysed(db: Path) -> int:
    return rows(db, "SELECT count(*) FROM articles WHERE process_state = 'done'")[0][0]


def assert_no_duplicates(db: Path) -> None:
    total, distinct = rows(db, "SELECT count(*), count(DISTINCT canonical_url) FROM articles")[0]
    assert total == distinct


def crawling_run(db: Path, after: int) -> int | None:
    """The id of a crawl run newer than `after` whose Scrapy process has started reporting, if any."""
    try:
        found = rows(db, "SELECT id FROM crawl_runs WHERE id > ? AND stats IS NOT NULL", after) if db.exists() else []
    except sqlite3.OperationalError:
        return None
    return found[0]["id"] if found else None


def test_random_sigkills_never_corrupt_and_the_next_run_finishes_the_job(tmp_path: Path) -> None:
    seed = int(os.environ.get("NEWSCLAIMS_KILL_SEED", time.time()))
    rng = random.Random(seed)
    site, db = tmp_path / "site", tmp_path / "kill.db"
    sources = make_site(site, feed=range(1, ARTICLES + 1))
    counts, last_run_id = [], 0
    with SiteServer(site, delay=0.2) as server:
        for attempt in range(KILLS):
            # each attempt resumes the job folder the killed one left as it was (the first has none: a new crawl)
            proc = start(crawl_argv(sources, db, server.base_url, "--set", "NEWSCLAIMS_BATCH_SIZE=2", "--resume"))
            if attempt % 4 == 0:
                # during start-up: schema creation, run bookkeeping, Scrapy opening the job folder
                time.sleep(rng.uniform(0.2, 2.0))
            else:
                # while crawling: Scrapy takes ~2 s to start, so the random delay counts from its first report
                deadline = time.monotonic() + 20
                while proc.poll() is None and time.monotonic() < deadline and not crawling_run(db, last_run_id):
                    time.sleep(0.02)
                time.sleep(rng.uniform(0.2, 2.0))
            kill(proc)
            last_run_id = max(last_run_id, *(r[0] for r in rows(db, "SELECT id FROM crawl_runs"))) if db.exists() else 0
            if db.exists():
                try:
                    assert_sound(db)
                    assert_no_duplicates(db)
                except AssertionError as exc:
                    raise AssertionError(f"seed {seed}, attempt {attempt}: {exc}") from exc
            counts.append(article_count(db))
        assert counts == sorted(counts), f"seed {seed}: {counts}"  # stored stays stored
        assert len(set(counts)) >= 4, f"seed {seed}: {counts}"  # several kills landed while articles were written
        server.delay = 0
        final = subprocess.run(crawl_argv(sources, db, server.base_url, "--resume"), cwd=REPO, env=env(),
                               capture_output=True, text=True, timeout=120)
    assert final.returncode == 0, f"seed {seed}: {final.stderr[-2000:]}"
    assert_sound(db)
    assert_no_duplicates(db)
    assert article_count(db) == ARTICLES
    statuses = [r["status"] for r in rows(db, "SELECT status FROM crawl_runs ORDER BY id")]
    assert statuses[-1] == "finished" and "running" not in statuses  # the killed runs are marked interrupted
    run = last_run(db)
    assert run["articles_new"] == ARTICLES - counts[-1]


def test_process_killed_mid_batch_resumes_where_it_stopped(tmp_path: Path) -> None:
    site, db = tmp_path / "site", tmp_path / "process.db"
    total = 60
    sources = make_site(site, feed=range(1, total + 1))
    with SiteServer(site) as server:
        done = subprocess.run(crawl_argv(sources, db, server.base_url), cwd=REPO, env=env(), capture_output=True,
                              text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    proc = start([sys.executable, "-m", "newsclaims", "process", "--db", str(db), "--batch-size", "1"])
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and proc.poll() is None and analysed(db) < 3:
        time.sleep(0.02)
    assert proc.poll() is None, "process finished before it could be killed"
    kill(proc)
    assert_sound(db)
    before = {r["id"]: r["processed_at"] for r in rows(db, "SELECT id, processed_at FROM articles "
                                                          "WHERE process_state = 'done'")}
    assert 3 <= len(before) < total
    # an article is analysed entirely or not at all: pending ones have no rows in the analysis tables
    for table in ("mentions", "figures", "claims"):
        orphans = rows(db, f"SELECT count(*) FROM {table} WHERE article_id IN "
                           "(SELECT id FROM articles WHERE process_state = 'pending')")[0][0]
        assert orphans == 0, table
    assert rows(db, "SELECT count(*) FROM claims WHERE id NOT IN (SELECT rowid FROM claims_fts)")[0][0] == 0

    result = newsclaims("process", "--db", str(db))
    assert result.returncode == 0, result.stderr
    after = {r["id"]: r["processed_at"] for r in rows(db, "SELECT id, processed_at FROM articles "
                                                         "WHERE process_state = 'done'")}
    assert len(after) == total
    assert all(after[i] == at for i, at in before.items())  # what was done was not done again


def test_readers_never_block_nor_see_half_written_articles_during_a_crawl(tmp_path: Path) -> None:
    site, db = tmp_path / "site", tmp_path / "wal.db"
    sources = make_site(site, feed=range(1, ARTICLES + 1))
    seen, slowest, problems = [], 0.0, []
    stop = threading.Event()

    def reader() -> None:
        nonlocal slowest
        while not stop.is_set():
            if not db.exists():
                time.sleep(0.01)
                continue
            began = time.monotonic()
            try:
                conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=0.5)  # a short wait: must not block
                try:
                    # one read transaction: every article it sees must be whole, with its FTS row
                    conn.execute("BEGIN")
                    n = conn.execute("SELECT count(*) FROM articles").fetchone()[0]
                    whole = conn.execute("SELECT count(*) FROM articles a JOIN articles_fts f ON f.rowid = a.id "
                                         "WHERE a.text != '' AND a.raw_body IS NOT NULL").fetchone()[0]
                    conn.execute("COMMIT")
                finally:
                    conn.close()
            except sqlite3.OperationalError as exc:
                if "no such table" not in str(exc):  # the schema is still being created
                    problems.append(str(exc))
                continue
            slowest = max(slowest, time.monotonic() - began)
            if n != whole:
                problems.append(f"{n} articles but {whole} whole")
            seen.append(n)
            time.sleep(0.005)

    thread = threading.Thread(target=reader, daemon=True)
    with SiteServer(site, delay=0.05) as server:
        thread.start()
        result = subprocess.run(crawl_argv(sources, db, server.base_url, "--set", "NEWSCLAIMS_BATCH_SIZE=3"),
                                cwd=REPO, env=env(), capture_output=True, text=True, timeout=120)
        stop.set()
        thread.join(timeout=10)
    assert result.returncode == 0, result.stderr
    assert not problems, problems[:5]
    assert seen == sorted(seen) and seen[-1] == ARTICLES
    assert len(set(seen)) > 3  # the reader really ran while batches were written
    assert slowest < 0.5

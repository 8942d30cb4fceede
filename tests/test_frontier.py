"""Distributed crawling: `crawl --frontier` workers and one `ingest`, over a real redis-server on loopback.

Every test waits on conditions (server hits, Redis keys, process exits), never on a timer.
"""
from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest

from crawl_site import FAST, REPO, assert_sound, env, make_site, rows
from newsclaims.siteserver import SiteServer
from redis_server import REDIS_SERVER, SKIP_REASON, RedisServer

pytestmark = [pytest.mark.slow, pytest.mark.skipif(REDIS_SERVER is None, reason=SKIP_REASON)]

PAGES = 120
SMALL = 60  # the kill test needs only enough pages to have work left when the victim dies
# short heartbeat lease so a killed worker's requests come back within seconds (a test never waits on it)
QUICK = [*FAST, "--set", "NEWSCLAIMS_FRONTIER_LEASE=3", "--set", "NEWSCLAIMS_FRONTIER_HEARTBEAT=0.5"]


def worker(sources: Path, base: str, frontier: str, log: Path, *extra: str) -> subprocess.Popen[str]:
    argv = [sys.executable, "-m", "newsclaims", "crawl", "--sources", str(sources), "--base-url", base,
            "--frontier", frontier, "--idle-exit", "2", *QUICK, *extra]
    # output to a file, never a pipe nobody reads: a full pipe would stall the worker's reactor
    return subprocess.Popen(argv, cwd=REPO, env=env(), stdout=log.open("w"), stderr=subprocess.STDOUT, text=True)


def ingest(frontier: str, db: Path, log: Path) -> subprocess.Popen[str]:
    argv = [sys.executable, "-m", "newsclaims", "ingest", "--frontier", frontier, "--db", str(db),
            "--until-idle", "2"]
    return subprocess.Popen(argv, cwd=REPO, env=env(), stdout=log.open("w"), stderr=subprocess.STDOUT, text=True)


def wait_for(condition, procs: list[subprocess.Popen[str]], what: str) -> None:
    """Poll `condition` until true; fail (not hang) if every process we started has exited meanwhile."""
    while not condition():
        if all(p.poll() is not None for p in procs):
            if condition():
                return
            raise AssertionError(f"processes exited before {what}")
        time.sleep(0.05)


def finish(procs: list[subprocess.Popen[str]]) -> list[int]:
    return [p.wait(timeout=240) for p in procs]


def story_hits(site: SiteServer) -> dict[str, int]:
    return {p: n for p, n in site.hits.items() if p.startswith("/story-")}


def alive_workers(url: str) -> int:
    import redis

    return len(redis.Redis.from_url(url).keys("newsclaims:news:alive:*"))


def stored(db: Path) -> list[str]:
    return [r["url"] for r in rows(db, "SELECT url FROM articles")]


def stored_so_far(db: Path) -> int:
    """Articles in a database the ingest may still be creating (0 before its schema exists)."""
    import sqlite3

    try:
        return len(stored(db)) if db.exists() else 0
    except sqlite3.OperationalError:
        return 0


def test_two_workers_and_one_ingest_fetch_and_store_every_page_once(tmp_path: Path) -> None:
    """...and politeness holds across them: with one request per host at a time, no two answers overlap."""
    sources = make_site(tmp_path / "site", feed=range(1, PAGES + 1))
    db = tmp_path / "x.db"
    one = ["--set", "CONCURRENT_REQUESTS_PER_DOMAIN=1"]
    with SiteServer(tmp_path / "site", delay=0.01) as site, RedisServer(tmp_path / "redis") as redis_server:
        url = redis_server.url
        workers = [worker(sources, site.base_url, url, tmp_path / f"w{i}.log", *one) for i in range(2)]
        wait_for(lambda: alive_workers(url) >= 1, workers, "a worker started")
        writer = ingest(url, db, tmp_path / "ingest.log")
        codes = finish([*workers, writer])
    logs = {p.name: p.read_text() for p in tmp_path.glob("*.log")}
    assert codes == [0, 0, 0], logs
    hits = story_hits(site)
    assert len(hits) == PAGES and set(hits.values()) == {1}, {p: n for p, n in hits.items() if n != 1}
    assert site.hits["/feed.xml"] == 1  # the seed is queued once per crawl, not once per worker
    urls = stored(db)
    assert len(urls) == len(set(urls)) == PAGES
    assert_sound(db)
    run = rows(db, "SELECT * FROM crawl_runs WHERE command = 'ingest'")[0]
    assert run["status"] == "finished" and run["articles_new"] == PAGES
    assert run["pages_fetched"] == PAGES + 1  # the workers' counters reach the ledger: 120 pages + the feed
    assert "Traceback" not in "".join(logs.values())
    spans = sorted((start, end, path) for path, start, end in site.spans if path != "/robots.txt")
    assert len(spans) == PAGES + 1
    for (_, end, path), (start, _, nxt) in zip(spans, spans[1:]):
        assert start >= end, f"{nxt} was answered while {path} was still open"


def test_conditional_requests_use_validators_the_ingest_publishes(tmp_path: Path) -> None:
    """A second crawl through the frontier asks with the stored ETags: every page answers 304."""
    import redis

    pages = 20
    sources = make_site(tmp_path / "site", feed=range(1, pages + 1))
    db = tmp_path / "x.db"
    with SiteServer(tmp_path / "site") as site, RedisServer(tmp_path / "redis") as redis_server:
        url = redis_server.url
        for round_ in ("first", "second"):
            if round_ == "second":  # the ingest published the stored pages' validators after each batch
                assert redis.Redis.from_url(url).hlen("newsclaims:known") >= pages
            crawler = worker(sources, site.base_url, url, tmp_path / f"w-{round_}.log")
            wait_for(lambda: alive_workers(url) >= 1, [crawler], "the worker started")
            writer = ingest(url, db, tmp_path / f"ingest-{round_}.log")
            assert finish([crawler, writer]) == [0, 0], [p.read_text() for p in tmp_path.glob("*.log")]
        statuses = {p: site.statuses(p) for p in story_hits(site)}
    assert all(s == [200, 304] for s in statuses.values()), statuses
    run = rows(db, "SELECT * FROM crawl_runs WHERE command = 'ingest' ORDER BY id DESC")[0]
    assert run["not_modified"] == pages and run["articles_unchanged"] == pages and run["articles_new"] == 0


def test_killed_worker_pages_are_picked_up_by_the_other(tmp_path: Path) -> None:
    sources = make_site(tmp_path / "site", feed=range(1, SMALL + 1))
    db = tmp_path / "x.db"
    import redis

    with SiteServer(tmp_path / "site", delay=0.02) as site, RedisServer(tmp_path / "redis") as redis_server:
        url = redis_server.url
        client = redis.Redis.from_url(url)
        victim = worker(sources, site.base_url, url, tmp_path / "victim.log")
        wait_for(lambda: alive_workers(url) >= 1, [victim], "the victim started")
        survivor = worker(sources, site.base_url, url, tmp_path / "survivor.log")
        in_flight = f"newsclaims:news:inflight:*-{victim.pid}-*"
        # kill on observed progress: the victim has stored pages' items and has requests in flight right now
        wait_for(lambda: len(story_hits(site)) >= 20 and any(client.hlen(k) for k in client.keys(in_flight)),
                 [victim], "the victim had requests in flight")
        victim.kill()
        victim.wait()
        writer = ingest(url, db, tmp_path / "ingest.log")
        codes = finish([survivor, writer])
    assert codes == [0, 0], [p.read_text() for p in tmp_path.glob("*.log")]
    assert "back in the frontier" in (tmp_path / "survivor.log").read_text()
    assert set(story_hits(site)) == {f"/story-{n}.html" for n in range(1, SMALL + 1)}
    urls = stored(db)
    assert len(urls) == len(set(urls)) == SMALL
    assert_sound(db)


def test_redis_going_away_loses_nothing(tmp_path: Path) -> None:
    """Redis stops mid-run: workers and ingest exit 1 with one line; after a restart the rest is stored."""
    sources = make_site(tmp_path / "site", feed=range(1, PAGES + 1))
    db = tmp_path / "x.db"
    import redis

    with SiteServer(tmp_path / "site", delay=0.05) as site, \
            RedisServer(tmp_path / "redis", persistent=True) as redis_server:
        url = redis_server.url
        client = redis.Redis.from_url(url)
        workers = [worker(sources, site.base_url, url, tmp_path / f"w{i}.log") for i in range(2)]
        wait_for(lambda: alive_workers(url) >= 1, workers, "a worker started")
        writer = ingest(url, db, tmp_path / "ingest.log")
        wait_for(lambda: stored_so_far(db) >= 10 and client.zcard("newsclaims:news:requests") > 0,
                 [*workers, writer], "the ingest stored 10 pages with more still queued")
        redis_server.stop()
        codes = finish([*workers, writer])
        first = {p.name: p.read_text() for p in tmp_path.glob("*.log")}
        assert codes == [1, 1, 1], first
        for text in first.values():
            assert "Traceback" not in text
            assert "went away" in text
        stored_before = len(stored(db))
        assert stored_before < PAGES
        redis_server.start()  # same folder: the append-only file brings the frontier back
        again = [worker(sources, site.base_url, url, tmp_path / f"again{i}.log") for i in range(2)]
        wait_for(lambda: alive_workers(url) >= 1, again, "a worker started again")
        writer = ingest(url, db, tmp_path / "ingest-again.log")
        codes = finish([*again, writer])
    assert codes == [0, 0, 0], [p.read_text() for p in tmp_path.glob("*again*.log")]
    urls = stored(db)
    assert len(urls) == len(set(urls)) == PAGES
    assert set(story_hits(site)) == {f"/story-{n}.html" for n in range(1, PAGES + 1)}
    assert_sound(db)


def test_no_redis_is_one_line_before_anything_starts(tmp_path: Path) -> None:
    from redis_server import free_port

    nowhere = f"redis://127.0.0.1:{free_port()}/0"
    db = tmp_path / "x.db"
    for args in (["crawl", "--url", "http://127.0.0.1:9/", "--frontier", nowhere],
                 ["ingest", "--frontier", nowhere, "--db", str(db)], ["ingest", "--frontier", "mysql://x", "--db", str(db)]):
        proc = subprocess.run([sys.executable, "-m", "newsclaims", *args], cwd=REPO, env=env(), capture_output=True,
                              text=True, timeout=120)
        assert proc.returncode == 1, proc.stderr
        lines = proc.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("Error: ") and "Traceback" not in proc.stderr, proc.stderr
    assert not db.exists() or not rows(db, "SELECT id FROM crawl_runs")  # no failed run rows for a missing Redis

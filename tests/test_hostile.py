"""The crawl against a server that serves the worst of the web (tests/hostile_server.py).

It must finish, count every bad case in crawl_runs.error_counts under its named category (and show them
in `newsclaims runs`), store the good pages whole, and store nothing of the bad ones.
"""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from crawl_site import FAST, REPO, assert_sound, env, newsclaims, rows
from hostile_server import GOOD_PAGES, HOSTILE_PATHS, LINK_FARM, MAXSIZE, HostileServer

pytestmark = pytest.mark.slow

HOSTILE_SETTINGS = ["--set", "DOWNLOAD_TIMEOUT=2", "--set", f"DOWNLOAD_MAXSIZE={MAXSIZE}",
                    "--set", f"DOWNLOAD_WARNSIZE={MAXSIZE // 2}", "--set", "RETRY_TIMES=1",
                    "--set", "NEWSCLAIMS_MAX_RETRY_AFTER=5", "--set", "CONCURRENT_REQUESTS_PER_DOMAIN=8",
                    "--set", "REDIRECT_MAX_TIMES=5"]


def sources_file(tmp: Path, base: str, allowed: str = "") -> Path:
    path = tmp / "hostile.toml"
    path.write_text(f"""[[sources]]
name = "hostile"
start_urls = ["{base}/"]
feeds = ["{base}/feed.xml", "{base}/bomb-feed.xml"]
sitemaps = ["{base}/broken-sitemap.xml"]
max_depth = 2
{allowed}
""", encoding="utf-8")
    return path


def crawl(sources: Path, db: Path) -> subprocess.CompletedProcess[str]:
    argv = [sys.executable, "-m", "newsclaims", "crawl", "--sources", str(sources), "--db", str(db), *FAST,
            *HOSTILE_SETTINGS]
    return subprocess.run(argv, capture_output=True, text=True, timeout=120, cwd=REPO, env=env())


@pytest.fixture(scope="module")
def hostile_crawl(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, subprocess.CompletedProcess[str],
                                                                      HostileServer]:
    tmp = tmp_path_factory.mktemp("hostile")
    db = tmp / "hostile.db"
    with HostileServer() as server:
        result = crawl(sources_file(tmp, server.base_url), db)
    return db, result, server


def test_the_crawl_finishes_without_a_traceback(hostile_crawl) -> None:
    db, result, _ = hostile_crawl
    assert result.returncode == 0, result.stderr[-3000:]
    assert "Traceback" not in result.stderr
    (run,) = rows(db, "SELECT * FROM crawl_runs")
    assert run["status"] == "finished"


def test_every_bad_case_is_counted_under_its_category(hostile_crawl) -> None:
    db, _, _ = hostile_crawl
    errors = json.loads(rows(db, "SELECT error_counts FROM crawl_runs")[0][0])
    expected: dict[str, int] = {}
    for category in HOSTILE_PATHS.values():
        expected[category] = expected.get(category, 0) + 1
    assert errors == expected


def test_good_pages_are_stored_whole_and_bad_ones_not_at_all(hostile_crawl) -> None:
    db, _, server = hostile_crawl
    stored = {r["url"].removeprefix(server.base_url) for r in rows(db, "SELECT url FROM articles")}
    assert stored == set(GOOD_PAGES)
    assert_sound(db)
    (bad,) = rows(db, "SELECT text FROM articles WHERE url LIKE '%bad-utf8%'")
    assert "\ufffd" in bad["text"] and "revenue rose 12%" in bad["text"]


def test_what_was_requested(hostile_crawl) -> None:
    _, _, server = hostile_crawl
    assert server.hits["/offsite.html"] == 0  # a feed item on another domain is not followed
    assert server.hits["/long"] == 0  # the 10 KB URL is not requested
    assert not [p for p in server.hits if p.startswith("/l/")]  # nor any of the link farm's 100,000 links
    assert server.hits["/loop-a.html"] == server.hits["/loop-b.html"] == 1
    assert server.hits["/429-long.html"] == 1  # Retry-After: 3600 is more than we wait: not retried
    assert server.hits["/flaky.html"] == 2 and server.hits["/429.html"] == 2
    first, second = server.times["/429.html"]
    assert second - first >= 0.95  # Retry-After: 1 honoured
    assert server.hits["/drip.html"] == server.hits["/silent.html"] == 2  # one retry each, then timeout
    assert LINK_FARM == 100_000


def test_categories_appear_in_newsclaims_runs(hostile_crawl) -> None:
    db, _, _ = hostile_crawl
    result = newsclaims("runs", "--db", str(db), "--format", "json")
    assert result.returncode == 0, result.stderr
    (run,) = json.loads(result.stdout) if result.stdout.lstrip().startswith("[") else [
        json.loads(line) for line in result.stdout.splitlines() if line.strip()]
    assert set(run["error_counts"]) == set(HOSTILE_PATHS.values())
    table = newsclaims("runs", "--db", str(db)).stdout  # the table shows the commonest first, cut to a width
    assert "too_large: 2" in table and "timeout: 2" in table


def test_a_feed_item_on_another_domain_is_followed_when_allowed(tmp_path: Path) -> None:
    db = tmp_path / "allowed.db"
    with HostileServer() as server:
        path = tmp_path / "allowed.toml"
        path.write_text(f'[[sources]]\nname = "allowed"\nfeeds = ["{server.base_url}/feed.xml"]\n'
                        'allowed_domains = ["127.0.0.1", "localhost"]\n', encoding="utf-8")
        result = crawl(path, db)
    assert result.returncode == 0, result.stderr[-3000:]
    assert server.hits["/offsite.html"] == 1
    assert len(rows(db, "SELECT * FROM articles")) == 2

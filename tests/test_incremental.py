"""Incremental crawls: conditional requests, sitemap lastmod, versions and re-analysis of changed pages only.

`newsclaims crawl` and `newsclaims process` run as subprocesses against a SiteServer that answers
If-None-Match / If-Modified-Since with 304, like a real server.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from newsclaims.siteserver import SiteServer
from crawl_site import REPO, crawl_argv, env, last_run, make_site, newsclaims, rows, write_page, write_sitemap

pytestmark = pytest.mark.slow

FEED, SITEMAP = range(1, 7), range(7, 13)
CHANGED = (2, 4, 9)


def crawl(sources: Path, db: Path, server: SiteServer, *extra: str) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(crawl_argv(sources, db, server.base_url, *extra), capture_output=True, text=True,
                            timeout=120, cwd=REPO, env=env())
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    return result


def story_statuses(server: SiteServer, since: int) -> dict[int, list[int]]:
    got: dict[int, list[int]] = {}
    for path, status in server.responses[since:]:
        if path.startswith("/story-"):
            got.setdefault(int(path.removeprefix("/story-").removesuffix(".html")), []).append(status)
    return got


def processed(db: Path) -> dict[int, tuple[str, str]]:
    return {int(r["url"].rsplit("-", 1)[1].removesuffix(".html")): (r["process_state"], r["processed_at"])
            for r in rows(db, "SELECT url, process_state, processed_at FROM articles")}


def test_second_run_is_conditional_and_only_changed_pages_are_refetched_versioned_and_reanalysed(
        tmp_path: Path) -> None:
    site, db = tmp_path / "site", tmp_path / "inc.db"
    sources = make_site(site, feed=FEED, sitemap=SITEMAP)
    with SiteServer(site) as server:
        crawl(sources, db, server)
        assert last_run(db)["articles_new"] == 12
        assert newsclaims("process", "--db", str(db)).returncode == 0
        first = processed(db)
        assert {state for state, _ in first.values()} == {"done"}

        # unchanged site: feed entries are asked conditionally (304), sitemap entries not at all (lastmod)
        mark = len(server.responses)
        crawl(sources, db, server)
        assert story_statuses(server, mark) == {n: [304] for n in FEED}
        run = last_run(db)
        assert (run["articles_new"], run["articles_updated"], run["not_modified"]) == (0, 0, 6)
        assert run["articles_unchanged"] == 6 and json.loads(run["stats"])["up_to_date"] == 6
        assert server.hits["/feed.xml"] == server.hits["/sitemap.xml"] == 2  # always re-read
        result = newsclaims("process", "--db", str(db))
        assert result.returncode == 0 and processed(db) == first  # nothing re-processed
        assert rows(db, "SELECT count(*) FROM article_versions")[0][0] == 0

        # three pages change (one of them listed in the sitemap, whose lastmod moves on)
        time.sleep(1.1)  # the next second: a fetch time in the same second as the change is not trusted
        for n in CHANGED:
            write_page(site, n, extra=f"Update: figures for unit {n} were revised. ")
        write_sitemap(site, SITEMAP)
        mark = len(server.responses)
        crawl(sources, db, server)
        statuses = story_statuses(server, mark)
        assert {n for n, s in statuses.items() if s == [200]} == set(CHANGED)
        assert {n for n, s in statuses.items() if s == [304]} == set(FEED) - set(CHANGED)
        assert set(statuses) == set(FEED) | set(CHANGED)
        run = last_run(db)
        assert (run["articles_new"], run["articles_updated"], run["not_modified"]) == (0, 3, 4)

    versions = rows(db, "SELECT a.url, v.text FROM article_versions v JOIN articles a ON a.id = v.article_id")
    assert sorted(int(r["url"].rsplit("-", 1)[1][:-5]) for r in versions) == sorted(CHANGED)
    assert all("Update:" not in r["text"] for r in versions)
    pending = {n for n, (state, _) in processed(db).items() if state == "pending"}
    assert pending == set(CHANGED)
    assert newsclaims("process", "--db", str(db)).returncode == 0
    after = processed(db)
    assert {n for n in after if after[n] != first[n]} == set(CHANGED)
    assert {state for state, _ in after.values()} == {"done"}


def test_user_agent_names_the_contact_url_and_robots_block_is_logged(tmp_path: Path) -> None:
    site, db = tmp_path / "site", tmp_path / "ua.db"
    make_site(site, feed=range(1, 3))
    (site / "private").mkdir()
    (site / "private" / "index.html").write_text("<html><body>secret</body></html>", encoding="utf-8")
    sources = tmp_path / "blocked.toml"
    sources.write_text('[[sources]]\nname = "widgets"\nfeeds = ["{base}/feed.xml"]\n'
                       '[[sources]]\nname = "hidden"\nstart_urls = ["{base}/private/"]\n', encoding="utf-8")
    with SiteServer(site) as server:
        result = subprocess.run(crawl_argv(sources, db, server.base_url), capture_output=True, text=True,
                                timeout=120, cwd=REPO,
                                env={**env(), "NEWSCLAIMS_CONTACT_URL": "mailto:crawler@example.org"})
        agents = set(server.user_agents)
    assert result.returncode == 0, result.stderr
    assert agents and all("newsclaims/" in a and "+mailto:crawler@example.org" in a for a in agents)
    assert server.hits["/private/"] == 0
    (line,) = [ln for ln in result.stderr.splitlines() if "robots.txt" in ln]
    assert "WARNING" in line and "/private/" in line and "source hidden" in line
    assert json.loads(last_run(db)["stats"])["robots_disallowed"] == 1


def test_contact_url_setting_overrides_the_environment(tmp_path: Path) -> None:
    site, db = tmp_path / "site", tmp_path / "ua.db"
    sources = make_site(site, feed=range(1, 2))
    with SiteServer(site) as server:
        crawl(sources, db, server, "--set", "NEWSCLAIMS_CONTACT_URL=https://example.org/bot")
    assert all("(+https://example.org/bot;" in a for a in server.user_agents)


def test_interrupted_crawl_resumes_without_fetching_again(tmp_path: Path) -> None:
    site, db = tmp_path / "site", tmp_path / "resume.db"
    total = 30
    sources = make_site(site, feed=range(1, total + 1))
    argv = crawl_argv(sources, db, "", "--set", "NEWSCLAIMS_BATCH_SIZE=2", "--set", "CONCURRENT_REQUESTS=2")
    server = SiteServer(site, delay=0.5)  # slow pages: the crawl is surely mid-run when interrupted
    with server:
        argv[argv.index("--base-url") + 1] = server.base_url
        proc = subprocess.Popen(argv, cwd=REPO, env=env(), start_new_session=True, stdout=subprocess.DEVNULL,
                                stderr=subprocess.PIPE, text=True)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and proc.poll() is None and stored(db) < 4:
            time.sleep(0.1)
        assert proc.poll() is None, "the crawl ended before it could be interrupted"
        os.killpg(proc.pid, 2)  # Ctrl-C: Scrapy stops cleanly and keeps its queue in the job folder
        _, stderr = proc.communicate(timeout=60)
        assert proc.returncode == 1 and "--resume" in stderr and "Traceback" not in stderr
        jobs = list((tmp_path / "resume.db.jobs").iterdir())
        assert len(jobs) == 1 and (jobs[0] / "fetched.tsv").exists()
        before = {r["url"].removeprefix(server.base_url) for r in rows(db, "SELECT url FROM articles")}
        assert 4 <= len(before) < total
        assert last_run(db)["status"] == "interrupted"
        hits_before = dict(server.hits)

        server.delay = 0
        result = crawl(sources, db, server, "--resume", "--set", "LOG_LEVEL=INFO")
    assert "resuming" in result.stderr
    assert all(server.hits[path] == hits_before[path] for path in before)  # stored pages: not asked again
    assert server.hits["/feed.xml"] == 2  # configured URLs are read again on resume
    assert max(server.hits[f"/story-{n}.html"] for n in range(1, total + 1)) <= 2  # at most the ones in flight
    urls = [r["canonical_url"] for r in rows(db, "SELECT canonical_url FROM articles")]
    assert len(urls) == len(set(urls)) == total
    run = last_run(db)
    assert (run["status"], run["command"], run["articles_new"]) == ("finished", "crawl --resume", total - len(before))
    assert json.loads(run["stats"])["resume_skipped"] >= len(before)
    assert not (tmp_path / "resume.db.jobs").exists()  # a finished job leaves nothing, not even an empty folder


def test_resume_without_an_interrupted_crawl_starts_afresh(tmp_path: Path) -> None:
    site, db = tmp_path / "site", tmp_path / "fresh.db"
    sources = make_site(site, feed=range(1, 3))
    with SiteServer(site) as server:
        result = crawl(sources, db, server, "--resume")
    assert "nothing to resume" in result.stderr
    assert last_run(db)["articles_new"] == 2


def stored(db: Path) -> int:
    try:
        return rows(db, "SELECT count(*) FROM articles")[0][0] if db.exists() else 0
    except Exception:  # noqa: BLE001 -- the schema may not exist yet while the crawl starts
        return 0


def test_per_source_delay_and_concurrency_space_the_requests(tmp_path: Path) -> None:
    site, db = tmp_path / "site", tmp_path / "polite.db"
    make_site(site, feed=range(1, 6))
    sources = tmp_path / "polite.toml"
    sources.write_text('[[sources]]\nname = "polite"\nfeeds = ["{base}/feed.xml"]\ndownload_delay = 0.6\n'
                       'concurrency = 1\n', encoding="utf-8")
    with SiteServer(site) as server:
        crawl(sources, db, server)  # the global DOWNLOAD_DELAY is 0 here: only the source's own slot delays
    times = [t for path, t in server.hit_times if path.startswith("/story-")]
    gaps = [b - a for a, b in zip(times, times[1:])]
    assert len(times) == 5
    assert min(gaps) >= 0.6 * 0.5  # Scrapy randomises each delay between 0.5x and 1.5x
    assert sum(gaps) / len(gaps) >= 0.45


def test_autothrottle_works_within_each_sources_own_delay(tmp_path: Path) -> None:
    """AutoThrottle on (as in real crawls), global DOWNLOAD_DELAY 1 s: a source's own download_delay is the
    floor of its slot's delay, below the global one (0.1 s) as well as above it (1.5 s). Observed as the
    range of delays the downloader slots were given, which the run records (no clock in the test)."""
    site, db = tmp_path / "site", tmp_path / "throttle.db"
    make_site(site, feed=range(1, 4))
    sources = tmp_path / "throttle.toml"
    with SiteServer(site) as server:
        port = server.base_url.rsplit(":", 1)[1]
        sources.write_text(f'[[sources]]\nname = "quick"\nfeeds = ["http://127.0.0.1:{port}/feed.xml"]\n'
                           'download_delay = 0.1\nconcurrency = 2\n'
                           f'[[sources]]\nname = "slow"\nfeeds = ["http://localhost:{port}/feed.xml"]\n'
                           'download_delay = 1.5\nconcurrency = 1\n', encoding="utf-8")
        argv = [sys.executable, "-m", "newsclaims", "crawl", "--sources", str(sources), "--db", str(db)]  # not FAST
        result = subprocess.run(argv, capture_output=True, text=True, timeout=120, cwd=REPO, env=env())
    assert result.returncode == 0, result.stderr
    delays = json.loads(last_run(db)["stats"])["slot_delay_ms"]
    assert delays["127.0.0.1"]["min"] < 1000  # Scrapy's AutoThrottle never went below DOWNLOAD_DELAY=1 s
    assert delays["localhost"]["min"] >= 1500  # ... and pulled a slower source down to 1 s
    assert len(rows(db, "SELECT * FROM articles")) == 6

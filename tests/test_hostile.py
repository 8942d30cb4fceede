"""The crawl against a server that serves the worst of the web (tests/hostile_server.py).

It must finish, count every bad case in crawl_runs.error_counts under its named category (and show them
in `newsclaims runs`), store the good pages whole, and store nothing of the bad ones.

Every case, with the category it is counted under (hostile_server.HOSTILE_PATHS is the source of truth):

| case                                              | category               | test                                      |
|---------------------------------------------------|------------------------|-------------------------------------------|
| Content-Length above DOWNLOAD_MAXSIZE             | too_large              | every_bad_case_is_counted                 |
| chunked body growing past DOWNLOAD_MAXSIZE        | too_large              | every_bad_case_is_counted                 |
| gzip bomb                                         | too_large_decompressed | every_bad_case_is_counted                 |
| body dripping a byte every 0.5 s                  | timeout                | what_was_requested                        |
| answer that never starts                          | timeout                | what_was_requested                        |
| redirect loop                                     | redirect_loop          | what_was_requested                        |
| endless redirect chain                            | too_many_redirects     | every_bad_case_is_counted                 |
| billion-laughs feed                               | xml_entity_bomb        | every_bad_case_is_counted                 |
| malformed sitemap                                 | sitemap_malformed      | every_bad_case_is_counted                 |
| a few invalid UTF-8 bytes (stored, U+FFFD)        | invalid_encoding       | good_pages_are_stored_whole               |
| declared UTF-8, sent in Latin-1 (stored, cp1252)  | invalid_encoding       | declared_charset_that_fails               |
| random bytes as text/html                         | binary_as_html         | every_bad_case_is_counted                 |
| 100,000-link farm                                 | too_many_links         | what_was_requested                        |
| 429 with Retry-After: 3600                        | http_429               | what_was_requested                        |
| 429 with Retry-After: 1, then 200                 | http_429_retried       | what_was_requested                        |
| 503, then 200                                     | http_5xx_retried       | what_was_requested                        |
| 10 KB URL                                         | url_too_long           | what_was_requested                        |
| feed item on another host                         | offsite                | what_was_requested                        |
| 302 to another host                               | offsite_redirect       | offsite_redirects_are_not_followed        |
| <meta http-equiv=refresh> to another host         | offsite_redirect       | offsite_redirects_are_not_followed        |
| ftp:// link to the site's HTTP port               | bad_url                | only_http_urls_are_fetched                |
| feed item with port 99999                         | bad_url                | only_http_urls_are_fetched                |
| feed item with a malformed IPv6 host (http://[::1 | bad_url                | only_http_urls_are_fetched                |
| canonical link to another host (stored as itself) | -                      | a_canonical_link_to_another_host_...      |
| bare list of links (skipped, not an error)        | -                      | good_pages_are_stored_whole               |
| link / redirect to an internal address from a     | internal_address       | internal_addresses_are_refused_...        |
|   public source (through the server as a proxy)   |                        |                                           |
| `analyze URL`: offsite / internal redirect, drip, | one-line error         | analyze_url_...                           |
|   body above the size cap; `analyze /dev/zero`    |                        |                                           |
"""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from crawl_site import FAST, REPO, assert_sound, env, newsclaims, rows
from hostile_server import GOOD_PAGES, HOSTILE_PATHS, LINK_FARM, MAXSIZE, SKIPPED_PATHS, HostileServer

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


def crawl(sources: Path, db: Path, environ: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    argv = [sys.executable, "-m", "newsclaims", "crawl", "--sources", str(sources), "--db", str(db), *FAST,
            *HOSTILE_SETTINGS]
    return subprocess.run(argv, capture_output=True, text=True, timeout=120, cwd=REPO, env=environ or env())


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
    assert server.hits[SKIPPED_PATHS[0]] == 1  # fetched, not stored: a bare list of links is no article


def test_declared_charset_that_fails_falls_back_to_the_likeliest_one(hostile_crawl) -> None:
    db, _, _ = hostile_crawl
    (page,) = rows(db, "SELECT text, encoding FROM articles WHERE url LIKE '%latin1-as-utf8%'")
    assert page["encoding"] == "cp1252"  # not GBK first: "élève" must not become "閘鑦e"
    assert "Zoë Brontë, an élève of the École in Genève" in page["text"]


def test_offsite_redirects_are_not_followed(hostile_crawl) -> None:
    db, _, server = hostile_crawl
    assert server.hits["/redirect-offsite.html"] == server.hits["/refresh-offsite.html"] == 1
    assert server.hits["/redirect-target.html"] == server.hits["/refresh-target.html"] == 0
    assert not rows(db, "SELECT url FROM articles WHERE url LIKE '%localhost%' OR url LIKE '%-target%'")


def test_only_http_urls_are_fetched(hostile_crawl) -> None:
    _, result, server = hostile_crawl
    assert server.hits["/ftp.html"] == 0 and server.hits["/bad-port.html"] == server.hits["/bad-ipv6.html"] == 0
    assert "spider_error" not in result.stdout


def test_a_canonical_link_to_another_host_is_ignored(hostile_crawl) -> None:
    db, _, server = hostile_crawl
    (page,) = rows(db, "SELECT url, canonical_url FROM articles WHERE url LIKE '%canonical-thief%'")
    assert page["canonical_url"] == f"{server.base_url}/canonical-thief.html"
    (good,) = rows(db, "SELECT text FROM articles WHERE url LIKE '%/good-1.html'")
    assert "Gadget maker 1 said" in good["text"]  # not taken over by the thief


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
    assert "too_large: 2" in table and "timeout: 2" in table and "bad_url: 3" in table


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


def test_internal_addresses_are_refused_for_a_public_source(tmp_path: Path) -> None:
    """news.example reaches this machine only through the test server acting as an HTTP proxy; its links
    and redirects into 127.0.0.2 (an allowed domain, but a loopback address) must not be fetched."""
    db = tmp_path / "public.db"
    with HostileServer() as server:
        path = tmp_path / "public.toml"
        path.write_text('[[sources]]\nname = "public"\nstart_urls = ["http://news.example/internal-home.html"]\n'
                        'allowed_domains = ["news.example", "127.0.0.2"]\n', encoding="utf-8")
        result = crawl(path, db, {**env(), "http_proxy": server.base_url, "no_proxy": "", "NO_PROXY": ""})
    assert result.returncode == 0, result.stderr[-3000:]
    errors = json.loads(rows(db, "SELECT error_counts FROM crawl_runs")[0][0])
    assert errors == {"internal_address": 2}
    assert server.hits["/good-1.html"] == server.hits["/good-3.html"] == 0
    assert [r["url"] for r in rows(db, "SELECT url FROM articles")] == ["http://news.example/good-2.html"]


def test_analyze_url_does_not_follow_offsite_or_internal_redirects(monkeypatch: pytest.MonkeyPatch) -> None:
    from newsclaims.analyze_files import SourceError, load_document

    with HostileServer() as server:
        with pytest.raises(SourceError, match="redirected to another site"):
            load_document(f"{server.base_url}/redirect-offsite.html")
        assert server.hits["/redirect-target.html"] == 0
        with pytest.raises(SourceError, match="malformed URL"):
            load_document("http://[::1/page.html")
        # a public page redirecting into a loopback host (through the server as a proxy)
        monkeypatch.setenv("http_proxy", server.base_url)
        monkeypatch.setenv("no_proxy", "")
        with pytest.raises(SourceError, match="redirected to another site"):
            load_document("http://news.example/redirect-internal.html")
        assert server.hits["/good-3.html"] == 0


def test_analyze_url_has_a_size_cap_and_a_total_deadline(monkeypatch: pytest.MonkeyPatch) -> None:
    import newsclaims.analyze_files as analyze_files

    monkeypatch.setattr(analyze_files, "MAX_BYTES", 1_000_000)
    monkeypatch.setattr(analyze_files, "FETCH_DEADLINE", 1.0)
    with HostileServer() as server:
        with pytest.raises(analyze_files.SourceError, match="larger than"):
            analyze_files.load_document(f"{server.base_url}/big-chunked.html")
        # one byte every 0.5 s never trips the per-read timeout; the total deadline stops it
        with pytest.raises(analyze_files.SourceError, match="not finished after"):
            analyze_files.load_document(f"{server.base_url}/drip.html")


def test_analyze_dev_zero_is_one_line_error() -> None:
    result = newsclaims("analyze", "/dev/zero")
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert result.stderr.strip().splitlines() == ["Error: /dev/zero: larger than 20 MB: not read"]

"""End-to-end crawls: `newsclaims crawl` as a subprocess against a real HTTP server on 127.0.0.1.

One crawl of the test site (tests/fixtures/sites/news, five sources, each exercising one way in) is shared
by the assertions below; they read the rows of the real SQLite file it wrote.
"""
from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from newsclaims.siteserver import SiteServer

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[1]
SITES = Path(__file__).resolve().parent / "fixtures" / "sites"
FAST = ["--set", "AUTOTHROTTLE_ENABLED=False", "--set", "DOWNLOAD_DELAY=0", "--set", "NEWSCLAIMS_BATCH_SECONDS=0.5"]


def newsclaims(*args: str, cwd: Path | None = None, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "newsclaims", *args], capture_output=True, text=True,
                          timeout=timeout, cwd=cwd or REPO, env={**os.environ, "PYTHONPATH": str(REPO)})


def rows(db: Path, sql: str, *params: object) -> list[sqlite3.Row]:
    conn = sqlite3.connect(db)
    conn.row_factory = sqlite3.Row
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()


class Crawl:
    def __init__(self, db: Path, result: subprocess.CompletedProcess[str], server: SiteServer) -> None:
        self.db, self.result, self.server = db, result, server
        self.base = server.base_url

    def articles(self, source: str | None = None) -> list[sqlite3.Row]:
        if source:
            return rows(self.db, "SELECT * FROM articles WHERE source = ? ORDER BY url", source)
        return rows(self.db, "SELECT * FROM articles ORDER BY url")

    def urls(self, source: str) -> set[str]:
        return {r["canonical_url"].removeprefix(self.base) for r in self.articles(source)}

    def run(self) -> sqlite3.Row:
        return rows(self.db, "SELECT * FROM crawl_runs ORDER BY id DESC LIMIT 1")[0]


@pytest.fixture(scope="module")
def site_crawl(tmp_path_factory: pytest.TempPathFactory) -> Crawl:
    db = tmp_path_factory.mktemp("crawl") / "news.db"
    with SiteServer(SITES / "news") as server:
        result = newsclaims("crawl", "--sources", str(SITES / "news-sources.toml"), "--base-url", server.base_url,
                            "--db", str(db), *FAST)
        yield Crawl(db, result, server)


def test_crawl_succeeds_and_records_the_run(site_crawl: Crawl) -> None:
    assert site_crawl.result.returncode == 0, site_crawl.result.stderr
    assert "Traceback" not in site_crawl.result.stderr
    run = site_crawl.run()
    assert run["status"] == "finished" and run["finished_at"]
    assert json.loads(run["sources"]) == ["discover", "atom", "sitemaps", "listing", "letters"]
    assert run["articles_new"] == len(site_crawl.articles()) == 8
    assert run["pages_fetched"] >= 20
    assert f"crawl run {run['id']} finished" in site_crawl.result.stdout


def test_feed_discovery_from_home_page(site_crawl: Crawl) -> None:
    # the home page only links the RSS feed in <link rel=alternate>; its items are the articles
    assert site_crawl.urls("discover") == {"/2018/02/08/xiaomi-number-one-10-quarters/", "/zh/xiaomi-letter.html"}
    assert site_crawl.server.hits["/feed.xml"] == 1


def test_canonical_url_dedup(site_crawl: Crawl) -> None:
    # the AMP copy and the original share <link rel=canonical>: both fetched, one row
    assert site_crawl.server.hits["/amp/2018/02/08/xiaomi-number-one-10-quarters/"] == 1
    matching = [r for r in site_crawl.articles() if "xiaomi-number-one" in r["canonical_url"]]
    assert len(matching) == 1
    assert matching[0]["canonical_url"] == site_crawl.base + "/2018/02/08/xiaomi-number-one-10-quarters/"
    assert site_crawl.run()["articles_unchanged"] == 1


def test_tracking_parameters_are_not_part_of_the_canonical_url(site_crawl: Crawl) -> None:
    (zh,) = [r for r in site_crawl.articles("discover") if r["lang"] == "zh"]
    assert zh["canonical_url"] == site_crawl.base + "/zh/xiaomi-letter.html"


def test_atom_feed_and_empty_feed(site_crawl: Crawl) -> None:
    assert site_crawl.urls("atom") == {"/news/acme-cloud-revenue.html"}
    assert site_crawl.server.hits["/empty-feed.xml"] == 1
    errors = json.loads(site_crawl.run()["error_counts"])
    assert "feed_malformed" not in errors  # an empty feed is not an error


def test_sitemap_index_google_news_sitemap_and_malformed_sitemap(site_crawl: Crawl) -> None:
    assert site_crawl.urls("sitemaps") == {"/zh/xiaomi-letter-gb2312.html", "/news/globex-chip-plant.html"}
    assert json.loads(site_crawl.run()["error_counts"])["sitemap_malformed"] == 1
    log_lines = [ln for ln in site_crawl.result.stderr.splitlines() if "broken-sitemap.xml" in ln]
    assert len(log_lines) == 1 and "malformed XML" in log_lines[0]


def test_gb2312_page_decodes_like_its_utf8_copy(site_crawl: Crawl) -> None:
    by_url = {r["canonical_url"].removeprefix(site_crawl.base): r for r in site_crawl.articles()}
    gb, utf8 = by_url["/zh/xiaomi-letter-gb2312.html"], by_url["/zh/xiaomi-letter.html"]
    assert gb["title"] == "雷军发布内部信：小米要在十个季度内重回中国市场第一"
    assert gb["text"] == utf8["text"] and "十个季度内" in gb["text"]
    assert gb["encoding"] in ("gb18030", "gbk", "gb2312")
    assert gb["lang"] == "zh"


def test_listing_pages_follow_and_deny(site_crawl: Crawl) -> None:
    assert site_crawl.urls("listing") == {"/news/initech-shipments.html", "/news/umbrella-forecast.html"}
    assert site_crawl.server.hits["/category/tech/page/2/"] == 1  # followed listing page
    assert site_crawl.server.hits["/video/initech-keynote.html"] == 0  # deny pattern
    assert site_crawl.server.hits["/about.html"] == 0  # not matched by `follow`
    assert not [r for r in site_crawl.articles() if "/category/" in r["url"] or r["url"].endswith("/")
                and "xiaomi" not in r["url"]]
    assert site_crawl.run()["skipped"] >= 3  # home, two tech listing pages, letters index


def test_robots_txt_is_obeyed(site_crawl: Crawl) -> None:
    assert site_crawl.server.hits["/robots.txt"] == 1
    assert site_crawl.server.hits["/private/secret-draft.html"] == 0


def test_http_errors_are_counted_and_the_crawl_continues(site_crawl: Crawl) -> None:
    errors = json.loads(site_crawl.run()["error_counts"])
    assert errors["http_404"] == 1 and errors["http_5xx"] == 1
    assert site_crawl.server.hits["/news/server-error.html"] == 3  # retried, as Scrapy does for 5xx
    assert site_crawl.run()["errors"] == sum(errors.values())


def test_pdf_letter(site_crawl: Crawl) -> None:
    (letter,) = site_crawl.articles("letters")
    assert letter["kind"] == "letter" and letter["content_type"] == "application/pdf"
    assert letter["title"] == "Acme Cloud 2023 Letter to Shareholders"
    assert "number one in Europe by 2026" in letter["text"]


def test_unreachable_site_is_a_failed_run(tmp_path: Path) -> None:
    db = tmp_path / "fail.db"
    result = newsclaims("crawl", "--url", "http://127.0.0.1:9/feed.xml", "--db", str(db), *FAST)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    (run,) = rows(db, "SELECT * FROM crawl_runs")
    assert run["status"] == "failed" and run["pages_fetched"] == 0
    assert json.loads(run["error_counts"]) == {"connection": 1}


def test_url_option_crawls_a_feed_directly(tmp_path: Path) -> None:
    db = tmp_path / "one.db"
    with SiteServer(SITES / "news") as server:
        result = newsclaims("crawl", "--url", server.url("/atom.xml"), "--url", server.url("/letters/acme-letter-2023.pdf"),
                            "--kind", "letter", "--db", str(db), *FAST)
    assert result.returncode == 0, result.stderr
    got = rows(db, "SELECT url, source, kind FROM articles ORDER BY url")
    assert [r["url"].removeprefix(server.base_url) for r in got] == [
        "/letters/acme-letter-2023.pdf", "/news/acme-cloud-revenue.html"]
    assert {r["source"] for r in got} == {"127.0.0.1"}


@pytest.mark.parametrize("content, message", [
    ("[[sources]]\nname = 'x'\nfeedz = ['http://127.0.0.1/feed']\n", "`feedz` is not a known field"),
    ("[[sources]\nname = 'x'\n", "not valid TOML"),
    ("[[sources]]\nname = 'x'\nstart_urls = ['http://127.0.0.1/']\nfollow = ['(']\n", "invalid regular expression"),
])
def test_bad_sources_file_is_one_clear_error(tmp_path: Path, content: str, message: str) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text(content, encoding="utf-8")
    result = newsclaims("crawl", "--sources", str(bad), "--db", str(tmp_path / "x.db"))
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    (line,) = [ln for ln in result.stderr.splitlines() if ln.strip()]
    assert line.startswith("Error:") and str(bad) in line and message in line


def test_unknown_source_name_and_missing_file(tmp_path: Path) -> None:
    result = newsclaims("crawl", "--sources", str(SITES / "news-sources.toml"), "--base-url", "http://127.0.0.1:9",
                        "--source", "nope", "--db", str(tmp_path / "x.db"))
    assert result.returncode != 0 and "Traceback" not in result.stderr
    assert "unknown source 'nope'" in result.stderr and "discover" in result.stderr
    result = newsclaims("crawl", "--sources", str(tmp_path / "missing.toml"), "--db", str(tmp_path / "x.db"))
    assert result.returncode != 0 and "not found" in result.stderr and "Traceback" not in result.stderr


def test_scrapy_project_lists_the_news_spider() -> None:
    result = subprocess.run([sys.executable, "-m", "scrapy", "list"], capture_output=True, text=True, cwd=REPO,
                            timeout=60)
    assert result.returncode == 0, result.stderr
    assert "news" in result.stdout.split()

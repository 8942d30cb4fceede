"""Fast checks of the crawler's pure parts: sources validation, feed/sitemap parsing, the site server."""
from __future__ import annotations

import gzip
import re
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from crawler import feeds
from crawler.sources import load_sources, parse_sources, select_sources, url_source
from newsclaims.errors import ConfigError
from newsclaims.siteserver import SiteServer

REPO = Path(__file__).resolve().parents[1]
SITE = Path(__file__).resolve().parent / "fixtures" / "sites" / "news"


def test_repo_sources_file_is_valid() -> None:
    sources = load_sources(REPO / "sources.toml")
    assert {s.lang for s in sources} >= {"en", "zh"} and {s.kind for s in sources} == {"news", "letter"}


def test_base_placeholder_and_defaults() -> None:
    (src,) = parse_sources('[[sources]]\nname = "a"\nfeeds = ["{base}/feed.xml"]\n', base_url="http://127.0.0.1:8/")
    assert src.feeds == ("http://127.0.0.1:8/feed.xml",) and src.domains == ("127.0.0.1",)
    assert (src.kind, src.lang, src.max_depth) == ("news", "auto", 2)
    with pytest.raises(ConfigError, match="no base URL"):
        parse_sources('[[sources]]\nname = "a"\nfeeds = ["{base}/feed.xml"]\n')


@pytest.mark.parametrize("body, message", [
    ('[[sources]]\nname = "a"\n', "nothing to crawl"),
    ('[[sources]]\nname = "a"\nlang = "fr"\nfeeds = ["http://x/f"]\n', "`lang` must be one of en, zh, auto"),
    ('[[sources]]\nname = "a"\nfeeds = ["http://x/f"]\nmax_depth = -1\n', "`max_depth` must be an integer >= 0"),
    ('[[sources]]\nname = "a"\nfeeds = ["http://x/f"]\n[[sources]]\nname = "a"\nfeeds = ["http://x/g"]\n',
     "defined twice"),
    ('title = "no sources"\n', "no [[sources]]"),
])
def test_invalid_sources_name_file_source_and_field(body: str, message: str) -> None:
    with pytest.raises(ConfigError) as err:
        parse_sources(body, file="s.toml")
    assert str(err.value).startswith("s.toml") and message in str(err.value)


def test_select_and_url_sources() -> None:
    sources = parse_sources('[[sources]]\nname = "a"\nfeeds = ["http://x/f"]\n[[sources]]\nname = "b"\n'
                            'feeds = ["http://y/f"]\n')
    assert [s.name for s in select_sources(sources, ["b"])] == ["b"]
    with pytest.raises(ConfigError, match="unknown source 'c'; known sources: a, b"):
        select_sources(sources, ["c"])
    assert url_source(["https://technode.com/x/"]).name == "technode.com"
    with pytest.raises(ConfigError, match="not an http"):
        url_source(["file:///etc/passwd"])


def test_feeds_rss_atom_and_sniffing() -> None:
    rss = (SITE / "feed.xml").read_bytes()
    parsed = feeds.parse_feed(rss, "http://h/")
    assert parsed.problem is None and parsed.urls[0] == "http://h/2018/02/08/xiaomi-number-one-10-quarters/"
    assert feeds.parse_feed((SITE / "atom.xml").read_bytes(), "http://h/").urls == ["http://h/news/acme-cloud-revenue.html"]
    assert feeds.parse_feed((SITE / "empty-feed.xml").read_bytes(), "http://h/").urls == []
    assert feeds.sniff_kind(rss) == "feed" and feeds.sniff_kind(b"<html></html>") is None
    assert feeds.sniff_kind(gzip.compress((SITE / "news-sitemap.xml").read_bytes())) == "sitemap"


def test_sitemaps_index_news_gzip_and_malformed() -> None:
    index = feeds.parse_sitemap((SITE / "sitemap_index.xml").read_bytes(), "http://h/")
    assert index.kind == "sitemapindex" and index.sitemaps == ["http://h/sitemap-pages.xml", "http://h/broken-sitemap.xml"]
    news = feeds.parse_sitemap(gzip.compress((SITE / "news-sitemap.xml").read_bytes()), "http://h/")
    assert news.urls == ["http://h/news/globex-chip-plant.html"]
    broken = feeds.parse_sitemap((SITE / "broken-sitemap.xml").read_bytes(), "http://h/")
    assert broken.problem and broken.problem.startswith("malformed XML")
    assert feeds.parse_sitemap(b"", "http://h/").problem == "empty document"
    assert "not a sitemap" in (feeds.parse_sitemap((SITE / "feed.xml").read_bytes(), "http://h/").problem or "")


def fetch(url: str) -> tuple[int, str, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=5) as resp:
            return resp.status, resp.headers["Content-Type"], resp.read()
    except urllib.error.HTTPError as err:
        return err.code, err.headers["Content-Type"], err.read()


def test_site_server_paths_types_and_routes() -> None:
    with SiteServer(SITE) as server:
        assert fetch(server.url("/letters/"))[:2] == (200, "text/html")
        assert fetch(server.url("/letters/acme-letter-2023.pdf"))[1] == "application/pdf"
        assert fetch(server.url("/feed.xml"))[1] == "application/xml"
        status, ctype, body = fetch(server.url("/zh/xiaomi-letter-gb2312.html"))
        assert (status, ctype) == (200, "text/html; charset=gb2312")
        assert body == (SITE / "zh" / "xiaomi-letter.gb2312.html").read_bytes()
        assert fetch(server.url("/news/server-error.html"))[0] == 500
        assert fetch(server.url("/_routes.toml"))[0] == 404
        assert fetch(server.url("/../../../etc/passwd"))[0] == 404
        assert server.hits["/letters/"] == 1


def test_crawls_open_no_telnet_console_or_remote_control_server() -> None:
    from scrapy.settings import Settings

    settings = Settings()
    settings.setmodule("crawler.settings", priority="project")
    assert not settings.getbool("TELNETCONSOLE_ENABLED") and not settings.getbool("REMOTE_CONTROL_ENABLED")
    extensions = settings.getdict("EXTENSIONS")
    assert extensions["scrapy.extensions.telnet.TelnetConsole"] is None
    assert extensions["scrapy.extensions.remote_control.RemoteControl"] is None


@pytest.mark.parametrize(("url", "problem"), [
    ("http://127.0.0.1:99999/", "Port out of range"),
    ("http://[::1/", "Invalid IPv6 URL"),
    ("ftp://example.com/feed.xml", "not an http(s) URL"),
    ("http:///feed.xml", "no host name"),
])
def test_uncrawlable_urls_are_source_errors_not_spider_errors(url: str, problem: str) -> None:
    with pytest.raises(ConfigError, match=re.escape(problem)):
        parse_sources(f'[[sources]]\nname = "a"\nfeeds = ["{url}"]\n')
    with pytest.raises(ConfigError, match=re.escape(problem)):
        url_source([url])


def test_an_unknown_spider_is_named_before_anything_runs(tmp_path: Path) -> None:
    from newsclaims.runner import CrawlOptions, plan_sources

    path = tmp_path / "s.toml"
    path.write_text('[[sources]]\nname = "a"\nfeeds = ["http://x/f"]\nspider = "nope"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="source 'a': unknown spider 'nope' .*: news"):
        plan_sources(CrawlOptions(db_path=str(tmp_path / "a.db"), sources_file=str(path)))
    assert not (tmp_path / "a.db").exists()

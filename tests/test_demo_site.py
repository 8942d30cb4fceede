"""The bundled demo site is complete and consistent: every advertised link resolves, the feed, sitemaps,
routes and sources file are well-formed, the sample letter PDF is readable, and NOTICE.md accounts for every page."""
from __future__ import annotations

import gzip
import re
import tomllib
import urllib.request
from datetime import datetime
from email.utils import parsedate_to_datetime
from pathlib import Path
from urllib.parse import urlsplit
from urllib.robotparser import RobotFileParser

import lxml.etree
import lxml.html
import pytest
from pypdf import PdfReader

from crawler.sources import load_sources
from newsclaims.config import REPO_DIR, SHARED_DIR
from newsclaims.siteserver import SiteServer, load_routes

SITE = REPO_DIR / "newsclaims" / "demo_site"
SOURCES = REPO_DIR / "examples" / "demo-sources.toml"
LETTER = SITE / "letters" / "kestrel-devices-2023-shareholder-letter.pdf"
SM = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
PAGE_SUFFIXES = {".html", ".shtml", ".pdf"}
LISTING_PAGES = ["index.html", "category/business/index.html", "category/hardware/index.html", "followups/index.html",
                 "tag/xiaomi/index.html", "zh/index.html", "letters/index.html"]
CJK = re.compile(r"[\u4e00-\u9fff]")


def site_file(url_path: str) -> Path:
    """The file the demo server answers a site-relative URL path with (`dir/` -> `dir/index.html`)."""
    assert url_path.startswith("/"), f"{url_path!r} is not site-relative"
    target = SITE / urlsplit(url_path).path.lstrip("/")
    return target / "index.html" if url_path.endswith("/") else target


def served_pages() -> list[Path]:
    return [p for p in SITE.rglob("*") if p.suffix in PAGE_SUFFIXES
            and not any(part.startswith("_") for part in p.relative_to(SITE).parts)]


def internal_links(page: Path) -> set[str]:
    doc = lxml.html.fromstring(page.read_bytes())
    hrefs = doc.xpath("//a/@href | //link/@href")
    return {h for h in hrefs if h.startswith("/") and not h.startswith("//")}


def feed_items() -> list[lxml.etree._Element]:
    root = lxml.etree.parse(str(SITE / "feed.xml")).getroot()
    assert root.tag == "rss" and root.get("version") == "2.0"
    return root.findall("./channel/item")


def sitemap_locs(name: str) -> list[tuple[str, str]]:
    root = lxml.etree.parse(str(SITE / name)).getroot()
    assert root.tag == f"{SM}urlset", name
    return [(u.findtext(f"{SM}loc"), u.findtext(f"{SM}lastmod")) for u in root.iter(f"{SM}url")]


def article_links() -> set[str]:
    return {item.findtext("link") for item in feed_items()}


def test_feed_lists_english_and_chinese_articles_with_dates():
    items = feed_items()
    assert len(items) >= 10
    titles = [item.findtext("title") for item in items]
    assert any(CJK.search(t) for t in titles) and any(not CJK.search(t) for t in titles)
    for item in items:
        link = item.findtext("link")
        assert site_file(link).is_file(), link
        assert parsedate_to_datetime(item.findtext("pubDate")).year >= 2018
    assert "/tech/2018-02-08/xiaomi-letter-utf8.html" not in article_links()  # only the GB2312 copy is listed


def test_sitemap_index_points_to_news_and_letter_sitemaps():
    root = lxml.etree.parse(str(SITE / "sitemap.xml")).getroot()
    assert root.tag == f"{SM}sitemapindex"
    entries = {s.findtext(f"{SM}loc"): s.findtext(f"{SM}lastmod") for s in root.iter(f"{SM}sitemap")}
    assert set(entries) == {"/sitemap-news.xml", "/sitemap-letters.xml"}
    for loc, lastmod in entries.items():
        assert site_file(loc).is_file()
        datetime.fromisoformat(lastmod)


@pytest.mark.parametrize("name", ["sitemap-news.xml", "sitemap-letters.xml"])
def test_sitemap_urls_resolve_and_have_lastmod(name):
    locs = sitemap_locs(name)
    assert locs
    for loc, lastmod in locs:
        assert site_file(loc).is_file(), loc
        datetime.fromisoformat(lastmod)


def test_news_sitemap_and_feed_list_the_same_articles():
    assert {loc for loc, _ in sitemap_locs("sitemap-news.xml")} == article_links()


@pytest.mark.parametrize("page", LISTING_PAGES)
def test_listing_page_links_resolve(page):
    links = internal_links(SITE / page)
    assert "/feed.xml" in links  # feed discovery from every listing page
    missing = sorted(link for link in links if not site_file(link).is_file())
    assert not missing


def test_home_page_links_every_article_and_the_letters():
    links = internal_links(SITE / "index.html")
    assert article_links() <= links
    assert "/letters/" in links
    assert "/tech/2018-02-08/xiaomi-letter-utf8.html" not in links


def test_robots_allows_everything_and_names_the_sitemap():
    text = (SITE / "robots.txt").read_text(encoding="utf-8")
    robots = RobotFileParser()
    robots.parse(text.splitlines())
    assert robots.can_fetch("newsclaims", "/2018/02/08/xiaomi-number-one-10-quarters/")
    assert robots.site_maps() == ["/sitemap.xml"]


def test_routes_point_at_existing_files_and_serve_gb2312():
    routes = load_routes(SITE)
    assert routes
    for path, route in routes.items():
        body = SITE / route.body if route.body else site_file(path)  # body files are relative to the site root
        assert body.is_file(), path
    gb = routes["/tech/2018-02-08/xiaomi-letter.html"]
    assert gb.headers["Content-Type"] == "text/html; charset=gb2312"


def test_gb2312_copy_carries_the_same_article_as_the_utf8_copy():
    def body_text(path: Path, encoding: str) -> str:
        return lxml.html.fromstring(path.read_bytes().decode(encoding)).text_content()

    gb = body_text(SITE / "tech/2018-02-08/xiaomi-letter.html", "gb18030")
    utf8 = body_text(SITE / "tech/2018-02-08/xiaomi-letter-utf8.html", "utf-8")
    assert gb == utf8 and "十个季度" in gb


def test_letter_pdf_has_text_and_metadata():
    reader = PdfReader(LETTER)
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert "Sample letter written for the newsclaims demo" in reader.pages[0].extract_text()
    for phrase in ["$4.2 billion, up 18%", "double our installed base within three years",
                   "number one in Europe by 2026", "margins of around 12% next year", "April 2, 2024"]:
        assert phrase in " ".join(text.split()), phrase
    meta = reader.metadata
    assert meta.title and "Kestrel" in meta.title
    assert meta.author == "Mara Lindqvist"
    assert meta.creation_date.year == 2024


def test_notice_names_every_page_file():
    notice = (SITE / "NOTICE.md").read_text(encoding="utf-8")
    unnamed = [str(p.relative_to(SITE)) for p in served_pages()
               if f"`{p.relative_to(SITE).as_posix()}`" not in notice and p.relative_to(SITE).as_posix() not in LISTING_PAGES]
    assert not unnamed


def test_site_stays_small():
    total = sum(p.stat().st_size for p in SITE.rglob("*") if p.is_file())
    assert total < 3_000_000


def test_sources_use_base_placeholder_and_reach_every_article():
    sources = {s["name"]: s for s in tomllib.loads(SOURCES.read_text(encoding="utf-8"))["sources"]}
    assert sources["demo-news"]["kind"] == "news" and sources["demo-letters"]["kind"] == "letter"
    for source in sources.values():
        for key in ("feeds", "sitemaps", "start_urls"):
            for url in source.get(key, []):
                assert url.startswith("{base}/"), url
                assert site_file(url.removeprefix("{base}")).is_file(), url

    base = "http://127.0.0.1:8000"

    def followed(source: dict, path: str) -> bool:
        url = base + path
        return (any(re.search(p, url) for p in source.get("follow", []))
                and not any(re.search(p, url) for p in source.get("deny", [])))

    news, letters = sources["demo-news"], sources["demo-letters"]
    for listing in ["/category/business/", "/category/hardware/", "/tag/xiaomi/", "/zh/"]:
        assert followed(news, listing), listing
    for link in article_links():
        assert followed(news, link), link
    assert not followed(news, "/letters/kestrel-devices-2023-shareholder-letter.pdf")
    assert followed(letters, "/letters/kestrel-devices-2023-shareholder-letter.pdf")


def test_news_source_leaves_the_letters_in_the_sitemap_index_to_the_letters_source():
    # deny patterns also filter feed and sitemap entries, and /sitemap.xml lists the letters too
    news = {s.name: s for s in load_sources(SOURCES, base_url="http://127.0.0.1:8000")}["demo-news"]
    denied = [re.compile(p) for p in news.deny]

    def is_denied(path: str) -> bool:
        return any(p.search("http://127.0.0.1:8000" + path) for p in denied)

    assert all(is_denied(loc) for loc, _ in sitemap_locs("sitemap-letters.xml"))
    assert not any(is_denied(loc) for loc, _ in sitemap_locs("sitemap-news.xml"))
    assert not is_denied("/sitemap-letters.xml")


def test_sources_file_loads_with_a_base_url():
    sources = load_sources(SOURCES, base_url="http://127.0.0.1:54321/")
    assert [s.name for s in sources] == ["demo-news", "demo-letters"]
    assert sources[0].feeds == ("http://127.0.0.1:54321/feed.xml",)
    assert sources[1].start_urls == ("http://127.0.0.1:54321/letters/",)


def test_server_answers_every_advertised_url():
    paths = article_links() | {loc for loc, _ in sitemap_locs("sitemap-letters.xml")}
    paths |= {"/", "/robots.txt", "/feed.xml", "/sitemap.xml"}
    with SiteServer(SITE) as server:
        for path in sorted(paths):
            with urllib.request.urlopen(server.url(path), timeout=5) as response:
                assert response.status == 200, path
                ctype = response.headers["Content-Type"]
                expected = "application/pdf" if path.endswith(".pdf") else ("xml" if path.endswith(".xml") else "text/")
                assert expected in ctype, (path, ctype)
        with urllib.request.urlopen(server.url("/tech/2018-02-08/xiaomi-letter.html"), timeout=5) as response:
            assert response.headers["Content-Type"] == "text/html; charset=gb2312"


CORPUS_PAGES = {
    "alibaba-to-raise-up-to-12-9bn-in-landmark-hong-kong-listing/index.html":
        "corpus/article-extraction-benchmark/html/360c732d1fdbfc6895d7096c0c0b8c0d581bb1af80160f4c6a0f1fd9ff85e469.html.gz",
    "t/2019-09-11/doc-iicezzrq4972166.shtml": "corpus/zh-news-html/gne/html/sina_4.html.gz",
    "2018/02/08/xiaomi-number-one-10-quarters/index.html": "fixtures/site/technode-xiaomi-2018-02-08.html",
    "tech/2018-02-08/xiaomi-letter.html": "fixtures/site/zh-xiaomi-letter-2018-02-08.gb2312.html",
}


@pytest.mark.parametrize("page,origin", sorted(CORPUS_PAGES.items()))
def test_real_pages_are_byte_identical_to_their_origin(page, origin):
    source = SHARED_DIR / origin
    if not source.exists():
        pytest.skip(f"shared corpus not available at {SHARED_DIR}")
    expected = gzip.open(source, "rb").read() if source.suffix == ".gz" else source.read_bytes()
    assert (SITE / page).read_bytes() == expected

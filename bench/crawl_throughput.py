"""Crawl + extraction, and crawl + process end to end, against the bare libraries, on the same local site.

The site: the 181 pages of the article-extraction-benchmark (read from ../shared/corpus, unzipped into
a temporary folder, never into the repository) plus a sitemap, served on 127.0.0.1 by
newsclaims.siteserver. Politeness is off on both sides (no AutoThrottle, no delay, 16 concurrent
requests, robots.txt still read). Every line is whole processes, start-up included, one run each:

- crawl: `newsclaims crawl` vs a bare Scrapy SitemapSpider doing trafilatura.extract plus a batched
  (25) sqlite-utils insert of url, text and body; and `newsclaims crawl` with its database writes on
  the reactor thread (NEWSCLAIMS_STORE_THREAD=False), to show what the writer thread buys;
- end to end: `newsclaims crawl` + `newsclaims process` (what `newsclaims run` does; `run` itself has
  no --set to switch politeness off) vs the bare crawl above + bare spaCy `nlp.pipe` over the same
  components `process` runs + a sqlite-utils insert of the entities found;
- extraction alone, in one process: crawler.extract.extract vs trafilatura.extract on the same pages.

ratio = bare seconds / our seconds (>= 1.0: as fast as the bare libraries). Goals: >= 0.8 for both.

    python -m bench crawl_throughput
"""
from __future__ import annotations

import argparse
import gzip
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, NamedTuple

from newsclaims.config import SHARED_DIR

CORPUS = SHARED_DIR / "corpus" / "article-extraction-benchmark"
POLITENESS_OFF = {"AUTOTHROTTLE_ENABLED": "False", "DOWNLOAD_DELAY": "0", "CONCURRENT_REQUESTS": "16",
                  "CONCURRENT_REQUESTS_PER_DOMAIN": "16", "TELNETCONSOLE_ENABLED": "False"}
BATCH = 25


def build_site(root: Path) -> int:
    """The benchmark pages as site/<id>.html and a robots.txt; returns the count."""
    root.mkdir(parents=True, exist_ok=True)
    names = []
    for gz in sorted((CORPUS / "html").glob("*.html.gz")):
        name = gz.name[: -len(".gz")]
        (root / name).write_bytes(gzip.decompress(gz.read_bytes()))
        names.append(name)
    (root / "robots.txt").write_text("User-agent: *\nAllow: /\n", encoding="utf-8")
    return len(names)


def write_sitemap(root: Path, base: str) -> str:
    """sitemap.xml listing every page by its absolute URL (once the server's port is known); returns its URL."""
    urls = "".join(f"<url><loc>{base}/{p.name}</loc></url>" for p in sorted(root.glob("*.html")))
    (root / "sitemap.xml").write_text(
        f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{urls}</urlset>', encoding="utf-8")
    return f"{base}/sitemap.xml"


def _sources_file(path: Path, base: str) -> Path:
    path.write_text(f'[[sources]]\nname = "bench"\nkind = "news"\nlang = "auto"\nsitemaps = ["{base}/sitemap.xml"]\n'
                    f'max_pages = 1000\ndownload_delay = 0\nconcurrency = 16\n', encoding="utf-8")
    return path


class Timing(NamedTuple):
    wall: float
    cpu: float  # user + system seconds of the child and its children (a shared machine's noise is in wall)

    def __add__(self, other: object) -> Timing:
        assert isinstance(other, Timing)
        return Timing(self.wall + other.wall, self.cpu + other.cpu)


def _timed(argv: list[str]) -> Timing:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.run(argv, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(argv[:6])} ... failed ({proc.returncode}):\n{proc.stderr[-3000:]}")
    return Timing(wall, after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)


def _newsclaims(*args: str) -> list[str]:
    return [sys.executable, "-m", "newsclaims", *args]


def _ours_crawl(sources: Path, db: Path, *extra: str) -> Timing:
    sets = [a for k, v in POLITENESS_OFF.items() for a in ("--set", f"{k}={v}")]
    return _timed(_newsclaims("crawl", "--sources", str(sources), "--db", str(db), *sets, *extra))


def _bare(kind: str, *args: str) -> Timing:
    return _timed([sys.executable, "-m", "bench.crawl_throughput", "--child", kind, *args])


# -- the bare stages, each run as its own process (--child) ---------------------------------------------


class BatchInsert:
    """The bare crawl's pipeline: items inserted with sqlite-utils, BATCH at a time."""

    @classmethod
    def from_crawler(cls, crawler: Any) -> BatchInsert:
        return cls(crawler.settings.get("BARE_DB"))

    def __init__(self, db_path: str) -> None:
        import sqlite_utils

        self.db = sqlite_utils.Database(db_path)
        self.rows: list[dict[str, Any]] = []

    def process_item(self, item: Any, spider: Any = None) -> Any:
        self.rows.append(item)
        if len(self.rows) >= BATCH:
            self.flush()
        return item

    def flush(self) -> None:
        if self.rows:
            self.db["articles"].insert_all(self.rows, pk="url", replace=True)
            self.rows = []

    def close_spider(self, spider: Any = None) -> None:
        self.flush()
        self.db.close()


def bare_crawl(sitemap: str, db_path: str) -> None:
    """Scrapy SitemapSpider + trafilatura.extract + batched sqlite-utils insert."""
    import trafilatura
    from scrapy.crawler import CrawlerProcess
    from scrapy.spiders import SitemapSpider

    class BareSpider(SitemapSpider):
        name = "bare"
        sitemap_urls = [sitemap]

        def parse(self, response: Any) -> Any:
            text = trafilatura.extract(response.text, url=response.url)
            if text:
                yield {"url": response.url, "text": text, "body": response.body}

    process = CrawlerProcess(settings={**POLITENESS_OFF, "ROBOTSTXT_OBEY": True, "LOG_LEVEL": "WARNING",
                                       "BARE_DB": db_path, "ITEM_PIPELINES": {BatchInsert: 300}})
    process.crawl(BareSpider)
    process.start()


def bare_nlp(db_path: str) -> None:
    """The spaCy components `process` runs, over the stored texts, entities inserted with sqlite-utils."""
    import spacy
    import sqlite_utils

    from nlp.english import EXCLUDED, MODEL

    nlp = spacy.load(MODEL, exclude=EXCLUDED)
    if "senter" in nlp.disabled:
        nlp.enable_pipe("senter")
    db = sqlite_utils.Database(db_path)
    rows = list(db.query("SELECT url, text FROM articles"))
    ents = []
    for row, doc in zip(rows, nlp.pipe((r["text"] for r in rows), batch_size=32)):
        ents += [{"url": row["url"], "text": e.text, "label": e.label_, "start": e.start_char, "end": e.end_char}
                 for e in doc.ents]
    db["mentions"].insert_all(ents, batch_size=1000)
    db.close()


def extraction_alone(root: Path) -> tuple[Timing, Timing, int]:
    """Seconds of crawler.extract.extract and of trafilatura.extract over the same pages (one process)."""
    import trafilatura

    from crawler.extract import extract

    pages = [(p.read_bytes(), f"http://127.0.0.1/{p.name}") for p in sorted(root.glob("*.html"))]
    extract(pages[0][0], pages[0][1])
    trafilatura.extract(pages[0][0].decode("utf-8", "replace"))  # imports and caches warm on both sides
    start, cpu = time.perf_counter(), time.process_time()
    for body, url in pages:
        extract(body, url, content_type="text/html; charset=utf-8")
    ours = Timing(time.perf_counter() - start, time.process_time() - cpu)
    start, cpu = time.perf_counter(), time.process_time()
    for body, url in pages:
        trafilatura.extract(body.decode("utf-8", "replace"), url=url)
    return ours, Timing(time.perf_counter() - start, time.process_time() - cpu), len(pages)


def _count(db: Path, table: str) -> int:
    import sqlite3

    conn = sqlite3.connect(db)
    try:
        return int(conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0])
    finally:
        conn.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench crawl_throughput")
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        {"crawl": bare_crawl, "nlp": bare_nlp}[args.child[0]](*args.child[1:])
        return 0
    if not CORPUS.exists():
        print(f"bench: {CORPUS} not found; the crawl benchmark serves the shared corpus", file=sys.stderr)
        return 2
    from newsclaims.siteserver import SiteServer

    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        n = build_site(tmp / "site")
        ex_ours, ex_bare, ex_n = extraction_alone(tmp / "site")
        with SiteServer(tmp / "site") as server:
            sitemap = write_sitemap(tmp / "site", server.base_url)
            sources = _sources_file(tmp / "sources.toml", server.base_url)
            bare_crawl_s = _bare("crawl", sitemap, str(tmp / "bare.db"))
            bare_nlp_s = _bare("nlp", str(tmp / "bare.db"))
            bare_articles = _count(tmp / "bare.db", "articles")
            ours_crawl_s = _ours_crawl(sources, tmp / "ours.db")
            ours_articles = _count(tmp / "ours.db", "articles")
            ours_process_s = _timed(_newsclaims("process", "--db", str(tmp / "ours.db")))
            inline_s = _ours_crawl(sources, tmp / "inline.db", "--set", "NEWSCLAIMS_STORE_THREAD=False")
    rows = [
        ("extraction alone: crawler.extract vs trafilatura.extract", f"{ex_n} pages", ex_ours, ex_bare, None),
        ("crawl: newsclaims crawl vs bare SitemapSpider + trafilatura + sqlite-utils",
         f"{ours_articles} / {bare_articles} articles", ours_crawl_s, bare_crawl_s, 0.8),
        ("crawl, writes on the reactor thread (STORE_THREAD=False) vs the same bare crawl", "",
         inline_s, bare_crawl_s, None),
        ("end to end: crawl + process vs bare crawl + bare nlp.pipe (senter+ner) + insert", "",
         ours_crawl_s + ours_process_s, bare_crawl_s + bare_nlp_s, 0.8),
    ]
    print(f"site: {n} pages of the article-extraction-benchmark on 127.0.0.1, politeness off; load average "
          f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} cores; process: {ours_process_s.wall:.1f} s, "
          f"bare nlp: {bare_nlp_s.wall:.1f} s")
    print(f"{'what is compared':82} {'':20} {'ours s':>7} {'bare s':>7} {'ratio':>6} {'cpu ratio':>9}  goal (wall)")
    for what, note, ours, bare, goal in rows:
        ratio = bare.wall / ours.wall
        verdict = "" if goal is None else f">= {goal}: {'met' if ratio >= goal else 'NOT met'}"
        print(f"{what:82} {note:20} {ours.wall:7.1f} {bare.wall:7.1f} {ratio:6.2f} {bare.cpu / ours.cpu:9.2f}  "
              f"{verdict}")
    print("ratio = bare wall seconds / our wall seconds; cpu ratio = the same in CPU seconds (user + system, "
          "children included); all from this one run")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

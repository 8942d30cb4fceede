"""Generated article sites and `newsclaims` subprocess helpers for the incremental, resume and kill tests."""
from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
FAST = ["--set", "AUTOTHROTTLE_ENABLED=False", "--set", "DOWNLOAD_DELAY=0", "--set", "NEWSCLAIMS_BATCH_SECONDS=0.2"]
PAGE = """<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Story {n}: Widget maker {n} grows</title>
<meta property="og:type" content="article"><meta property="article:published_time" content="2024-01-{day:02d}">
</head><body><article><h1>Story {n}: Widget maker {n} grows</h1>
<p>Widget maker number {n} said revenue rose {n}% to ${n}.5 billion last year and that it aims to double output
within three years, according to a statement released on Monday to investors and customers alike.</p>
<p>The company, which employs {n}00 people, expects demand to stay strong in Europe and Asia and plans to open
two new factories, while keeping its spending plans for research and development unchanged for the year.</p>
<p>{extra}Analysts said the result was better than expected and pointed to strong demand from enterprise customers,
though some warned that higher component prices could weigh on margins in the second half of the year.</p>
</article></body></html>"""


def env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(REPO)}


def write_page(root: Path, n: int, extra: str = "") -> None:
    (root / f"story-{n}.html").write_text(PAGE.format(n=n, day=n % 28 + 1, extra=extra), encoding="utf-8")


def write_sitemap(root: Path, numbers: range | list[int]) -> None:
    """A sitemap whose <lastmod> is each page file's mtime, as a CMS would write it."""
    entries = []
    for n in numbers:
        mtime = datetime.fromtimestamp((root / f"story-{n}.html").stat().st_mtime, timezone.utc)
        entries.append(f"<url><loc>/story-{n}.html</loc><lastmod>{mtime.isoformat(timespec='seconds')}</lastmod></url>")
    (root / "sitemap.xml").write_text('<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
                                      + "".join(entries) + "</urlset>", encoding="utf-8")


def make_site(root: Path, *, feed: range, sitemap: range | None = None) -> Path:
    """story-N.html pages; an RSS feed (no dates) lists `feed`, a sitemap with lastmod lists `sitemap`."""
    root.mkdir(parents=True, exist_ok=True)
    for n in [*feed, *(sitemap or [])]:
        write_page(root, n)
    items = "".join(f"<item><title>Story {n}</title><link>/story-{n}.html</link></item>" for n in feed)
    (root / "feed.xml").write_text(f"<rss version='2.0'><channel><title>t</title>{items}</channel></rss>",
                                   encoding="utf-8")
    lines = ['[[sources]]', 'name = "widgets"', 'feeds = ["{base}/feed.xml"]']
    if sitemap:
        write_sitemap(root, sitemap)
        lines.append('sitemaps = ["{base}/sitemap.xml"]')
    (root / "robots.txt").write_text("User-agent: *\nDisallow: /private/\n", encoding="utf-8")
    sources = root.parent / f"{root.name}-sources.toml"
    sources.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return sources


def crawl_argv(sources: Path, db: Path, base: str, *extra: str) -> list[str]:
    return [sys.executable, "-m", "newsclaims", "crawl", "--sources", str(sources), "--base-url", base,
            "--db", str(db), *FAST, *extra]


def newsclaims(*args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "newsclaims", *args], capture_output=True, text=True,
                          timeout=timeout, cwd=REPO, env=env())


def rows(db: Path, sql: str, *params: object) -> list[sqlite3.Row]:
    conn = sqlite3.connect(db, timeout=30)
    conn.row_factory = sqlite3.Row
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()


def last_run(db: Path) -> sqlite3.Row:
    return rows(db, "SELECT * FROM crawl_runs ORDER BY id DESC LIMIT 1")[0]


def assert_sound(db: Path) -> None:
    """The database is intact and every article whole: text, its hash, a readable raw body, an FTS row."""
    import hashlib
    import zlib

    conn = sqlite3.connect(db, timeout=30)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        for article_id, text, digest, raw in conn.execute("SELECT id, text, content_hash, raw_body FROM articles"):
            assert text and digest == hashlib.sha256(text.encode("utf-8")).hexdigest(), article_id
            assert raw is not None and zlib.decompress(raw), article_id
        missing = conn.execute("SELECT count(*) FROM articles WHERE id NOT IN (SELECT rowid FROM articles_fts)")
        assert missing.fetchone()[0] == 0
    finally:
        conn.close()


def stop(proc: subprocess.Popen) -> None:
    """End a server a test started: SIGTERM, then SIGKILL if it has not gone within 10 s."""
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()

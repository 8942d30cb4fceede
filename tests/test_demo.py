"""Issue 2's acceptance on the bundled demo site: the real crawl stores every article page once, no listing
page, and the two Xiaomi reference pages with their gold metadata and clean text; `newsclaims demo` works."""
from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from db.store import Store
from newsclaims.config import REPO_DIR

GOLD = Path(__file__).parent / "fixtures" / "reference" / "gold"
SITE = REPO_DIR / "newsclaims" / "demo_site"
# The demo site's article pages: the feed's items plus the letter (see the site's NOTICE.md).
FEED_ITEMS = 20  # 12 news pages + 8 follow-up pages (newsclaims/demo_site/followups)
LETTERS = 1


def rows(db: Path, sql: str, *params: object) -> list[sqlite3.Row]:
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    conn.row_factory = sqlite3.Row
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()


def test_every_article_page_stored_once_and_no_listing_pages(demo_db: Path) -> None:
    articles = rows(demo_db, "SELECT url, canonical_url, kind, title FROM articles")
    assert len(articles) == FEED_ITEMS + LETTERS
    assert len({a["canonical_url"] for a in articles}) == len(articles)
    listing_pages = {"/", "/zh/", "/letters/", "/category/business/", "/category/hardware/", "/tag/xiaomi/"}
    stored_paths = {"/" + a["url"].split("/", 3)[-1] for a in articles}
    assert not stored_paths & listing_pages
    letters = [a for a in articles if a["kind"] == "letter"]
    assert len(letters) == 1 and letters[0]["url"].endswith(".pdf")


@pytest.mark.parametrize("gold_name, url_suffix", [
    ("technode-xiaomi-2018-02-08.json", "/2018/02/08/xiaomi-number-one-10-quarters/"),
    ("zh-xiaomi-letter-2018-02-08.json", "/tech/2018-02-08/xiaomi-letter.html"),
])
def test_reference_pages_match_gold(demo_db: Path, gold_name: str, url_suffix: str) -> None:
    gold = json.loads((GOLD / gold_name).read_text("utf-8"))
    (article,) = rows(demo_db, "SELECT * FROM articles WHERE url LIKE ?", "%" + url_suffix)
    assert article["title"] == gold["title"]
    assert article["author"] == gold.get("author")
    assert article["published"][:10] == gold["published"]
    assert article["lang"] == gold["lang"]
    for phrase in gold["text_must_contain"]:
        assert phrase in article["text"], phrase
    for phrase in gold["text_must_not_contain"]:
        assert phrase not in article["text"], phrase


def test_reference_claims_in_both_languages(demo_db: Path) -> None:
    found = rows(demo_db, """SELECT a.lang, c.kind, c.subject, c.speaker, c.deadline, c.figure_kind, c.figure_value
                             FROM claims c JOIN articles a ON a.id = c.article_id
                             WHERE c.subject = 'Xiaomi' AND c.kind IN ('target', 'forecast')""")
    keys = {(r["lang"], r["kind"], r["speaker"], r["deadline"], r["figure_kind"], r["figure_value"]) for r in found}
    for lang in ("en", "zh"):
        assert (lang, "target", "Lei Jun", "2020-06-30", "rank", 1.0) in keys
        assert (lang, "forecast", "Lei Jun", "2018-12-31", "rank", 500.0) in keys


def test_demo_command_end_to_end(tmp_path: Path) -> None:
    db = tmp_path / "demo.db"
    with Store.open(db) as earlier:  # an earlier demo's database: the demo replaces it and starts fresh
        earlier.mark_as_demo()
        earlier.start_run(sources=["earlier"])
    proc = subprocess.run([sys.executable, "-m", "newsclaims", "demo", "--db", str(db)], cwd=tmp_path,
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    out = proc.stdout
    assert "Lei Jun: Xiaomi will be number one in China again within 10 quarters" in out
    assert "雷军发布内部信：小米要在十个季度内重回中国市场第一" in out
    assert "2020-06-30" in out and "Next, try:" in out
    tracker = out[out.index("Promise tracker"):out.index("Next, try:")]
    for status in ("kept", "missed", "pending", "unclear"):  # make demo shows one claim of each outcome
        assert f"\n{status} " in tracker, status
    assert "Traceback" not in proc.stderr
    (count,) = rows(db, "SELECT count(*) AS n FROM articles")
    assert count["n"] == FEED_ITEMS + LETTERS
    (run,) = rows(db, "SELECT sources FROM crawl_runs")  # the earlier demo's run went with its database
    assert "earlier" not in run["sources"]


def test_comparison_names_what_it_compares_with_in_both_languages(demo_db: Path) -> None:
    found = rows(demo_db, """SELECT a.lang, c.figure_value, c.compared_with FROM claims c
                             JOIN articles a ON a.id = c.article_id
                             WHERE c.kind = 'comparison' AND c.subject = 'Xiaomi'
                               AND substr(a.published, 1, 10) = '2018-02-08'""")  # the reference articles, not follow-ups
    by_lang = {r["lang"]: (r["figure_value"], json.loads(r["compared_with"])) for r in found}
    for lang in ("en", "zh"):
        assert by_lang[lang] == (7.0, ["Apple", "Google", "Tencent", "Huawei"])

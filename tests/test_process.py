"""`newsclaims process`: batches through the real pipelines, idempotent, --reprocess from the stored raw page,
--workers, and one broken article logged and counted without stopping the batch."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from crawler.extract import extract
from db.store import Store
from newsclaims.processing import process_articles

SITE = Path(__file__).parent / "fixtures" / "reference" / "site"
PAGES = {
    "https://technode.com/2018/02/08/xiaomi-number-one-10-quarters/": "technode-xiaomi-2018-02-08.html",
    "https://tech.example.cn/2018-02-08/xiaomi.html": "zh-xiaomi-letter-2018-02-08.html",
}
# A real failure: spaCy refuses texts over its max_length (1,000,000 characters).
HUGE_TEXT = "word " * 250_000


def article(url: str, body: bytes) -> dict:
    page = extract(body, url)
    return {"url": url, "canonical_url": url, "source": "test", "kind": "news", "lang": page.lang,
            "title": page.title, "author": page.author, "published": page.published, "text": page.text,
            "raw_body": body, "content_type": "text/html", "fetched_at": "2026-11-24T00:00:00+00:00"}


def build(path: Path) -> Path:
    with Store.open(path) as store:
        rows = [article(url, (SITE / name).read_bytes()) for url, name in PAGES.items()]
        rows.append({**rows[0], "url": "https://example.com/huge", "canonical_url": "https://example.com/huge",
                     "text": HUGE_TEXT, "raw_body": b""})
        rows.append({**rows[0], "url": "https://example.de/a", "canonical_url": "https://example.de/a",
                     "lang": "de", "text": "Die Firma will bis 2026 die Nummer eins werden.", "raw_body": b""})
        store.save_articles(rows)
    return path


def claim_rows(path: Path) -> list[tuple]:
    with Store.open(path, readonly=True) as store:
        return [tuple(r) for r in store.conn.execute(
            """SELECT a.canonical_url, c.kind, c.subject, c.speaker, c.figure_text, c.deadline, c.start, c."end"
               FROM claims c JOIN articles a ON a.id = c.article_id ORDER BY 1, 7, 2""")]


def states(path: Path) -> dict[str, str]:
    with Store.open(path, readonly=True) as store:
        return {r[0]: r[1] for r in store.conn.execute("SELECT canonical_url, process_state FROM articles")}


def test_broken_article_is_counted_and_the_batch_goes_on(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    db = build(tmp_path / "p.db")
    with Store.open(db) as store:
        stats = process_articles(store)
    assert (stats.analysed, stats.failed, stats.skipped) == (2, 1, 1)
    assert stats.errors == {"analysis_error": 1, "unsupported_language": 1}
    assert stats.claims > 0
    assert states(db) == {**{u: "done" for u in PAGES}, "https://example.com/huge": "error",
                          "https://example.de/a": "error"}
    with Store.open(db, readonly=True) as store:
        (error,) = store.conn.execute(
            "SELECT process_error FROM articles WHERE canonical_url = 'https://example.com/huge'").fetchone()
    assert "E088" in error
    assert "analysis failed" in caplog.text


def test_rerun_is_idempotent_and_reprocess_reextracts_from_the_raw_page(tmp_path: Path) -> None:
    db = build(tmp_path / "p.db")
    with Store.open(db) as store:
        process_articles(store)
        before = claim_rows(db)
        assert process_articles(store).analysed == 0  # nothing pending: nothing redone
        assert claim_rows(db) == before
        # A worse extraction stored earlier is repaired from the raw page by --reprocess.
        (first_id,) = store.conn.execute("SELECT id FROM articles ORDER BY id LIMIT 1").fetchone()
        store.update_extraction(first_id, {"text": "stale text"})
    proc = subprocess.run([sys.executable, "-m", "newsclaims", "process", "--reprocess", "--db", str(db)],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert "Analysed 2 articles" in proc.stdout and "1 failed, 1 skipped" in proc.stdout
    assert "Traceback" not in proc.stderr
    assert claim_rows(db) == before
    with Store.open(db, readonly=True) as store:
        (text,) = store.conn.execute("SELECT text FROM articles WHERE id = ?", (first_id,)).fetchone()
    assert "Happy new year to all Xiaomi classmates" in text


def test_two_workers_give_the_same_rows_as_one(tmp_path: Path) -> None:
    one, two = build(tmp_path / "one.db"), build(tmp_path / "two.db")
    with Store.open(one) as store:
        process_articles(store, workers=1)
    with Store.open(two) as store:
        stats = process_articles(store, workers=2)
    assert (stats.analysed, stats.failed, stats.skipped) == (2, 1, 1)
    assert claim_rows(one) == claim_rows(two) and claim_rows(one)

"""`newsclaims import` of WARC files, and `analyze` of .gz and WARC files.

The WARC files are written by the tests (warcio's writer) from the demo site's pages, or, in the corpus
test, from the MIT-licensed article-extraction-benchmark pages read from ../shared.
"""
from __future__ import annotations

import gzip
import json
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from crawl_site import REPO, assert_sound, env, rows
from newsclaims.cli import cli
from warc_build import Page, benchmark_pages, demo_pages, write_warc

SKIPPED_EXTRAS = {"warcinfo": 1, "non_200": 1, "revisit": 1, "metadata": 1}


def run_import(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["import", *args])
    return result.exit_code, result.output


def last_run(db: Path) -> dict:
    row = dict(rows(db, "SELECT * FROM crawl_runs ORDER BY id DESC LIMIT 1")[0])
    row["stats"] = json.loads(row["stats"] or "{}")
    return row


@pytest.fixture(scope="module")
def demo_warc(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_warc(tmp_path_factory.mktemp("warc") / "demo.warc.gz", demo_pages())


def test_import_stores_articles_under_record_urls_and_a_second_import_adds_nothing(
        tmp_path: Path, demo_warc: Path) -> None:
    db = tmp_path / "x.db"
    pages = demo_pages()
    code, out = run_import(str(demo_warc), "--db", str(db))
    assert code == 0, out
    run = last_run(db)
    assert run["command"] == "import" and run["status"] == "finished"
    assert run["pages_fetched"] == len(pages)
    skipped = run["stats"]["records_skipped"]
    assert skipped["request"] == len(pages) and {k: skipped[k] for k in SKIPPED_EXTRAS} == SKIPPED_EXTRAS
    assert run["skipped"] == sum(skipped.values())
    stored = {r["url"]: r for r in rows(db, "SELECT url, fetched_at, published, kind, content_type FROM articles")}
    assert run["articles_new"] == len(stored) >= 10
    assert set(stored) <= {p.url for p in pages}
    letter = stored["http://demo.example/tech/2018-02-08/xiaomi-letter.html"]
    assert letter["fetched_at"].startswith("2024-03-01T12:00:00")  # WARC-Date
    assert letter["published"].startswith("2018-02-08")  # from the page
    pdf = [r for r in stored.values() if r["content_type"] == "application/pdf"]
    assert pdf and pdf[0]["kind"] == "letter"
    assert_sound(db)

    code, out = run_import(str(demo_warc), "--db", str(db))
    assert code == 0, out
    again = last_run(db)
    assert again["articles_new"] == again["articles_updated"] == 0
    assert again["stats"]["records_skipped"]["already_stored"] == len(stored)
    assert len(rows(db, "SELECT id FROM articles")) == len(stored)
    assert rows(db, "SELECT count(*) AS n FROM article_versions")[0]["n"] == 0


def test_filters_keep_listed_hosts_and_dates(tmp_path: Path) -> None:
    html = (REPO / "newsclaims" / "demo_site" / "tech" / "2018-02-08" / "xiaomi-letter-utf8.html").read_bytes()
    pages = [Page("http://keep.example/a.html", html, date="2024-01-10T00:00:00Z"),
             Page("http://news.keep.example/b.html", html, date="2024-02-10T00:00:00Z"),
             Page("http://keep.example/c.html", html, date="2024-03-10T00:00:00Z"),
             Page("http://other.example/d.html", html, date="2024-02-10T00:00:00Z")]
    warc = write_warc(tmp_path / "f.warc.gz", pages, extras=False)
    hosts = tmp_path / "hosts.txt"
    hosts.write_text("# hosts to keep\nkeep.example\n", encoding="utf-8")
    db = tmp_path / "x.db"
    code, out = run_import(str(warc), "--db", str(db), "--source-domains", str(hosts),
                           "--since", "2024-02-01", "--until", "2024-02-28")
    assert code == 0, out
    assert [r["url"] for r in rows(db, "SELECT url FROM articles")] == ["http://news.keep.example/b.html"]
    assert last_run(db)["stats"]["records_skipped"] == {"domain": 1, "date": 2}


def test_bad_input_is_one_line(tmp_path: Path) -> None:
    code, out = run_import(str(tmp_path / "missing.warc.gz"), "--db", str(tmp_path / "x.db"))
    assert code == 1 and "cannot read" in out and "Traceback" not in out
    code, out = run_import(str(tmp_path / "x.warc"), "--db", str(tmp_path / "x.db"), "--since", "last week")
    assert code == 2 and "--since" in out and "YYYY-MM-DD" in out and "Traceback" not in out  # a usage error
    truncated = tmp_path / "cut.warc.gz"
    whole = write_warc(tmp_path / "whole.warc.gz", demo_pages()).read_bytes()
    truncated.write_bytes(whole[: len(whole) // 2])
    code, out = run_import(str(truncated), "--db", str(tmp_path / "x.db"))
    assert "Traceback" not in out
    assert last_run(tmp_path / "x.db")["articles_new"] > 0  # what was readable is kept
    assert_sound(tmp_path / "x.db")


@pytest.mark.slow
def test_interrupted_import_resumes_at_the_record_offset(tmp_path: Path) -> None:
    warc = write_warc(tmp_path / "big.warc.gz", demo_pages(), repeat=4)
    db = tmp_path / "x.db"
    argv = [sys.executable, "-m", "newsclaims", "-v", "import", str(warc), "--db", str(db), "--batch-size", "2"]
    first = subprocess.Popen(argv, cwd=REPO, env=env(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def progressed() -> bool:
        try:
            return len(rows(db, "SELECT id FROM articles")) >= 6
        except Exception:  # the database is still being created
            return False

    # kill on observed progress: a few batches committed (with their offsets), the file far from done
    while not progressed():
        assert first.poll() is None, "the import ended before it could be interrupted"
    first.send_signal(signal.SIGKILL)
    first.wait()
    done_before = len(rows(db, "SELECT id FROM articles"))
    offset = json.loads(rows(db, "SELECT stats FROM crawl_runs ORDER BY id DESC LIMIT 1")[0]["stats"])["offsets"]
    assert 0 < next(iter(offset.values())) < warc.stat().st_size

    second = subprocess.run(argv, cwd=REPO, env=env(), capture_output=True, text=True, timeout=600)
    assert second.returncode == 0, second.stderr[-2000:]
    assert "resuming the interrupted import" in second.stderr
    resumed = last_run(db)
    assert resumed["pages_fetched"] < 4 * len(demo_pages())  # it did not start from the top
    total = len(rows(db, "SELECT id FROM articles"))
    assert total > done_before
    assert total == done_before + resumed["articles_new"]
    assert_sound(db)


def test_analyze_reads_gz_and_warc_files(tmp_path: Path) -> None:
    """Today's bug: a .html.gz gave "no text found (not HTML (binary content))"."""
    page = REPO / "newsclaims" / "demo_site" / "tech" / "2018-02-08" / "xiaomi-letter-utf8.html"
    gz = tmp_path / "letter.html.gz"
    gz.write_bytes(gzip.compress(page.read_bytes()))
    chosen = [p for p in demo_pages() if p.url.endswith(("/xiaomi-letter.html", ".pdf"))]
    warc = write_warc(tmp_path / "two.warc.gz", chosen)
    result = CliRunner().invoke(cli, ["analyze", str(gz), str(warc)])
    docs = [json.loads(line) for line in result.stdout.splitlines() if line.strip()]
    assert docs[0]["source"] == str(gz) and docs[0]["lang"] == "zh" and docs[0]["claims"]
    assert [d["source"] for d in docs[1:]] == [f"{warc}#{p.url}" for p in chosen]  # request/404/... passed over
    assert all(d["claims"] for d in docs[1:])


@pytest.mark.corpus
@pytest.mark.slow
def test_import_of_the_181_benchmark_pages(tmp_path: Path, shared_dir: Path) -> None:
    pages = benchmark_pages(shared_dir / "corpus")
    assert len(pages) == 181
    warc = write_warc(tmp_path / "bench.warc.gz", pages)
    db = tmp_path / "x.db"
    code, out = run_import(str(warc), "--db", str(db))
    assert code == 0, out
    urls = {r["url"] for r in rows(db, "SELECT url FROM articles")}
    assert len(urls & {p.url for p in pages}) >= 170
    skipped = last_run(db)["stats"]["records_skipped"]
    assert skipped["request"] == 181 and skipped["non_200"] == 1 and skipped["revisit"] == 1
    code, out = run_import(str(warc), "--db", str(db))
    assert code == 0, out
    again = last_run(db)
    assert again["articles_new"] == again["articles_updated"] == 0
    assert len(rows(db, "SELECT id FROM articles")) == len(urls)


def test_extraction_workers_store_the_same_articles(tmp_path: Path, demo_warc: Path) -> None:
    one, two = tmp_path / "one.db", tmp_path / "two.db"
    assert run_import(str(demo_warc), "--db", str(one))[0] == 0
    code, out = run_import(str(demo_warc), "--db", str(two), "--workers", "2", "--batch-size", "4")
    assert code == 0, out
    columns = "url, canonical_url, title, published, fetched_at, content_hash"
    assert rows(one, f"SELECT {columns} FROM articles ORDER BY url") == rows(two, f"SELECT {columns} FROM articles ORDER BY url")
    assert_sound(two)

"""claims, due, search and entities against the demo database built by the real pipeline."""
from __future__ import annotations

import csv
import io
import sqlite3
from pathlib import Path

import pytest

from use_data import build_sample_database, run, run_json


def test_claims_entity_alias_in_either_language_finds_the_target_in_both_articles(demo_db: Path) -> None:
    by_chinese = run_json(demo_db, "claims", "--entity", "小米", "--kind", "target")
    by_english = run_json(demo_db, "claims", "--entity", "xiaomi", "--kind", "target")
    assert by_chinese == by_english
    ten_quarters = [r for r in by_chinese if r["deadline"] == "2020-06-30"]
    assert {r["lang"] for r in ten_quarters} == {"en", "zh"}
    assert {r["figure_value"] for r in ten_quarters} == {1.0}
    assert all(r["subject"] == "Xiaomi" and r["kind"] == "target" and r["url"].startswith("http") for r in ten_quarters)
    en = next(r for r in ten_quarters if r["lang"] == "en")
    assert "10" in en["sentence"] and "quarters" in en["sentence"]


def test_claims_filters_combine(demo_db: Path) -> None:
    every = run_json(demo_db, "claims", "--limit", "1000")
    assert every and set(every[0]) >= {"deadline", "lang", "url", "subject", "speaker", "figure_text", "sentence"}
    zh = run_json(demo_db, "claims", "--lang", "zh", "--limit", "1000")
    assert zh and {r["lang"] for r in zh} == {"zh"} and len(zh) < len(every)
    due = run_json(demo_db, "claims", "--due-after", "2019-01-01", "--due-before", "2020-12-31", "--limit", "1000")
    assert due and all("2019-01-01" <= r["deadline"] <= "2020-12-31" for r in due)
    by_speaker = run_json(demo_db, "claims", "--speaker", "雷军", "--limit", "1000")
    assert by_speaker and {r["speaker"] for r in by_speaker} == {"Lei Jun"}
    recent = run_json(demo_db, "claims", "--since", "2019-01-01", "--limit", "1000")
    assert recent and all(r["published"] >= "2019-01-01" for r in recent)
    assert len(run_json(demo_db, "claims", "--limit", "2")) == 2


def test_claims_csv_and_table_output(demo_db: Path) -> None:
    code, out, _ = run("claims", "--entity", "Xiaomi", "--format", "csv", "--db", str(demo_db))
    rows = list(csv.DictReader(io.StringIO(out)))
    assert code == 0 and rows and "deadline" in rows[0]
    code, out, _ = run("claims", "--entity", "小米", "--kind", "target", "--db", str(demo_db))
    assert code == 0 and "2020-06-30" in out and out.splitlines()[0].startswith("id")


def test_due_overdue_lists_the_ten_quarter_target_grouped_by_subject(demo_db: Path) -> None:
    rows = run_json(demo_db, "due", "--overdue")
    target = [r for r in rows if r["subject"] == "Xiaomi" and r["deadline"] == "2020-06-30"]
    assert {r["lang"] for r in target} == {"en", "zh"}
    assert all(r["status"] == "overdue" and r["days"] < 0 and r["kind"] in ("target", "forecast") for r in rows)
    assert target[0]["made"] == "2018-02-08" and "years" in target[0]["made_ago"]
    subjects = [r["subject"] for r in rows]
    assert subjects == sorted(subjects, key=lambda s: (s is None, (s or "").lower()))  # grouped
    code, out, _ = run("due", "--overdue", "--db", str(demo_db))
    assert code == 0 and "\nXiaomi:" in out


def test_due_window_is_relative_to_as_of(demo_db: Path) -> None:
    rows = run_json(demo_db, "due", "--within", "1y", "--as-of", "2019-12-01")
    assert rows and all("2019-12-01" <= r["deadline"] <= "2020-11-30" for r in rows)
    assert any(r["deadline"] == "2020-06-30" and r["status"] == "due" for r in rows)
    assert run_json(demo_db, "due", "--within", "1d", "--as-of", "1990-01-01") == []


def test_search_chinese_finds_the_chinese_article_first(demo_db: Path) -> None:
    rows = run_json(demo_db, "search", "世界500强")
    assert rows[0]["type"] == "article" and rows[0]["lang"] == "zh" and "小米" in rows[0]["title"]
    assert "[世界500强]" in rows[0]["snippet"]
    claims = [r for r in rows if r["type"] == "claim"]
    assert claims and "世界500强" in claims[0]["snippet"]


def test_search_english_and_two_character_chinese_words(demo_db: Path) -> None:
    rows = run_json(demo_db, "search", "top 500")
    assert rows[0]["type"] == "article" and rows[0]["lang"] == "en" and "Xiaomi" in rows[0]["title"]
    assert "[top 500]" in rows[0]["snippet"]
    quarters = run_json(demo_db, "search", "季度", "--what", "articles")
    assert quarters and all(r["lang"] == "zh" for r in quarters)
    assert run_json(demo_db, "search", "zzzunfindable") == []


def test_entities_counts_per_language(demo_db: Path) -> None:
    rows = run_json(demo_db, "entities", "--type", "ORG", "--top", "50")
    xiaomi = next(r for r in rows if r["canonical"] == "Xiaomi")
    assert xiaomi["mentions_en"] > 0 and xiaomi["mentions_zh"] > 0
    assert xiaomi["mentions"] == xiaomi["mentions_en"] + xiaomi["mentions_zh"]
    assert xiaomi["claims_en"] > 0 and xiaomi["claims_zh"] > 0
    assert "小米" in xiaomi["aliases"] and {r["label"] for r in rows} == {"ORG"}
    assert len(run_json(demo_db, "entities", "--top", "3")) == 3


@pytest.mark.parametrize("args, message, exit_code", [
    (("claims", "--entity", "NoSuchCompany"), "unknown entity 'NoSuchCompany'", 1),
    (("claims", "--due-before", "2020-02-31"), "'--due-before': '2020-02-31' is not a date", 2),
    (("due", "--within", "soon"), "'--within': 'soon' is not a window", 2),
    (("search", "!!!"), "no words to search for", 1),
])
def test_bad_input_is_one_clear_line(demo_db: Path, args: tuple[str, ...], message: str, exit_code: int) -> None:
    code, out, err = run(*args, "--db", str(demo_db))
    assert code == exit_code and message in err and "Traceback" not in err
    assert [line for line in err.splitlines() if line.startswith("Error:")] == [err.strip().splitlines()[-1]]


@pytest.mark.parametrize("command", ["claims", "due", "search x", "entities", "report", "export -o x.csv"])
def test_missing_database_is_one_clear_line(tmp_path: Path, command: str) -> None:
    code, _, err = run(*command.split(), "--db", str(tmp_path / "nothing.db"))
    assert code == 1 and "no database at" in err and "Traceback" not in err


def test_queries_leave_the_database_unchanged(demo_db: Path) -> None:
    before = demo_db.stat().st_mtime_ns, demo_db.read_bytes()
    run_json(demo_db, "claims", "--entity", "小米")
    run_json(demo_db, "search", "小米")
    assert (demo_db.stat().st_mtime_ns, demo_db.read_bytes()) == before


def test_claim_search_index_follows_reanalysis_and_migration(tmp_path: Path) -> None:
    """claims_fts is filled for claims stored before schema v2 and replaced when an article is re-analysed."""
    db = build_sample_database(tmp_path / "sample.db")
    conn = sqlite3.connect(db)
    with conn:
        conn.execute("DELETE FROM claims_fts")  # as if the claims predated the migration
        conn.execute("DROP VIEW claims_with_articles")
        conn.execute("DROP TABLE claims_fts")
        for index in ("idx_claims_kind", "idx_claims_speaker", "idx_mentions_text"):
            conn.execute(f"DROP INDEX {index}")
        conn.execute("ALTER TABLE claims DROP COLUMN compared_with")  # added by v3
        for statement in ("DROP TABLE claim_outcomes", "DROP TABLE claim_groups", "DROP INDEX idx_claims_group",
                          "DROP INDEX idx_claims_subject_lower", "ALTER TABLE claims DROP COLUMN group_id"):
            conn.execute(statement)  # added by the promise tracker's migration
        conn.execute("DROP INDEX idx_claims_scope")  # added by the scope migration (v6)
        conn.execute("ALTER TABLE claims DROP COLUMN scope")  # added by the scope migration (v6)
        conn.execute("PRAGMA user_version = 1")
    conn.close()
    from db.store import Store
    from use_data import sample_analyses

    with Store.open(db) as store:  # migrates to the current version
        assert store.conn.execute("SELECT count(*) FROM claims_fts").fetchone()[0] == 6
        store.save_analyses([(1, sample_analyses()[0])], version="again")
        assert store.conn.execute("SELECT count(*) FROM claims_fts").fetchone()[0] == 6
        orphans = store.conn.execute("SELECT count(*) FROM claims_fts WHERE rowid NOT IN (SELECT id FROM claims)")
        assert orphans.fetchone()[0] == 0
    rows = run_json(db, "search", "世界500强", "--what", "claims")
    assert [r["lang"] for r in rows] == ["zh"]

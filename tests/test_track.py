"""The promise tracker on the demo database built by the real pipeline: `track`, `claims --group`, `due`'s outcome
column, exports, and incremental updates when new evidence arrives or a deadline passes."""
from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from crawler.items import Article
from db.store import Store
from db.tracking import track_rows, update_tracker
from use_data import run, run_json


@pytest.fixture()
def own_db(demo_db: Path, tmp_path: Path) -> Path:
    """A copy of the demo database a test may change."""
    copy = tmp_path / "demo.db"
    with Store.open(demo_db, readonly=True) as store:
        store.conn.execute("VACUUM INTO ?", (str(copy),))
    return copy


def test_demo_shows_each_outcome_with_its_evidence(demo_db: Path) -> None:
    rows = run_json(demo_db, "track")
    by_status = {s: [r for r in rows if r["status"] == s] for s in ("kept", "missed", "pending", "unclear")}
    assert all(by_status.values()), {s: len(v) for s, v in by_status.items()}
    for row in by_status["kept"] + by_status["missed"]:
        assert row["evidence"] and row["rule"].startswith(row["status"])
        for ev in row["evidence"]:
            assert ev["url"].startswith("http") and "/followups/" in ev["url"]
            assert ev["published"] > row["made"] and ev["sentence"] and ev["figure_text"]
    assert all(r["summary"].startswith(r["speaker"] or r["subject"]) for r in rows if r["speaker"] or r["subject"])


def test_xiaomi_claims_reach_the_outcomes_history_gives(demo_db: Path) -> None:
    rows = {r["deadline"]: r for r in run_json(demo_db, "track", "--entity", "Xiaomi")}
    fortune, number_one = rows["2018-12-31"], rows["2020-06-30"]
    assert fortune["status"] == "missed" and fortune["reached"] == "2019-07-23" and "late" in fortune["rule"]
    assert number_one["status"] == "missed" and not number_one["reached"]
    # the worldwide ranking (a different scope) is not evidence for a China target
    assert not any("Worldwide" in e["sentence"] for e in number_one["evidence"])
    # English and Chinese reports of one claim are one group
    assert fortune["languages"] == "en,zh" and number_one["languages"] == "en,zh" and number_one["reports"] == 2


def test_chinese_and_english_names_give_the_same_rows(demo_db: Path) -> None:
    assert run_json(demo_db, "track", "--entity", "小米") == run_json(demo_db, "track", "--entity", "Xiaomi")


def test_status_and_since_filters(demo_db: Path) -> None:
    pending = run_json(demo_db, "track", "--status", "pending")
    assert pending and {r["status"] for r in pending} == {"pending"}
    assert all(r["deadline"] > "2026-12-01" for r in pending)
    recent = run_json(demo_db, "track", "--since", "2024-01-01")
    assert recent and all(r["made"] >= "2024-01-01" for r in recent)
    assert not any(r["subject"] == "Xiaomi" for r in recent)


def test_track_table_and_csv(demo_db: Path) -> None:
    code, out, _ = run("track", "--entity", "xiaomi", "--db", str(demo_db))
    assert code == 0
    assert out.splitlines()[0].split() == ["status", "subject", "claim", "made", "deadline", "conf", "reports", "langs",
                                           "evidence"]
    assert "missed (late)" in out
    code, out, _ = run("track", "--format", "csv", "--db", str(demo_db))
    rows = list(csv.DictReader(io.StringIO(out)))
    assert code == 0 and rows and {"status", "rule", "evidence", "summary"} <= set(rows[0])


@pytest.mark.parametrize("args, message", [(["--entity", "Nokiaa"], "unknown entity"),
                                           (["--since", "2024-13-01"], "--since"),
                                           (["--status", "maybe"], "maybe")])
def test_track_bad_input_is_one_line_error(demo_db: Path, args: list[str], message: str) -> None:
    code, out, err = run("track", *args, "--db", str(demo_db))
    assert code != 0 and message in err and "Traceback" not in err + out


def test_claims_group_lists_one_row_per_group_with_members(demo_db: Path) -> None:
    groups = run_json(demo_db, "claims", "--group", "--entity", "小米", "--kind", "target")
    ten_quarters = [g for g in groups if g["deadline"] == "2020-06-30"]
    assert len(ten_quarters) == 1
    group = ten_quarters[0]
    assert group["reports"] == 2 and group["status"] == "missed"
    assert {m["lang"] for m in group["members"]} == {"en", "zh"}
    assert group["first_seen"] == "2018-02-08"
    code, out, _ = run("claims", "--group", "--entity", "xiaomi", "--db", str(demo_db))
    assert code == 0 and "reports" in out.splitlines()[0] and "members" not in out.splitlines()[0]


def test_due_gains_the_outcome_column(demo_db: Path) -> None:
    rows = run_json(demo_db, "due", "--overdue", "--entity", "Xiaomi")
    assert rows and {r["outcome"] for r in rows} == {"missed"}
    code, out, _ = run("due", "--overdue", "--entity", "Xiaomi", "--db", str(demo_db))
    assert code == 0 and "outcome" in out and "missed" in out


@pytest.mark.parametrize("what", ["groups", "outcomes"])
def test_export_groups_and_outcomes_with_a_card(demo_db: Path, tmp_path: Path, what: str) -> None:
    out = tmp_path / f"{what}.csv"
    code, stdout, err = run("export", "--what", what, "--format", "csv", "-o", str(out), "--entity", "小米",
                            "--db", str(demo_db))
    assert code == 0, err
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert rows and {r["subject"] for r in rows} == {"Xiaomi"}
    card = Path(str(out) + ".md").read_text(encoding="utf-8")
    assert "How outcomes are decided" in card and "| status |" in card


def test_new_evidence_changes_an_outcome_when_it_is_processed(own_db: Path) -> None:
    from newsclaims.processing import process_articles

    def rd_outcome(store: Store) -> dict:
        return next(r for r in track_rows(store, names=["kestrel devices"]) if r["figure_text"] == "$650 million")

    with Store.open(own_db) as store:
        assert rd_outcome(store)["status"] == "unclear"
        text = ("Kestrel Devices results for 2024 (a fictional report for this test).\n"
                "Kestrel Devices reported research and development spending of $700 million for 2024.")
        store.save_articles([Article(url="http://127.0.0.1/kestrel-rd", canonical_url="http://127.0.0.1/kestrel-rd",
                                     source="test", kind="news", text=text, raw_body=b"", content_type="text/plain",
                                     fetched_at="2025-03-01T00:00:00+00:00", lang="en", title="Kestrel R&D",
                                     published="2025-03-01")])
        stats = process_articles(store)
        assert stats.analysed == 1 and stats.tracker.outcomes >= 1
        outcome = rd_outcome(store)
        assert outcome["status"] == "kept" and outcome["evidence"][0]["url"] == "http://127.0.0.1/kestrel-rd"


def test_a_pending_promise_is_decided_once_its_deadline_passes(own_db: Path) -> None:
    with Store.open(own_db) as store:
        before = {r["group_id"]: r for r in track_rows(store, status="pending")}
        assert before
        stats = update_tracker(store, today="2031-01-01")
        assert stats.grouped == 0 and stats.outcomes == len(before)
        after = {r["group_id"]: r["status"] for r in track_rows(store)}
        assert all(after[g] != "pending" for g in before)


def test_reprocessing_keeps_groups_and_outcomes_consistent(own_db: Path) -> None:
    with Store.open(own_db) as store:
        before = sorted((r["subject"], r["deadline"], r["status"]) for r in track_rows(store))
        stats = update_tracker(store, full=True)
        assert stats.groups_removed == 0
        assert sorted((r["subject"], r["deadline"], r["status"]) for r in track_rows(store)) == before
        orphans = store.conn.execute("SELECT count(*) FROM claim_groups g WHERE NOT EXISTS "
                                     "(SELECT 1 FROM claims c WHERE c.group_id = g.id)").fetchone()[0]
        assert orphans == 0


def test_an_old_database_without_groups_is_a_clear_error_for_read_only_commands(tmp_path: Path) -> None:
    import sqlite3

    db = tmp_path / "old.db"
    Store.open(db).close()
    conn = sqlite3.connect(db)
    conn.executescript("DROP TABLE claim_outcomes; DROP TABLE claim_groups; PRAGMA user_version = 3;")
    conn.close()
    code, out, err = run("claims", "--group", "--db", str(db))
    assert code == 1 and "no claim groups yet" in err and "Traceback" not in err
    code, _, err = run("due", "--db", str(db))
    assert code == 0, err  # the outcome column is just empty


def test_track_on_a_missing_database_is_an_error_and_creates_nothing(tmp_path: Path) -> None:
    db = tmp_path / "nothing.db"
    code, out, err = run("track", "--db", str(db))
    assert code == 1 and "no database" in err and not db.exists()

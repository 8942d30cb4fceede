"""`newsclaims runs` and db.queries.list_runs over a real SQLite file."""
from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from db.queries import list_runs
from db.store import Store
from newsclaims.cli import cli


def dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


@pytest.fixture()
def ledger(tmp_path: Path) -> tuple[Path, dict[str, int]]:
    """Three runs: a finished one with errors, a failed one, one left 'running' by a dead process."""
    db = tmp_path / "runs.db"
    with Store.open(db) as store:
        ok = store.start_run(sources=["a"])
        store.finish_run(ok, status="finished",
                         stats={"pages_fetched": 12, "not_modified": 7, "articles_new": 3, "articles_updated": 1,
                                "articles_unchanged": 7, "skipped": 2},
                         errors={"timeout": 1, "http_5xx": 4, "size_limit": 2})
        failed = store.start_run(sources=["b"])
        store.finish_run(failed, status="failed", errors={"dns": 1})
        crashed = store.start_run(sources=["c"])
        store.conn.execute("UPDATE crawl_runs SET pid = ? WHERE id = ?", (dead_pid(), crashed))
        # fixed times make durations and the newest-first order exact
        for run_id, started, finished in ((ok, "2026-03-01T10:00:00+00:00", "2026-03-01T10:02:05+00:00"),
                                          (failed, "2026-03-01T16:00:00+00:00", "2026-03-01T16:00:09+00:00"),
                                          (crashed, "2026-03-01T22:00:00+00:00", None)):
            store.conn.execute("UPDATE crawl_runs SET started_at = ?, finished_at = ? WHERE id = ?",
                               (started, finished, run_id))
    return db, {"ok": ok, "failed": failed, "crashed": crashed}


def test_list_runs_newest_first_with_counters_and_durations(ledger: tuple[Path, dict[str, int]]) -> None:
    db, ids = ledger
    with Store.open(db, readonly=True) as store:
        runs = list_runs(store, None)
        assert [r["id"] for r in runs] == [ids["crashed"], ids["failed"], ids["ok"]]
        ok = runs[2]
        assert ok["duration"] == 125 and ok["status"] == "finished"
        assert (ok["pages_fetched"], ok["not_modified"], ok["new"], ok["updated"], ok["unchanged"],
                ok["skipped"]) == (12, 7, 3, 1, 7, 2)
        assert ok["errors"] == 7 and ok["error_counts"] == {"timeout": 1, "http_5xx": 4, "size_limit": 2}
        assert runs[1]["status"] == "failed" and runs[1]["duration"] == 9
        assert [r["id"] for r in list_runs(store, 1)] == [ids["crashed"]]


def test_a_running_row_of_a_dead_process_shows_as_interrupted_without_writing(
        ledger: tuple[Path, dict[str, int]]) -> None:
    db, ids = ledger
    with Store.open(db, readonly=True) as store:
        crashed = list_runs(store, 1)[0]
        assert crashed["status"] == "interrupted?" and crashed["duration"] is None
        assert store.conn.execute("SELECT status FROM crawl_runs WHERE id = ?",
                                  (ids["crashed"],)).fetchone()[0] == "running"


def test_a_running_row_of_a_live_process_stays_running(tmp_path: Path) -> None:
    with Store.open(tmp_path / "live.db") as store:
        store.start_run(sources=["a"])  # this test process is alive
        run = list_runs(store, 1)[0]
    assert run["status"] == "running" and run["duration"] is not None and run["duration"] >= 0


def test_runs_command_table(ledger: tuple[Path, dict[str, int]]) -> None:
    db, ids = ledger
    result = CliRunner().invoke(cli, ["runs", "--db", str(db)])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].split()[:5] == ["id", "command", "started", "duration", "status"]
    assert "not_modified" in lines[0] and "error_counts" in lines[0]
    first, _, last = lines[2:5]
    assert first.startswith(str(ids["crashed"])) and "interrupted?" in first and "2026-03-01 22:00:00" in first
    assert "125s" in last and "http_5xx: 4, size_limit: 2, timeout: 1" in last


def test_runs_command_json_and_csv(ledger: tuple[Path, dict[str, int]]) -> None:
    db, ids = ledger
    result = CliRunner().invoke(cli, ["runs", "--db", str(db), "--format", "json", "--limit", "3"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)
    assert [r["id"] for r in rows] == [ids["crashed"], ids["failed"], ids["ok"]]
    assert rows[2]["error_counts"] == {"timeout": 1, "http_5xx": 4, "size_limit": 2}
    assert rows[2]["not_modified"] == 7 and rows[2]["duration"] == 125.0
    result = CliRunner().invoke(cli, ["runs", "--db", str(db), "--format", "csv", "--limit", "2"])
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.output)))
    assert len(rows) == 2 and rows[1]["error_counts"] == "dns=1" and rows[1]["status"] == "failed"


def test_runs_command_on_a_missing_database_is_one_clear_line(tmp_path: Path) -> None:
    result = subprocess.run([sys.executable, "-m", "newsclaims", "runs", "--db", str(tmp_path / "none.db")],
                            capture_output=True, text=True, timeout=30)
    assert result.returncode == 1
    assert "no database at" in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / "none.db").exists()


def test_runs_command_on_an_empty_ledger(tmp_path: Path) -> None:
    Store.open(tmp_path / "empty.db").close()
    result = CliRunner().invoke(cli, ["runs", "--db", str(tmp_path / "empty.db"), "--format", "json"])
    assert result.exit_code == 0 and json.loads(result.output) == []

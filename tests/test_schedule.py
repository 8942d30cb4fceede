"""The scheduler and its run lock, with real processes, real signals and a real SQLite file.

Most tests give the scheduler a small Python child in place of `newsclaims run` (the child is the
scheduler's input, not a part of it), so signal and lock behaviour is checked in seconds; one slow
test runs the real `newsclaims schedule --every 2s` against a local site.
"""
from __future__ import annotations

import json
import logging
import os
import signal
import socket
import subprocess
import sys
import textwrap
import time
from datetime import datetime
from pathlib import Path

import pytest

from db.store import Store
from newsclaims.config import PACKAGE_DIR, REPO_DIR
from newsclaims.errors import ConfigError, DatabaseError, NewsclaimsError
from newsclaims.lock import LockBusy, RunLock, database_run_lock, inherited_lock, lock_path_for
from newsclaims.scheduler import Scheduler, parse_duration, run_command

PY = sys.executable
ENV = {**os.environ, "PYTHONPATH": str(REPO_DIR)}


def dead_pid() -> int:
    proc = subprocess.Popen([PY, "-c", "pass"])
    proc.wait()
    return proc.pid


def py_child(code: str) -> list[str]:
    return [PY, "-c", textwrap.dedent(code)]


def wait_for(predicate, timeout: float, what: str) -> None:  # noqa: ANN001
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        time.sleep(0.1)


# -- durations -------------------------------------------------------------------------------------

@pytest.mark.parametrize("text, seconds", [("2s", 2), ("30m", 1800), ("6h", 21600), ("1d", 86400),
                                           ("1h30m", 5400), ("1.5h", 5400), (" 10M ", 600)])
def test_parse_duration(text: str, seconds: float) -> None:
    assert parse_duration(text) == seconds


@pytest.mark.parametrize("text", ["", "6", "h", "6x", "1h 30", "-2s", "0s", "2s3"])
def test_parse_duration_rejects_bad_input(text: str) -> None:
    with pytest.raises(ConfigError):
        parse_duration(text)


def test_zero_jitter_is_allowed() -> None:
    assert parse_duration("0s", allow_zero=True) == 0


# -- the lock --------------------------------------------------------------------------------------

def test_lock_records_holder_and_releases_to_an_empty_file(tmp_path: Path) -> None:
    db = tmp_path / "a.db"
    with RunLock(db, command="test") as lock:
        record = json.loads(lock_path_for(db).read_text())
        assert record["pid"] == os.getpid() and record["host"] == socket.gethostname()
        assert record["command"] == "test" and datetime.fromisoformat(record["started_at"])
        assert lock.held
    assert lock_path_for(db).read_text() == ""
    assert lock_path_for(db) == tmp_path / "a.db.lock"


def test_stale_lock_with_dead_pid_is_taken_over(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    db = tmp_path / "a.db"
    gone = dead_pid()
    lock_path_for(db).write_text(json.dumps({"pid": gone, "host": socket.gethostname(),
                                             "started_at": "2026-01-01T00:00:00+00:00", "command": "schedule"}))
    with caplog.at_level(logging.WARNING, logger="newsclaims.lock"):
        lock = RunLock(db)
        lock.acquire()
    try:
        assert "stale" in caplog.text and f"pid {gone}" in caplog.text and "no longer exists" in caplog.text
        assert json.loads(lock_path_for(db).read_text())["pid"] == os.getpid()
    finally:
        lock.release()


def test_unreadable_lock_file_is_taken_over(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    db = tmp_path / "a.db"
    lock_path_for(db).write_bytes(b"\x00garbage{")
    with caplog.at_level(logging.WARNING, logger="newsclaims.lock"), RunLock(db):
        assert "unreadable" in caplog.text


HOLD_LOCK = """
    import sys, time
    from newsclaims.lock import RunLock
    lock = RunLock(sys.argv[1], command="holder")
    lock.acquire()
    print("locked", flush=True)
    time.sleep(60)
"""


def test_live_holder_blocks_and_sigkill_frees_the_lock(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    db = tmp_path / "a.db"
    holder = subprocess.Popen([*py_child(HOLD_LOCK), str(db)], stdout=subprocess.PIPE, text=True, env=ENV)
    try:
        assert holder.stdout.readline().strip() == "locked"
        with pytest.raises(LockBusy) as busy:
            RunLock(db).acquire()
        assert busy.value.holder is not None and busy.value.holder.pid == holder.pid
        assert f"pid {holder.pid}" in str(busy.value) and "`holder`" in str(busy.value)
        started = time.monotonic()
        with pytest.raises(LockBusy):
            RunLock(db).acquire(wait=0.6, poll=0.1)
        assert time.monotonic() - started >= 0.6
        holder.kill()  # a crash: no chance to release
        holder.wait()
        with caplog.at_level(logging.WARNING, logger="newsclaims.lock"), RunLock(db) as lock:
            assert lock.held
            assert f"stale run lock {lock_path_for(db)} left by `holder` pid {holder.pid}" in caplog.text
    finally:
        holder.kill()
        holder.wait()


def test_lock_in_missing_folder_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(Exception, match="does not exist"):
        RunLock(tmp_path / "nope" / "a.db").acquire()


# -- the scheduler with stand-in runs ---------------------------------------------------------------

def test_scheduler_runs_every_interval_without_overlap(tmp_path: Path) -> None:
    db, log = tmp_path / "a.db", tmp_path / "runs.log"
    child = py_child(f"""
        import time
        with open({str(log)!r}, "a") as f: f.write(f"start {{time.monotonic()}}\\n")
        time.sleep(0.7)
        with open({str(log)!r}, "a") as f: f.write(f"end {{time.monotonic()}}\\n")
    """)
    scheduler = Scheduler(str(db), child, every=0.5, max_runs=3)
    began = time.monotonic()
    assert scheduler.run() == 0
    assert [o.status for o in scheduler.outcomes] == ["finished"] * 3
    events = [line.split() for line in log.read_text().splitlines()]
    assert [e[0] for e in events] == ["start", "end"] * 3  # strictly one run after the other


def test_scheduler_waits_the_interval_between_starts(tmp_path: Path) -> None:
    child = py_child("pass")
    scheduler = Scheduler(str(tmp_path / "a.db"), child, every=1.0, max_runs=3)
    began = time.monotonic()
    assert scheduler.run() == 0
    # run n starts on the n-th tick of a fixed grid, never before it (a loaded machine can only make it later)
    starts = [o.started for o in scheduler.outcomes]
    assert len(starts) == 3 and all(start >= began + n * 1.0 for n, start in enumerate(starts)), starts


def test_scheduler_child_inherits_the_lock(tmp_path: Path) -> None:
    db, out = tmp_path / "a.db", tmp_path / "child.json"
    child = py_child(f"""
        import json
        from newsclaims.lock import LockBusy, RunLock, inherited_lock
        try:
            RunLock({str(db)!r}).acquire()
            busy = False
        except LockBusy as exc:
            busy = exc.holder.child_pid
        with open({str(out)!r}, "w") as f:
            json.dump({{"inherited": inherited_lock({str(db)!r}), "busy_child_pid": busy}}, f)
    """)
    scheduler = Scheduler(str(db), child, every=1, max_runs=1)
    assert scheduler.run() == 0
    seen = json.loads(out.read_text())
    assert seen["inherited"] is True
    assert isinstance(seen["busy_child_pid"], int) and seen["busy_child_pid"] > 0  # the lock names the child
    assert not inherited_lock(db)  # this test process holds nothing
    assert lock_path_for(db).read_text() == ""


def test_database_run_lock_for_manual_commands(tmp_path: Path) -> None:
    """What `crawl`/`run` use: their own lock when started by hand, the inherited one under the scheduler."""
    db, out = tmp_path / "a.db", tmp_path / "child.txt"
    with database_run_lock(db, command="run") as lock:
        assert lock is not None and lock.held
        with pytest.raises(LockBusy, match="`run` pid"):
            with database_run_lock(db):
                pass
    assert lock_path_for(db).read_text() == ""
    child = py_child(f"""
        from newsclaims.lock import database_run_lock
        with database_run_lock({str(db)!r}) as lock:
            open({str(out)!r}, "w").write("inherited" if lock is None else "own lock")
    """)
    assert Scheduler(str(db), child, every=1, max_runs=1).run() == 0
    assert out.read_text() == "inherited"


def test_scheduler_skips_a_run_while_another_process_holds_the_lock(tmp_path: Path,
                                                                   caplog: pytest.LogCaptureFixture) -> None:
    db, marker = tmp_path / "a.db", tmp_path / "ran"
    child = py_child(f"open({str(marker)!r}, 'w').close()")
    with RunLock(db, command="manual"), caplog.at_level(logging.WARNING, logger="newsclaims.scheduler"):
        scheduler = Scheduler(str(db), child, every=1, max_runs=1)
        assert scheduler.run() == 0
    assert [o.status for o in scheduler.outcomes] == ["skipped"]
    assert "run 1 skipped: the database is busy" in caplog.text and "`manual` pid" in caplog.text
    assert not marker.exists()


def test_scheduler_skips_while_the_ledger_shows_a_live_run_and_marks_dead_ones(tmp_path: Path,
                                                                              caplog: pytest.LogCaptureFixture) -> None:
    db, marker = tmp_path / "a.db", tmp_path / "ran"
    manual = subprocess.Popen([PY, "-c", "import time; time.sleep(60)"])
    try:
        with Store.open(db) as store:
            dead_run = store.start_run(sources=["x"])
            live_run = store.start_run(sources=["y"])
            store.conn.execute("UPDATE crawl_runs SET pid = ? WHERE id = ?", (dead_pid(), dead_run))
            store.conn.execute("UPDATE crawl_runs SET pid = ? WHERE id = ?", (manual.pid, live_run))
        child = py_child(f"open({str(marker)!r}, 'w').close()")
        with caplog.at_level(logging.WARNING, logger="newsclaims.scheduler"):
            scheduler = Scheduler(str(db), child, every=1, max_runs=1)
            scheduler.run()
        assert scheduler.outcomes[0].status == "skipped"
        assert f"crawl run {live_run} (`crawl`, pid {manual.pid}" in caplog.text
        assert not marker.exists()
        with Store.open(db, readonly=True) as store:
            status = dict(store.conn.execute("SELECT id, status FROM crawl_runs").fetchall())
        assert status == {dead_run: "interrupted", live_run: "running"}
    finally:
        manual.kill()
        manual.wait()


def test_failed_runs_are_logged_and_make_a_bounded_schedule_exit_1(tmp_path: Path,
                                                                  caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="newsclaims.scheduler"):
        scheduler = Scheduler(str(tmp_path / "a.db"), py_child("raise SystemExit(3)"), every=0.2, max_runs=2)
        assert scheduler.run() == 1
    assert [o.exit_code for o in scheduler.outcomes] == [3, 3]
    assert "run 1 failed: exit code 3 after" in caplog.text


SCHEDULE_STANDIN = """
    import logging, sys
    from newsclaims.scheduler import Scheduler
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    db, marker, seconds = sys.argv[1], sys.argv[2], sys.argv[3]
    child = [sys.executable, "-c",
             "import sys, time; open(sys.argv[1] + '.started', 'w').close(); time.sleep(float(sys.argv[2])); "
             "open(sys.argv[1] + '.done', 'w').close()", marker, seconds]
    scheduler = Scheduler(db, child, every=30)
    scheduler.install_signal_handlers()
    sys.exit(scheduler.run())
"""


def _start_standin_scheduler(tmp_path: Path, seconds: float) -> tuple[subprocess.Popen[str], Path]:
    marker = tmp_path / "run"
    proc = subprocess.Popen([*py_child(SCHEDULE_STANDIN), str(tmp_path / "a.db"), str(marker), str(seconds)],
                            env=ENV, stderr=subprocess.PIPE, text=True)
    wait_for(lambda: Path(f"{marker}.started").exists(), 20, "the first run to start")
    return proc, marker


def read_until(proc: subprocess.Popen[str], text: str) -> list[str]:
    """stderr lines up to and including the first that contains `text` (the scheduler's log says what it does)."""
    lines = []
    for line in proc.stderr:
        lines.append(line)
        if text in line:
            return lines
    raise AssertionError(f"the scheduler ended without logging {text!r}: {''.join(lines)[-2000:]}")


def test_sigterm_lets_the_current_run_finish_then_exits_0(tmp_path: Path) -> None:
    proc, marker = _start_standin_scheduler(tmp_path, 1.5)
    proc.send_signal(signal.SIGTERM)
    code = proc.wait(timeout=20)
    assert code == 0, proc.stderr.read()
    assert Path(f"{marker}.done").exists()  # the run was not cut short


def test_sigint_between_runs_exits_at_once(tmp_path: Path) -> None:
    proc, marker = _start_standin_scheduler(tmp_path, 0.1)
    read_until(proc, "next run in")  # now sleeping until the next run, 30 s away
    assert Path(f"{marker}.done").exists()
    proc.send_signal(signal.SIGINT)
    assert proc.wait(timeout=5) == 0


def test_second_signal_terminates_the_run(tmp_path: Path) -> None:
    proc, marker = _start_standin_scheduler(tmp_path, 60)
    proc.send_signal(signal.SIGTERM)
    read_until(proc, "stopping after the current run")
    assert proc.poll() is None  # still waiting for the run
    proc.send_signal(signal.SIGTERM)
    code = proc.wait(timeout=20)
    assert code == 128 + signal.SIGTERM
    assert not Path(f"{marker}.done").exists()
    assert "terminating the current run" in proc.stderr.read()


def test_run_command_builds_the_newsclaims_run_child() -> None:
    argv = run_command("x.db", sources=("a", "b"), sources_file="s.toml", verbose=1)
    assert argv == [sys.executable, "-m", "newsclaims", "-v", "run", "--db", "x.db", "--source", "a",
                    "--source", "b", "--sources", "s.toml"]


def test_schedule_command_rejects_bad_options(tmp_path: Path) -> None:
    result = subprocess.run([PY, "-m", "newsclaims", "schedule", "--every", "soon", "--db", str(tmp_path / "a.db")],
                            capture_output=True, text=True, env=ENV, timeout=30)
    assert result.returncode != 0 and "not a duration: 'soon'" in result.stderr
    assert "Traceback" not in result.stderr
    result = subprocess.run([PY, "-m", "newsclaims", "schedule", "--every", "2s", "--db",
                             str(tmp_path / "missing" / "a.db")], capture_output=True, text=True, env=ENV, timeout=30)
    assert result.returncode == 1 and "does not exist" in result.stderr and "Traceback" not in result.stderr


# -- the real thing: `newsclaims schedule --every 2s` against a local site ----------------------------

@pytest.mark.slow
def test_schedule_every_2s_runs_three_non_overlapping_runs_and_stops_on_sigterm(tmp_path: Path) -> None:
    from newsclaims.siteserver import SiteServer

    db = tmp_path / "news.db"
    with SiteServer(PACKAGE_DIR / "demo_site") as site:
        sources = tmp_path / "sources.toml"
        sources.write_text(textwrap.dedent(f"""
            [[sources]]
            name = "local"
            feeds = ["{site.url('/feed.xml')}"]
            max_pages = 3
            download_delay = 0
        """))
        proc = subprocess.Popen([PY, "-m", "newsclaims", "schedule", "--every", "2s", "--db", str(db),
                                 "--sources", str(sources)], env=ENV, stderr=subprocess.PIPE, text=True,
                                cwd=tmp_path)

        def finished_runs() -> int:
            if not db.exists():
                return 0
            try:
                store = Store.open(db, readonly=True)
            except DatabaseError:  # the first run has created the file but not migrated it yet
                return 0
            with store:
                return store.conn.execute("SELECT count(*) FROM crawl_runs WHERE finished_at IS NOT NULL"
                                          ).fetchone()[0]

        try:
            wait_for(lambda: finished_runs() >= 3 or proc.poll() is not None, 120, "three finished crawl runs")
            assert proc.poll() is None, proc.stderr.read()
            proc.send_signal(signal.SIGTERM)
            code = proc.wait(timeout=60)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
        log = proc.stderr.read()
    assert code == 0, log
    with Store.open(db, readonly=True) as store:
        runs = [dict(r) for r in store.conn.execute("SELECT * FROM crawl_runs ORDER BY id")]
        articles = store.conn.execute("SELECT count(*) FROM articles").fetchone()[0]
    assert len(runs) >= 3
    assert all(r["status"] == "finished" for r in runs), runs
    for earlier, later in zip(runs, runs[1:]):
        assert earlier["finished_at"] <= later["started_at"], (earlier, later)
    assert len({r["pid"] for r in runs}) == len(runs)  # each run was its own process
    assert articles >= 1 and runs[0]["articles_new"] >= 1
    assert log.count("finished: exit code 0") >= 3, log
    assert "SIGTERM received: stopping after the current run" in log
    assert lock_path_for(db).read_text() == ""


def test_process_takes_the_run_lock_too(tmp_path: Path) -> None:
    """Two `process` runs (or one beside a crawl) would analyse the same articles twice."""
    from crawl_site import newsclaims

    db = tmp_path / "a.db"
    Store.open(db).close()
    with database_run_lock(db, command="crawl"):
        busy = newsclaims("process", "--db", str(db))
    assert busy.returncode == 3 and "Traceback" not in busy.stderr
    assert "the database is busy" in busy.stderr and "`crawl` pid" in busy.stderr
    free = newsclaims("process", "--db", str(db))
    assert free.returncode == 0, free.stderr
    assert lock_path_for(db).read_text() == ""  # taken and released


def test_a_lock_file_that_cannot_be_opened_is_one_line(tmp_path: Path) -> None:
    from crawl_site import newsclaims

    db = tmp_path / "a.db"
    lock_path_for(db).mkdir()  # root ignores a read-only folder's mode; a folder in the lock's place fails for all
    result = newsclaims("crawl", "--url", "http://127.0.0.1:9/", "--db", str(db))
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert result.stderr.strip().splitlines() == [f"Error: cannot open the run lock {lock_path_for(db)}: "
                                                  "Is a directory"]


@pytest.mark.skipif(os.geteuid() == 0, reason="root may write into a read-only folder")
def test_a_read_only_folder_for_the_lock_is_one_line(tmp_path: Path) -> None:
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o500)
    try:
        with pytest.raises(NewsclaimsError, match="cannot open the run lock"):
            RunLock(folder / "a.db").acquire()
    finally:
        folder.chmod(0o700)

"""Stopping a crawl with a signal: forwarded to the Scrapy child, waited for under the lock, nothing new
fetched after it, and `--resume` fetches only what was not answered.

The site's `/gated/N.html` pages answer only when the test releases them, so the crawl is surely mid-run
with requests in flight and queued when it is stopped (no timing assumptions).
"""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from crawl_site import FAST, REPO, env, last_run, newsclaims, rows
from hostile_server import GATED_PAGES, HostileServer
from newsclaims.lock import LockInfo, lock_path_for

pytestmark = pytest.mark.slow


def sources_file(tmp: Path, base: str) -> Path:
    path = tmp / "gated.toml"
    # a small delay: Scrapy then sends one request per slot at a time, and the rest wait in the downloader
    # (with no delay at all it sends every queued request at once, whatever the concurrency)
    path.write_text(f'[[sources]]\nname = "gated"\nfeeds = ["{base}/gated-feed.xml"]\ndownload_delay = 0.05\n'
                    'concurrency = 2\n', encoding="utf-8")
    return path


def crawl_argv(sources: Path, db: Path, *extra: str) -> list[str]:
    return [sys.executable, "-m", "newsclaims", "crawl", "--sources", str(sources), "--db", str(db), *FAST,
            "--set", "LOG_LEVEL=INFO", "--set", "NEWSCLAIMS_BATCH_SIZE=1", *extra]


class Lines:
    """Collects a process's stderr lines in a thread, so the test can wait for one."""

    def __init__(self, proc: subprocess.Popen[str]) -> None:
        self.lines: list[str] = []
        self._thread = threading.Thread(target=self._read, args=(proc,), daemon=True)
        self._thread.start()

    def _read(self, proc: subprocess.Popen[str]) -> None:
        assert proc.stderr is not None
        for line in proc.stderr:
            self.lines.append(line)

    def text(self) -> str:
        return "".join(self.lines)


def wait_for(condition, what: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"gave up waiting for {what}"
        time.sleep(0.05)


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def test_sigterm_stops_the_child_under_the_lock_and_resume_fetches_only_the_rest(tmp_path: Path) -> None:
    db = tmp_path / "gated.db"
    with HostileServer() as server:
        sources = sources_file(tmp_path, server.base_url)
        proc = subprocess.Popen(crawl_argv(sources, db), cwd=REPO, env=env(), stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True)
        lines = Lines(proc)
        # two gated pages in flight (CONCURRENT_REQUESTS_PER_DOMAIN=2), more waiting in the downloader
        wait_for(lambda: server.gated_hits() >= 2, "the first gated requests")
        info = LockInfo.parse(lock_path_for(db).read_text())
        assert info is not None and info.child_pid and pid_alive(info.child_pid)
        child = info.child_pid

        proc.send_signal(signal.SIGTERM)  # the newsclaims process only, as a service manager would
        wait_for(lambda: "shutting down gracefully" in lines.text(), "the child to take the stop request")
        # the child is still busy with its in-flight pages: the lock must still be held
        second = newsclaims("crawl", "--sources", str(sources), "--db", str(db))
        assert second.returncode == 3 and "busy" in second.stderr
        assert proc.poll() is None and pid_alive(child)

        fetched_before_release = server.gated_hits()
        server.release()
        proc.wait(timeout=120)
        assert server.gated_hits() == fetched_before_release  # nothing new was requested after the signal
        assert not pid_alive(child)
        assert proc.returncode == 1
        assert "Traceback" not in lines.text()
        assert "Telnet console" not in lines.text() and "Remote control" not in lines.text()  # no way in
        assert last_run(db)["status"] == "interrupted"
        stored = {r["url"].removeprefix(server.base_url) for r in rows(db, "SELECT url FROM articles")}
        assert 1 <= len(stored) <= fetched_before_release  # the in-flight pages were finished and kept
        assert LockInfo.parse(lock_path_for(db).read_text()) is None  # released cleanly
        hits_before = dict(server.hits)

        resumed = subprocess.run(crawl_argv(sources, db, "--resume"), cwd=REPO, env=env(), capture_output=True,
                                 text=True, timeout=120)
    assert resumed.returncode == 0, resumed.stderr[-3000:]
    assert all(server.hits[path] == hits_before[path] for path in stored)  # stored pages: not asked again
    assert len(rows(db, "SELECT * FROM articles")) == GATED_PAGES
    run = last_run(db)
    assert run["status"] == "finished"
    assert json.loads(run["stats"])["resume_skipped"] >= len(stored)
    assert not (tmp_path / "gated.db.jobs").exists()  # a finished crawl leaves no empty jobs folder

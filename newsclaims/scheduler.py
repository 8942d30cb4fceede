"""The long-running scheduler behind `newsclaims schedule`.

Every interval it starts one run (by default `newsclaims run`: crawl, then process) as its OWN process,
because a Twisted reactor cannot be restarted inside one process. Runs on one database never overlap:
the scheduler takes the database's run lock (newsclaims.lock) and hands it to the child; if the lock
is busy, or the ledger shows a live run by another process, that run is SKIPPED with a warning and the
scheduler tries again at the next interval (skip, not wait: a waiting run would start late and then
pile up behind the next one).

Signals: the first SIGTERM/SIGINT lets the current run finish, then the scheduler exits 0; a second
one terminates the run's whole process group and exits 128 + signal number.
"""
from __future__ import annotations

import logging
import os
import random
import re
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType

from db.store import Store
from newsclaims.errors import ConfigError, DatabaseError
from newsclaims.lock import LockBusy, RunLock

log = logging.getLogger(__name__)

DURATION_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
_DURATION_PART = re.compile(r"(\d+(?:\.\d+)?)([smhd])")
POLL_SECONDS = 0.2
TERMINATE_GRACE_SECONDS = 10.0


def parse_duration(text: str, *, allow_zero: bool = False) -> float:
    """'2s', '30m', '6h', '1d', '1h30m', '1.5h' -> seconds."""
    clean = text.strip().lower().replace(" ", "")
    parts = _DURATION_PART.findall(clean)
    if not clean or "".join(n + u for n, u in parts) != clean:
        raise ConfigError(f"not a duration: {text!r} (use a number with s, m, h or d, e.g. 30m, 6h, 1d, 1h30m)")
    seconds = sum(float(n) * DURATION_UNITS[u] for n, u in parts)
    if seconds <= 0 and not allow_zero:
        raise ConfigError(f"duration {text!r} must be longer than zero")
    return seconds


def run_command(db_path: str, *, sources: Sequence[str] = (), sources_file: str | None = None,
                verbose: int = 0, frontier: str | None = None) -> list[str]:
    """The child process of one scheduled run: `python -m newsclaims run ...` on this database."""
    argv = [sys.executable, "-m", "newsclaims"]
    if verbose:
        argv.append("-" + "v" * verbose)
    argv += ["run", "--db", db_path]
    for name in sources:
        argv += ["--source", name]
    if sources_file:
        argv += ["--sources", sources_file]
    if frontier:
        argv += ["--frontier", frontier]
    return argv


@dataclass
class RunOutcome:
    """What happened at one scheduled tick."""

    number: int
    status: str  # finished | failed | skipped | terminated
    exit_code: int | None = None
    seconds: float = 0.0
    reason: str | None = None
    started: float | None = None  # time.monotonic() when the run's process was started


@dataclass
class Scheduler:
    """Start `argv` every `every` seconds (+ random jitter in [0, jitter]) on `db_path`, never two at once."""

    db_path: str
    argv: list[str]
    every: float
    jitter: float = 0.0
    max_runs: int | None = None
    rng: random.Random = field(default_factory=random.Random)
    outcomes: list[RunOutcome] = field(default_factory=list)
    _stop_signal: int | None = field(default=None, init=False)
    _force_signal: int | None = field(default=None, init=False)

    # -- signals -------------------------------------------------------------------------------

    def install_signal_handlers(self) -> Callable[[], None]:
        """Route SIGTERM/SIGINT to the scheduler (main thread only); returns a function that undoes it."""
        previous = {sig: signal.signal(sig, self._on_signal) for sig in (signal.SIGTERM, signal.SIGINT)}

        def restore() -> None:
            for sig, handler in previous.items():
                signal.signal(sig, handler)

        return restore

    def _on_signal(self, signum: int, frame: FrameType | None) -> None:
        name = signal.Signals(signum).name
        if self._stop_signal is None:
            self._stop_signal = signum
            log.warning("%s received: stopping after the current run (send it again to terminate the run)", name)
        else:
            self._force_signal = signum
            log.warning("second signal (%s): terminating the current run", name)

    def request_stop(self) -> None:
        """Stop after the current run, as on a first SIGTERM."""
        self._stop_signal = self._stop_signal or signal.SIGTERM

    # -- the loop ------------------------------------------------------------------------------

    def run(self) -> int:
        """Run until stopped or `max_runs` ticks happened; returns the process exit code."""
        folder = Path(self.db_path).resolve().parent
        if not folder.is_dir():
            raise ConfigError(f"cannot schedule runs on {self.db_path}: folder {folder} does not exist")
        log.info("scheduler started (pid %d): every %s%s on %s", os.getpid(), _human(self.every),
                 f" + up to {_human(self.jitter)} jitter" if self.jitter else "", self.db_path)
        tick = time.monotonic()
        start_at = tick + self._jitter()
        while self._stop_signal is None:
            if not self._sleep_until(start_at):
                break
            outcome = self.run_once(len(self.outcomes) + 1)
            self.outcomes.append(outcome)
            if self._force_signal is not None:
                log.warning("scheduler stopped: the current run was terminated")
                return 128 + self._force_signal
            if self.max_runs is not None and len(self.outcomes) >= self.max_runs:
                log.info("scheduler stopping: %d runs done (--max-runs)", len(self.outcomes))
                break
            tick += self.every
            now = time.monotonic()
            if tick <= now:  # the run outlasted the interval: start again now, do not queue up missed ticks
                log.warning("run %d took %s, longer than the interval; the next run starts now",
                            outcome.number, _human(outcome.seconds))
                tick = now
            start_at = tick + self._jitter()
            if self._stop_signal is None:
                log.info("next run in %s", _human(max(0.0, start_at - now)))
        if self._stop_signal is not None:
            log.info("scheduler stopped by %s after %d runs", signal.Signals(self._stop_signal).name,
                     len(self.outcomes))
        return 1 if self.max_runs is not None and any(o.status == "failed" for o in self.outcomes) else 0

    def run_once(self, number: int) -> RunOutcome:
        """One tick: take the lock, start the child, wait for it; or skip with a logged reason."""
        lock = RunLock(self.db_path, command="schedule")
        try:
            lock.acquire()
        except LockBusy as exc:
            log.warning("run %d skipped: %s", number, exc)
            return RunOutcome(number, "skipped", reason=str(exc))
        try:
            try:
                busy = self._live_run_in_ledger()
            except DatabaseError as exc:  # e.g. a disk problem: keep the scheduler alive, try next time
                busy = f"cannot read the run ledger: {exc}"
            if busy:
                log.warning("run %d skipped: %s", number, busy)
                return RunOutcome(number, "skipped", reason=busy)
            return self._start_and_wait(number, lock)
        finally:
            lock.release()

    def _live_run_in_ledger(self) -> str | None:
        """Mark runs of dead processes 'interrupted'; describe a run a live process still writes, if any.

        Catches a manual `newsclaims crawl`/`run` that does not take the lock itself.
        """
        with Store.open(self.db_path) as store:
            stale = store.mark_stale_runs()
            if stale:
                log.warning("marked %d run(s) left 'running' by a dead process as 'interrupted'", stale)
            for row in store.live_runs():
                if row["pid"] != os.getpid():
                    return (f"crawl run {row['id']} (`{row['command']}`, pid {row['pid']}, started "
                            f"{row['started_at']}) is still running on this database")
        return None

    def _start_and_wait(self, number: int, lock: RunLock) -> RunOutcome:
        started = time.monotonic()
        env = {**os.environ, **lock.child_env()}
        # Own session: a Ctrl-C in the terminal reaches the scheduler only, which lets the run finish.
        try:
            proc = subprocess.Popen(self.argv, env=env, pass_fds=(lock.fd,), start_new_session=True)
        except OSError as exc:
            log.error("run %d could not start %s: %s", number, self.argv[0], exc)
            return RunOutcome(number, "failed", reason=str(exc))
        lock.note_child(proc.pid)
        log.info("run %d started (pid %d): %s", number, proc.pid, " ".join(self.argv[1:]))
        terminated = False
        while True:
            try:
                code = proc.wait(timeout=POLL_SECONDS)
                break
            except subprocess.TimeoutExpired:
                if self._force_signal is not None and not terminated:
                    terminated = True
                    self._terminate(proc)
        seconds = time.monotonic() - started
        status = "terminated" if terminated else "finished" if code == 0 else "failed"
        log_at = log.info if status == "finished" else log.warning
        log_at("run %d %s: exit code %d after %s", number, status, code, _human(seconds))
        return RunOutcome(number, status, exit_code=code, seconds=seconds, started=started)

    @staticmethod
    def _terminate(proc: subprocess.Popen[bytes]) -> None:
        # The run starts its own crawl process: signal the whole group so nothing is orphaned.
        _signal_group(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=TERMINATE_GRACE_SECONDS)
        except subprocess.TimeoutExpired:
            log.warning("run pid %d ignored SIGTERM for %ss: killing it", proc.pid, TERMINATE_GRACE_SECONDS)
            _signal_group(proc.pid, signal.SIGKILL)

    def _jitter(self) -> float:
        return self.rng.uniform(0.0, self.jitter) if self.jitter > 0 else 0.0

    def _sleep_until(self, deadline: float) -> bool:
        """Sleep in short slices so a signal is acted on at once; False if a stop was requested."""
        while self._stop_signal is None:
            left = deadline - time.monotonic()
            if left <= 0:
                return True
            time.sleep(min(left, POLL_SECONDS))
        return False


def _signal_group(pgid: int, sig: signal.Signals) -> None:
    try:
        os.killpg(pgid, sig)
    except ProcessLookupError:
        pass  # already gone: nothing left to stop


def _human(seconds: float) -> str:
    if seconds < 60:
        return f"{seconds:.1f}s"
    minutes, secs = divmod(int(round(seconds)), 60)
    hours, minutes = divmod(minutes, 60)
    days, hours = divmod(hours, 24)
    parts = [f"{v}{u}" for v, u in ((days, "d"), (hours, "h"), (minutes, "m"), (secs, "s")) if v]
    return "".join(parts) or "0s"

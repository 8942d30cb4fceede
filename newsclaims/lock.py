"""One run at a time per database: a lock file beside the database that survives crashes.

The lock is `fcntl.flock` on `<db>.lock`. The kernel drops a flock when its holder dies (even by
SIGKILL), so a crash can never leave the database locked for ever. The file also records who holds
it (pid, host, start time, command, the child doing the work) so that a busy lock can be explained
in one log line, and so that a lock left behind by a dead process is recognised as stale: logged,
then taken over.

The file is never deleted: unlinking a flock'ed file lets a waiting process lock the old inode while
a newcomer locks a new one, and both would think they hold the lock. Released = empty file.

A holder can hand the lock to a child process (the scheduler does, to its `newsclaims run`): the child
inherits the open file (and so shares the lock), and finds it through the NEWSCLAIMS_LOCK_FD
environment variable. If the scheduler is killed, the lock stays held until the child ends too.
"""
from __future__ import annotations

import fcntl
import json
import logging
import os
import socket
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import datetime, timezone
from pathlib import Path

from db.store import process_exists
from newsclaims.errors import NewsclaimsError

log = logging.getLogger(__name__)

LOCK_SUFFIX = ".lock"
LOCK_FD_ENV = "NEWSCLAIMS_LOCK_FD"


class LockBusy(NewsclaimsError):
    """Another live process holds the database's run lock."""

    def __init__(self, path: Path, holder: LockInfo | None) -> None:
        self.path = path
        self.holder = holder
        who = holder.describe() if holder else "another process that recorded no details (e.g. flock(1), or one just starting)"
        super().__init__(f"the database is busy: {path} is held by {who}")


@dataclass(frozen=True)
class LockInfo:
    """Who holds (or last held) a run lock."""

    pid: int
    host: str
    started_at: str
    command: str = "run"
    child_pid: int | None = None

    def describe(self) -> str:
        child = f", working in child pid {self.child_pid}" if self.child_pid else ""
        return f"`{self.command}` pid {self.pid} on {self.host} since {self.started_at}{child}"

    def is_alive(self) -> bool | None:
        """Whether the holder (or its child) still runs; None when it ran on another host."""
        if self.host != socket.gethostname():
            return None
        return process_exists(self.pid) or (self.child_pid is not None and process_exists(self.child_pid))

    @classmethod
    def parse(cls, text: str) -> LockInfo | None:
        try:
            data = json.loads(text)
            return cls(pid=int(data["pid"]), host=str(data["host"]), started_at=str(data["started_at"]),
                       command=str(data.get("command", "run")),
                       child_pid=int(data["child_pid"]) if data.get("child_pid") else None)
        except (ValueError, KeyError, TypeError):
            return None


def lock_path_for(db_path: str | os.PathLike[str]) -> Path:
    """The lock file of a database: `<db>.lock` beside it."""
    db = Path(db_path).resolve()
    return db.with_name(db.name + LOCK_SUFFIX)


class RunLock:
    """The run lock of one database. `acquire()` / `release()`, or use as a context manager."""

    def __init__(self, db_path: str | os.PathLike[str], *, command: str = "run") -> None:
        self.path = lock_path_for(db_path)
        self.command = command
        self.info: LockInfo | None = None
        self._fd: int | None = None

    @property
    def held(self) -> bool:
        return self._fd is not None

    @property
    def fd(self) -> int:
        if self._fd is None:
            raise RuntimeError("the run lock is not held")
        return self._fd

    def acquire(self, *, wait: float = 0.0, poll: float = 0.5) -> LockInfo:
        """Take the lock, waiting up to `wait` seconds for a live holder; raises LockBusy after that."""
        if self._fd is not None:
            raise RuntimeError("the run lock is already held")
        if not self.path.parent.is_dir():
            raise NewsclaimsError(f"cannot lock {self.path}: folder {self.path.parent} does not exist")
        deadline = time.monotonic() + wait
        try:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
        except OSError as exc:  # a read-only folder or mount, a lock file owned by another user
            raise NewsclaimsError(f"cannot open the run lock {self.path}: {exc.strerror or exc}") from exc
        try:
            while True:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() >= deadline:
                        raise LockBusy(self.path, _read_info(fd)) from None
                    time.sleep(poll)
            previous_text = _read_text(fd)
            if previous_text.strip():
                self._report_stale(previous_text)
            self.info = LockInfo(pid=os.getpid(), host=socket.gethostname(),
                                 started_at=datetime.now(timezone.utc).isoformat(timespec="seconds"),
                                 command=self.command)
            _write_info(fd, self.info)
        except BaseException:
            os.close(fd)  # closing drops the flock too
            raise
        self._fd = fd
        return self.info

    def note_child(self, pid: int) -> None:
        """Record the child process that does the work under this lock (for `busy` messages)."""
        if self._fd is None or self.info is None:
            raise RuntimeError("the run lock is not held")
        self.info = LockInfo(**{**asdict(self.info), "child_pid": pid})
        _write_info(self._fd, self.info)

    def child_env(self) -> dict[str, str]:
        """Environment entries that let a child started with `pass_fds=(lock.fd,)` know it holds the lock."""
        return {LOCK_FD_ENV: str(self.fd)}

    def release(self) -> None:
        if self._fd is None:
            return
        fd, self._fd = self._fd, None
        try:
            os.ftruncate(fd, 0)  # an empty file says "released cleanly"
            fcntl.flock(fd, fcntl.LOCK_UN)
        finally:
            os.close(fd)
        self.info = None

    def __enter__(self) -> RunLock:
        self.acquire()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()

    def _report_stale(self, text: str) -> None:
        # We hold the flock, so nobody alive holds it: whoever wrote this file ended without releasing.
        previous = LockInfo.parse(text)
        if previous is None:
            log.warning("taking over stale run lock %s (unreadable holder record %r)", self.path, text[:200])
        elif previous.is_alive() is None:
            log.warning("taking over stale run lock %s left by %s (another host; its lock is gone)",
                        self.path, previous.describe())
        elif previous.is_alive():
            log.warning("taking over run lock %s left by %s: that pid exists but holds no lock (pid reused?)",
                        self.path, previous.describe())
        else:
            log.warning("taking over stale run lock %s left by %s (process no longer exists)",
                        self.path, previous.describe())


def inherited_lock(db_path: str | os.PathLike[str]) -> bool:
    """True if this process inherited the lock of `db_path` from its parent (see RunLock.child_env)."""
    value = os.environ.get(LOCK_FD_ENV)
    if not value or not value.isdigit():
        return False
    try:
        held = os.fstat(int(value))
        on_disk = os.stat(lock_path_for(db_path))
    except OSError:
        return False
    return (held.st_dev, held.st_ino) == (on_disk.st_dev, on_disk.st_ino)


@contextmanager
def database_run_lock(db_path: str | os.PathLike[str], *, command: str = "run",
                      wait: float = 0.0) -> Iterator[RunLock | None]:
    """Hold the run lock of `db_path` for a block, unless the parent process already holds it for us.

    For commands that write crawl runs (`crawl`, `run`): a manual run next to a scheduler then fails
    with LockBusy (one clear line) instead of overlapping.
    """
    if inherited_lock(db_path):
        yield None
        return
    lock = RunLock(db_path, command=command)
    lock.acquire(wait=wait)
    try:
        yield lock
    finally:
        lock.release()


def _read_text(fd: int) -> str:
    os.lseek(fd, 0, os.SEEK_SET)
    chunks = []
    while chunk := os.read(fd, 65536):
        chunks.append(chunk)
    return b"".join(chunks).decode("utf-8", errors="replace")


def _read_info(fd: int) -> LockInfo | None:
    return LockInfo.parse(_read_text(fd))


def _write_info(fd: int, info: LockInfo) -> None:
    data = json.dumps(asdict(info)).encode("utf-8") + b"\n"
    os.ftruncate(fd, 0)
    os.pwrite(fd, data, 0)
    os.fsync(fd)

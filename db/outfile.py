"""Writing an output file (an export, a report) without ever destroying what was there by mistake.

- The database itself (and its -wal, -shm, -journal and lock files) is never an output, whatever path
  or symlink names it: writing there would replace the data with the export of the data.
- `-` is stdout, and special files (devices, FIFOs) are written directly: replacing /dev/full with a
  regular file is what an atomic rename would do to it.
- A symlink is written through to its target, which is then replaced like any regular file.
- A regular file is written under a temporary name and renamed at the end, so an interrupted or
  failed write (a full disk) leaves the previous file, not half a new one.
"""
from __future__ import annotations

import os
import stat
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

from newsclaims.errors import NewsclaimsError

STDOUT = "-"
DATABASE_COMPANIONS = ("", "-wal", "-shm", "-journal", ".lock")


def is_stream(path: str | os.PathLike[str]) -> bool:
    """True for stdout and for special files (devices, FIFOs): written directly, with no file beside them."""
    if str(path) == STDOUT:
        return True
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return False
    return not stat.S_ISREG(mode) and not stat.S_ISDIR(mode)


def refuse_database(path: str | os.PathLike[str], databases: Sequence[str | os.PathLike[str]]) -> None:
    """A clear error if `path` (after symlinks, or as a hard link) is one of the databases' files."""
    if str(path) == STDOUT:
        return
    real = os.path.realpath(path)
    for db in databases:
        for suffix in DATABASE_COMPANIONS:
            companion = str(db) + suffix
            if os.path.realpath(companion) == real or _same_file(companion, real):
                raise NewsclaimsError(f"refusing to write {path}: it is the database {db}"
                                      + (f" (its {suffix} file)" if suffix else "") + "; choose another output")


def _same_file(a: str, b: str) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


@contextmanager
def open_output(path: str | os.PathLike[str], *, protect: Sequence[str | os.PathLike[str]] = ()) -> Iterator[BinaryIO]:
    """A binary file to write `path` through (see the module docstring); failures are one clear error."""
    refuse_database(path, protect)
    name = str(path)
    try:
        if name == STDOUT:
            yield sys.stdout.buffer
            sys.stdout.buffer.flush()
        elif is_stream(name):
            with open(name, "wb") as fh:
                yield fh
        else:
            with _atomic(Path(os.path.realpath(name)), shown=name) as fh:
                yield fh
    except OSError as exc:
        raise NewsclaimsError(f"cannot write {name}: {exc.strerror or exc}") from exc


@contextmanager
def _atomic(target: Path, *, shown: str) -> Iterator[BinaryIO]:
    if target.is_dir():
        raise NewsclaimsError(f"cannot write {shown}: it is a folder")
    if not target.parent.is_dir():
        raise NewsclaimsError(f"cannot write {shown}: folder {target.parent} does not exist")
    partial = target.with_name(target.name + ".part")
    try:
        with open(partial, "wb") as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())  # a full disk fails here, before the rename, not after it
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)

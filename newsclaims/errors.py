"""Error types the CLI turns into one clear line and a non-zero exit, and the exit codes it uses.

Exit codes (documented in docs/cli.md, "Exit codes"):
0 success; 1 an error (bad database, unwritable output, a failed crawl...); 2 a usage error (bad option
or argument, from click); 3 busy: another run holds the database's lock.
"""
from __future__ import annotations

import errno
import sqlite3

EXIT_OK = 0
EXIT_ERROR = 1
EXIT_USAGE = 2
EXIT_BUSY = 3


class NewsclaimsError(Exception):
    """Base class: a problem the user can fix (bad input, missing file, bad option)."""

    exit_code = EXIT_ERROR


class ConfigError(NewsclaimsError):
    """A sources file or option that cannot be used."""


class DatabaseError(NewsclaimsError):
    """No database where one was expected, or one newer than this version understands."""


class ModelMissingError(NewsclaimsError):
    """A language pipeline cannot be loaded (e.g. the spaCy model package is not installed)."""


def describe(exc: BaseException) -> tuple[str, int] | None:
    """One line and an exit code for an exception a user can cause; None for a genuine bug.

    The classes here are raised from many places (any query on a damaged file, any write to a full
    disk), so they are translated once for every command rather than caught command by command.
    """
    if isinstance(exc, NewsclaimsError):
        return str(exc), _exit_code(exc)
    if isinstance(exc, sqlite3.DatabaseError):  # damaged after opening, missing table, undecodable text
        return f"database error: {exc} (is the file a sound newsclaims database? try `PRAGMA integrity_check`)", \
            EXIT_ERROR
    if isinstance(exc, OverflowError):
        return f"a number is too large: {exc}", EXIT_ERROR
    if isinstance(exc, UnicodeError):
        return f"text that is not valid UTF-8: {_reason(exc)}", EXIT_ERROR
    if isinstance(exc, OSError):
        where = f": {exc.filename}" if exc.filename else ""
        what = "cannot write output" if exc.errno in (errno.ENOSPC, errno.EPIPE, errno.EDQUOT) else "system error"
        return f"{what}: {exc.strerror or exc}{where}", EXIT_ERROR
    return None


def _exit_code(exc: NewsclaimsError) -> int:
    from newsclaims.lock import LockBusy  # lock.py owns LockBusy; busy has its own code so scripts can retry

    return EXIT_BUSY if isinstance(exc, LockBusy) else exc.exit_code


def _reason(exc: UnicodeError) -> str:
    if isinstance(exc, (UnicodeEncodeError, UnicodeDecodeError)):
        return f"{exc.reason} at position {exc.start}"
    return str(exc)

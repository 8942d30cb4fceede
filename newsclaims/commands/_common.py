"""Options and helpers shared by the command modules."""
from __future__ import annotations

import csv
import functools
import json
import re
import sys
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, TypeVar

import click

from newsclaims.commands._types import DATABASE_PATH
from newsclaims.config import default_db
from newsclaims.errors import NewsclaimsError, describe

F = TypeVar("F", bound=Callable[..., Any])

db_option = click.option(
    "--db",
    "db_path",
    default=default_db,
    show_default="newsclaims.db or $NEWSCLAIMS_DB",
    type=DATABASE_PATH,
    help="SQLite database file.",
)

format_option = click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "json", "csv"]),
    default="table",
    show_default=True,
    help="Output format.",
)


class OneLineError(click.ClickException):
    """A user-caused error: `Error: <one line>` on stderr and its exit code, never a traceback."""

    def __init__(self, message: str, exit_code: int) -> None:
        # The message may quote a stored value (SQLite's decode errors do): keep it one harmless line.
        super().__init__(safe_text(" ".join(message.split())))
        self.exit_code = exit_code


def one_line_error(exc: BaseException) -> OneLineError | None:
    """The click error for an exception a user can cause (newsclaims.errors.describe); None for a bug."""
    described = describe(exc)
    return None if described is None else OneLineError(*described)


def user_errors(func: F) -> F:
    """Turn library errors into one clear line and their exit code (see newsclaims.errors), never a traceback.

    The CLI group does the same for every command (newsclaims.cli.LazyGroup.invoke); this keeps a
    command right when it is invoked on its own (tests, other groups).
    """

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except NewsclaimsError as exc:
            raise OneLineError(*describe(exc) or (str(exc), exc.exit_code)) from exc

    return wrapper  # type: ignore[return-value]


# C0 and C1 control characters except tab and newline: a stored title with `\x1b]0;...\x07` must not
# retitle or reprogram the reader's terminal, whatever the output format.
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def safe_text(value: Any) -> Any:
    """A string with its terminal control characters removed (inside dicts and lists too, such as a run's
    error counts in JSON); other values unchanged."""
    if isinstance(value, str):
        return _CONTROLS.sub("", value)
    if isinstance(value, Mapping):
        return {safe_text(k): safe_text(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [safe_text(v) for v in value]
    return value


def _safe_row(row: Mapping[str, Any], columns: Sequence[str]) -> dict[str, Any]:
    return {c: safe_text(row.get(c)) for c in columns}


def emit_rows(rows: Iterable[Mapping[str, Any]], fmt: str, columns: Sequence[str], *, widths: Mapping[str, int] | None = None) -> int:
    """Print rows as a table, a JSON array or CSV (control characters removed); returns how many were printed."""
    rows = [_safe_row(r, columns) for r in rows]
    if fmt == "json":
        click.echo(json.dumps([{c: r.get(c) for c in columns} for r in rows], ensure_ascii=False, indent=2, default=str))
    elif fmt == "csv":
        writer = csv.DictWriter(sys.stdout, fieldnames=list(columns), extrasaction="ignore", lineterminator="\n")
        writer.writeheader()
        for r in rows:
            writer.writerow({c: r.get(c) for c in columns})
    else:
        click.echo(format_table(rows, columns, widths=widths or {}))
    return len(rows)


def _cell(value: Any, width: int | None) -> str:
    text = "" if value is None else str(value).replace("\n", " ")
    if width and _display_width(text) > width:
        out, used = [], 0
        for ch in text:
            w = _char_width(ch)
            if used + w > width - 1:
                break
            out.append(ch)
            used += w
        text = "".join(out) + "…"
    return text


def _char_width(ch: str) -> int:
    import unicodedata

    return 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1


def _display_width(text: str) -> int:
    return sum(_char_width(c) for c in text)


def format_table(rows: Sequence[Mapping[str, Any]], columns: Sequence[str], *, widths: Mapping[str, int]) -> str:
    """A plain-text table that lines up CJK text (double-width characters) too."""
    cells = [[_cell(r.get(c), widths.get(c)) for c in columns] for r in rows]
    col_w = [max([_display_width(c)] + [_display_width(row[i]) for row in cells]) for i, c in enumerate(columns)]

    def line(values: Sequence[str]) -> str:
        return "  ".join(v + " " * (col_w[i] - _display_width(v)) for i, v in enumerate(values)).rstrip()

    out = [line(list(columns)), line(["-" * w for w in col_w])]
    out.extend(line(row) for row in cells)
    return "\n".join(out)

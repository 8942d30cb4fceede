"""Click parameter types shared by every command, so one kind of value is checked one way everywhere."""
from __future__ import annotations

import re
from datetime import date
from typing import Any

import click

from newsclaims.config import DB_ENV
from newsclaims.dates import parse_date


class DateType(click.ParamType):
    """A calendar date: YYYY-MM-DD (YYYY-MM and YYYY mean the first day); impossible dates are rejected."""

    name = "YYYY-MM-DD"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> str:
        if isinstance(value, date):
            return value.isoformat()
        parsed = parse_date(str(value))
        if parsed is None:
            self.fail(f"{value!r} is not a date (use YYYY-MM-DD)", param, ctx)
        return parsed


class WindowType(click.ParamType):
    """A span of days: 90d, 12w, 6m, 1y or a bare number of days."""

    name = "WINDOW"
    UNITS = {"d": 1, "w": 7, "m": 30, "y": 365}

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> int:
        if isinstance(value, int):
            return value
        match = re.fullmatch(r"\s*(\d{1,12})\s*([dwmy]?)\s*", str(value).lower())
        if not match:
            self.fail(f"{value!r} is not a window (use 90d, 12w, 6m or 1y)", param, ctx)
        return int(match.group(1)) * self.UNITS[match.group(2) or "d"]


class DatabasePathType(click.Path):
    """A database file path; an empty one (e.g. `NEWSCLAIMS_DB=`) is a usage error, not the current folder."""

    def __init__(self) -> None:
        super().__init__(dir_okay=False)

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if isinstance(value, str) and not value.strip():
            self.fail(f"the database path is empty (is ${DB_ENV} set to an empty value?)", param, ctx)
        if isinstance(value, str):
            try:
                value.encode("utf-8")
            except UnicodeEncodeError:
                self.fail(f"the database path is not valid UTF-8 (from ${DB_ENV}?)", param, ctx)
        return super().convert(value, param, ctx)


DATE = DateType()
WINDOW = WindowType()
DATABASE_PATH = DatabasePathType()

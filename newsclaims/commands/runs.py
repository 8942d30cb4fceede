"""`newsclaims runs`: the run ledger."""
from __future__ import annotations

from typing import Any

import click

from db.queries import RUN_COLUMNS, list_runs
from db.store import Store
from newsclaims.commands._common import db_option, emit_rows, format_option, user_errors


def _table_row(run: dict[str, Any]) -> dict[str, Any]:
    seconds = run["duration"]
    counts = run["error_counts"] or {}
    return {
        **run,
        "started": (run["started"] or "").replace("T", " ").removesuffix("+00:00"),
        "duration": "" if seconds is None else f"{seconds:.0f}s",
        "error_counts": ", ".join(f"{name}: {n}" for name, n in sorted(counts.items(), key=lambda kv: -kv[1])),
    }


@click.command()
@click.option("--limit", type=click.IntRange(min=1), default=20, show_default=True, help="At most this many runs.")
@format_option
@db_option
@user_errors
def runs(limit: int, fmt: str, db_path: str) -> None:
    """List crawl runs, newest first: duration, status, pages, 304s, new/updated/unchanged, errors by category.

    A run still marked 'running' whose process is gone shows as 'interrupted?' (the next crawl or
    scheduled run records it as 'interrupted').
    """
    with Store.open(db_path, readonly=True) as store:
        rows = list_runs(store, limit)
    if fmt == "table":
        rows = [_table_row(r) for r in rows]
    elif fmt == "csv":
        rows = [{**r, "error_counts": ";".join(f"{k}={v}" for k, v in r["error_counts"].items())} for r in rows]
    emit_rows(rows, fmt, RUN_COLUMNS, widths={"error_counts": 90})

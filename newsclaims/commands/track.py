"""`newsclaims track`: was each promise kept? One row per claim group, with its outcome and evidence."""
from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import click

from db.queries import resolve_entity
from db.store import Store
from db.tracking import TRACK_COLUMNS, track_rows, update_tracker
from newsclaims.commands._common import db_option, emit_rows, format_option, user_errors
from newsclaims.commands._types import DATE
from newsclaims.errors import DatabaseError
from nlp.promises.records import STATUSES

TABLE_COLUMNS = ("status", "subject", "claim", "made", "deadline", "conf", "reports", "langs", "evidence")
TABLE_WIDTHS = {"subject": 16, "claim": 34, "evidence": 70}


@click.command()
@click.option("--entity", help="Promises about this entity: any alias, English or Chinese (小米, xiaomi).")
@click.option("--status", type=click.Choice(STATUSES), help="Only this outcome.")
@click.option("--since", type=DATE, help="Promises first made on or after this date (YYYY-MM-DD).")
@click.option("--refresh", is_flag=True, help="Regroup every claim and re-decide every outcome as of today.")
@click.option("--limit", type=click.IntRange(min=1), default=None, help="At most this many rows.")
@format_option
@db_option
@user_errors
def track(entity: str | None, status: str | None, since: str | None, refresh: bool, limit: int | None, fmt: str,
          db_path: str) -> None:
    """The promise tracker: each target or forecast (one row per claim group) with its outcome — kept, missed,
    pending or unclear — the rule that decided it, and the evidence.

    Outcomes are stored by `newsclaims process`. This command first brings them up to date as of today: claims
    not yet grouped are grouped, and pending promises whose deadline has passed since are decided again.
    """
    if not Path(db_path).exists():  # opening for writing would create an empty database
        raise DatabaseError(f"no database at {db_path}: run `newsclaims demo` or `newsclaims crawl` first")
    with Store.open(db_path) as store:
        names = resolve_entity(store, entity) if entity else None
        update_tracker(store, today=date.today().isoformat(), full=refresh)
        rows = track_rows(store, names=names, status=status, since=since, limit=limit)
    if fmt == "json":
        emit_rows(rows, fmt, TRACK_COLUMNS)
        return
    if fmt == "csv":  # one flat line per group: the evidence as its sentences' dates and figures
        flat = [{**r, "evidence": " | ".join(f"{e['published']} {e['figure_text']} ({e['verdict']}) {e['url']}"
                                             for e in r["evidence"])} for r in rows]
        emit_rows(flat, fmt, TRACK_COLUMNS)
        return
    if not rows:
        click.echo("No promises match.", err=True)
        return
    emit_rows([_table_row(r) for r in rows], fmt, TABLE_COLUMNS, widths=TABLE_WIDTHS)
    click.echo("")
    for row in rows:
        click.echo(f"[{row['group_id']}] {row['rule']}")


def _table_row(row: dict[str, Any]) -> dict[str, Any]:
    who = f"{row['speaker']}: " if row["speaker"] else ""
    first = row["evidence"][0] if row["evidence"] else None
    evidence = f"{first['published']} {first['figure_text']}: {first['sentence']}" if first else ""
    if len(row["evidence"]) > 1:
        evidence = f"(+{len(row['evidence']) - 1}) " + evidence
    return {**row, "claim": f"{who}{row['figure_text'] or row['kind']} ({row['kind']})",
            "conf": f"{row['confidence']:.2f}", "langs": row["languages"], "evidence": evidence}

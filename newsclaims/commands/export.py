"""`newsclaims export`: a dataset file (CSV, JSON Lines, Parquet) plus its dataset card."""
from __future__ import annotations

import click

from db.export import FORMATS, WHATS, export as export_rows
from db.store import Store
from newsclaims.commands._claim_options import claim_filter, claim_filter_options, scope_option
from newsclaims.commands._common import db_option, user_errors


@click.command()
@click.option("--what", type=click.Choice(WHATS), default="claims", show_default=True, help="Which rows.")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="csv", show_default=True, help="File format.")
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False, allow_dash=True),
              help="Where to write the data: a file (replaced whole at the end), `-` for stdout, or a device.")
@claim_filter_options
@scope_option("all")
@click.option("--limit", type=click.IntRange(min=1), help="At most this many rows.")
@click.option("--no-text", is_flag=True, help="Leave publisher text (article text, sentences) out.")
@db_option
@user_errors
def export(what: str, fmt: str, output: str, limit: int | None, no_text: bool, db_path: str,
           **filters: str | None) -> None:
    """Export articles, claims, figures or entities; a dataset card is written to OUTPUT.md.

    The database itself (or its -wal/-shm files) is refused as OUTPUT. With `-o -` (stdout) or a device
    the data is written directly and no card is written.
    """
    flt = claim_filter(limit=limit, **filters)
    with Store.open(db_path, readonly=True) as store:
        result = export_rows(store, what, fmt, output, flt, include_text=not no_text)
    card = f"dataset card: {result.card}" if result.card else "no dataset card"
    # Beside data on stdout the summary goes to stderr.
    click.echo(f"Wrote {result.rows} {what} to {result.path} ({card}).", err=result.card is None)

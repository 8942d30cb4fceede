"""`newsclaims report`: a self-contained HTML page with a timeline of an entity's claims."""
from __future__ import annotations

from datetime import datetime, timezone

import click

from db.outfile import open_output
from db.report import report_data
from db.store import Store
from newsclaims.commands._common import db_option, user_errors
from newsclaims.report import render_report


@click.command()
@click.option("--entity", help="The entity (any alias, English or Chinese); every claim when left out.")
@click.option("-o", "--output", default="report.html", show_default=True, type=click.Path(dir_okay=False, allow_dash=True),
              help="Where to write the HTML page (`-` for stdout; never the database).")
@db_option
@user_errors
def report(entity: str | None, output: str, db_path: str) -> None:
    """Write one HTML page (no network needed): a timeline of claims and a table of figures over time."""
    with Store.open(db_path, readonly=True) as store:
        data = report_data(store, entity)
    page = render_report(data, generated=datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"))
    with open_output(output, protect=[db_path]) as fh:
        fh.write(page.encode("utf-8"))
    click.echo(f"Wrote {output} ({len(data.claims)} claims).", err=output == "-")

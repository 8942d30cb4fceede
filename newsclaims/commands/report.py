"""`newsclaims report`: a self-contained HTML page with a timeline of an entity's claims."""
from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import click

from db.report import report_data
from db.store import Store
from newsclaims.commands._common import db_option, user_errors
from newsclaims.errors import NewsclaimsError
from newsclaims.report import render_report


@click.command()
@click.option("--entity", help="The entity (any alias, English or Chinese); every claim when left out.")
@click.option("-o", "--output", default="report.html", show_default=True, type=click.Path(dir_okay=False),
              help="Where to write the HTML page.")
@db_option
@user_errors
def report(entity: str | None, output: str, db_path: str) -> None:
    """Write one HTML page (no network needed): a timeline of claims and a table of figures over time."""
    with Store.open(db_path, readonly=True) as store:
        data = report_data(store, entity)
    target = Path(output)
    if not target.resolve().parent.exists():
        raise NewsclaimsError(f"cannot write {output}: folder {target.resolve().parent} does not exist")
    target.write_text(render_report(data, generated=datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")),
                      encoding="utf-8")
    click.echo(f"Wrote {target} ({len(data.claims)} claims).")

"""`newsclaims ingest`: drain frontier workers' items from Redis into the database (the one writer)."""
from __future__ import annotations

import sys

import click

from newsclaims.commands._common import db_option, user_errors
from newsclaims.commands.crawl import CrawlProgress, progress_line
from newsclaims.ingest import run_ingest
from newsclaims.lock import database_run_lock


@click.command()
@click.option("--frontier", required=True, metavar="redis://HOST:PORT/DB", help="The Redis the workers push to.")
@db_option
@click.option("--until-idle", type=click.FloatRange(min=0), default=None, metavar="SECONDS",
              help="Exit 0 once the queue has been empty (and no worker alive) this long.  [default: run until "
                   "interrupted]")
@click.option("--batch-size", type=click.IntRange(min=1), default=50, show_default=True,
              help="Items per database transaction.")
@user_errors
def ingest(frontier: str, db_path: str, until_idle: float | None, batch_size: int) -> None:
    """Store what `crawl --frontier` workers fetched: same dedup, versions and run ledger as `crawl`."""
    with database_run_lock(db_path, command="ingest"):
        progress = CrawlProgress()
        result = run_ingest(frontier, db_path, until_idle=until_idle, batch_size=batch_size, progress=progress)
        progress.done()
    errors = ", ".join(f"{k} {v}" for k, v in sorted(result.errors.items())) or "none"
    click.echo(f"ingest run {result.run_id} {result.status}: {progress_line(result.stats)} (errors: {errors})")
    if result.status != "finished":
        sys.exit(1)

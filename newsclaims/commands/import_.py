"""`newsclaims import`: WARC / WARC.gz files (web archives, CC-NEWS) into the database."""
from __future__ import annotations

import sys

import click

from newsclaims.commands._common import db_option, user_errors
from newsclaims.commands._types import DATE
from newsclaims.commands.crawl import CrawlProgress, progress_line
from newsclaims.importer import ImportOptions, read_domains, run_import
from newsclaims.lock import database_run_lock



@click.command("import")
@click.argument("sources", nargs=-1, required=True, metavar="PATH_OR_URL...")
@db_option
@click.option("--source-domains", "domains_file", type=click.Path(dir_okay=False), default=None,
              help="Keep only pages of the hosts listed in this file (one per line; subdomains included).")
@click.option("--since", type=DATE, default=None, help="Keep pages fetched (WARC-Date) on or after this day.")
@click.option("--until", type=DATE, default=None, help="Keep pages fetched on or before this day.")
@click.option("--batch-size", type=click.IntRange(min=1), default=50, show_default=True,
              help="Articles per database transaction (and resume checkpoint).")
@click.option("--workers", type=click.IntRange(min=1), default=1, show_default=True,
              help="Extraction processes (this process alone writes the database).")
@user_errors
def import_warc(sources: tuple[str, ...], db_path: str, domains_file: str | None, since: str | None,
                until: str | None, batch_size: int, workers: int) -> None:
    """Import HTML and PDF pages from WARC / WARC.gz files (PATH_OR_URL: local paths or http(s) URLs).

    Response records go through the same extraction as a crawl into the same articles (URL from the
    record, fetch date from WARC-Date, publication date from the page). Request, metadata, revisit,
    non-200 and non-HTML/PDF records are skipped and counted. Importing a file again adds nothing; an
    interrupted import continues where it stopped when the same file is imported again.
    """
    options = ImportOptions(sources=sources, db_path=db_path,
                            domains=read_domains(domains_file) if domains_file else None,
                            since=since, until=until, batch_size=batch_size,
                            workers=workers)
    with database_run_lock(db_path, command="import"):
        progress = CrawlProgress()
        result = run_import(options, progress=progress)
        progress.done()
    skipped = ", ".join(f"{k} {v}" for k, v in sorted(result.skipped.items())) or "none"
    errors = ", ".join(f"{k} {v}" for k, v in sorted(result.errors.items())) or "none"
    click.echo(f"import run {result.run_id} {result.status}: {progress_line(result.stats)} "
               f"(skipped: {skipped}; errors: {errors})")
    if result.status != "finished":
        sys.exit(1)

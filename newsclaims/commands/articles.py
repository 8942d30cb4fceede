"""`newsclaims articles`: list what landed."""
from __future__ import annotations

import click

from db.queries import ARTICLE_COLUMNS, list_articles
from db.store import Store
from newsclaims.commands._common import db_option, emit_rows, format_option, user_errors
from newsclaims.commands._types import DATE


@click.command()
@click.option("--source", help="Only articles from this source.")
@click.option("--since", type=DATE, help="Only articles published (or fetched) on or after this date (YYYY-MM-DD).")
@click.option("--limit", type=click.IntRange(min=1), default=50, show_default=True, help="At most this many rows.")
@format_option
@db_option
@user_errors
def articles(source: str | None, since: str | None, limit: int, fmt: str, db_path: str) -> None:
    """List stored articles, newest first."""
    with Store.open(db_path, readonly=True) as store:
        rows = list(list_articles(store, source=source, since=since, limit=limit))
    emit_rows(rows, fmt, ARTICLE_COLUMNS, widths={"title": 48, "url": 60, "author": 18})

"""`newsclaims search`: full-text search over articles and claims, Chinese included."""
from __future__ import annotations

import click

from db.queries import SEARCH_COLUMNS, search as search_db
from db.store import Store
from newsclaims.commands._common import db_option, emit_rows, format_option, user_errors


@click.command()
@click.argument("query")
@click.option("--what", type=click.Choice(["all", "articles", "claims"]), default="all", show_default=True,
              help="Search articles, claims or both (articles are listed first).")
@click.option("--lang", type=click.Choice(["en", "zh"]), help="Only articles in this language.")
@click.option("--limit", type=click.IntRange(min=1), default=20, show_default=True,
              help="At most this many articles and this many claims.")
@format_option
@db_option
@user_errors
def search(query: str, what: str, lang: str | None, limit: int, fmt: str, db_path: str) -> None:
    """Search articles and claims (ranked by bm25; matches are marked [like this]).

    \b
    QUERY syntax: words separated by spaces; a row matches when it contains every word (AND).
      - Case, accents and full-width forms are ignored: xiaomi = Xiaomi = ＸＩＡＯＭＩ.
      - Chinese is split into words like the index: 小米营收 finds 小米 ... 营收.
      - Punctuation separates words and operators are plain words: quotes, OR, NOT, *, NEAR
        and column: prefixes have no special meaning (nothing the query holds can break it).
      - Whole words only: "revenue" does not match "revenues".
    """
    with Store.open(db_path, readonly=True) as store:
        rows = search_db(store, query, limit=limit, lang=lang, what=what)
    if fmt == "table" and not rows:  # no header over nothing: the message says it
        click.echo(f"Nothing matches {query!r}.", err=True)
        return
    emit_rows(rows, fmt, SEARCH_COLUMNS, widths={"title": 40, "snippet": 70, "url": 50})

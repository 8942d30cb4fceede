"""Read-only queries behind the listing commands. Every value is a bound parameter."""
from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from db.store import Store

ARTICLE_COLUMNS = ("id", "published", "lang", "source", "kind", "title", "author", "url", "chars", "process_state")


def list_articles(store: Store, *, source: str | None = None, since: str | None = None,
                  limit: int | None = None) -> Iterator[dict[str, Any]]:
    """Stored articles, newest publication first."""
    where: list[str] = []
    params: list[Any] = []
    if source:
        where.append("source = ?")
        params.append(source)
    if since:
        where.append("coalesce(published, fetched_at) >= ?")
        params.append(since)
    sql = (
        "SELECT id, published, lang, source, kind, title, author, canonical_url AS url, length(text) AS chars, "
        "process_state, fetched_at FROM articles"
        + (" WHERE " + " AND ".join(where) if where else "")
        + " ORDER BY coalesce(published, fetched_at) DESC, id DESC"
    )
    if limit:
        sql += " LIMIT ?"
        params.append(int(limit))
    for row in store.conn.execute(sql, params):
        yield dict(row)


def table_counts(store: Store) -> dict[str, int]:
    """Row counts of the main tables, for reports."""
    names = ("sources", "crawl_runs", "articles", "entities", "mentions", "figures", "claims")
    return {n: int(store.conn.execute(f"SELECT count(*) FROM {n}").fetchone()[0]) for n in names}

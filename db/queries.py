"""Read-only queries behind the listing commands. Every value is a bound parameter."""
from __future__ import annotations

import json
import os
from collections.abc import Iterator
from datetime import datetime, timezone
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


RUN_COLUMNS = ("id", "command", "started", "duration", "status", "pages_fetched", "not_modified", "new", "updated",
               "unchanged", "skipped", "errors", "error_counts")


def list_runs(store: Store, limit: int | None = None) -> list[dict[str, Any]]:
    """The run ledger, newest first: one dict per crawl run with its counters and seconds taken.

    A row still marked 'running' whose process is gone gets the computed status 'interrupted?':
    this listing opens the database read-only, so it cannot mark the row itself.
    """
    sql = (
        "SELECT id, command, sources, started_at, finished_at, status, pid, pages_fetched, not_modified, "
        "articles_new, articles_updated, articles_unchanged, skipped, errors, error_counts FROM crawl_runs "
        "ORDER BY started_at DESC, id DESC"
    )
    params: list[Any] = []
    if limit:
        sql += " LIMIT ?"
        params.append(int(limit))
    return [_run_row(dict(row)) for row in store.conn.execute(sql, params)]


def _run_row(row: dict[str, Any]) -> dict[str, Any]:
    started = _parse_time(row["started_at"])
    finished = _parse_time(row["finished_at"])
    status = row["status"]
    if status == "running" and not _process_exists(row["pid"]):
        status = "interrupted?"
    if started and finished:
        duration: float | None = (finished - started).total_seconds()
    elif started and status == "running":
        duration = (datetime.now(timezone.utc) - started).total_seconds()
    else:
        duration = None
    try:
        error_counts = json.loads(row["error_counts"]) if row["error_counts"] else {}
    except json.JSONDecodeError:
        error_counts = {"unreadable_error_counts": int(row["errors"] or 0)}
    return {
        "id": row["id"],
        "command": row["command"],
        "sources": row["sources"],
        "started": row["started_at"],
        "finished": row["finished_at"],
        "duration": duration,
        "status": status,
        "pid": row["pid"],
        "pages_fetched": row["pages_fetched"],
        "not_modified": row["not_modified"],
        "new": row["articles_new"],
        "updated": row["articles_updated"],
        "unchanged": row["articles_unchanged"],
        "skipped": row["skipped"],
        "errors": row["errors"],
        "error_counts": error_counts,
    }


def _parse_time(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)


def _process_exists(pid: int | None) -> bool:
    # Same test as Store.mark_stale_runs: signal 0 checks existence without touching the process.
    if not pid:
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True

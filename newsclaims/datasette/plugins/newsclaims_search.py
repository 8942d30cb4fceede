"""Datasette plugin: `newsclaims_fts_query(text)` in SQL, so canned queries search Chinese the way the
index was segmented (FTS5 alone cannot match 小米 inside a run of Han characters)."""
from __future__ import annotations

from datasette import hookimpl

from db.queries import unsegment
from db.search import fts_query, segment


@hookimpl
def startup(datasette) -> None:  # type: ignore[no-untyped-def]
    # Load jieba's dictionary now (a second or two), not inside the first search: a query that pays for it
    # would run into Datasette's SQL time limit and show an error instead of results.
    segment("小米")


@hookimpl
def prepare_connection(conn) -> None:  # type: ignore[no-untyped-def]
    conn.create_function("newsclaims_fts_query", 1, lambda text: fts_query(text or "") or '""', deterministic=True)
    conn.create_function("newsclaims_unsegment", 2, lambda text, lang: unsegment(text or "", lang),
                         deterministic=True)

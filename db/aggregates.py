"""Precomputed aggregates: what `newsclaims entities` shows, kept in entity_counts.

Counting three million mentions per entity listing takes seconds, so `process` refreshes the
counts once at its end. Every write that can change them bumps `analysis_generation.generation`
(db.store.bump_generation) in its own transaction; the counts are current only while they were
computed at the present generation, and `entities` counts live when they are not (a crawl that
changed an article's language, a `process` that was killed).
"""
from __future__ import annotations

import sqlite3

from db.queries import ENTITY_COLUMNS, count_entities
from db.store import Store


def entity_counts_current(store: Store) -> bool:
    try:
        row = store.conn.execute(
            "SELECT generation, entity_counts_of FROM analysis_generation WHERE id = 1").fetchone()
    except sqlite3.OperationalError:  # a database opened read-only before its migration to schema 5
        return False
    return row is not None and row[0] == row[1]


def refresh_entity_counts(store: Store) -> bool:
    """Recompute entity_counts if out of date, in one write transaction (writers wait meanwhile, so
    the counts match the generation they are stamped with). Returns whether it recomputed."""
    if entity_counts_current(store):
        return False
    with store.transaction() as conn:
        generation = conn.execute("SELECT generation FROM analysis_generation WHERE id = 1").fetchone()[0]
        rows = count_entities(store)
        conn.execute("DELETE FROM entity_counts")
        columns = ("entity_id", *ENTITY_COLUMNS[3:])
        conn.executemany(
            f"INSERT INTO entity_counts ({', '.join(columns)}) VALUES ({', '.join('?' for _ in columns)})",
            [(r["id"], *(r[c] for c in ENTITY_COLUMNS[3:])) for r in rows])
        conn.execute("UPDATE analysis_generation SET entity_counts_of = ? WHERE id = 1", (generation,))
    return True

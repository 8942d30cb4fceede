"""The Datasette metadata documents every table and column the schema creates, and its canned queries run."""
from __future__ import annotations

import re
import sqlite3
from pathlib import Path

from db.store import Store
from newsclaims.datasette import metadata_for
from newsclaims.datasette.plugins.newsclaims_search import prepare_connection


def schema_tables(db: Path) -> dict[str, list[str]]:
    conn = sqlite3.connect(db)
    try:
        names = [r[0] for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type IN ('table', 'view') AND name NOT LIKE 'sqlite_%'")]
        shadow = re.compile(r"_fts_(data|idx|docsize|config|content)$")
        return {n: [r[1] for r in conn.execute(f'PRAGMA table_info("{n}")')] for n in names if not shadow.search(n)}
    finally:
        conn.close()


def test_every_table_and_column_is_described(tmp_path: Path) -> None:
    db = tmp_path / "fresh.db"
    Store.open(db).close()
    tables = metadata_for(db)["databases"]["fresh"]["tables"]
    for table, columns in schema_tables(db).items():
        assert table in tables, f"metadata.json does not describe table {table}"
        assert tables[table].get("title") and tables[table].get("description"), table
        missing = [c for c in columns if not tables[table].get("columns", {}).get(c)]
        assert not missing, f"{table}: no description for {missing}"
        extra = set(tables[table].get("columns", {})) - set(columns)
        assert not extra, f"{table}: metadata describes columns that do not exist: {extra}"


def test_canned_queries_run_on_the_demo_database(demo_db: Path) -> None:
    queries = metadata_for(demo_db)["databases"]["demo"]["queries"]
    assert {"claims_due_next_90_days", "claims_about_entity", "targets_by_speaker"} <= set(queries)
    conn = sqlite3.connect(f"file:{demo_db}?mode=ro", uri=True)
    prepare_connection(conn)
    params = {"entity": "小米", "q": "世界500强", "status": ""}
    try:
        for name, query in queries.items():
            conn.execute(query["sql"], {k: v for k, v in params.items() if f":{k}" in query["sql"]}).fetchall()
        about = conn.execute(queries["claims_about_entity"]["sql"], {"entity": "xiaomi"}).fetchall()
        assert about and len(about) == len(conn.execute(queries["claims_about_entity"]["sql"],
                                                        {"entity": "小米"}).fetchall())
        speakers = [row[0] for row in conn.execute(queries["targets_by_speaker"]["sql"])]
        assert "Lei Jun" in speakers
    finally:
        conn.close()

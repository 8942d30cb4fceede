"""Regenerate docs/schema.md from the schema itself (a fresh database) and the Datasette metadata, which
tests/test_use_metadata.py keeps complete: `python docs/make_schema_md.py`."""
from __future__ import annotations

import sqlite3
import tempfile
from pathlib import Path

from db.schema import SCHEMA_VERSION
from db.store import Store
from newsclaims.datasette import metadata_for

INTRO = f"""# Database schema

newsclaims keeps everything in one SQLite file (schema version {SCHEMA_VERSION}, in `PRAGMA user_version`;
migrations in `db/schema.py` upgrade older files on open). Only `db/` writes to it; `newsclaims serve` shows
it in Datasette with the same descriptions. Dates are ISO 8601 text; timestamps are UTC.

How the tables hang together: an **article** (one per canonical URL, earlier texts in **article_versions**)
has **mentions** of **entities** (小米 and Xiaomi are one entity, `canonical = 'Xiaomi'`), **figures**, and
**claims**; a claim may point at the figure it carries (`figure_id`) and repeats the figure's main fields so
that it reads on its own. `claims.subject` and `claims.speaker` hold canonical names, so "every claim about
Xiaomi" is `lower(subject) IN (the entity's names)`. **crawl_runs** is the run ledger; **sources** the
configured sites. The promise tracker groups the reports of one claim in **claim_groups** (`claims.group_id`)
and keeps each promise's verdict, confidence, deciding rule and evidence in **claim_outcomes** (`newsclaims
track`). `articles_fts` and `claims_fts` are FTS5 indexes whose text is jieba-segmented (search
them through `newsclaims search`, or segment queries with `db.search.fts_query`).
"""


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "schema.db"
        Store.open(db).close()
        tables = metadata_for(db)["databases"]["schema"]["tables"]
        conn = sqlite3.connect(db)
        out = [INTRO]
        for name, kind, sql in conn.execute(
                "SELECT name, type, sql FROM sqlite_master WHERE type IN ('table', 'view') AND name NOT LIKE 'sqlite_%' "
                "AND name NOT GLOB '*_fts_*' ORDER BY CASE name WHEN 'articles' THEN 0 WHEN 'claims' THEN 1 ELSE 2 END, name"):
            meta = tables[name]
            out.append(f"## {name}{' (view)' if kind == 'view' else ''}\n\n{meta['description']}\n")
            out.append("| column | type | meaning |\n|---|---|---|")
            for col in conn.execute(f'PRAGMA table_info("{name}")'):
                out.append(f"| {col[1]} | {col[2] or ''} | {meta['columns'][col[1]].replace('|', '/')} |")
            out.append("")
        indexes = [r[0] for r in conn.execute("SELECT sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL")]
        out.append("## Indexes\n\n```sql\n" + ";\n".join(indexes) + ";\n```\n")
        conn.close()
    Path(__file__).with_name("schema.md").write_text("\n".join(out), encoding="utf-8")


if __name__ == "__main__":
    main()

"""Exports load back (csv module, json, pyarrow) and equal the database; the dataset card says what they hold."""
from __future__ import annotations

import csv
import json
import sqlite3
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

from db.export import columns_for
from newsclaims.cli import cli
from use_data import build_generated_database

# What each export must equal, straight from the tables (not through db.export's own SQL).
TRUTH = {
    "claims": """SELECT c.id, c.kind, c.scope, c.subject, c.speaker, c.predicate, c.figure_text, c.figure_kind, c.figure_value,
                   c.figure_unit, c.period, c.time_frame, c.deadline, c.quote, c.compared_with, c.confidence, c.sentence, a.lang,
                   a.source, a.title, substr(a.published, 1, 10), a.canonical_url, c.article_id, c.analysis_version
                 FROM claims c JOIN articles a ON a.id = c.article_id ORDER BY c.id""",
    "articles": """SELECT id, canonical_url, source, kind, lang, title, author, published, description, text,
                     length(text), fetched_at, analysis_version FROM articles ORDER BY id""",
    "figures": """SELECT f.id, f.article_id, f.text, f.kind, f.value, f.unit, f.approx, f.top, f.change, f.lower,
                    f.upper, f.period, a.lang, a.source, substr(a.published, 1, 10), a.canonical_url
                  FROM figures f JOIN articles a ON a.id = f.article_id ORDER BY f.id""",
    "entities": """SELECT e.id, e.canonical, e.label, count(m.id), count(DISTINCT m.article_id),
                     (SELECT group_concat(t, ' | ') FROM (SELECT DISTINCT text AS t FROM mentions
                      WHERE entity_id = e.id ORDER BY t))
                   FROM entities e JOIN mentions m ON m.entity_id = e.id GROUP BY e.id ORDER BY e.id""",
}


def export(db: Path, out: Path, what: str, fmt: str, *extra: str) -> str:
    result = CliRunner().invoke(cli, ["export", "--what", what, "--format", fmt, "-o", str(out), "--db", str(db),
                                      *extra])
    assert result.exit_code == 0, result.stderr
    return result.stdout


def truth(db: Path, what: str) -> list[dict]:
    names = [c.name for c in columns_for(what)]
    conn = sqlite3.connect(db)
    try:
        rows = [dict(zip(names, r)) for r in conn.execute(TRUTH[what])]
    finally:
        conn.close()
    types = {c.name: c.type for c in columns_for(what)}
    for row in rows:
        for name, value in row.items():
            if value is not None and types[name] == "bool":
                row[name] = bool(value)
            elif value is not None and types[name] == "float":
                row[name] = float(value)
    return sorted(rows, key=lambda r: r["id"])


def load(path: Path, fmt: str, what: str) -> list[dict]:
    if fmt == "parquet":
        rows = pq.read_table(path).to_pylist()
    elif fmt == "jsonl":
        rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    else:
        types = {c.name: c.type for c in columns_for(what)}
        convert = {"int": int, "float": float, "bool": lambda v: bool(int(v)), "str": str}
        with path.open(encoding="utf-8", newline="") as fh:
            rows = [{k: None if v == "" else convert[types[k]](v) for k, v in r.items()} for r in csv.DictReader(fh)]
    return sorted(rows, key=lambda r: r["id"])


def _blank_strings_are_null(rows: list[dict]) -> list[dict]:
    # CSV cannot tell an empty string from a missing value.
    return [{k: None if v == "" else v for k, v in r.items()} for r in rows]


@pytest.mark.parametrize("fmt", ["csv", "jsonl", "parquet"])
@pytest.mark.parametrize("what", ["articles", "claims", "figures", "entities"])
def test_export_round_trips_the_demo_database(demo_db: Path, tmp_path: Path, what: str, fmt: str) -> None:
    out = tmp_path / f"{what}.{fmt}"
    message = export(demo_db, out, what, fmt)
    expected = truth(demo_db, what)
    assert expected, f"the demo database has no {what}"
    loaded = load(out, fmt, what)
    if fmt == "csv":
        expected = _blank_strings_are_null(expected)
    assert loaded == expected
    assert f"Wrote {len(expected)} {what}" in message
    assert not list(tmp_path.glob("*.part"))


def test_parquet_columns_are_typed(demo_db: Path, tmp_path: Path) -> None:
    export(demo_db, tmp_path / "c.parquet", "claims", "parquet")
    schema = pq.read_schema(tmp_path / "c.parquet")
    assert str(schema.field("id").type) == "int64"
    assert str(schema.field("figure_value").type) == "double"
    assert str(schema.field("quote").type) == "bool"
    assert str(schema.field("deadline").type) == "string"


def test_filters_and_no_text(demo_db: Path, tmp_path: Path) -> None:
    out = tmp_path / "targets.jsonl"
    export(demo_db, out, "claims", "jsonl", "--entity", "小米", "--kind", "target", "--no-text")
    rows = load(out, "jsonl", "claims")
    assert rows and {r["kind"] for r in rows} == {"target"} and {r["subject"] for r in rows} == {"Xiaomi"}
    assert all("sentence" not in r for r in rows)
    articles = tmp_path / "articles.csv"
    export(demo_db, articles, "articles", "csv", "--lang", "zh", "--no-text")
    loaded = load(articles, "csv", "articles")
    assert loaded and {r["lang"] for r in loaded} == {"zh"} and "text" not in loaded[0]
    card = Path(str(articles) + ".md").read_text(encoding="utf-8")
    assert "lang=zh" in card and "no (--no-text)" in card


def test_dataset_card(demo_db: Path, tmp_path: Path) -> None:
    out = tmp_path / "claims.parquet"
    export(demo_db, out, "claims", "parquet", "--entity", "xiaomi")
    card = Path(str(out) + ".md").read_text(encoding="utf-8")
    rows = pq.read_table(out).num_rows
    assert f"({'parquet'}, {rows} rows)" in card
    assert "entity=xiaomi" in card and "belong to their publishers" in card
    assert "| deadline | str |" in card and "SELECT" in card and "Analysis version(s): " in card
    versions = sqlite3.connect(demo_db).execute("SELECT DISTINCT analysis_version FROM articles").fetchall()
    assert all(v[0] in card for v in versions if v[0])


def test_claim_only_filter_on_other_exports_is_a_clear_error(demo_db: Path, tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["export", "--what", "articles", "--kind", "target", "-o", str(tmp_path / "a.csv"),
                                      "--db", str(demo_db)])
    assert result.exit_code == 1 and "--kind: can only be used with --what claims" in result.stderr
    assert not (tmp_path / "a.csv").exists()


def test_generated_database_round_trips_every_row(tmp_path: Path) -> None:
    """Nulls, Chinese text, large floats and many row groups survive Parquet and JSON Lines."""
    db = build_generated_database(tmp_path / "gen.db", 3000)
    expected = truth(db, "claims")
    assert len(expected) == 3000
    for fmt in ("parquet", "jsonl"):
        out = tmp_path / f"claims.{fmt}"
        export(db, out, "claims", fmt)
        assert load(out, fmt, "claims") == expected


def test_parquet_is_written_in_row_groups(tmp_path: Path) -> None:
    from db.export import export as export_rows
    from db.store import Store

    db = build_generated_database(tmp_path / "gen.db", 1000)
    with Store.open(db, readonly=True) as store:
        result = export_rows(store, "claims", "parquet", tmp_path / "c.parquet", batch_size=300)
    assert result.rows == 1000
    assert pq.ParquetFile(tmp_path / "c.parquet").metadata.num_row_groups == 4

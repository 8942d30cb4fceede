"""Migration 4's indexes, and the rewritten queries returning exactly the rows the old ones did.

The old queries are kept here verbatim as the oracle. They run on the demo database and on a copy
blown up 40x by bench/bigdb.py (so limits, ties at a cut-off and repeated subjects really occur).
Speed itself is the bench's job (`python -m bench bigdb`).
"""
from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from bench.bigdb import build_big_database
from db import queries
from db.aggregates import entity_counts_current, refresh_entity_counts
from db.search import fts_query
from db.store import Store
from nlp.records import Analysis

NEW_INDEXES = {
    "idx_articles_recent", "idx_articles_source_recent", "idx_articles_lang", "idx_mentions_text",
    "idx_mentions_entity", "idx_claims_subject",
}

OLD_ENTITIES = """
    WITH m AS (
        SELECT m.entity_id, a.lang, m.article_id, m.text FROM mentions m JOIN articles a ON a.id = m.article_id
    ), names AS (
        SELECT e.id AS entity_id, lower(e.canonical) AS name FROM entities e
        UNION SELECT entity_id, lower(text) FROM mentions
    ), cl AS (
        SELECT n.entity_id, a.lang, count(*) AS n FROM claims c
        JOIN articles a ON a.id = c.article_id
        JOIN names n ON n.name = lower(c.subject)
        GROUP BY n.entity_id, a.lang
    )
    SELECT e.id, e.canonical, e.label,
           (SELECT count(*) FROM m WHERE m.entity_id = e.id) AS mentions,
           (SELECT count(*) FROM m WHERE m.entity_id = e.id AND m.lang = 'en') AS mentions_en,
           (SELECT count(*) FROM m WHERE m.entity_id = e.id AND m.lang = 'zh') AS mentions_zh,
           (SELECT count(DISTINCT article_id) FROM m WHERE m.entity_id = e.id) AS articles,
           coalesce((SELECT sum(n) FROM cl WHERE cl.entity_id = e.id), 0) AS claims,
           coalesce((SELECT sum(n) FROM cl WHERE cl.entity_id = e.id AND cl.lang = 'en'), 0) AS claims_en,
           coalesce((SELECT sum(n) FROM cl WHERE cl.entity_id = e.id AND cl.lang = 'zh'), 0) AS claims_zh,
           (SELECT group_concat(text, ' | ') FROM (SELECT DISTINCT text FROM m WHERE m.entity_id = e.id
                                                     ORDER BY text)) AS aliases
    FROM entities e {where}
    ORDER BY mentions DESC, claims DESC, e.canonical, e.id"""

OLD_CLAIMS = """SELECT {columns} FROM claims c JOIN articles a ON a.id = c.article_id
    WHERE lower(c.subject) IN ({marks}) {extra} ORDER BY c.deadline IS NULL, c.deadline, a.published, c.id"""

OLD_ARTICLES = """SELECT id, substr(published, 1, 10) AS published, lang, source, kind, title, author, canonical_url AS url, length(text) AS chars,
    process_state, fetched_at FROM articles ORDER BY coalesce(published, fetched_at) DESC, id DESC"""

OLD_SEARCH = """SELECT 'article' AS type, a.id, round(bm25(articles_fts), 3) AS rank FROM articles_fts
    JOIN articles a ON a.id = articles_fts.rowid WHERE articles_fts MATCH ? ORDER BY bm25(articles_fts), a.id"""


@pytest.fixture(scope="module")
def big_db(demo_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("bigdb") / "big.db"
    build_big_database(demo_db, path, copies=40)
    return path


@pytest.fixture(params=["demo", "big"])
def store(request: pytest.FixtureRequest, demo_db: Path) -> Any:
    path = demo_db if request.param == "demo" else request.getfixturevalue("big_db")
    with Store.open(path, readonly=True) as opened:
        yield opened


def _rows(store: Store, sql: str, params: list[Any]) -> list[dict[str, Any]]:
    return [dict(r) for r in store.conn.execute(sql, params)]


def test_migration_creates_the_query_indexes(tmp_path: Path) -> None:
    Store.open(tmp_path / "new.db").close()
    conn = sqlite3.connect(tmp_path / "new.db")
    names = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}
    assert NEW_INDEXES <= names
    columns = [r[2] for r in conn.execute("PRAGMA index_xinfo(idx_claims_subject)") if r[1] >= 0]
    assert columns == ["subject", "deadline", "article_id"]


def test_query_plans_use_the_indexes(store: Store) -> None:
    def plan(sql: str, params: list[Any]) -> str:
        return " | ".join(r[3] for r in store.conn.execute("EXPLAIN QUERY PLAN " + sql, params))

    sql, params = queries.claims_query(store, queries.ClaimFilter(entity="小米", limit=5))
    assert "idx_claims_subject" in plan(sql, params)
    articles = plan("SELECT id FROM articles ORDER BY coalesce(published, fetched_at) DESC, id DESC LIMIT 5", [])
    assert "idx_articles_recent" in articles and "TEMP B-TREE" not in articles
    assert "COVERING INDEX idx_mentions_text" in plan(
        "SELECT entity_id FROM mentions WHERE text = ? COLLATE NOCASE", ["小米"])


@pytest.mark.parametrize("label,top", [(None, 20), (None, 5), ("ORG", 10), ("PERSON", 3), (None, None)])
def test_entities_are_the_rows_of_the_old_query(store: Store, label: str | None, top: int | None) -> None:
    old = _rows(store, OLD_ENTITIES.format(where="WHERE e.label = ?" if label else ""), [label] if label else [])
    assert entity_counts_current(store)  # `process` (and the bench's copy) refreshed them
    precomputed = queries.list_entities(store, label=label, top=top)
    live = queries.count_entities(store, label=label, top=top)
    assert precomputed == live == (old[:top] if top else old)
    assert live and live[0]["mentions"] > 0


def test_entity_counts_go_stale_on_a_write_and_entities_then_counts_live(demo_db: Path, tmp_path: Path) -> None:
    path = tmp_path / "copy.db"
    shutil.copyfile(demo_db, path)
    with Store.open(path) as store:
        before = queries.list_entities(store, top=5)
        top_article = store.conn.execute(
            "SELECT article_id FROM mentions WHERE entity_id = ? LIMIT 1", (before[0]["id"],)).fetchone()[0]
        store.save_analyses([(top_article, Analysis(lang="en"))], "test")  # its mentions are gone
        assert not entity_counts_current(store)
        after = queries.list_entities(store, top=5)
        assert after == queries.count_entities(store, top=5) and after != before
        assert refresh_entity_counts(store) and entity_counts_current(store)
        assert queries.list_entities(store, top=5) == after
        assert not refresh_entity_counts(store)  # nothing changed since


@pytest.mark.parametrize("entity,limit,extra", [("小米", 100, {}), ("xiaomi", 7, {"kind": "target"}),
                                                ("Xiaomi", 3, {}), ("小米", 50, {"lang": "zh"}),
                                                ("阿里巴巴", 1000000, {})])
def test_claims_are_the_rows_of_the_old_query(store: Store, entity: str, limit: int, extra: dict[str, str]) -> None:
    names = queries.resolve_entity(store, entity)
    where = "".join(f" AND {'c' if k == 'kind' else 'a'}.{k} = ?" for k in extra)
    old = _rows(store, OLD_CLAIMS.format(columns=queries._CLAIM_SELECT, marks=", ".join("?" for _ in names),
                                         extra=where), [*names, *extra.values()])[:limit]
    new = list(queries.list_claims(store, queries.ClaimFilter(entity=entity, limit=limit, **extra)))
    assert new == old and new


def test_articles_are_the_rows_of_the_old_query(store: Store) -> None:
    old = _rows(store, OLD_ARTICLES, [])
    assert list(queries.list_articles(store, limit=30)) == old[:30]
    assert list(queries.list_articles(store)) == old


@pytest.mark.parametrize("query", ["世界500强", "revenue", "Xiaomi quarters"])
def test_search_ranks_the_same_articles(store: Store, query: str) -> None:
    old = _rows(store, OLD_SEARCH, [fts_query(query)])
    new = [r for r in queries.search(store, query, limit=10, what="articles")]
    assert new and [r["rank"] for r in new] == [r["rank"] for r in old[:10]]
    # equal scores may come in either order; the set of (score, article) pairs per score is the same
    cut = new[-1]["rank"]
    assert {(r["rank"], r["id"]) for r in new if r["rank"] != cut} == \
        {(r["rank"], r["id"]) for r in old[:10] if r["rank"] != cut}

"""The database schema, created and upgraded through numbered migrations.

`PRAGMA user_version` holds the number of the last migration applied. Each migration runs in one
transaction, so a database is always at a whole version, never between two.
"""
from __future__ import annotations

import sqlite3
from collections.abc import Callable

Migration = Callable[[sqlite3.Connection], None]


def _v1_core(conn: sqlite3.Connection) -> None:
    _run_script(
        conn,
        """
        CREATE TABLE sources (
            name TEXT PRIMARY KEY,
            kind TEXT NOT NULL,
            lang TEXT NOT NULL,
            config TEXT,                 -- the source's table from sources.toml, as JSON
            first_seen_at TEXT NOT NULL,
            last_crawled_at TEXT
        );

        CREATE TABLE crawl_runs (
            id INTEGER PRIMARY KEY,
            command TEXT NOT NULL,
            sources TEXT,                -- JSON array of source names
            started_at TEXT NOT NULL,
            finished_at TEXT,
            status TEXT NOT NULL,        -- running | finished | failed | interrupted
            pid INTEGER,
            pages_fetched INTEGER NOT NULL DEFAULT 0,
            not_modified INTEGER NOT NULL DEFAULT 0,
            articles_new INTEGER NOT NULL DEFAULT 0,
            articles_updated INTEGER NOT NULL DEFAULT 0,
            articles_unchanged INTEGER NOT NULL DEFAULT 0,
            skipped INTEGER NOT NULL DEFAULT 0,
            errors INTEGER NOT NULL DEFAULT 0,
            error_counts TEXT,           -- JSON object: category -> count
            stats TEXT                   -- JSON object: everything else the crawler counted
        );

        CREATE TABLE articles (
            id INTEGER PRIMARY KEY,
            canonical_url TEXT NOT NULL UNIQUE,
            url TEXT NOT NULL,
            source TEXT,
            kind TEXT NOT NULL DEFAULT 'news',
            lang TEXT,
            title TEXT,
            author TEXT,
            published TEXT,
            description TEXT,
            text TEXT NOT NULL,
            content_hash TEXT NOT NULL,  -- sha256 of the extracted text
            raw_body BLOB,               -- the response body, zlib-compressed
            content_type TEXT,
            encoding TEXT,
            http_status INTEGER,
            etag TEXT,
            last_modified TEXT,
            fetched_at TEXT NOT NULL,
            first_seen_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            crawl_run_id INTEGER REFERENCES crawl_runs(id),
            process_state TEXT NOT NULL DEFAULT 'pending',  -- pending | done | error
            processed_at TEXT,
            analysis_version TEXT,
            process_error TEXT
        );
        CREATE INDEX idx_articles_source ON articles(source);
        CREATE INDEX idx_articles_published ON articles(published);
        CREATE INDEX idx_articles_state ON articles(process_state);
        CREATE INDEX idx_articles_url ON articles(url);

        -- Earlier versions of an article whose text changed.
        CREATE TABLE article_versions (
            id INTEGER PRIMARY KEY,
            article_id INTEGER NOT NULL REFERENCES articles(id),
            content_hash TEXT NOT NULL,
            title TEXT,
            text TEXT NOT NULL,
            raw_body BLOB,
            fetched_at TEXT NOT NULL,
            replaced_at TEXT NOT NULL
        );
        CREATE INDEX idx_article_versions_article ON article_versions(article_id);

        CREATE TABLE entities (
            id INTEGER PRIMARY KEY,
            canonical TEXT NOT NULL,
            label TEXT NOT NULL,
            UNIQUE (canonical, label)
        );

        CREATE TABLE mentions (
            id INTEGER PRIMARY KEY,
            article_id INTEGER NOT NULL REFERENCES articles(id),
            entity_id INTEGER NOT NULL REFERENCES entities(id),
            text TEXT NOT NULL,
            label TEXT NOT NULL,
            start INTEGER NOT NULL,
            "end" INTEGER NOT NULL
        );
        CREATE INDEX idx_mentions_article ON mentions(article_id);
        CREATE INDEX idx_mentions_entity ON mentions(entity_id);

        CREATE TABLE figures (
            id INTEGER PRIMARY KEY,
            article_id INTEGER NOT NULL REFERENCES articles(id),
            text TEXT NOT NULL,
            kind TEXT NOT NULL,
            value REAL,
            unit TEXT,
            approx INTEGER NOT NULL DEFAULT 0,
            top INTEGER NOT NULL DEFAULT 0,
            change TEXT,
            lower REAL,
            upper REAL,
            period TEXT,
            start INTEGER NOT NULL,
            "end" INTEGER NOT NULL
        );
        CREATE INDEX idx_figures_article ON figures(article_id);
        CREATE INDEX idx_figures_kind ON figures(kind);

        CREATE TABLE claims (
            id INTEGER PRIMARY KEY,
            article_id INTEGER NOT NULL REFERENCES articles(id),
            kind TEXT NOT NULL,
            subject TEXT,
            speaker TEXT,
            predicate TEXT,
            figure_id INTEGER REFERENCES figures(id),
            figure_text TEXT,
            figure_kind TEXT,
            figure_value REAL,
            figure_unit TEXT,
            figure_top INTEGER,
            period TEXT,
            time_frame TEXT,
            deadline TEXT,
            quote INTEGER NOT NULL DEFAULT 0,
            sentence TEXT NOT NULL,
            start INTEGER NOT NULL,
            "end" INTEGER NOT NULL,
            confidence REAL,
            evidence TEXT,               -- JSON array of {sentence, start, end} for merged repeats
            analysis_version TEXT
        );
        CREATE INDEX idx_claims_article ON claims(article_id);
        CREATE INDEX idx_claims_subject ON claims(subject);
        CREATE INDEX idx_claims_deadline ON claims(deadline);

        -- Full-text search. Rows are written by db.store with CJK runs segmented into words
        -- (see db.search.index_text), because FTS5's tokenizers do not segment Chinese.
        CREATE VIRTUAL TABLE articles_fts USING fts5(title, text, tokenize = 'unicode61 remove_diacritics 2');
        """
    )


def _run_script(conn: sqlite3.Connection, script: str) -> None:
    """Run statements one by one: executescript() would COMMIT the migration's transaction."""
    statement = ""
    for line in script.splitlines(keepends=True):
        statement += line
        if sqlite3.complete_statement(statement):
            conn.execute(statement)
            statement = ""
    if statement.strip():
        conn.execute(statement)


def _v2_claims_search(conn: sqlite3.Connection) -> None:
    """Full-text search over claims, and indexes for the claim filters of `newsclaims claims`."""
    _run_script(
        conn,
        """
        -- rowid = claims.id. Written by db.store with CJK runs segmented, like articles_fts.
        CREATE VIRTUAL TABLE claims_fts USING fts5(sentence, subject, speaker,
                                                   tokenize = 'unicode61 remove_diacritics 2');
        CREATE INDEX idx_claims_kind ON claims(kind);
        CREATE INDEX idx_claims_speaker ON claims(speaker);
        CREATE INDEX idx_mentions_text ON mentions(text COLLATE NOCASE);

        -- Claims with their article's language, source, date, title and URL: one row to browse or facet.
        CREATE VIEW claims_with_articles AS
            SELECT c.id, c.kind, c.subject, c.speaker, c.figure_text, c.figure_kind, c.figure_value, c.figure_unit,
                   c.period, c.time_frame, c.deadline, c.quote, c.sentence, a.lang, a.source,
                   substr(a.published, 1, 10) AS published, a.title, a.canonical_url AS url, c.article_id
            FROM claims c JOIN articles a ON a.id = c.article_id;
        """
    )
    # Claims stored before this migration get indexed now.
    from db.search import segment

    rows = conn.execute("SELECT id, sentence, subject, speaker FROM claims").fetchall()
    conn.executemany(
        "INSERT INTO claims_fts (rowid, sentence, subject, speaker) VALUES (?, ?, ?, ?)",
        [(r[0], segment(r[1] or ""), segment(r[2] or ""), segment(r[3] or "")) for r in rows],
    )


def _v3_comparisons(conn: sqlite3.Connection) -> None:
    """What a comparison claim sets its subject against ("compared to Apple's 20, Google's 9")."""
    conn.execute("ALTER TABLE claims ADD COLUMN compared_with TEXT")  # JSON array of canonical names


def _v4_nfkc_search(conn: sqlite3.Connection) -> None:
    """Rebuild both search indexes NFKC-normalised (db.search.segment now normalises), so that full-width
    ＸＩＡＯＭＩ in a query or in a page matches Xiaomi."""
    from db.search import segment

    conn.execute("DELETE FROM articles_fts")
    for row in conn.execute("SELECT id, title, text FROM articles").fetchall():
        conn.execute("INSERT INTO articles_fts (rowid, title, text) VALUES (?, ?, ?)",
                     (row[0], segment(row[1] or ""), segment(row[2] or "")))
    conn.execute("DELETE FROM claims_fts")
    for row in conn.execute("SELECT id, sentence, subject, speaker FROM claims").fetchall():
        conn.execute("INSERT INTO claims_fts (rowid, sentence, subject, speaker) VALUES (?, ?, ?, ?)",
                     (row[0], segment(row[1] or ""), segment(row[2] or ""), segment(row[3] or "")))


def _v5_promise_tracker(conn: sqlite3.Connection) -> None:
    """The promise tracker: claim groups (one claim, many reports) and the outcome of each promise group."""
    _run_script(
        conn,
        """
        -- One claim reported many times. `key` is nlp.promises.grouping.group_key: subject, kind, figure, deadline.
        CREATE TABLE claim_groups (
            id INTEGER PRIMARY KEY,
            key TEXT NOT NULL UNIQUE,
            kind TEXT NOT NULL,
            subject TEXT,
            speaker TEXT,
            figure_text TEXT,            -- as the earliest report wrote it
            figure_kind TEXT,
            figure_value REAL,
            figure_unit TEXT,
            deadline TEXT,
            period TEXT,
            first_claim_id INTEGER,      -- the earliest report
            first_seen TEXT,             -- its publication date
            reports INTEGER NOT NULL,    -- member claims
            articles INTEGER NOT NULL,
            outlets INTEGER NOT NULL,
            languages TEXT,              -- "en,zh"
            updated_at TEXT NOT NULL
        );
        CREATE INDEX idx_claim_groups_subject ON claim_groups(subject);
        -- claims.group_id -> claim_groups.id (no REFERENCES clause: re-analysis deletes claims before their groups
        -- are recounted, and db/tracking.py removes emptied groups itself)
        ALTER TABLE claims ADD COLUMN group_id INTEGER;
        CREATE INDEX idx_claims_group ON claims(group_id);
        -- later evidence is looked up by subject, whatever its case
        CREATE INDEX idx_claims_subject_lower ON claims(lower(subject));

        -- Was the promise kept? One row per target/forecast group with a figure or a deadline.
        CREATE TABLE claim_outcomes (
            group_id INTEGER PRIMARY KEY REFERENCES claim_groups(id),
            status TEXT NOT NULL,        -- kept | missed | pending | unclear
            confidence REAL NOT NULL,    -- 0..1: agreement of the reports times their support
            rule TEXT NOT NULL,          -- the deciding rule, in words
            reached TEXT,                -- when the figure was first met (a late "missed" keeps it)
            as_of TEXT NOT NULL,         -- the day the outcome was decided for
            evidence TEXT NOT NULL,      -- JSON array: claim_id, article_id, url, published, as_of, sentence, ...
            evidence_count INTEGER NOT NULL,
            decided_at TEXT NOT NULL
        );
        CREATE INDEX idx_claim_outcomes_status ON claim_outcomes(status);
        """
    )


def _v6_claim_scope(conn: sqlite3.Connection) -> None:
    """Whether a claim is about a company, a market or the economy (so queries can keep to company claims).

    Rows stored before this version keep scope NULL until `process --reprocess` recomputes them; the query
    commands count NULL as company, which is what every claim was taken for before."""
    _run_script(
        conn,
        """
        ALTER TABLE claims ADD COLUMN scope TEXT;  -- company | market | economy
        CREATE INDEX idx_claims_scope ON claims(scope);
        DROP VIEW claims_with_articles;
        CREATE VIEW claims_with_articles AS
            SELECT c.id, c.kind, c.scope, c.subject, c.speaker, c.figure_text, c.figure_kind, c.figure_value,
                   c.figure_unit, c.period, c.time_frame, c.deadline, c.quote, c.sentence, a.lang, a.source,
                   substr(a.published, 1, 10) AS published, a.title, a.canonical_url AS url, c.article_id
            FROM claims c JOIN articles a ON a.id = c.article_id;
        """
    )


def _v7_query_indexes(conn: sqlite3.Connection) -> None:
    """Indexes that keep the query commands fast at 100,000 articles (bench/bigdb.py). Each one is
    shaped like an expression a query in db/queries.py uses verbatim, or SQLite will not pick it."""
    _run_script(
        conn,
        """
        -- `articles`: newest first, optionally since a date or for one source.
        CREATE INDEX IF NOT EXISTS idx_articles_recent ON articles(coalesce(published, fetched_at), id);
        CREATE INDEX IF NOT EXISTS idx_articles_source_recent
            ON articles(source, coalesce(published, fetched_at), id);
        -- Per-language counts without reading the (large) article rows.
        CREATE INDEX IF NOT EXISTS idx_articles_lang ON articles(lang);
        -- Same names, more columns, so the entity lookups never read the mention rows: an alias's
        -- entity ids, and an entity's articles and aliases.
        DROP INDEX IF EXISTS idx_mentions_text;
        CREATE INDEX idx_mentions_text ON mentions(text COLLATE NOCASE, entity_id);
        DROP INDEX IF EXISTS idx_mentions_entity;
        CREATE INDEX idx_mentions_entity ON mentions(entity_id, article_id, text);
        -- `claims --entity` and `entities` match subjects case-insensitively (subject COLLATE NOCASE IN
        -- ...), then need each claim's deadline (the sort) or article (the language).
        DROP INDEX IF EXISTS idx_claims_subject;
        CREATE INDEX idx_claims_subject ON claims(subject COLLATE NOCASE, deadline, article_id);
        """
    )


def _v8_entity_counts(conn: sqlite3.Connection) -> None:
    """What `newsclaims entities` shows, precomputed: counting 3M mentions per query takes seconds.

    `analysis_generation` counts the writes that can change those numbers (analyses, article
    languages); entity_counts is current only while its `entity_counts_of` equals `generation`.
    db.aggregates refreshes it after `process`; until then `entities` counts live.
    """
    _run_script(
        conn,
        """
        CREATE TABLE IF NOT EXISTS analysis_generation (
            id INTEGER PRIMARY KEY CHECK (id = 1),
            generation INTEGER NOT NULL,
            entity_counts_of INTEGER      -- the generation entity_counts was computed at
        );
        INSERT OR IGNORE INTO analysis_generation (id, generation, entity_counts_of) VALUES (1, 1, NULL);
        CREATE TABLE IF NOT EXISTS entity_counts (
            entity_id INTEGER PRIMARY KEY REFERENCES entities(id),
            mentions INTEGER NOT NULL,
            mentions_en INTEGER NOT NULL,
            mentions_zh INTEGER NOT NULL,
            articles INTEGER NOT NULL,
            claims INTEGER NOT NULL,      -- claims whose lower(subject) is one of the entity's names
            claims_en INTEGER NOT NULL,
            claims_zh INTEGER NOT NULL,
            aliases TEXT                  -- its distinct mention texts, sorted, joined by ' | '
        );
        """
    )


MIGRATIONS: list[Migration] = [_v1_core, _v2_claims_search, _v3_comparisons, _v4_nfkc_search, _v5_promise_tracker,
                               _v6_claim_scope,
                               _v7_query_indexes, _v8_entity_counts]
SCHEMA_VERSION = len(MIGRATIONS)


def has_tables(conn: sqlite3.Connection) -> bool:
    """True if the file already holds any schema object (a SQLite file someone else made, if unversioned)."""
    return conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0] > 0


def current_version(conn: sqlite3.Connection) -> int:
    return int(conn.execute("PRAGMA user_version").fetchone()[0])


def migrate(conn: sqlite3.Connection) -> int:
    """Apply every migration the database has not seen yet; returns the resulting version."""
    version = current_version(conn)
    if version > SCHEMA_VERSION:
        from newsclaims.errors import DatabaseError

        raise DatabaseError(
            f"the database is at schema version {version}, newer than this newsclaims understands "
            f"({SCHEMA_VERSION}); upgrade newsclaims"
        )
    for number, migration in enumerate(MIGRATIONS[version:], start=version + 1):
        conn.execute("BEGIN IMMEDIATE")
        try:
            migration(conn)
            conn.execute(f"PRAGMA user_version = {number:d}")
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
    return current_version(conn)

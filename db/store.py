"""All writes to the newsclaims database.

Every public write is one transaction: an article, a batch of articles or an article's analysis is
either fully stored or absent, whenever the process is killed. WAL mode lets readers run while a
crawl writes.
"""
from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import sqlite3
import unicodedata
import zlib
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from db import schema
from db.search import segment
from newsclaims.errors import DatabaseError

if TYPE_CHECKING:
    import sqlite_utils

# PRAGMA application_id of a database `newsclaims demo` created ("ncDM"); other databases keep 0.
DEMO_APPLICATION_ID = 0x6E63444D

RUN_COUNTERS = (
    "pages_fetched",
    "not_modified",
    "articles_new",
    "articles_updated",
    "articles_unchanged",
    "skipped",
    "errors",
)
_ARTICLE_FIELDS = (
    "url",
    "canonical_url",
    "source",
    "kind",
    "lang",
    "title",
    "author",
    "published",
    "description",
    "text",
    "content_type",
    "encoding",
    "http_status",
    "etag",
    "last_modified",
    "fetched_at",
)


def utcnow() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def content_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def compress(body: bytes | None) -> bytes | None:
    return None if body is None else zlib.compress(body, 6)


def decompress(blob: bytes | None) -> bytes:
    return b"" if blob is None else zlib.decompress(blob)


def _as_dict(record: Any) -> dict[str, Any]:
    if dataclasses.is_dataclass(record) and not isinstance(record, type):
        return dataclasses.asdict(record)
    return dict(record)


@dataclass
class PendingArticle:
    """What the analysis needs of a stored article."""

    id: int
    url: str
    text: str
    title: str | None
    lang: str | None
    published: str | None
    kind: str
    author: str | None
    content_type: str | None
    raw_body: bytes


@dataclass(frozen=True)
class KnownPage:
    """What the crawler needs to know about a stored article to fetch it again only if it changed."""

    url: str
    etag: str | None
    last_modified: str | None
    fetched_at: str


class Store:
    """The newsclaims database, opened for writing (or read-only with `readonly=True`)."""

    def __init__(self, conn: sqlite3.Connection, path: str) -> None:
        self.conn = conn
        self.path = path

    @cached_property
    def db(self) -> sqlite_utils.Database:
        """sqlite-utils over the same connection, built on first use: importing sqlite_utils pulls in
        numpy (~0.3 s), which the read-only query commands never need."""
        import sqlite_utils

        return sqlite_utils.Database(self.conn)

    # -- opening -------------------------------------------------------------------------------

    @classmethod
    def open(cls, path: str | os.PathLike[str], *, readonly: bool = False, create: bool = True) -> Store:
        """Open (and migrate) the database; `readonly` never writes, `create=False` refuses a missing file.

        Only a crawl creates databases: every other writer passes `create=False`, so a mistyped --db is
        an error instead of a new empty database reported as a success. A SQLite file that is not ours
        is refused either way, never given our tables.
        """
        path = str(path)
        if not path.strip():
            raise DatabaseError("no database path given (--db or $NEWSCLAIMS_DB is empty)")
        if Path(path).is_dir():
            raise DatabaseError(f"{path} is a folder, not a database file")
        if (readonly or not create) and not Path(path).exists():
            raise DatabaseError(f"no database at {path}: run `newsclaims demo` or `newsclaims crawl` first")
        if readonly:
            conn = sqlite3.connect(readonly_uri(path), uri=True, check_same_thread=False)
        else:
            parent = Path(path).resolve().parent
            if not parent.exists():
                raise DatabaseError(f"cannot create database {path}: folder {parent} does not exist")
            conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        conn.row_factory = sqlite3.Row
        conn.create_function("nfkc", 1, nfkc, deterministic=True)
        try:
            conn.execute("PRAGMA busy_timeout = 30000")
            if schema.current_version(conn) == 0 and schema.has_tables(conn):
                raise DatabaseError(f"{path} is not a newsclaims database (it holds other tables); "
                                    "use another --db")
            if not readonly:
                conn.execute("PRAGMA journal_mode = WAL")
                conn.execute("PRAGMA synchronous = NORMAL")
                conn.execute("PRAGMA foreign_keys = ON")
                schema.migrate(conn)
            elif schema.current_version(conn) == 0:
                raise DatabaseError(f"{path} is not a newsclaims database (no schema)")
        except sqlite3.DatabaseError as exc:
            conn.close()
            raise DatabaseError(f"cannot open {path}: {exc}") from exc
        except BaseException:
            conn.close()
            raise
        return cls(conn, path)

    def close(self) -> None:
        self.conn.close()

    # -- the demo's mark -----------------------------------------------------------------------

    def mark_as_demo(self) -> None:
        """Mark this database as made by `newsclaims demo`, the only kind the demo may replace."""
        self.conn.execute(f"PRAGMA application_id = {DEMO_APPLICATION_ID:d}")

    def is_demo(self) -> bool:
        return int(self.conn.execute("PRAGMA application_id").fetchone()[0]) == DEMO_APPLICATION_ID

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """BEGIN IMMEDIATE … COMMIT, rolled back on any error (or a kill: SQLite's journal undoes it)."""
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            yield self.conn
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        self.conn.execute("COMMIT")

    # -- sources and runs ------------------------------------------------------------------------

    def upsert_sources(self, sources: Iterable[Mapping[str, Any]]) -> None:
        now = utcnow()
        with self.transaction() as conn:
            for src in sources:
                conn.execute(
                    """INSERT INTO sources (name, kind, lang, config, first_seen_at) VALUES (?, ?, ?, ?, ?)
                       ON CONFLICT(name) DO UPDATE SET kind = excluded.kind, lang = excluded.lang,
                       config = excluded.config""",
                    (src["name"], src.get("kind", "news"), src.get("lang", "auto"),
                     json.dumps(src.get("config", {}), ensure_ascii=False, default=str), now),
                )

    def start_run(self, *, sources: Sequence[str], command: str = "crawl") -> int:
        with self.transaction() as conn:
            cur = conn.execute(
                "INSERT INTO crawl_runs (command, sources, started_at, status, pid) VALUES (?, ?, ?, 'running', ?)",
                (command, json.dumps(list(sources), ensure_ascii=False), utcnow(), os.getpid()),
            )
            return int(cur.lastrowid or 0)

    def update_run(self, run_id: int, *, stats: Mapping[str, Any] | None = None,
                   errors: Mapping[str, int] | None = None, status: str | None = None,
                   finished: bool = False) -> None:
        stats = dict(stats or {})
        sets: list[str] = []
        params: list[Any] = []
        for key in RUN_COUNTERS:
            if key in stats:
                sets.append(f"{key} = ?")
                params.append(int(stats.pop(key) or 0))
        if errors is not None:
            sets += ["error_counts = ?", "errors = ?"]
            params += [json.dumps(dict(errors), ensure_ascii=False), int(sum(errors.values()))]
        if stats:
            sets.append("stats = ?")
            params.append(json.dumps(stats, ensure_ascii=False, default=str))
        if status:
            sets.append("status = ?")
            params.append(status)
        if finished:
            sets.append("finished_at = ?")
            params.append(utcnow())
        if not sets:
            return
        with self.transaction() as conn:
            conn.execute(f"UPDATE crawl_runs SET {', '.join(sets)} WHERE id = ?", (*params, run_id))
            if finished:
                row = conn.execute("SELECT sources FROM crawl_runs WHERE id = ?", (run_id,)).fetchone()
                names = json.loads(row["sources"] or "[]") if row else []
                conn.executemany("UPDATE sources SET last_crawled_at = ? WHERE name = ?",
                                 [(utcnow(), n) for n in names])

    def finish_run(self, run_id: int, *, status: str, stats: Mapping[str, Any] | None = None,
                   errors: Mapping[str, int] | None = None) -> None:
        self.update_run(run_id, stats=stats, errors=errors, status=status, finished=True)

    def mark_stale_runs(self) -> int:
        """Runs left 'running' by a process that no longer exists become 'interrupted'."""
        stale = [r["id"] for r in self.conn.execute("SELECT id, pid FROM crawl_runs WHERE status = 'running'")
                 if not process_exists(r["pid"])]
        if stale:
            with self.transaction() as conn:
                conn.executemany("UPDATE crawl_runs SET status = 'interrupted' WHERE id = ?", [(i,) for i in stale])
        return len(stale)

    def get_run(self, run_id: int) -> dict[str, Any]:
        """One crawl_runs row, with its JSON columns decoded."""
        row = dict(self.db["crawl_runs"].get(run_id))
        row["error_counts"] = json.loads(row.get("error_counts") or "{}")
        row["stats"] = json.loads(row.get("stats") or "{}")
        return row

    def fetched_at(self, url: str) -> str | None:
        """When the stored article fetched from `url` was fetched (None: not stored)."""
        row = self.conn.execute("SELECT fetched_at FROM articles WHERE url = ? LIMIT 1", (url,)).fetchone()
        return None if row is None else row["fetched_at"]

    def import_offset(self, path: str) -> int | None:
        """Where the last unfinished `import` of `path` stopped: a record offset, -1 when that import had
        finished this file, None when there is nothing to resume (never imported, or the import finished)."""
        rows = self.conn.execute("SELECT status, stats FROM crawl_runs WHERE command = 'import' ORDER BY id DESC")
        for row in rows:
            offsets = json.loads(row["stats"] or "{}").get("offsets") or {}
            if path in offsets:
                if row["status"] == "finished":
                    return None
                return -1 if offsets[path] == "done" else int(offsets[path])
        return None

    def live_runs(self) -> list[dict[str, Any]]:
        """Runs marked 'running' whose process still exists (after stale ones are marked interrupted)."""
        rows = self.conn.execute(
            "SELECT id, command, pid, started_at FROM crawl_runs WHERE status = 'running' ORDER BY id")
        return [dict(r) for r in rows if process_exists(r["pid"])]

    # -- articles ----------------------------------------------------------------------------------

    def save_articles(self, articles: Sequence[Any], run_id: int | None = None) -> list[str]:
        """Store a batch in one transaction; returns 'new', 'updated' or 'unchanged' for each article.

        Articles are keyed by canonical URL. A changed text keeps the earlier version in
        `article_versions` and sends the article back to analysis.
        """
        outcomes: list[str] = []
        now = utcnow()
        with self.transaction() as conn:
            for record in articles:
                outcomes.append(self._save_article(conn, _as_dict(record), run_id, now))
        return outcomes

    def _save_article(self, conn: sqlite3.Connection, art: dict[str, Any], run_id: int | None, now: str) -> str:
        values = {k: art.get(k) for k in _ARTICLE_FIELDS}
        values["text"] = values["text"] or ""
        values["kind"] = values["kind"] or "news"
        values["content_hash"] = content_hash(values["text"])
        values["raw_body"] = compress(art.get("raw_body"))
        values["crawl_run_id"] = run_id
        values["updated_at"] = now
        existing = conn.execute(
            "SELECT id, content_hash, title, text, raw_body, fetched_at FROM articles WHERE canonical_url = ?",
            (values["canonical_url"],),
        ).fetchone()
        if existing is None:
            values["first_seen_at"] = now
            cols = list(values)
            cur = conn.execute(
                f"INSERT INTO articles ({', '.join(cols)}) VALUES ({', '.join('?' for _ in cols)})",
                [values[c] for c in cols],
            )
            self._index_article(conn, int(cur.lastrowid or 0), values["title"], values["text"], replace=False)
            return "new"
        article_id = existing["id"]
        if existing["content_hash"] == values["content_hash"]:
            conn.execute(
                """UPDATE articles SET fetched_at = ?, etag = ?, last_modified = ?, http_status = ?,
                   crawl_run_id = ? WHERE id = ?""",
                (values["fetched_at"], values["etag"], values["last_modified"], values["http_status"], run_id,
                 article_id),
            )
            return "unchanged"
        conn.execute(
            """INSERT INTO article_versions (article_id, content_hash, title, text, raw_body, fetched_at, replaced_at)
               VALUES (?, ?, ?, ?, ?, ?, ?)""",
            (article_id, existing["content_hash"], existing["title"], existing["text"], existing["raw_body"],
             existing["fetched_at"], now),
        )
        cols = [c for c in values if c != "canonical_url"]
        conn.execute(
            f"UPDATE articles SET {', '.join(f'{c} = ?' for c in cols)}, process_state = 'pending' WHERE id = ?",
            [values[c] for c in cols] + [article_id],
        )
        self._index_article(conn, article_id, values["title"], values["text"], replace=True)
        bump_generation(conn)  # its language may have changed
        return "updated"

    @staticmethod
    def _index_article(conn: sqlite3.Connection, article_id: int, title: str | None, text: str,
                       *, replace: bool) -> None:
        if replace:
            conn.execute("DELETE FROM articles_fts WHERE rowid = ?", (article_id,))
        conn.execute("INSERT INTO articles_fts (rowid, title, text) VALUES (?, ?, ?)",
                     (article_id, segment(title or ""), segment(text)))

    def update_extraction(self, article_id: int, fields: Mapping[str, Any]) -> None:
        """Replace an article's extracted fields (after re-extraction from its stored raw body)."""
        allowed = {"title", "author", "published", "lang", "text", "description", "encoding"}
        values = {k: v for k, v in fields.items() if k in allowed}
        if not values:
            return
        if "text" in values:
            values["content_hash"] = content_hash(values["text"] or "")
        with self.transaction() as conn:
            conn.execute(
                f"UPDATE articles SET {', '.join(f'{k} = ?' for k in values)}, updated_at = ? WHERE id = ?",
                [*values.values(), utcnow(), article_id],
            )
            row = conn.execute("SELECT title, text FROM articles WHERE id = ?", (article_id,)).fetchone()
            self._index_article(conn, article_id, row["title"], row["text"], replace=True)
            bump_generation(conn)

    def validators(self, url: str) -> tuple[str | None, str | None] | None:
        """The stored ETag and Last-Modified for a URL (fetched or canonical), for conditional requests."""
        row = self.conn.execute(
            "SELECT etag, last_modified FROM articles WHERE url = ? OR canonical_url = ? LIMIT 1", (url, url)
        ).fetchone()
        return None if row is None else (row["etag"], row["last_modified"])

    def known_page(self, url: str) -> KnownPage | None:
        """The stored article fetched from (or canonical at) `url`, with its validators and fetch time."""
        row = self.conn.execute(
            "SELECT url, etag, last_modified, fetched_at FROM articles WHERE url = ? OR canonical_url = ? LIMIT 1",
            (url, url),
        ).fetchone()
        return None if row is None else KnownPage(row["url"], row["etag"], row["last_modified"], row["fetched_at"])

    def known_pages(self) -> Iterator[KnownPage]:
        """Every stored article's validators, keyed by its fetched URL (for crawlers without the database)."""
        rows = self.conn.execute("SELECT url, canonical_url, etag, last_modified, fetched_at FROM articles")
        for row in rows:
            yield KnownPage(row["url"], row["etag"], row["last_modified"], row["fetched_at"])
            if row["canonical_url"] and row["canonical_url"] != row["url"]:
                yield KnownPage(row["canonical_url"], row["etag"], row["last_modified"], row["fetched_at"])

    def confirm_unchanged(self, urls: Sequence[str], run_id: int | None, fetched_at: str) -> int:
        """Articles the server answered 304 for: still current as of `fetched_at`; their text is untouched."""
        with self.transaction() as conn:
            changed = 0
            for url in urls:
                cur = conn.execute(
                    "UPDATE articles SET fetched_at = ?, crawl_run_id = ? WHERE url = ? OR canonical_url = ?",
                    (fetched_at, run_id, url, url),
                )
                changed += cur.rowcount
        return changed

    # -- analysis ----------------------------------------------------------------------------------

    def count_pending(self, *, reprocess: bool = False) -> int:
        where = "" if reprocess else "WHERE process_state = 'pending'"
        return int(self.conn.execute(f"SELECT count(*) FROM articles {where}").fetchone()[0])

    def pending_articles(self, *, reprocess: bool = False, limit: int | None = None) -> Iterator[PendingArticle]:
        """Articles waiting for analysis (every article with `reprocess`), oldest first.

        Reads ids first, then rows one by one, so a long run holds no read transaction open
        across the writes that follow each batch.
        """
        where = "" if reprocess else "WHERE process_state = 'pending'"
        sql = f"SELECT id FROM articles {where} ORDER BY id"
        if limit is not None:
            sql += f" LIMIT {int(limit)}"
        ids = [r[0] for r in self.conn.execute(sql).fetchall()]
        for article_id in ids:
            row = self.conn.execute(
                """SELECT id, url, text, title, lang, published, kind, author, content_type, raw_body
                   FROM articles WHERE id = ?""",
                (article_id,),
            ).fetchone()
            if row is not None:
                yield PendingArticle(
                    id=row["id"], url=row["url"], text=row["text"], title=row["title"], lang=row["lang"],
                    published=row["published"], kind=row["kind"], author=row["author"],
                    content_type=row["content_type"], raw_body=decompress(row["raw_body"]),
                )

    def save_analyses(self, results: Sequence[tuple[int, Any]], version: str) -> None:
        """Replace the entities, figures and claims of each article in one transaction."""
        now = utcnow()
        with self.transaction() as conn:
            if results:
                bump_generation(conn)
            for article_id, analysis in results:
                self._replace_analysis(conn, article_id, _as_dict(analysis), version)
                conn.execute(
                    """UPDATE articles SET process_state = 'done', processed_at = ?, analysis_version = ?,
                       process_error = NULL WHERE id = ?""",
                    (now, version, article_id),
                )

    def mark_failed(self, article_id: int, error: str) -> None:
        with self.transaction() as conn:
            conn.execute(
                "UPDATE articles SET process_state = 'error', processed_at = ?, process_error = ? WHERE id = ?",
                (utcnow(), error[:2000], article_id),
            )

    def _replace_analysis(self, conn: sqlite3.Connection, article_id: int, analysis: dict[str, Any],
                          version: str) -> None:
        conn.execute("DELETE FROM claims_fts WHERE rowid IN (SELECT id FROM claims WHERE article_id = ?)",
                     (article_id,))
        for table in ("claims", "mentions", "figures"):
            conn.execute(f"DELETE FROM {table} WHERE article_id = ?", (article_id,))
        for ent in analysis.get("entities", []):
            conn.execute("INSERT OR IGNORE INTO entities (canonical, label) VALUES (?, ?)",
                         (ent["canonical"], ent["label"]))
            entity_id = conn.execute("SELECT id FROM entities WHERE canonical = ? AND label = ?",
                                     (ent["canonical"], ent["label"])).fetchone()[0]
            conn.execute(
                'INSERT INTO mentions (article_id, entity_id, text, label, start, "end") VALUES (?, ?, ?, ?, ?, ?)',
                (article_id, entity_id, ent["text"], ent["label"], ent["start"], ent["end"]),
            )
        figure_ids: dict[tuple[int, int], int] = {}
        for fig in analysis.get("figures", []):
            figure_ids[(fig["start"], fig["end"])] = self._insert_figure(conn, article_id, fig)
        for claim in analysis.get("claims", []):
            fig = claim.get("figure") or {}
            figure_id = None
            if fig:
                figure_id = figure_ids.get((fig.get("start"), fig.get("end")))
                if figure_id is None:  # a figure the claim found that the figure list did not carry
                    figure_id = figure_ids[(fig["start"], fig["end"])] = self._insert_figure(conn, article_id, fig)
            cur = conn.execute(
                """INSERT INTO claims (article_id, kind, subject, speaker, predicate, figure_id, figure_text,
                   figure_kind, figure_value, figure_unit, figure_top, period, time_frame, deadline, quote,
                   sentence, start, "end", confidence, evidence, analysis_version, compared_with, scope)
                   VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
                (article_id, claim["kind"], claim.get("subject"), claim.get("speaker"), claim.get("predicate"),
                 figure_id, fig.get("text"), fig.get("kind"), fig.get("value"), fig.get("unit"),
                 int(bool(fig.get("top"))) if fig else None, claim.get("period"), claim.get("time_frame"),
                 claim.get("deadline"), int(bool(claim.get("quote"))), claim["sentence"], claim["start"],
                 claim["end"], claim.get("confidence"),
                 json.dumps(claim.get("evidence") or [], ensure_ascii=False), version,
                 json.dumps(claim["compared_with"], ensure_ascii=False) if claim.get("compared_with") else None,
                 claim.get("scope")),
            )
            conn.execute("INSERT INTO claims_fts (rowid, sentence, subject, speaker) VALUES (?, ?, ?, ?)",
                         (cur.lastrowid, segment(claim["sentence"]), segment(claim.get("subject") or ""),
                          segment(claim.get("speaker") or "")))

    @staticmethod
    def _insert_figure(conn: sqlite3.Connection, article_id: int, fig: Mapping[str, Any]) -> int:
        cur = conn.execute(
            """INSERT INTO figures (article_id, text, kind, value, unit, approx, top, change, lower, upper,
               period, start, "end") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
            (article_id, fig["text"], fig["kind"], fig.get("value"), fig.get("unit"), int(bool(fig.get("approx"))),
             int(bool(fig.get("top"))), fig.get("change"), fig.get("lower"), fig.get("upper"), fig.get("period"),
             fig["start"], fig["end"]),
        )
        return int(cur.lastrowid or 0)


def bump_generation(conn: sqlite3.Connection) -> None:
    """Mark precomputed aggregates (db.aggregates) out of date; called inside the writing transaction."""
    conn.execute("UPDATE analysis_generation SET generation = generation + 1 WHERE id = 1")

def is_demo_database(path: str | os.PathLike[str]) -> bool:
    """True only for a readable SQLite file that `Store.mark_as_demo` marked (never raises)."""
    try:
        conn = sqlite3.connect(readonly_uri(str(path)), uri=True)
    except sqlite3.Error:
        return False
    try:
        return int(conn.execute("PRAGMA application_id").fetchone()[0]) == DEMO_APPLICATION_ID
    except sqlite3.Error:
        return False  # not a database at all (a text file, a damaged header)
    finally:
        conn.close()


def nfkc(text: str | None) -> str | None:
    """Unicode NFKC: full-width ＸＩＡＯＭＩ and half-width XIAOMI compare equal."""
    return unicodedata.normalize("NFKC", text) if isinstance(text, str) else text


def readonly_uri(path: str) -> str:
    """The URI that opens `path` read-only: `mode=ro`, so rows another process writes are seen.

    `immutable=1` (no locking, no change detection) only when the file truly cannot change: on a
    read-only mount, where SQLite could not create the -shm file a WAL database needs to be read.
    """
    resolved = Path(path).resolve()
    query = "immutable=1" if on_readonly_mount(resolved) else "mode=ro"
    return f"file:{quote(str(resolved))}?{query}"


def on_readonly_mount(path: Path) -> bool:
    try:
        return bool(os.statvfs(path).f_flag & os.ST_RDONLY)
    except OSError:
        return False


def process_exists(pid: int | None) -> bool:
    """True if a process with this pid exists on this machine (signal 0 only checks, never touches it)."""
    if not pid or int(pid) <= 0:
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # exists, owned by someone else
        return True
    return True

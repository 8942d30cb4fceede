"""Read-only queries behind the listing commands. Every value is a bound parameter."""
from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from typing import Any

from db.search import fts_query, normalize
from db.store import Store, process_exists
from newsclaims.errors import NewsclaimsError

ARTICLE_COLUMNS = ("id", "published", "lang", "source", "kind", "title", "author", "url", "chars", "process_state")


def list_articles(store: Store, *, source: str | None = None, since: str | None = None,
                  limit: int | None = None) -> Iterator[dict[str, Any]]:
    """Stored articles, newest publication first; `published` as YYYY-MM-DD like every other listing."""
    where: list[str] = []
    params: list[Any] = []
    if source:
        where.append("source = ?")
        params.append(source)
    if since:
        where.append("coalesce(published, fetched_at) >= ?")
        params.append(since)
    sql = (
        "SELECT id, substr(published, 1, 10) AS published, lang, source, kind, title, author, canonical_url AS url, length(text) AS chars, "
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
    return {n: store.db[n].count for n in names}


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
    if status == "running" and not process_exists(row["pid"]):
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


# -- claims ----------------------------------------------------------------------------------------

CLAIM_KINDS = ("target", "forecast", "result", "comparison")
# What a claim is about; "all" in a filter means no scope filter. NULL (stored before scopes) counts as company.
CLAIM_SCOPES = ("company", "market", "economy")
SCOPE_CHOICES = ("all", *CLAIM_SCOPES)
CLAIM_COLUMNS = (
    "id", "kind", "scope", "subject", "speaker", "predicate", "figure_text", "figure_kind", "figure_value", "figure_unit",
    "period", "time_frame", "deadline", "quote", "confidence", "sentence", "lang", "source", "title", "published",
    "url", "article_id",
)
# Columns every claims query selects (a claim joined with its article), in CLAIM_COLUMNS order.
_CLAIM_SELECT = """c.id, c.kind, coalesce(c.scope, 'company') AS scope, c.subject, c.speaker, c.predicate, c.figure_text, c.figure_kind, c.figure_value,
    c.figure_unit, c.period, c.time_frame, c.deadline, c.quote, c.confidence, c.sentence, a.lang, a.source,
    a.title, substr(a.published, 1, 10) AS published, a.canonical_url AS url, c.article_id"""


@dataclass(frozen=True)
class ClaimFilter:
    """The filters `claims`, `due` and `export` share. Dates are ISO strings (YYYY-MM-DD)."""

    entity: str | None = None  # any alias, either language
    speaker: str | None = None
    kind: str | None = None
    due_before: str | None = None  # deadline on or before
    due_after: str | None = None  # deadline on or after
    since: str | None = None  # article published on or after
    source: str | None = None
    lang: str | None = None
    limit: int | None = None
    scope: str = "all"  # company | market | economy | all


def entity_names(store: Store, name: str) -> list[str]:
    """Every name an entity is known by (canonical + mention texts) for any alias of it, lower-cased.

    `小米`, `xiaomi` and `Xiaomi` all resolve to the same set, because the Chinese mention `小米` and the
    English mention `Xiaomi` share the canonical entity `Xiaomi`. Names compare NFKC-normalised (full-width
    ＸＩＡＯＭＩ is Xiaomi) and the set holds both forms of each. Empty when nothing matches.
    """
    wanted = normalize(name.strip())
    # Exact matches use the indexes; the NFKC comparison (a scan, through Store's nfkc()) is the fallback.
    ids = [r[0] for r in store.conn.execute(
        """SELECT id FROM entities WHERE canonical = ? COLLATE NOCASE
           UNION SELECT entity_id FROM mentions WHERE text = ? COLLATE NOCASE""",
        (wanted, wanted),
    )] or [r[0] for r in store.conn.execute(
        """SELECT id FROM entities WHERE nfkc(canonical) = ? COLLATE NOCASE
           UNION SELECT entity_id FROM mentions WHERE nfkc(text) = ? COLLATE NOCASE""",
        (wanted, wanted),
    )]
    if not ids:
        return []
    marks = ", ".join("?" for _ in ids)
    names = {form for r in store.conn.execute(
        f"""SELECT canonical FROM entities WHERE id IN ({marks})
            UNION SELECT text FROM mentions WHERE entity_id IN ({marks})""",
        [*ids, *ids],
    ) for form in (r[0].lower(), normalize(r[0]).lower())}
    return sorted(names)


def resolve_entity(store: Store, name: str) -> list[str]:
    """`entity_names`, or a clear error when the name is not a known entity."""
    names = entity_names(store, name)
    if not names:
        raise NewsclaimsError(f"unknown entity {name!r}: no entity or mention by that name in the database "
                              "(see `newsclaims entities`)")
    return names


BY_DEADLINE = "c.deadline IS NULL, c.deadline, a.published, c.id"


def claims_query(store: Store, flt: ClaimFilter, *, columns: str = _CLAIM_SELECT,
                 order: str = BY_DEADLINE) -> tuple[str, list[Any]]:
    """SQL and bound parameters for the claims matching a filter (by default soonest deadline first,
    claims without one last). `order` is a fixed SQL fragment chosen by the caller, never user input."""
    where, params = _claim_where(store, flt)
    if flt.limit and order == BY_DEADLINE:
        cutoff = _deadline_cutoff(store, flt, where, params)
        if cutoff is not None:
            where, params = [*where, "c.deadline <= ?"], [*params, cutoff]
    sql = (f"SELECT {columns} FROM claims c JOIN articles a ON a.id = c.article_id"
           + (" WHERE " + " AND ".join(where) if where else "")
           + f" ORDER BY {order}")
    if flt.limit:
        sql += " LIMIT ?"
        params.append(int(flt.limit))
    return sql, params


def _deadline_cutoff(store: Store, flt: ClaimFilter, where: list[str], params: list[Any]) -> str | None:
    """The deadline of the last row a limited BY_DEADLINE query returns, or None (keep every row).

    Every row of the first `limit` has a deadline on or before it, so `c.deadline <= cutoff` leaves
    the result unchanged (ties included: the published/id tie-break then sorts the same rows) while
    the join with articles and the sort touch a few hundred claims instead of, for a big company on
    a big database, a hundred thousand. Without article filters this needs no join at all.
    """
    assert flt.limit
    joined = bool(_article_where(flt, alias="a")[0])  # article filters (since, source, lang) need the join
    sql = ("SELECT c.deadline FROM claims c" + (" JOIN articles a ON a.id = c.article_id" if joined else "")
           + (" WHERE " + " AND ".join(where) if where else "")
           + " ORDER BY c.deadline IS NULL, c.deadline LIMIT 1 OFFSET ?")
    row = store.conn.execute(sql, [*params, int(flt.limit) - 1]).fetchone()
    return None if row is None else row[0]  # None too when the limit reaches the claims without a deadline


def _claim_where(store: Store, flt: ClaimFilter) -> tuple[list[str], list[Any]]:
    where: list[str] = []
    params: list[Any] = []
    if flt.entity:
        names = resolve_entity(store, flt.entity)
        # = lower(c.subject) IN names (NOCASE folds ASCII exactly as lower() does), but served by
        # idx_claims_subject, which also carries the deadline and article of each claim
        where.append(f"c.subject COLLATE NOCASE IN ({', '.join('?' for _ in names)})")
        params += names
    if flt.speaker:
        # A speaker need not be a known entity ("the company"): fall back to the name as given.
        names = entity_names(store, flt.speaker) or sorted({flt.speaker.strip().lower(),
                                                            normalize(flt.speaker.strip()).lower()})
        where.append(f"lower(c.speaker) IN ({', '.join('?' for _ in names)})")
        params += names
    if flt.kind:
        if flt.kind not in CLAIM_KINDS:
            raise NewsclaimsError(f"--kind: {flt.kind!r} is not one of {', '.join(CLAIM_KINDS)}")
        where.append("c.kind = ?")
        params.append(flt.kind)
    if flt.scope != "all":
        if flt.scope not in CLAIM_SCOPES:
            raise NewsclaimsError(f"--scope: {flt.scope!r} is not one of {', '.join(SCOPE_CHOICES)}")
        where.append("coalesce(c.scope, 'company') = ?")
        params.append(flt.scope)
    if flt.due_before:
        where.append("c.deadline <= ?")
        params.append(flt.due_before)
    if flt.due_after:
        where.append("c.deadline >= ?")
        params.append(flt.due_after)
    article_where, article_params = _article_where(flt, alias="a")
    return where + article_where, params + article_params


def _article_where(flt: ClaimFilter, *, alias: str) -> tuple[list[str], list[Any]]:
    where: list[str] = []
    params: list[Any] = []
    if flt.since:
        where.append(f"substr(coalesce({alias}.published, {alias}.fetched_at), 1, 10) >= ?")
        params.append(flt.since)
    if flt.source:
        where.append(f"{alias}.source = ?")
        params.append(flt.source)
    if flt.lang:
        where.append(f"{alias}.lang = ?")
        params.append(flt.lang)
    return where, params


def list_claims(store: Store, flt: ClaimFilter) -> Iterator[dict[str, Any]]:
    """Claims with their article's language, title, date and URL, by deadline (none last)."""
    sql, params = claims_query(store, flt)
    for row in store.conn.execute(sql, params):
        yield dict(row)


# -- the promise tracker ---------------------------------------------------------------------------

DUE_COLUMNS = ("subject", "status", "deadline", "days", "kind", "figure_text", "time_frame", "speaker", "made",
               "made_days_ago", "lang", "sentence", "url", "id")


def due_claims(store: Store, *, as_of: str, within_days: int | None, overdue: bool,
               flt: ClaimFilter = ClaimFilter()) -> list[dict[str, Any]]:
    """Targets and forecasts whose deadline falls within `within_days` after `as_of`, or (with `overdue`)
    has passed; grouped by subject (subject order, then deadline).

    `days` is the deadline's distance from `as_of` (negative: overdue); `made_days_ago` how long before
    `as_of` the claim was published.
    """
    # `+c.kind`: the deadline window is the selective condition, not the kind (most claims are targets
    # or forecasts); the unary plus keeps SQLite, which has no statistics, off idx_claims_kind.
    where, filter_params = _claim_where(store, flt)
    windows: list[str] = []
    window_params: list[Any] = []
    if overdue:
        windows.append("c.deadline < ?")
        window_params.append(as_of)
    if within_days is not None:
        windows.append("c.deadline BETWEEN ? AND ?")
        window_params += [as_of, window_end(as_of, within_days)]
    sql = f"""SELECT c.subject, CASE WHEN c.deadline < ? THEN 'overdue' ELSE 'due' END AS status,
                     c.deadline, CAST(julianday(c.deadline) - julianday(?) AS INTEGER) AS days,
                     c.kind, c.figure_text, c.time_frame, c.speaker, substr(a.published, 1, 10) AS made,
                     CAST(julianday(?) - julianday(substr(a.published, 1, 10)) AS INTEGER) AS made_days_ago,
                     a.lang, c.sentence, a.canonical_url AS url, c.id
              FROM claims c JOIN articles a ON a.id = c.article_id
              WHERE +c.kind IN ('target', 'forecast') AND c.deadline IS NOT NULL
                AND ({' OR '.join(windows) or '1'})
                {''.join(' AND ' + w for w in where)}
              ORDER BY c.subject IS NULL, lower(c.subject), c.deadline, c.id"""
    params = [as_of, as_of, as_of, *window_params, *filter_params]
    rows = [dict(r) for r in store.conn.execute(sql, params)]
    return rows[: flt.limit] if flt.limit else rows


def window_end(as_of: str, days: int) -> str:
    """`as_of` plus `days`, as an ISO date; a window past the calendar's end stops at 9999-12-31.

    Computed here, not with SQLite's date(): that returns NULL past year 9999, and the window found nothing.
    """
    try:
        return (date.fromisoformat(as_of) + timedelta(days=int(days))).isoformat()
    except OverflowError:
        return date.max.isoformat()


# -- search ----------------------------------------------------------------------------------------

SEARCH_COLUMNS = ("type", "id", "article_id", "rank", "lang", "published", "title", "snippet", "url")


def search(store: Store, query: str, *, limit: int = 20, lang: str | None = None,
           what: str = "all") -> list[dict[str, Any]]:
    """Full-text search over articles then claims, each ranked by bm25 (best first), with snippets.

    The query is segmented the way the index was (db.search.fts_query), so Chinese works.
    Matches are marked [like this] in the snippet.
    """
    match = fts_query(query)
    if not match:
        raise NewsclaimsError("search: the query has no words to search for")
    rows: list[dict[str, Any]] = []
    if what in ("all", "articles"):
        rows += _ranked(store, "articles_fts", match, lang, limit, """
            SELECT 'article' AS type, a.id, a.id AS article_id, round(hit.score, 3) AS rank, a.lang,
                   substr(a.published, 1, 10) AS published, a.title, a.text AS snippet, a.canonical_url AS url
            FROM hit JOIN articles a ON a.id = hit.id ORDER BY hit.score""")
    if what in ("all", "claims"):
        rows += _ranked(store, "claims_fts", match, lang, limit, """
            SELECT 'claim' AS type, c.id, c.article_id, round(hit.score, 3) AS rank, a.lang,
                   substr(a.published, 1, 10) AS published, a.title, c.sentence AS snippet, a.canonical_url AS url
            FROM hit JOIN claims c ON c.id = hit.id JOIN articles a ON a.id = c.article_id ORDER BY hit.score""")
    terms = query_terms(match)
    for row in rows:
        row["snippet"] = make_snippet(row["snippet"] or "", terms)
    return rows


def _ranked(store: Store, fts: str, match: str, lang: str | None, limit: int, select: str) -> list[dict[str, Any]]:
    """`select` over `hit(id, score)`: the `limit` best bm25 matches in the FTS table `fts`.

    Ranked first, then joined: joining before the LIMIT would carry every match's text (tens of
    thousands of articles on a big database) through the sort.
    """
    if lang:  # the language lives on the article; a claim's article is claims.article_id
        owner = f"a.id = {fts}.rowid" if fts == "articles_fts" else \
            f"a.id = (SELECT article_id FROM claims WHERE claims.id = {fts}.rowid)"
        ranked = f"""SELECT {fts}.rowid AS id, bm25({fts}) AS score FROM {fts} JOIN articles a ON {owner}
                     WHERE {fts} MATCH ? AND a.lang = ? ORDER BY score LIMIT ?"""
        params: list[Any] = [match, lang, limit]
    else:
        ranked = f"SELECT rowid AS id, bm25({fts}) AS score FROM {fts} WHERE {fts} MATCH ? ORDER BY score LIMIT ?"
        params = [match, limit]
    return [dict(r) for r in store.conn.execute(f"WITH hit AS ({ranked}) {select}", params)]


def query_terms(match: str) -> list[str]:
    """The quoted terms of an FTS5 expression made by `fts_query`."""
    return [t.replace('""', '"') for t in re.findall(r'"((?:[^"]|"")*)"', match)]


def make_snippet(text: str, terms: list[str], *, before: int = 30, width: int = 120) -> str:
    """A window of the original text around the first match, matches marked [like this].

    Built from the stored text, not FTS5's snippet(): the index holds jieba's search-mode segmentation,
    whose overlapping sub-words would show up doubled ("第四 四季 季度"). The terms are NFKC; the text is
    matched through a same-length fold of it (`_fold`), so full-width letters are found but shown as stored.
    """
    patterns = [re.escape(t) if _CJK_RE.search(t) else rf"(?<![A-Za-z0-9]){re.escape(t)}(?![A-Za-z0-9])" for t in terms if t]
    if not patterns:
        return _one_line(text[:width])
    finder = re.compile("|".join(sorted(patterns, key=len, reverse=True)), re.IGNORECASE)
    first = finder.search(_fold(text))
    start = max(0, min((first.start() if first else 0) - before, len(text) - width))
    window = _one_line(text[start:start + width])
    pieces, last = [], 0
    for m in finder.finditer(_fold(window)):
        pieces += [window[last:m.start()], "[", window[m.start():m.end()], "]"]
        last = m.end()
    marked = _ADJACENT_MARKS.sub(r"\1", "".join(pieces) + window[last:])
    return ("…" if start > 0 else "") + marked + ("…" if start + width < len(text) else "")


def _fold(text: str) -> str:
    """NFKC character by character where it keeps the length (full-width Ｘ -> X), so offsets still match."""
    if text.isascii():
        return text
    return "".join(n if len(n := normalize(ch)) == 1 else ch for ch in text)


def _one_line(text: str) -> str:
    return " ".join(text.split())


# -- entities --------------------------------------------------------------------------------------

ENTITY_COLUMNS = ("id", "canonical", "label", "mentions", "mentions_en", "mentions_zh", "articles", "claims",
                  "claims_en", "claims_zh", "aliases")


def list_entities(store: Store, *, label: str | None = None, top: int | None = None) -> list[dict[str, Any]]:
    """Entities with mention and claim counts (claims whose subject is the entity) per language.

    Order: most mentions first, then most claims, then name. Read from entity_counts when it is
    current (db.aggregates refreshes it after `process`), counted live otherwise.
    """
    from db.aggregates import entity_counts_current

    if entity_counts_current(store):
        sql = (f"SELECT e.id, e.canonical, e.label, {', '.join('c.' + c for c in ENTITY_COLUMNS[3:])} "
               "FROM entities e JOIN entity_counts c ON c.entity_id = e.id"
               + (" WHERE e.label = ?" if label else "")
               + " ORDER BY c.mentions DESC, c.claims DESC, e.canonical, e.id"
               + (" LIMIT ?" if top else ""))
        params: list[Any] = [*([label.upper()] if label else []), *([int(top)] if top else [])]
        return [dict(r) for r in store.conn.execute(sql, params)]
    return count_entities(store, label=label, top=top)


def count_entities(store: Store, *, label: str | None = None, top: int | None = None) -> list[dict[str, Any]]:
    """`list_entities` counted from the mentions and claims themselves.

    Counted in steps so that a big database costs one index count per entity plus one pass over the
    mentions and claims of the entities that can reach the top (ties at the cut included), never a
    join of every mention with its article.
    """
    sql = ("SELECT e.id, e.canonical, e.label, (SELECT count(*) FROM mentions m WHERE m.entity_id = e.id) "
           "AS mentions FROM entities e" + (" WHERE e.label = ?" if label else ""))
    rows = [dict(r) for r in store.conn.execute(sql, [label.upper()] if label else [])]
    rows.sort(key=lambda r: -r["mentions"])
    if top and len(rows) > top:
        rows = [r for r in rows if r["mentions"] >= rows[top - 1]["mentions"]]
    langs = _article_langs(store) if rows else {}
    for row in rows:
        row.update(_entity_counts(store, row["id"], row["canonical"], langs))
    rows.sort(key=lambda r: (-r["mentions"], -r["claims"], r["canonical"], r["id"]))
    return [{c: r[c] for c in ENTITY_COLUMNS} for r in (rows[:top] if top else rows)]


def _article_langs(store: Store) -> dict[int, str | None]:
    """Every article's language (from idx_articles_lang, not the large article rows)."""
    return {r[0]: r[1] for r in store.conn.execute("SELECT id, lang FROM articles")}


def _entity_counts(store: Store, entity_id: int, canonical: str, langs: dict[int, str | None]) -> dict[str, Any]:
    """Mentions and claims per language, articles and aliases of one entity.

    A claim is about the entity when lower(subject) is one of its names: lower(canonical) or
    lower(mention text), lowered by SQLite (ASCII only) as the claim filters do.
    """
    mentions: Counter[str | None] = Counter()
    articles: set[int] = set()
    texts: set[str] = set()
    for article_id, text, n in store.conn.execute(
            "SELECT article_id, text, count(*) FROM mentions WHERE entity_id = ? GROUP BY article_id, text",
            (entity_id,)):
        mentions[langs.get(article_id)] += n
        articles.add(article_id)
        texts.add(text)
    names = [r[0] for r in store.conn.execute("SELECT DISTINCT lower(value) FROM json_each(?)",
                                              (json.dumps([canonical, *texts], ensure_ascii=False),))]
    claims: Counter[str | None] = Counter()
    marks = ", ".join("?" for _ in names)
    for article_id, n in store.conn.execute(
            f"SELECT article_id, count(*) FROM claims WHERE subject COLLATE NOCASE IN ({marks}) GROUP BY article_id",
            names):
        claims[langs.get(article_id)] += n
    return {
        "mentions_en": mentions["en"], "mentions_zh": mentions["zh"], "articles": len(articles),
        "claims": sum(claims.values()), "claims_en": claims["en"], "claims_zh": claims["zh"],
        "aliases": " | ".join(sorted(texts)) if texts else None,
    }


_CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u3000-\u303f\uff00-\uffef"
_CJK_GAP = re.compile(rf"(?<=[{_CJK}]) +(?=[{_CJK}])")
# In Chinese text the index put spaces around every word; those next to a CJK character or a match
# mark were not in the article.
_CJK_RE = re.compile(f"[{_CJK}]")
_ADJACENT_MARKS = re.compile(r"\]( ?)\[")
_ZH_GAP = re.compile(rf"(?<=[{_CJK}\[\]]) +| +(?=[{_CJK}\[\]])")


def unsegment(text: str, lang: str | None = None) -> str:
    """Undo the index's word segmentation for display: no spaces between Chinese words."""
    text = (_ZH_GAP if lang == "zh" else _CJK_GAP).sub("", text)
    return _ADJACENT_MARKS.sub(r"\1", text).strip()  # "[top] [500]" -> "[top 500]"

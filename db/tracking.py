"""The promise tracker's rows: select claims and later evidence, write `claim_groups` and `claim_outcomes`.

The deciding is done by pure functions in `nlp.promises` on plain records; this module only reads and writes.
Updates are incremental: claims without a group (just processed) are grouped, groups whose members changed are
re-counted, and outcomes are recomputed for groups touched, groups whose subject got new claims (possible new
evidence), and pending outcomes whose deadline has passed since they were decided.
"""
from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any
from urllib.parse import urlsplit

from db.store import Store, utcnow
from nlp.promises.bare_figures import bare_figure_report
from nlp.promises.grouping import Group, group_key
from nlp.promises.outcomes import DEFAULT_THRESHOLD, EVIDENCE_KINDS, decide
from nlp.promises.records import Outcome, TrackedClaim
from nlp.records import Entity, Figure


@dataclass
class TrackerStats:
    grouped: int = 0  # claims given a group
    groups_updated: int = 0
    groups_removed: int = 0
    outcomes: int = 0  # outcomes (re)decided

    def line(self) -> str:
        return (f"Tracker: {self.grouped} claims grouped, {self.groups_updated} groups updated, "
                f"{self.outcomes} outcomes decided.")


def _tracked_select(store: Store) -> str:
    scope = "c.scope" if has_column(store.conn, "claims", "scope") else "NULL"
    return f"""SELECT c.id, c.kind, c.subject, c.speaker, c.sentence, a.lang, substr(a.published, 1, 10) AS made,
               c.deadline, c.period, c.figure_text, c.figure_kind, c.figure_value, c.figure_unit, f.lower, f.upper,
               c.figure_top, f.change, f.period AS figure_period, {scope} AS scope, c.article_id,
               a.canonical_url AS url
        FROM claims c JOIN articles a ON a.id = c.article_id LEFT JOIN figures f ON f.id = c.figure_id"""


def has_column(conn: sqlite3.Connection, table: str, column: str) -> bool:
    return any(r[1] == column for r in conn.execute(f"PRAGMA table_info({table})"))


def has_tracker(conn: sqlite3.Connection) -> bool:
    """Whether the database has the tracker's tables (a read-only open does not migrate an old file)."""
    return conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'claim_outcomes'").fetchone() is not None


def _record(row: sqlite3.Row) -> TrackedClaim:
    url = row["url"]
    return TrackedClaim(
        id=row["id"], kind=row["kind"], subject=row["subject"], speaker=row["speaker"], sentence=row["sentence"],
        lang=row["lang"] or "", made=row["made"], deadline=row["deadline"], period=row["period"],
        figure_text=row["figure_text"], figure_kind=row["figure_kind"], figure_value=row["figure_value"],
        figure_unit=row["figure_unit"], figure_lower=row["lower"], figure_upper=row["upper"],
        figure_top=bool(row["figure_top"]), figure_change=row["change"], figure_period=row["figure_period"],
        scope=row["scope"], article_id=row["article_id"], url=url,
        outlet=urlsplit(url).hostname if url else None,
    )


def _claims(store: Store, where: str, params: Sequence[Any]) -> list[TrackedClaim]:
    return [_record(r) for r in store.conn.execute(f"{_tracked_select(store)} WHERE {where}", list(params))]


# -- groups -------------------------------------------------------------------------------------


def update_groups(store: Store, *, full: bool = False) -> tuple[TrackerStats, set[int], set[str]]:
    """Group ungrouped claims (every claim with `full`), re-count changed groups, drop empty ones.

    Returns the stats, the ids of groups that changed, and the subjects of the claims just grouped.
    """
    stats = TrackerStats()
    with store.transaction() as conn:
        if full:
            conn.execute("UPDATE claims SET group_id = NULL")
        fresh = _claims(store, "c.group_id IS NULL", [])
        touched: set[int] = set()
        now = utcnow()
        for claim in fresh:
            key = group_key(claim)
            conn.execute("INSERT OR IGNORE INTO claim_groups (key, kind, reports, articles, outlets, updated_at) "
                         "VALUES (?, ?, 0, 0, 0, ?)", (key, claim.kind, now))
            group_id = conn.execute("SELECT id FROM claim_groups WHERE key = ?", (key,)).fetchone()[0]
            conn.execute("UPDATE claims SET group_id = ? WHERE id = ?", (group_id, claim.id))
            touched.add(group_id)
        # groups that lost members (an article re-analysed) no longer count what they stored
        touched |= {r[0] for r in conn.execute(
            """SELECT g.id FROM claim_groups g LEFT JOIN (SELECT group_id, count(*) AS n FROM claims
                   WHERE group_id IS NOT NULL GROUP BY group_id) m ON m.group_id = g.id
               WHERE coalesce(m.n, 0) != g.reports""")}
        for group_id in sorted(touched):
            members = _claims(store, "c.group_id = ?", [group_id])
            if members:
                _write_group(conn, group_id, Group(group_key(members[0]), members), now)
                stats.groups_updated += 1
            else:
                conn.execute("DELETE FROM claim_outcomes WHERE group_id = ?", (group_id,))
                conn.execute("DELETE FROM claim_groups WHERE id = ?", (group_id,))
                stats.groups_removed += 1
        stats.grouped = len(fresh)
    subjects = {c.subject.casefold() for c in fresh if c.subject}
    return stats, touched, subjects


def _write_group(conn: sqlite3.Connection, group_id: int, group: Group, now: str) -> None:
    first = group.first
    conn.execute(
        """UPDATE claim_groups SET kind = ?, subject = ?, speaker = ?, figure_text = ?, figure_kind = ?,
           figure_value = ?, figure_unit = ?, deadline = ?, period = ?, first_claim_id = ?, first_seen = ?,
           reports = ?, articles = ?, outlets = ?, languages = ?, updated_at = ? WHERE id = ?""",
        (first.kind, first.subject, next((c.speaker for c in group.members if c.speaker), None), first.figure_text,
         first.figure_kind, first.figure_value, first.figure_unit, first.deadline, first.period, first.id,
         group.first_seen, len(group.members),
         len(group.articles), len(group.outlets), ",".join(group.languages), now, group_id),
    )


# -- outcomes -----------------------------------------------------------------------------------


def update_outcomes(store: Store, group_ids: Iterable[int] | None = None, *, today: str | None = None,
                    threshold: float = DEFAULT_THRESHOLD) -> int:
    """(Re)decide the outcome of these promise groups (every group when None); returns how many were decided."""
    today = today or date.today().isoformat()
    if group_ids is None:
        ids = [r[0] for r in store.conn.execute(
            "SELECT id FROM claim_groups WHERE kind IN ('target', 'forecast') ORDER BY id")]
    else:
        ids = sorted(set(group_ids))
    decided = 0
    by_subject: dict[str, list[TrackedClaim]] = {}  # one evidence query per subject, not per group
    with store.transaction() as conn:
        for group_id in ids:
            members = _claims(store, "c.group_id = ?", [group_id])
            if not members:
                continue
            group = Group(group_key(members[0]), members)
            subject = (group.first.subject or "").casefold()
            if subject not in by_subject:
                by_subject[subject] = later_reports(store, group.first.subject) + \
                    bare_figures(store, group.first.subject)
            made = group.first.made or ""
            reports = [r for r in by_subject[subject] if (r.made or "") > made]
            outcome = decide(group, reports, today=today, threshold=threshold)
            if outcome is None:
                conn.execute("DELETE FROM claim_outcomes WHERE group_id = ?", (group_id,))
                continue
            _write_outcome(conn, group_id, outcome)
            decided += 1
    return decided


def later_reports(store: Store, subject: str | None) -> list[TrackedClaim]:
    """Result and comparison claims about a subject (decide() keeps those published after the promise)."""
    if not subject:
        return []
    marks = ", ".join("?" for _ in EVIDENCE_KINDS)
    return _claims(store, f"c.kind IN ({marks}) AND lower(c.subject) = lower(?)", [*EVIDENCE_KINDS, subject])


def bare_figures(store: Store, subject: str | None) -> list[TrackedClaim]:
    """Figures no claim carries in articles that mention the subject, read as results where their sentence allows
    (nlp.promises.bare_figures decides which)."""
    if not subject:
        return []
    articles = [r[0] for r in store.conn.execute(
        """SELECT DISTINCT m.article_id FROM mentions m JOIN entities e ON e.id = m.entity_id
           WHERE lower(e.canonical) = lower(?)""", (subject,))]
    out: list[TrackedClaim] = []
    for article_id in articles:
        art = store.conn.execute("SELECT text, lang, substr(published, 1, 10) AS made, canonical_url AS url "
                                 "FROM articles WHERE id = ?", (article_id,)).fetchone()
        if art is None or not art["made"]:
            continue
        carried = {r[0] for r in store.conn.execute(
            "SELECT figure_id FROM claims WHERE article_id = ? AND figure_id IS NOT NULL", (article_id,))}
        mentions = [Entity(r["text"], r["label"], r["canonical"], r["start"], r["end"]) for r in store.conn.execute(
            """SELECT m.text, m.start, m."end", m.label, e.canonical FROM mentions m
               JOIN entities e ON e.id = m.entity_id WHERE m.article_id = ?""", (article_id,))]
        for f in store.conn.execute(
                """SELECT id, text, kind, value, unit, lower, upper, top, change, period, start, "end" FROM figures
                   WHERE article_id = ?""", (article_id,)):
            if f["id"] in carried:
                continue
            figure = Figure(text=f["text"], kind=f["kind"], value=f["value"], start=f["start"], end=f["end"],
                            unit=f["unit"], lower=f["lower"], upper=f["upper"], top=bool(f["top"]),
                            change=f["change"], period=f["period"])
            report = bare_figure_report(text=art["text"], figure=figure, figure_id=f["id"], mentions=mentions,
                                        subject=subject, made=art["made"], lang=art["lang"] or "",
                                        article_id=article_id, url=art["url"])
            if report:
                out.append(report)
    return out


def _write_outcome(conn: sqlite3.Connection, group_id: int, outcome: Outcome) -> None:
    conn.execute(
        """INSERT INTO claim_outcomes (group_id, status, confidence, rule, reached, as_of, evidence, evidence_count,
           decided_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
           ON CONFLICT (group_id) DO UPDATE SET status = excluded.status, confidence = excluded.confidence,
           rule = excluded.rule, reached = excluded.reached, as_of = excluded.as_of, evidence = excluded.evidence,
           evidence_count = excluded.evidence_count, decided_at = excluded.decided_at""",
        (group_id, outcome.status, outcome.confidence, outcome.rule, outcome.reached, outcome.as_of,
         json.dumps([e.to_dict() for e in outcome.evidence], ensure_ascii=False), len(outcome.evidence), utcnow()),
    )


def groups_with_subjects(store: Store, subjects: Iterable[str]) -> set[int]:
    names = sorted(set(subjects))
    if not names:
        return set()
    marks = ", ".join("?" for _ in names)
    return {r[0] for r in store.conn.execute(
        f"SELECT id FROM claim_groups WHERE kind IN ('target', 'forecast') AND lower(subject) IN ({marks})", names)}


def stale_pending(store: Store, today: str) -> set[int]:
    """Pending outcomes whose deadline has passed since they were decided (pending -> due)."""
    return {r[0] for r in store.conn.execute(
        """SELECT o.group_id FROM claim_outcomes o JOIN claim_groups g ON g.id = o.group_id
           WHERE o.status = 'pending' AND g.deadline IS NOT NULL AND g.deadline < ?""", (today,))}


def update_tracker(store: Store, *, today: str | None = None, full: bool = False,
                   threshold: float = DEFAULT_THRESHOLD) -> TrackerStats:
    """After `process`: group new claims, then re-decide the outcomes that new claims or time may have changed."""
    today = today or date.today().isoformat()
    stats, touched, subjects = update_groups(store, full=full)
    if full:
        stats.outcomes = update_outcomes(store, None, today=today, threshold=threshold)
        return stats
    targets = touched | groups_with_subjects(store, subjects) | stale_pending(store, today)
    stats.outcomes = update_outcomes(store, targets, today=today, threshold=threshold)
    return stats


# -- reading ------------------------------------------------------------------------------------

TRACK_COLUMNS = ("group_id", "status", "subject", "kind", "figure_text", "speaker", "made", "deadline", "reached",
                 "confidence", "reports", "outlets", "languages", "rule", "sentence", "url", "summary",
                 "evidence_count", "evidence")
GROUP_COLUMNS = ("group_id", "kind", "subject", "speaker", "figure_text", "deadline", "period", "first_seen",
                 "reports", "articles", "outlets", "languages", "status", "sentence", "url", "members")


def require_tracker(store: Store) -> None:
    if not has_tracker(store.conn):
        from newsclaims.errors import DatabaseError

        raise DatabaseError(f"{store.path} has no claim groups yet (an older schema): run `newsclaims track` or "
                            "`newsclaims process` on it once to add them")


def track_rows(store: Store, *, names: Sequence[str] | None = None, status: str | None = None,
               since: str | None = None, limit: int | None = None) -> list[dict[str, Any]]:
    """One row per promise group with its outcome: the claim, who made it, when, the deadline, the outcome
    and its evidence. `names` are an entity's lower-cased names (db.queries.resolve_entity)."""
    require_tracker(store)
    where, params = ["1"], []
    if names:
        where.append(f"lower(g.subject) IN ({', '.join('?' for _ in names)})")
        params += list(names)
    if status:
        where.append("o.status = ?")
        params.append(status)
    if since:
        where.append("g.first_seen >= ?")
        params.append(since)
    sql = f"""SELECT g.id AS group_id, o.status, g.subject, g.kind, g.figure_text, g.speaker, g.first_seen AS made,
                     g.deadline, o.reached, o.confidence, g.reports, g.outlets, g.languages, o.rule, c.sentence,
                     a.canonical_url AS url, o.evidence_count, o.evidence
              FROM claim_outcomes o JOIN claim_groups g ON g.id = o.group_id
              LEFT JOIN claims c ON c.id = g.first_claim_id LEFT JOIN articles a ON a.id = c.article_id
              WHERE {' AND '.join(where)}
              ORDER BY g.subject IS NULL, lower(g.subject), g.deadline IS NULL, g.deadline, g.id"""
    if limit:
        sql += " LIMIT ?"
        params.append(int(limit))
    rows = []
    for r in store.conn.execute(sql, params):
        row = dict(r)
        row["evidence"] = json.loads(row["evidence"] or "[]")
        row["summary"] = fact_check(row)
        rows.append(row)
    return rows


def fact_check(row: dict[str, Any]) -> str:
    """The row as one sentence: who claimed what, when, by when, the outcome and the evidence it rests on."""
    who = row["speaker"] or row["subject"] or "someone"
    about = f" ({row['subject']})" if row["speaker"] and row["subject"] and row["speaker"] != row["subject"] else ""
    text = (f"{who}{about} made a {row['kind']} on {row['made'] or 'an unknown date'}: {row['figure_text'] or 'no figure'}"
            f"{' by ' + row['deadline'] if row['deadline'] else ''}. Outcome: {row['status']}")
    if row["status"] in ("kept", "missed"):
        text += f" (confidence {row['confidence']:.2f})"
    evidence = row["evidence"]
    if evidence:
        first = evidence[0]
        text += f"; evidence: “{first['sentence']}” ({first['published']}"
        text += f", and {len(evidence) - 1} more)" if len(evidence) > 1 else ")"
    return text + "."


def group_rows(store: Store, claim_ids_sql: str, params: Sequence[Any]) -> list[dict[str, Any]]:
    """The groups of the claims a query selects (`claim_ids_sql` selects claim ids), each with its members."""
    require_tracker(store)
    rows = [dict(r) for r in store.conn.execute(
        f"""SELECT g.id AS group_id, g.kind, g.subject, g.speaker, g.figure_text, g.deadline, g.period, g.first_seen,
                   g.reports, g.articles, g.outlets, g.languages, o.status, c.sentence, a.canonical_url AS url
            FROM claim_groups g LEFT JOIN claim_outcomes o ON o.group_id = g.id
            LEFT JOIN claims c ON c.id = g.first_claim_id LEFT JOIN articles a ON a.id = c.article_id
            WHERE g.id IN (SELECT group_id FROM claims WHERE id IN ({claim_ids_sql}))
            ORDER BY g.deadline IS NULL, g.deadline, g.first_seen, g.id""", list(params))]
    for row in rows:
        row["members"] = [dict(m) for m in store.conn.execute(
            """SELECT c.id, c.kind, c.subject, c.speaker, c.figure_text, c.deadline, a.lang,
                      substr(a.published, 1, 10) AS published, a.canonical_url AS url, c.sentence
               FROM claims c JOIN articles a ON a.id = c.article_id WHERE c.group_id = ?
               ORDER BY a.published, c.id""", (row["group_id"],))]
    return rows


def outcomes_by_claim(store: Store, claim_ids: Iterable[int]) -> dict[int, dict[str, Any]]:
    """claim id -> {status, confidence, rule, evidence} for claims whose group has an outcome."""
    ids = sorted(set(claim_ids))
    if not ids or not has_tracker(store.conn):
        return {}
    out: dict[int, dict[str, Any]] = {}
    for chunk in range(0, len(ids), 500):
        part = ids[chunk:chunk + 500]
        for r in store.conn.execute(
                f"""SELECT c.id, c.group_id, o.status, o.confidence, o.rule, o.reached, o.evidence FROM claims c
                    JOIN claim_outcomes o ON o.group_id = c.group_id WHERE c.id IN ({', '.join('?' for _ in part)})""",
                part):
            out[r["id"]] = {"group_id": r["group_id"], "status": r["status"], "confidence": r["confidence"], "rule": r["rule"],
                            "reached": r["reached"], "evidence": json.loads(r["evidence"] or "[]")}
    return out

"""The data behind `newsclaims report`: an entity's claims on a timeline, and its figures over time."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from db.queries import resolve_entity
from db.store import Store
from db.tracking import outcomes_by_claim


@dataclass
class ReportData:
    entity: str | None  # as the user wrote it; None for every claim
    canonical: str | None
    claims: list[dict[str, Any]] = field(default_factory=list)  # id, kind, made, deadline, figure_text, ...
    figures: list[dict[str, Any]] = field(default_factory=list)  # figures of those claims, by period/date
    outcomes: dict[int, dict[str, Any]] = field(default_factory=dict)  # claim id -> the tracker's outcome + evidence


def report_data(store: Store, entity: str | None = None, *, limit: int = 2000) -> ReportData:
    """Claims about `entity` (any alias; every claim when None) and the figures they carry."""
    params: list[Any] = []
    where = ""
    canonical = None
    if entity:
        names = resolve_entity(store, entity)
        where = f"WHERE c.subject COLLATE NOCASE IN ({', '.join('?' for _ in names)})"
        params += names
        row = store.conn.execute(
            f"SELECT canonical FROM entities WHERE lower(canonical) IN ({', '.join('?' for _ in names)}) LIMIT 1",
            names).fetchone()
        canonical = row[0] if row else entity
    claims = [dict(r) for r in store.conn.execute(
        f"""SELECT c.id, c.kind, c.subject, c.speaker, substr(a.published, 1, 10) AS made, c.deadline,
                   c.time_frame, c.figure_text, c.figure_kind, c.figure_value, c.figure_unit, c.period, c.sentence,
                   a.lang, a.title, a.canonical_url AS url
            FROM claims c JOIN articles a ON a.id = c.article_id {where}
            ORDER BY coalesce(substr(a.published, 1, 10), c.deadline), c.deadline, c.id LIMIT ?""",
        [*params, limit])]
    figures = [
        {k: c[k] for k in ("made", "period", "kind", "figure_kind", "figure_text", "figure_value", "figure_unit",
                           "lang", "url")}
        for c in sorted((c for c in claims if c["figure_text"]),
                        key=lambda c: (c["period"] or c["made"] or "", c["figure_kind"] or ""))
    ]
    outcomes = outcomes_by_claim(store, (c["id"] for c in claims))
    return ReportData(entity=entity, canonical=canonical, claims=claims, figures=figures, outcomes=outcomes)

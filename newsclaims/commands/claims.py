"""`newsclaims claims` (query the claims) and `newsclaims due` (the promise tracker)."""
from __future__ import annotations

from datetime import date

import click

from db.queries import CLAIM_COLUMNS, DUE_COLUMNS, ClaimFilter, claims_query, due_claims, list_claims
from db.tracking import GROUP_COLUMNS, group_rows, outcomes_by_claim
from db.store import Store
from newsclaims.commands._claim_options import claim_filter, claim_filter_options, scope_option
from newsclaims.commands._common import db_option, emit_rows, format_option, safe_text, user_errors
from newsclaims.commands._types import DATE, WINDOW

TABLE_COLUMNS = ("id", "kind", "scope", "subject", "speaker", "figure_text", "figure_value", "deadline", "lang", "published",
                 "sentence", "url")
TABLE_WIDTHS = {"subject": 16, "speaker": 14, "figure_text": 22, "sentence": 60, "url": 60}
GROUP_TABLE_COLUMNS = ("group_id", "kind", "subject", "speaker", "figure_text", "deadline", "first_seen", "reports",
                       "outlets", "languages", "status", "sentence")
DUE_TABLE_COLUMNS = ("status", "outcome", "deadline", "days", "kind", "figure_text", "speaker", "made", "made_ago", "lang",
                     "sentence")


@click.command()
@claim_filter_options
@scope_option("company")
@click.option("--limit", type=click.IntRange(min=1), default=100, show_default=True, help="At most this many rows.")
@click.option("--group", "grouped", is_flag=True,
              help="One row per claim group (one claim, many reports) with its report count; JSON adds the members.")
@format_option
@db_option
@user_errors
def claims(limit: int, grouped: bool, fmt: str, db_path: str, **filters: str | None) -> None:
    """Claims: who claimed what, with which figure, by when (soonest deadline first).

    Company claims by default; market and macro statistics with --scope market, economy or all."""
    flt = claim_filter(limit=limit, **filters)
    if grouped:
        _claim_groups(flt, fmt, db_path)
        return
    with Store.open(db_path, readonly=True) as store:
        rows = list(list_claims(store, flt))
    emit_rows(rows, fmt, CLAIM_COLUMNS if fmt != "table" else TABLE_COLUMNS, widths=TABLE_WIDTHS)
    if fmt == "table" and not rows:
        click.echo("No claims match.", err=True)


def _claim_groups(flt: ClaimFilter, fmt: str, db_path: str) -> None:
    from dataclasses import replace

    with Store.open(db_path, readonly=True) as store:
        sql, params = claims_query(store, replace(flt, limit=None), columns="c.id", order="c.id")
        rows = group_rows(store, sql, params)[: flt.limit]
    columns = (*GROUP_COLUMNS[:-1], "members") if fmt == "json" else GROUP_COLUMNS[:-1]
    emit_rows(rows, fmt, columns if fmt != "table" else GROUP_TABLE_COLUMNS, widths=TABLE_WIDTHS)
    if fmt == "table" and not rows:
        click.echo("No claims match.", err=True)


@click.command()
@click.option("--within", type=WINDOW, help="Deadlines from today up to this far ahead: 90d, 12w, 6m, 1y (default 90d "
                               "unless --overdue is given).")
@click.option("--overdue", is_flag=True, help="Deadlines that have passed.")
@click.option("--as-of", type=DATE, help="Take this date as today (YYYY-MM-DD).")
@click.option("--entity", help="Only claims about this entity (any alias).")
@click.option("--lang", type=click.Choice(["en", "zh"]), help="Only articles in this language.")
@scope_option("company")
@format_option
@db_option
@user_errors
def due(within: int | None, overdue: bool, as_of: str | None, entity: str | None, lang: str | None, scope: str,
        fmt: str, db_path: str) -> None:
    """The promise tracker: targets and forecasts falling due, or overdue, grouped by subject."""
    today = as_of or date.today().isoformat()
    days = within if within is not None else (None if overdue else 90)
    with Store.open(db_path, readonly=True) as store:
        rows = due_claims(store, as_of=today, within_days=days, overdue=overdue,
                          flt=claim_filter(entity=entity, lang=lang, scope=scope))
        outcomes = outcomes_by_claim(store, (r["id"] for r in rows))
    for row in rows:
        row["made_ago"] = describe_age(row["made_days_ago"])
        row["outcome"] = outcomes.get(row["id"], {}).get("status")  # the tracker's verdict (newsclaims track)
    if fmt != "table":
        emit_rows(rows, fmt, (*DUE_COLUMNS, "made_ago", "outcome"))
        return
    if not rows:
        click.echo("Nothing falls due in that window.", err=True)
        return
    for subject, group in _by_subject(rows):
        click.echo(f"\n{safe_text(subject) or '(no subject)'}: {len(group)} claim{'s' if len(group) != 1 else ''}")
        emit_rows(group, fmt, DUE_TABLE_COLUMNS, widths={"sentence": 70, "figure_text": 22})


def describe_age(days: int | None) -> str:
    """How long ago, roughly: '5 days ago', '3 months ago', '7 years 9 months ago'."""
    if days is None:
        return ""
    if days < 0:
        return "in the future"
    if days < 60:
        return f"{days} day{'s' if days != 1 else ''} ago"
    months = round(days / 30.44)
    if months < 24:
        return f"{months} months ago"
    years, months = divmod(months, 12)
    return f"{years} years {months} months ago" if months else f"{years} years ago"


def _by_subject(rows: list[dict]) -> list[tuple[str | None, list[dict]]]:
    groups: list[tuple[str | None, list[dict]]] = []
    for row in rows:
        if not groups or groups[-1][0] != row["subject"]:
            groups.append((row["subject"], []))
        groups[-1][1].append(row)
    return groups

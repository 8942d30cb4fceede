"""`newsclaims claims` (query the claims) and `newsclaims due` (the promise tracker)."""
from __future__ import annotations

import re
from datetime import date

import click

from db.queries import CLAIM_COLUMNS, DUE_COLUMNS, due_claims, list_claims
from db.store import Store
from newsclaims.commands._claim_options import claim_filter, claim_filter_options, scope_option
from newsclaims.commands._common import db_option, emit_rows, format_option, user_errors
from newsclaims.dates import parse_date_option
from newsclaims.errors import NewsclaimsError

TABLE_COLUMNS = ("id", "kind", "scope", "subject", "speaker", "figure_text", "figure_value", "deadline", "lang", "published",
                 "sentence", "url")
TABLE_WIDTHS = {"subject": 16, "speaker": 14, "figure_text": 22, "sentence": 60, "url": 60}
DUE_TABLE_COLUMNS = ("status", "deadline", "days", "kind", "figure_text", "speaker", "made", "made_ago", "lang",
                     "sentence")
_UNITS = {"d": 1, "w": 7, "m": 30, "y": 365}


@click.command()
@claim_filter_options
@scope_option("company")
@click.option("--limit", type=click.IntRange(min=1), default=100, show_default=True, help="At most this many rows.")
@format_option
@db_option
@user_errors
def claims(limit: int, fmt: str, db_path: str, **filters: str | None) -> None:
    """Claims: who claimed what, with which figure, by when (soonest deadline first).

    Company claims by default; market and macro statistics with --scope market, economy or all."""
    flt = claim_filter(limit=limit, **filters)
    with Store.open(db_path, readonly=True) as store:
        rows = list(list_claims(store, flt))
    emit_rows(rows, fmt, CLAIM_COLUMNS if fmt != "table" else TABLE_COLUMNS, widths=TABLE_WIDTHS)
    if fmt == "table" and not rows:
        click.echo("No claims match.", err=True)


@click.command()
@click.option("--within", help="Deadlines from today up to this far ahead: 90d, 12w, 6m, 1y (default 90d "
                               "unless --overdue is given).")
@click.option("--overdue", is_flag=True, help="Deadlines that have passed.")
@click.option("--as-of", help="Take this date as today (YYYY-MM-DD).")
@click.option("--entity", help="Only claims about this entity (any alias).")
@click.option("--lang", type=click.Choice(["en", "zh"]), help="Only articles in this language.")
@scope_option("company")
@format_option
@db_option
@user_errors
def due(within: str | None, overdue: bool, as_of: str | None, entity: str | None, lang: str | None, scope: str,
        fmt: str, db_path: str) -> None:
    """The promise tracker: targets and forecasts falling due, or overdue, grouped by subject."""
    today = parse_date_option(as_of, "--as-of") if as_of else date.today().isoformat()
    days = parse_window(within) if within else (None if overdue else 90)
    with Store.open(db_path, readonly=True) as store:
        rows = due_claims(store, as_of=today, within_days=days, overdue=overdue,
                          flt=claim_filter(entity=entity, lang=lang, scope=scope))
    for row in rows:
        row["made_ago"] = describe_age(row["made_days_ago"])
    if fmt != "table":
        emit_rows(rows, fmt, (*DUE_COLUMNS, "made_ago"))
        return
    if not rows:
        click.echo("Nothing falls due in that window.", err=True)
        return
    for subject, group in _by_subject(rows):
        click.echo(f"\n{subject or '(no subject)'}: {len(group)} claim{'s' if len(group) != 1 else ''}")
        emit_rows(group, fmt, DUE_TABLE_COLUMNS, widths={"sentence": 70, "figure_text": 22})


def parse_window(text: str) -> int:
    """'90d', '12w', '6m', '1y' or a bare number of days -> days."""
    match = re.fullmatch(r"\s*(\d+)\s*([dwmy]?)\s*", text.lower())
    if not match:
        raise NewsclaimsError(f"--within: {text!r} is not a window (use 90d, 12w, 6m or 1y)")
    return int(match.group(1)) * _UNITS[match.group(2) or "d"]


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

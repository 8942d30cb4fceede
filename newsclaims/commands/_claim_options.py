"""The claim filters that `claims`, `due` and `export` share, as click options."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import click

from db.queries import CLAIM_KINDS, SCOPE_CHOICES, ClaimFilter
from newsclaims.commands._types import DATE

F = TypeVar("F", bound=Callable[..., Any])

_OPTIONS = (
    click.option("--entity", help="Claims about this entity: any alias, English or Chinese (小米, xiaomi)."),
    click.option("--speaker", help="Claims made by this person or organisation (any alias)."),
    click.option("--kind", type=click.Choice(CLAIM_KINDS), help="Only claims of this kind."),
    click.option("--due-before", type=DATE, help="Deadline on or before this date (YYYY-MM-DD)."),
    click.option("--due-after", type=DATE, help="Deadline on or after this date (YYYY-MM-DD)."),
    click.option("--since", type=DATE, help="Article published on or after this date (YYYY-MM-DD)."),
    click.option("--source", help="Only articles from this source."),
    click.option("--lang", type=click.Choice(["en", "zh"]), help="Only articles in this language."),
)


def scope_option(default: str) -> Callable[[F], F]:
    """--scope: company claims, market or economy statistics, or all (each command picks its default)."""
    return click.option("--scope", type=click.Choice(SCOPE_CHOICES), default=default, show_default=True,
                        help="company: claims about organisations; market / economy: market and macro statistics "
                             "(indexes, industry totals, GDP); all: every claim.")


def claim_filter_options(func: F) -> F:
    for option in reversed(_OPTIONS):
        func = option(func)
    return func


def claim_filter(*, entity: str | None = None, speaker: str | None = None, kind: str | None = None,
                 due_before: str | None = None, due_after: str | None = None, since: str | None = None,
                 source: str | None = None, lang: str | None = None, limit: int | None = None,
                 scope: str = "all") -> ClaimFilter:
    """A ClaimFilter from option values (dates were checked by the DATE parameter type)."""
    return ClaimFilter(entity=entity, speaker=speaker, kind=kind, due_before=due_before, due_after=due_after,
                       since=since, source=source, lang=lang, limit=limit, scope=scope)

"""`newsclaims entities`: who and what the articles talk about."""
from __future__ import annotations

import click

from db.queries import ENTITY_COLUMNS, list_entities
from db.store import Store
from newsclaims.commands._common import db_option, emit_rows, format_option, user_errors


@click.command()
@click.option("--type", "label", type=click.Choice(["ORG", "PERSON", "GPE", "LOC", "PRODUCT"], case_sensitive=False),
              help="Only entities of this type.")
@click.option("--top", type=click.IntRange(min=1, max=1_000_000), default=50, show_default=True, help="The N most mentioned.")
@format_option
@db_option
@user_errors
def entities(label: str | None, top: int, fmt: str, db_path: str) -> None:
    """Entities with mention and claim counts per language (claims: those whose subject it is)."""
    with Store.open(db_path, readonly=True) as store:
        rows = list_entities(store, label=label, top=top)
    emit_rows(rows, fmt, ENTITY_COLUMNS, widths={"aliases": 40, "canonical": 24})

"""`newsclaims eval ...`: measure extraction and NLP quality on the corpora in ../shared/corpus."""
from __future__ import annotations

import importlib

import click

# subcommand -> module exposing a click command named `command`
EVALUATIONS = {
    "claims": "newsclaims.evaluation.claims",
    "extraction": "newsclaims.evaluation.extraction",
    "nlp": "newsclaims.evaluation.nlp",
    "ner": "newsclaims.evaluation.ner",
    "tracker": "newsclaims.evaluation.tracker",
}


class _EvalGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(EVALUATIONS)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        module_name = EVALUATIONS.get(name)
        return importlib.import_module(module_name).command if module_name else None


@click.group("eval", cls=_EvalGroup)
def evaluate() -> None:
    """Measure quality against the evaluation corpora in ../shared/corpus (or $NEWSCLAIMS_SHARED)."""

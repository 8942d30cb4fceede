"""`newsclaims_entity_aliases_v1`: an EntityRuler built from the alias table, placed before `ner`.

Known names are fixed before the statistical model guesses, so "Xiaomi" is never a PERSON; each match carries
its canonical name as the span id.
"""
from __future__ import annotations

import os
from functools import lru_cache

from spacy.language import Language
from spacy.pipeline import EntityRuler

from nlp.entities import ALIASES_ENV, AliasTable, load_aliases


@lru_cache(maxsize=4)
def _table(extra: str, env: str) -> AliasTable:
    return load_aliases(extra or None)


def alias_table(extra: str = "") -> AliasTable:
    """The alias table (cached; the env var is part of the key so tests can point it elsewhere)."""
    return _table(extra, os.environ.get(ALIASES_ENV, ""))


@Language.factory("newsclaims_entity_aliases_v1", default_config={"lang": "en", "extra_aliases": ""})
def make_alias_ruler(nlp: Language, name: str, lang: str, extra_aliases: str) -> EntityRuler:
    ruler = EntityRuler(nlp, name=name, phrase_matcher_attr="ORTH", overwrite_ents=True)
    table = alias_table(extra_aliases)
    ruler.add_patterns([{"label": a.label, "pattern": a.alias, "id": a.canonical} for a in table.for_lang(lang)])
    return ruler

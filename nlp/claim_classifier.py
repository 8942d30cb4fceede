"""The trained claim-kind classifier: which kinds of claim a sentence holds (target, forecast, result,
comparison), as probabilities. A small spaCy textcat per language, trained by `make train-claims` from the
labelled corpus (nlp/training/claims/); the Chinese one ships in nlp/models/claims_zh/ (the English one lost to
the rules alone on dev, docs/quality.md).

The rules propose claims (a figure or a time frame with a subject); for Chinese sentences no rule read, this
model may propose a target or forecast (nlp.claims.CLASSIFIER_ADDS).
"""
from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path

from newsclaims.errors import ModelMissingError

KINDS = ("target", "forecast", "result", "comparison")
MODELS_DIR = Path(__file__).resolve().parent / "models"


def model_path(lang: str) -> Path:
    return MODELS_DIR / f"claims_{lang}"


@lru_cache(maxsize=2)
def _load(lang: str):
    import spacy

    path = model_path(lang)
    if not (path / "config.cfg").is_file():
        raise ModelMissingError(f"the {lang} claim classifier is missing at {path}; reinstall newsclaims or run "
                                "`make train-claims`")
    return spacy.load(path)


def available(lang: str) -> bool:
    return (model_path(lang) / "config.cfg").is_file()


def kind_scores(sentences: Sequence[str], lang: str) -> list[dict[str, float]]:
    """For each sentence, the probability of each claim kind being in it."""
    if not sentences:
        return []
    nlp = _load(lang)
    return [{k: float(doc.cats.get(k, 0.0)) for k in KINDS} for doc in nlp.pipe(sentences, batch_size=256)]

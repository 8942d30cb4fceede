"""`newsclaims_bio_ents_v1`: the Chinese recogniser's BIO tags → doc.ents, inside the trained pipeline.

The recogniser is spaCy's tagger writing one BIO tag per token (B-ORG, I-ORG, O): unlike the transition-based NER
it costs one softmax per token, and it runs over every token of every Chinese article. This component, the last of
the trained pipeline, reads the tags back as spans and scores them, so `spacy train` keeps the model with the best
entity F1 on the internal dev slice.
"""
from __future__ import annotations

from collections.abc import Iterable

from spacy.language import Language
from spacy.scorer import Scorer
from spacy.tokens import Doc, Span
from spacy.training import Example

OUTSIDE = "O"


def bio_tags(n: int, spans: Iterable[tuple[int, int, str]]) -> list[str]:
    """Tags for n tokens given (start, end exclusive, label) token spans that do not overlap."""
    tags = [OUTSIDE] * n
    for start, end, label in spans:
        tags[start] = f"B-{label}"
        for i in range(start + 1, end):
            tags[i] = f"I-{label}"
    return tags


def bio_spans(tags: list[str]) -> list[tuple[int, int, str]]:
    """(start, end exclusive, label) for a tag sequence; an I- without its B- starts a span (the tagger
    decides each character alone, so its sequences are not always well formed)."""
    out: list[tuple[int, int, str]] = []
    start, label = -1, ""
    for i, tag in enumerate([*tags, OUTSIDE]):
        place, _, tag_label = tag.partition("-")
        if place == "I" and tag_label == label and start >= 0:
            continue
        if start >= 0:
            out.append((start, i, label))
        start, label = (i, tag_label) if place in ("B", "I") else (-1, "")
    return out


class BioEntities:
    """Sets doc.ents from the tagger's BIO tags; scores ents so `spacy train` selects on entity F1."""

    def __call__(self, doc: Doc) -> Doc:
        doc.ents = [Span(doc, s, e, label=lab) for s, e, lab in bio_spans([t.tag_ for t in doc])]
        return doc

    def score(self, examples: Iterable[Example], **kwargs) -> dict:  # noqa: ANN003
        return Scorer.score_spans(examples, "ents", **kwargs)


@Language.factory("newsclaims_bio_ents_v1")
def make_bio_ents(nlp: Language, name: str) -> BioEntities:
    return BioEntities()

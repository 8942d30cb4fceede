"""`newsclaims_paragraphs_v1`: a line break always ends a sentence (placed before the sentence splitter,
which keeps boundaries that are already set)."""
from __future__ import annotations

from spacy.language import Language
from spacy.tokens import Doc


@Language.component("newsclaims_paragraphs_v1")
def mark_paragraphs(doc: Doc) -> Doc:
    for tok in doc[:-1]:
        if "\n" in tok.text or tok.whitespace_ == "\n":
            doc[tok.i + 1].is_sent_start = True
    return doc

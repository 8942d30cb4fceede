"""`newsclaims_zh_sentences_v1`: Chinese sentence ends (。！？；) with the closing quotes that follow them,
and line breaks; the punctuation lists are data (nlp/data/zh/rules.toml)."""
from __future__ import annotations

import numpy
from spacy.attrs import SENT_START
from spacy.language import Language
from spacy.tokens import Doc

from nlp.components.zh_rules import zh_rules


class ChineseSentences:
    def __init__(self, punct: list[str], closing: list[str]) -> None:
        self.punct = set(punct)
        self.closing = set(closing)

    def __call__(self, doc: Doc) -> Doc:
        if not len(doc):
            return doc
        starts = numpy.full((len(doc), 1), -1, dtype="int32")
        starts[0, 0] = 1
        end_here = False
        for tok in doc[1:]:
            prev = doc[tok.i - 1]
            if prev.text in self.punct or (prev.text and prev.text[-1] in self.punct):
                end_here = True
            if "\n" in prev.text:
                end_here = True
            if end_here and not tok.is_space and tok.text not in self.closing and tok.text not in self.punct:
                starts[tok.i, 0] = 1
                end_here = False
        # One bulk write: setting Token.is_sent_start per token re-checks the whole doc each time (quadratic).
        doc.from_array([SENT_START], starts.astype("uint64"))  # spaCy's array type; -1 wraps and back
        return doc


@Language.factory("newsclaims_zh_sentences_v1", default_config={})
def make_zh_sentences(nlp: Language, name: str) -> ChineseSentences:
    rules = zh_rules()["sentences"]
    return ChineseSentences(rules["punct"], rules["closing"])

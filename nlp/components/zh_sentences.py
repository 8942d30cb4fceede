"""`newsclaims_zh_sentences_v1`: Chinese sentence ends (。！？；) with the closing quotes that follow them,
and line breaks; the punctuation lists are data (nlp/data/zh/rules.toml)."""
from __future__ import annotations

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
        doc[0].is_sent_start = True
        end_here = False
        for tok in doc[1:]:
            prev = doc[tok.i - 1]
            if prev.text in self.punct or (prev.text and prev.text[-1] in self.punct):
                end_here = True
            if "\n" in prev.text:
                end_here = True
            if end_here and not tok.is_space and tok.text not in self.closing and tok.text not in self.punct:
                tok.is_sent_start = True
                end_here = False
            else:
                tok.is_sent_start = False
        return doc


@Language.factory("newsclaims_zh_sentences_v1", default_config={})
def make_zh_sentences(nlp: Language, name: str) -> ChineseSentences:
    rules = zh_rules()["sentences"]
    return ChineseSentences(rules["punct"], rules["closing"])

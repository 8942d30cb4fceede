"""`newsclaims_claims_v1`: claims from the sentences, entities and figures already on the doc
(doc._.claims); the rules live in nlp/claims.py."""
from __future__ import annotations

from spacy.language import Language
from spacy.tokens import Doc

from nlp.claims import ClaimInput, Span, find_claims
from nlp.components import extensions  # noqa: F401 - registers Doc._ attributes
from nlp.components.aliases import alias_table
from nlp.entities import AliasTable
from nlp.records import DocContext


class ClaimComponent:
    def __init__(self, lang: str, table: AliasTable) -> None:
        self.lang = lang
        self.table = table

    def __call__(self, doc: Doc) -> Doc:
        text = doc.text
        sentences = [Span(s.text, s.start_char, s.end_char) for s in doc.sents if s.text.strip()]
        data = ClaimInput(
            text=text, lang=self.lang, ctx=doc._.ctx or DocContext(lang=self.lang), sentences=sentences,
            entities=doc._.entities or [], figures=doc._.figures or [], periods=doc._.periods or [],
            time_frames=doc._.time_frames or [],
            token_starts={t.idx for t in doc}, token_ends={t.idx + len(t.text) for t in doc},
        )
        doc._.claims = find_claims(data, self.table)
        return doc


@Language.factory("newsclaims_claims_v1", default_config={"lang": "en", "extra_aliases": ""})
def make_claims(nlp: Language, name: str, lang: str, extra_aliases: str) -> ClaimComponent:
    return ClaimComponent(lang, alias_table(extra_aliases))

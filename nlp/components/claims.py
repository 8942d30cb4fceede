"""`newsclaims_claims_v1`: claims from the sentences, entities and figures already on the doc
(doc._.claims); the rules live in nlp/claims.py."""
from __future__ import annotations

from spacy.language import Language
from spacy.tokens import Doc

from nlp.claims import ClaimInput, Span, find_claims
from nlp.components import extensions  # noqa: F401 - registers Doc._ attributes
from nlp.components.aliases import alias_table
from nlp.entities import AliasTable
from nlp.records import DocContext, Entity

# The components that find entities (and the sentences they need) run before this one; a letter's title goes
# through them too, so its company is known even when the letter itself only says "we".
_FIRST_AFTER_ENTITIES = "newsclaims_figures_v1"


class ClaimComponent:
    def __init__(self, lang: str, table: AliasTable, nlp: Language | None = None) -> None:
        self.lang = lang
        self.table = table
        self.nlp = nlp

    def title_entities(self, title: str) -> list[Entity]:
        if self.nlp is None or not title.strip():
            return []
        doc = self.nlp.make_doc(title)
        for name, proc in self.nlp.pipeline:
            if name == _FIRST_AFTER_ENTITIES:
                break
            doc = proc(doc)
        return list(doc._.entities or [])

    def __call__(self, doc: Doc) -> Doc:
        text = doc.text
        sentences = [Span(s.text, s.start_char, s.end_char) for s in doc.sents if s.text.strip()]
        ctx = doc._.ctx or DocContext(lang=self.lang)
        data = ClaimInput(
            text=text, lang=self.lang, ctx=ctx, sentences=sentences,
            entities=doc._.entities or [], figures=doc._.figures or [], periods=doc._.periods or [],
            time_frames=doc._.time_frames or [],
            token_starts={t.idx for t in doc}, token_ends={t.idx + len(t.text) for t in doc},
            title_entities=self.title_entities(ctx.title) if ctx.kind == "letter" and ctx.title else [],
        )
        doc._.claims = find_claims(data, self.table)
        return doc


@Language.factory("newsclaims_claims_v1", default_config={"lang": "en", "extra_aliases": ""})
def make_claims(nlp: Language, name: str, lang: str, extra_aliases: str) -> ClaimComponent:
    return ClaimComponent(lang, alias_table(extra_aliases), nlp)

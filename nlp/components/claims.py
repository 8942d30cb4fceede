"""`newsclaims_claims_v1`: claims from the sentences, entities and figures already on the doc
(doc._.claims); the rules live in nlp/claims.py."""
from __future__ import annotations

from spacy.language import Language
from spacy.tokens import Doc

from nlp import claim_classifier
from nlp.claims import CLASSIFIER_ADDS, ClaimInput, Span, find_claims
from nlp.components import extensions  # noqa: F401 - registers Doc._ attributes
from nlp.components.aliases import alias_table
from nlp.discourse import link_abbreviations
from nlp.entities import AliasTable
from nlp.records import DocContext, Entity

# The components that find entities (and the sentences they need) run before this one; a letter's title goes
# through them too, so its company is known even when the letter itself only says "we".
_FIRST_AFTER_ENTITIES = "newsclaims_figures_v1"
# A segmenter's common word this frequent (jieba's dictionary counts) is no organisation on its own (数据, 布局).
COMMON_WORD_FREQ = 1000
# Segmenter tags of common words (jieba: noun, verbal noun, verb, adjective, adverb).
COMMON_TAGS = {"n", "vn", "v", "a", "ad", "an", "d"}
# How far around an entity's edge a dictionary word may reach to show the edge cuts it (华布局 in 在华布局).
CUT_REACH = 3


class ClaimComponent:
    def __init__(self, lang: str, table: AliasTable, nlp: Language | None = None,
                 use_classifier: bool = True) -> None:
        self.lang = lang
        self.table = table
        self.nlp = nlp
        self.use_classifier = use_classifier

    def title_entities(self, title: str) -> list[Entity]:
        if self.nlp is None or not title.strip():
            return []
        doc = self.nlp.make_doc(title)
        for name, proc in self.nlp.pipeline:
            if name == _FIRST_AFTER_ENTITIES:
                break
            doc = proc(doc)
        return list(doc._.entities or [])

    def fragments(self, doc: Doc, entities: list[Entity]) -> set[tuple[int, int]]:
        """Chinese organisations that are segmentation fragments, never subjects: a common word alone (数据), a lone
        character glued to the next word (华布局), or a name whose edge cuts a dictionary word of the text (宝头部 out
        of 支付宝头部)."""
        seg = getattr(self.nlp.tokenizer, "jieba", None) if self.nlp is not None else None
        if self.lang != "zh" or seg is None:
            return set()
        freq = seg.FREQ
        tags = {(t.idx, t.idx + len(t.text)): t.tag_ for t in doc}
        out: set[tuple[int, int]] = set()
        text = doc.text
        for e in entities:
            if e.label != "ORG" or self.table.lookup(e.text) is not None:
                continue
            pieces = [t for t in doc if e.start <= t.idx < e.end]
            if tags.get((e.start, e.end)) in COMMON_TAGS and freq.get(e.text, 0) >= COMMON_WORD_FREQ:
                out.add((e.start, e.end))
            elif len(pieces) >= 2 and len(pieces[0].text) == 1 and self.table.lookup(pieces[0].text) is None:
                out.add((e.start, e.end))  # a lone character glued to the next word (华 + 布局 out of 在华布局)
            elif any(_cuts(text, edge, freq) for edge in (e.start, e.end)):
                out.add((e.start, e.end))
        return out

    def kind_scores(self, sentences: list[Span]) -> dict[int, dict[str, float]]:
        """The trained classifier's claim-kind probabilities for each sentence (by its start), for the languages
        whose claims it helps decide (a missing model is a clear error, not a silent fallback)."""
        if not self.use_classifier or self.lang not in CLASSIFIER_ADDS:
            return {}
        scores = claim_classifier.kind_scores([s.text for s in sentences], self.lang)
        return {s.start: sc for s, sc in zip(sentences, scores)}

    def __call__(self, doc: Doc) -> Doc:
        text = doc.text
        sentences = [Span(s.text, s.start_char, s.end_char) for s in doc.sents if s.text.strip()]
        ctx = doc._.ctx or DocContext(lang=self.lang)
        starts, ends = {t.idx for t in doc}, {t.idx + len(t.text) for t in doc}
        # "British Airways (BA)": later "BA" is British Airways, in the entity list too
        entities = link_abbreviations(text, self.lang, doc._.entities or [], starts, ends)
        doc._.entities = entities
        data = ClaimInput(
            text=text, lang=self.lang, ctx=ctx, sentences=sentences,
            entities=entities, figures=doc._.figures or [], periods=doc._.periods or [],
            time_frames=doc._.time_frames or [], token_starts=starts, token_ends=ends,
            title_entities=self.title_entities(ctx.title) if ctx.kind != "news" and ctx.title else [],
            rejected=self.fragments(doc, entities),
            kind_scores=self.kind_scores(sentences),
        )
        doc._.claims = find_claims(data, self.table)
        return doc


def _cuts(text: str, edge: int, freq: dict[str, int]) -> bool:
    """Whether a dictionary word of two or more characters spans `edge` (starts before it, ends after it)."""
    for left in range(1, CUT_REACH + 1):
        for right in range(1, CUT_REACH + 1):
            a, b = edge - left, edge + right
            if a < 0 or b > len(text):
                continue
            word = text[a:b]
            if freq.get(word, 0) > 0 and all("\u3400" <= ch <= "\u9fff" for ch in word):
                return True
    return False


@Language.factory("newsclaims_claims_v1", default_config={"lang": "en", "extra_aliases": "", "use_classifier": True})
def make_claims(nlp: Language, name: str, lang: str, extra_aliases: str, use_classifier: bool) -> ClaimComponent:
    return ClaimComponent(lang, alias_table(extra_aliases), nlp, use_classifier)

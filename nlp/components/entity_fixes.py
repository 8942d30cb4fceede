"""`newsclaims_entity_fixes_v1`: repairs known misreadings of the small English model, after `ner`.

- spans that are not entities at all (quarters "Q4" as GPE, bare numbers) are dropped;
- a name ending in a company word ("Zentrix Robotics", "Orion Textiles") is an ORG, whether the model read it
  as a person or missed it;
- spans swallowing a possessive and a number ("Apple's 20") are trimmed to the name;
- a surface keeps one label per document (majority vote; the alias table wins);
- a lone part of a person's name ("Lei", "Jun") after the full name was mentioned is that person,
  even where the model read it as something else (a month, an organisation).
Finally `doc._.entities` gets the Entity records with canonical names.
"""
from __future__ import annotations

from collections import Counter, defaultdict

from spacy.language import Language
from spacy.tokens import Doc, Span
from spacy.util import filter_spans

from nlp.components import extensions  # noqa: F401 - registers Doc._ attributes
from nlp.components.aliases import alias_table
from nlp.entities import AliasTable, canonical_name, entity_rules, is_not_entity, name_parts
from nlp.records import Entity

_TRIM_LEFT = {"the", "The", "a", "an"}
_TRIM_RIGHT = {"'s", "’s", "'", "’"}


def _trim(span: Span) -> Span | None:
    start, end = span.start, span.end
    while start < end and (span.doc[start].text in _TRIM_LEFT or span.doc[start].is_punct):
        start += 1
    while end > start and (span.doc[end - 1].text in _TRIM_RIGHT
                           or span.doc[end - 1].is_punct or span.doc[end - 1].is_space):
        end -= 1
    # "Tidewater Logistics 2023 letter": a trailing year or number is not part of a name
    while end - 1 > start and span.label_ in ("ORG", "PERSON") and span.doc[end - 1].like_num:
        end -= 1
    # "Apple's 20": the name is what precedes the possessive
    for i in range(start, end):
        if span.doc[i].text in _TRIM_RIGHT and i > start:
            end = i
            break
    if end <= start:
        return None
    return Span(span.doc, start, end, label=span.label_, span_id=span.id_ or 0)


class EntityFixer:
    def __init__(self, table: AliasTable) -> None:
        self.table = table
        self.label_map: dict[str, str] = entity_rules()["label_map"]
        self.org_heads: set[str] = set(entity_rules()["org_head_words_en"])

    def __call__(self, doc: Doc) -> Doc:
        spans = self._clean(doc)
        spans = self._company_names(doc, spans)
        spans = self._consistent_labels(spans)
        spans = self._partial_names(doc, spans)
        doc.ents = filter_spans(spans)
        doc._.entities = entity_records(doc.ents, self.table)
        return doc

    def _clean(self, doc: Doc) -> list[Span]:
        out = []
        for ent in doc.ents:
            span = _trim(ent)
            if span is None or is_not_entity(span.text):
                continue
            hit = self.table.lookup(span.text)
            if hit is not None:
                out.append(Span(doc, span.start, span.end, label=hit.label, span_id=hit.canonical))
            elif span.label_ in self.label_map and any(t.is_alpha for t in span) and not span.text.islower():
                out.append(Span(doc, span.start, span.end, label=self.label_map[span.label_]))
        return out

    def _company_names(self, doc: Doc, spans: list[Span]) -> list[Span]:
        """Names ending in a company word are organisations; title-case runs the model missed are added."""
        out = []
        for s in spans:
            if s.label_ == "PERSON" and not s.id_ and len(s) > 1 and s[-1].text in self.org_heads:
                s = Span(doc, s.start, s.end, label="ORG")
            out.append(s)
        covered = {i for s in out for i in range(s.start, s.end)}
        for tok in doc:
            if tok.text not in self.org_heads or not tok.is_title or tok.i in covered:
                continue
            start = tok.i
            while (start > 0 and doc[start - 1].is_title and doc[start - 1].text not in _TRIM_LEFT
                   and start - 1 not in covered and not doc[start - 1].is_sent_start):
                start -= 1
            if start > 0 and doc[start - 1].is_title and doc[start - 1].is_sent_start \
                    and doc[start - 1].text not in _TRIM_LEFT and start - 1 not in covered:
                start -= 1  # a name may open the sentence ("Orion Textiles posted...")
            if start < tok.i:
                out.append(Span(doc, start, tok.i + 1, label="ORG"))
        return out

    def _consistent_labels(self, spans: list[Span]) -> list[Span]:
        votes: dict[str, Counter] = defaultdict(Counter)
        for s in spans:
            votes[s.text][s.label_] += 3 if s.id_ else 1
        out = []
        for s in spans:
            label = votes[s.text].most_common(1)[0][0]
            out.append(s if label == s.label_ else Span(s.doc, s.start, s.end, label=label, span_id=s.id_ or 0))
        return out

    def _partial_names(self, doc: Doc, spans: list[Span]) -> list[Span]:
        owner: dict[str, set[str]] = defaultdict(set)  # "Jun" -> {"Lei Jun"}
        first_seen: dict[str, int] = {}
        for s in spans:
            if s.label_ == "PERSON" and len(s) > 1:
                full = s.id_ or canonical_name(s.text, "PERSON", self.table)
                for part in name_parts(full) + [t.text for t in s if t.is_title]:
                    owner[part].add(full)
                    first_seen[part] = min(first_seen.get(part, s.start), s.start)
        if not owner:
            return spans
        covered = {i: s for s in spans for i in range(s.start, s.end)}
        # a lone part the model labelled itself (as PERSON or wrongly) is replaced by the linked person
        out = [s for s in spans if not (len(s) == 1 and s.text in owner and len(owner[s.text]) == 1 and not s.id_
                                         and s.start > first_seen[s.text])]
        kept = {i for s in out for i in range(s.start, s.end)}
        for tok in doc:
            names = owner.get(tok.text)
            if (not names or len(names) != 1 or tok.i in kept or tok.i <= first_seen[tok.text]
                    or (tok.i + 1 < len(doc) and doc[tok.i + 1].like_num)):
                continue
            if tok.i in covered and covered[tok.i].id_:
                continue
            out.append(Span(doc, tok.i, tok.i + 1, label="PERSON", span_id=next(iter(names))))
        return out


def entity_records(spans: list[Span] | tuple[Span, ...], table: AliasTable) -> list[Entity]:
    """Entity records (character offsets, canonical names) for the final entity spans of a doc."""
    return [Entity(text=s.text, label=s.label_, canonical=s.id_ or canonical_name(s.text, s.label_, table),
                   start=s.start_char, end=s.end_char) for s in spans]


@Language.factory("newsclaims_entity_fixes_v1", default_config={"extra_aliases": ""})
def make_entity_fixer(nlp: Language, name: str, extra_aliases: str) -> EntityFixer:
    return EntityFixer(alias_table(extra_aliases))

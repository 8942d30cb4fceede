"""`newsclaims_zh_entities_v1`: Chinese entities from the trained recogniser or from rules, plus the alias table.

With `trained=True` (the product) the spans the recogniser (`newsclaims_zh_ner_v1`, run before) put in doc.ents
are kept, relabelled and named by the alias table where it knows them, and a known alias the model missed is
added where it overlaps nothing. Three rules complete it: organisation names built by the rules below (a name
before an organisation or industry word) where the model saw nothing or only part of the name; a "person"
ending like an organisation (达摩院) is one; a known name the model glued to common nouns (印度市场) is cut to
the name. They cost CLUENER a little and restore what our labelled claims and gold article need
(docs/quality.md). With `trained=False` (the rules-only baseline of `eval ner`)
the rules below find the entities:

- a token that is a known alias is that entity (canonical name from the table);
- nr/nrfg/nrt → PERSON, ns → GPE, nt → ORG (tags from nlp/data/zh/rules.toml);
- name-like tokens followed by an organisation suffix (公司, 集团, 科技, 银行...) or by a noun ending like one
  (信用社, 管理局) → one ORG; an abbreviation or proper noun ending like one (央行, 证监会, 新华网) → ORG alone;
- in a sentence about a match (主场, 让球, vs...), a place or proper name is the club (曼联, 拜仁) → ORG;
- consecutive places, with address suffixes (省, 市, 区, 路...), → one GPE;
- a surname + given name split into two tokens, or a name with "·", → one PERSON.
"""
from __future__ import annotations

from spacy.language import Language
from spacy.tokens import Doc, Span, Token
from spacy.util import filter_spans

from nlp.components import extensions  # noqa: F401 - registers Doc._ attributes
from nlp.components.aliases import alias_table
from nlp.components.entity_fixes import entity_records
from nlp.components.zh_rules import zh_rules
from nlp.entities import AliasTable, is_not_entity

_MAX_NAME_TOKENS = 4
_PROPER_TAGS = {"ns", "nz", "nt", "nr", "nrt", "nrfg", "j", "eng"}


class ChineseEntities:
    def __init__(self, table: AliasTable, rules: dict, trained: bool = False) -> None:
        self.table = table
        self.trained = trained
        self.common_noun_tags = set(rules["trained"]["common_noun_tags"])
        self.pos_labels: dict[str, str] = rules["pos_labels"]
        self.industry = set(rules["suffix"]["industry"])
        self.proper_only = set(rules["suffix"]["industry_proper_only"])
        self.org_suffixes = (set(rules["suffix"]["org"]) | set(rules["suffix"]["company"]) | self.industry
                             | self.proper_only)
        self.generic = set(rules["suffix"]["generic_modifiers"])
        self.clause_openers = set(rules["name_parts"]["clause_openers"])
        self.strong_suffixes = set(rules["suffix"]["company"])
        self.place_suffixes = set(rules["suffix"]["place"])
        self.name_tags = set(rules["name_parts"]["tags"])
        self.org_endings = tuple(rules["suffix"]["org_endings"])
        self.org_ending_tags = set(rules["suffix"]["org_ending_tags"])
        self.org_alone_tags = set(rules["suffix"]["org_alone_tags"])
        self.org_alone_min_chars_n = int(rules["suffix"]["org_alone_min_chars_n"])
        self.sports_words = set(rules["context"]["sports"])
        self.not_org_words = set(rules["suffix"]["not_org_words"])
        self.org_endings_not_names = tuple(rules["suffix"]["org_endings_not_names"])

    def __call__(self, doc: Doc) -> Doc:
        if self.trained:
            spans = self._model_and_aliases(doc)
        else:
            spans = self._organisations(doc) + self._places(doc) + self._people(doc) + self._tokens(doc)
            # longer spans win (an ORG built from 北京 + 银行 beats the GPE 北京)
            spans = filter_spans(spans)
        spans = [s for s in spans if len(s.text.strip()) > 1 and not is_not_entity(s.text)]
        doc.ents = spans
        doc._.entities = entity_records(doc.ents, self.table)
        return doc

    def _model_and_aliases(self, doc: Doc) -> list[Span]:
        """The model's spans, named by the alias table; known aliases it missed, where they overlap nothing."""
        spans = [self._span(doc, *self._known_name_only(e), self._label(e)) for e in doc.ents]
        spans = self._with_rule_orgs(doc, spans)
        taken = {i for s in spans for i in range(s.start, s.end)}
        for tok in doc:
            hit = self.table.lookup(tok.text) if tok.i not in taken and not tok.is_space else None
            if hit is not None:
                spans.append(Span(doc, tok.i, tok.i + 1, label=hit.label, span_id=hit.canonical))
        return sorted(spans, key=lambda s: s.start)

    def _known_name_only(self, span: Span) -> tuple[int, int]:
        """(start, end) of the span, cut to its first token when that is a known name and common nouns follow
        (印度 + 市场, 小米 + 手机): the model glues the market or product to the name."""
        rest = span[1:]
        if len(span) > 1 and self.table.lookup(span[0].text) and all(t.tag_ in self.common_noun_tags for t in rest):
            return span.start, span.start + 1
        return span.start, span.end

    def _label(self, span: Span) -> str:
        """The model's label, except a "person" ending like an organisation (达摩院): no given name ends in 院."""
        if span.label_ == "PERSON" and len(span.text) >= 3 and span.text.endswith(self.org_endings_not_names):
            return "ORG"
        return span.label_

    def _with_rule_orgs(self, doc: Doc, spans: list[Span]) -> list[Span]:
        """Organisation names the rules build (星河智能, 云帆科技, 星河动力科技有限公司): where the model saw nothing,
        or only parts of the same name (金石 as a person in 金石医药). CLUENER's news has few such small-company names; the
        business news and letters newsclaims reads are full of them."""
        out = list(spans)
        for rule in self._organisations(doc):
            overlapping = [s for s in out if s.start < rule.end and rule.start < s.end]
            if all(rule.start <= s.start and s.end <= rule.end for s in overlapping):
                out = [s for s in out if s not in overlapping] + [rule]
        return out

    def _span(self, doc: Doc, start: int, end: int, label: str) -> Span:
        text = doc[start:end].text
        hit = self.table.lookup(text)
        if hit is None and label == "ORG" and end - start > 1:
            hit = self.table.lookup(doc[start:end - 1].text)  # 蔚来 + 汽车: the known name before the suffix
            if hit is not None and hit.label != "ORG":
                hit = None
        if hit is not None:
            return Span(doc, start, end, label=hit.label, span_id=hit.canonical)
        return Span(doc, start, end, label=label)

    def _is_org_word(self, tok: Token) -> bool:
        """A suffix token (公司) or a noun that ends like one (信用社, 管理局); never a verb (进行)."""
        if tok.text in self.org_suffixes:
            return True
        if tok.text in self.not_org_words:
            return False
        return tok.tag_ in self.org_ending_tags and len(tok.text) >= 2 and tok.text.endswith(self.org_endings)

    def _org_alone(self, tok: Token) -> bool:
        if tok.tag_ in self.org_alone_tags and any(tok.text.endswith(w) and len(tok.text) > len(w) + 1
                                                   for w in self.industry):
            return True  # 恒瑞医药/nz: a company name jieba already knows as one word
        if not tok.text.endswith(self.org_endings) or len(tok.text) < 2 or tok.text in self.not_org_words:
            return False
        return tok.tag_ in self.org_alone_tags or (tok.tag_ == "n" and len(tok.text) >= self.org_alone_min_chars_n)

    def _sports_sentences(self, doc: Doc) -> set[int]:
        """Token indices of sentences that talk about a match."""
        out: set[int] = set()
        for sent in doc.sents:
            if any(t.text in self.sports_words for t in sent):
                out.update(range(sent.start, sent.end))
        return out

    def _tokens(self, doc: Doc) -> list[Span]:
        out = []
        sports = self._sports_sentences(doc) if doc.has_annotation("SENT_START") else set()
        for tok in doc:
            hit = self.table.lookup(tok.text) if not tok.is_space else None
            if hit is not None:
                out.append(Span(doc, tok.i, tok.i + 1, label=hit.label, span_id=hit.canonical))
            elif tok.tag_ in ("ns", "nz", "nr", "nrt") and tok.i in sports and tok.text not in self.sports_words:
                out.append(Span(doc, tok.i, tok.i + 1, label="ORG"))
            elif (self.pos_labels.get(tok.tag_) == "PERSON" and len(tok.text) >= 3
                  and tok.text.endswith(self.org_endings_not_names)):
                out.append(Span(doc, tok.i, tok.i + 1, label="ORG"))  # 达摩院/nr: no given name ends in 院
            elif tok.tag_ in self.pos_labels:
                out.append(Span(doc, tok.i, tok.i + 1, label=self.pos_labels[tok.tag_]))
            elif self._org_alone(tok):
                out.append(Span(doc, tok.i, tok.i + 1, label="ORG"))
        return out

    def _organisations(self, doc: Doc) -> list[Span]:
        out = []
        for tok in doc:
            if tok.i == 0 or not self._is_org_word(tok):
                continue
            if tok.i + 1 < len(doc) and self._is_org_word(doc[tok.i + 1]):
                continue  # 科技 + 有限公司: the name ends at the last suffix
            start = tok.i
            while start > 0 and tok.i - start < _MAX_NAME_TOKENS and doc[start - 1].tag_ in self.name_tags:
                start -= 1
            names = doc[start:tok.i]
            proper = [t for t in names if t.tag_ in _PROPER_TAGS or self.table.lookup(t.text)]
            if proper:
                # begin at the first proper name: "全球 最大 的 小米 科技" keeps 小米科技 only
                start = proper[0].i
            else:
                # no proper name: plain words name a company only when they are not a kind of company
                # (科技公司, 上市公司) and, before an industry word, where a subject starts (星河智能计划…)
                plain = list(names)
                while plain and plain[0].text in self.generic:
                    plain.pop(0)
                if tok.text in self.proper_only:
                    continue
                if tok.text not in self.strong_suffixes:
                    plain = plain[-1:]
                    if not plain or plain[0].text in self.generic or not self._opens_clause(doc, plain[0].i):
                        continue
                if not plain or len(doc[plain[0].i:tok.i].text) < 2:
                    continue
                start = plain[0].i
            out.append(self._span(doc, start, tok.i + 1, "ORG"))
        return out

    def _opens_clause(self, doc: Doc, i: int) -> bool:
        if i == 0 or doc[i].is_sent_start:
            return True
        prev = doc[i - 1]
        return prev.is_punct or prev.tag_ == "x" or prev.is_space or prev.text in self.clause_openers

    def _places(self, doc: Doc) -> list[Span]:
        out, i = [], 0
        while i < len(doc):
            if doc[i].tag_ != "ns":
                i += 1
                continue
            j = i + 1
            while j < len(doc) and (doc[j].tag_ == "ns" or doc[j].text in self.place_suffixes
                                    or (doc[j].like_num and j + 1 < len(doc) and doc[j + 1].text in self.place_suffixes)):
                j += 1
            if j - i > 1:
                out.append(self._span(doc, i, j, "GPE"))
            i = j
        return out

    def _people(self, doc: Doc) -> list[Span]:
        out, i = [], 0
        person_tags = {t for t, label in self.pos_labels.items() if label == "PERSON"}
        while i < len(doc):
            if doc[i].tag_ not in person_tags:
                i += 1
                continue
            j = i + 1
            while j < len(doc) and (doc[j].tag_ in person_tags or doc[j].text in {"·", "•"}) and j - i < 5:
                j += 1
            if doc[j - 1].text in {"·", "•"}:
                j -= 1
            if j - i > 1 and len(doc[i:j].text) <= 12:
                out.append(self._span(doc, i, j, "PERSON"))
            i = j
        return out


@Language.factory("newsclaims_zh_entities_v1", default_config={"extra_aliases": "", "trained": False})
def make_zh_entities(nlp: Language, name: str, extra_aliases: str, trained: bool) -> ChineseEntities:
    return ChineseEntities(alias_table(extra_aliases), zh_rules(), trained)

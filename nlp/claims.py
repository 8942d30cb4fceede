"""Claims: who claimed what, with which figure, by when — rules over sentences, entities, figures and time frames.

Language independent: the cue words are data (nlp/data/claims/cues.toml) and cues only match on token
boundaries, so 要 inside 重要 or "up" inside "upgrade" never fire. The inputs are plain records, so this
module knows nothing about spaCy or jieba.
"""
from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any

import tomllib

from nlp import discourse
from nlp.entities import AliasTable, canonical_name, is_not_entity, main_entity
from nlp.fiscal import find_fiscal_periods, resolve_fiscal, year_end_month
from nlp.records import Claim, DocContext, Entity, Figure

CUES_FILE = Path(__file__).resolve().parent / "data" / "claims" / "cues.toml"
CUE_KINDS = ("target", "forecast", "result", "comparison", "reporting", "first_person", "company_reference",
             "pronoun", "subject_pronoun", "needs_subject", "comparison_after", "not_cue", "hedge", "baseline",
             "baseline_filler", "not_subject_after", "past", "future", "not_past", "noun_before",
             "attribution_after", "attribution_before", "expectation", "hypothetical", "obligation", "testimonial",
             "market", "economy", "figure_before")
SCOPES = ("market", "economy")  # besides "company"
# How far (characters) a target/forecast figure may sit from its cue; Chinese packs more into a character.
CUE_WINDOW = {"en": 80, "zh": 30}
# Figure kinds that can be a reported result on their own (durations are how long, not what was achieved).
RESULT_FIGURE_KINDS = {"percent", "money", "count", "rank", "multiple", "quantity"}
# Figure kinds that state a change by themselves ("tripled", "翻了一番"): a result without a cue word.
CHANGE_KINDS = {"multiple"}
_QUOTES = [("“", "”"), ("「", "」"), ("『", "』"), ('"', '"')]
# "、" joins list items inside one clause ("营收、利润分别增长20%、30%"), so it does not break a clause.
# A comma or colon right before a digit is part of a number ("1,200", "10:30").
_CLAUSE_BREAK = re.compile(r"[;，；：]|[,:](?!\d)|\s[–—-]\s|–|—")
# The classifier's probability at which it proposes a target or forecast the cue words missed; chosen on
# document-level cross-validation over the train and dev splits of the labelled corpus (docs/quality.md).
# Chinese only: on the dev split the English classifier lowered precision without adding recall, so English
# keeps the rules alone (its model is not shipped; docs/quality.md has both numbers).
CLASSIFIER_ADDS = {"zh": 0.5}
# An English sentence shorter than this is a heading or a fragment, never a classified claim.
MIN_CLASSIFIED_WORDS = 6
# How far (characters) a weak cue ("will", "将") may sit after its subject, and how many words may lie between.
SUBJECT_GAP = {"en": 24, "zh": 8}
SUBJECT_GAP_WORDS = 2
# A comparison cue at least this strong may set a figure against another figure without naming anyone.
STRONG_COMPARISON = 0.8
# How far (characters) an organisation may sit from a person to be theirs ("Kenji Watanabe, chief executive of").
AFFILIATION_REACH = {"en": 40, "zh": 12}
# Without a title mention, an organisation is what a news document is about only when named this often.
MIN_MAIN_ORG_MENTIONS = 3
# How far (characters) a date may follow a weak cue to make a date-only forecast ("可能到明年初", "likely by May").
DATE_AFTER_CUE = {"en": 12, "zh": 3}
# How many sentences back an outlook's fiscal period ("Our Q1 guidance is as follows.") reaches.
OUTLOOK_REACH = 5
_NUMBER = re.compile(r"\d[\d,.]*")
_POSSESSIVE_NUMBER = re.compile(r"['’]s?\s+\d")
_PERIOD = re.compile(r"(\d{4})(?:-Q([1-4])|-(\d{2}))?")
# An English regular past form; "-eed" words (need, exceed) and hyphenated adjectives ("Shenzhen-based") are not.
_REGULAR_PAST = re.compile(r"(?<![\w-])[A-Za-z]{2,}(?<!e)ed\b")
_PREVIOUS_WORD = re.compile(r"([\w']+|\d[\d,.]*)\s*$")


@dataclass(frozen=True)
class Cue:
    kind: str
    text: str
    start: int
    end: int
    weight: float


@dataclass(frozen=True)
class Span:
    """A sentence, period mention or time frame: text with character offsets into the document."""

    text: str
    start: int
    end: int
    value: str | None = None  # period ("2017-Q4") or deadline ("2020-06-30")
    rule: str = ""  # a time frame's rule in timeframes.tsv ("add_years", "year_end_y")
    relative: bool = False  # a time frame counted from publication ("in 6 years"): a duration in a past clause


@dataclass
class ClaimInput:
    """Everything the claim rules read about one document."""

    text: str
    lang: str
    ctx: DocContext
    sentences: Sequence[Span]
    entities: Sequence[Entity]
    figures: Sequence[Figure]
    periods: Sequence[Span] = ()
    time_frames: Sequence[Span] = ()
    token_starts: set[int] = field(default_factory=set)
    token_ends: set[int] = field(default_factory=set)
    title_entities: Sequence[Entity] = ()  # entities of ctx.title (offsets into the title), for letters
    rejected: set[tuple[int, int]] = field(default_factory=set)  # entity spans that are word fragments
    # the trained claim-kind classifier's probabilities per sentence start (nlp.claim_classifier), if it ran
    kind_scores: dict[int, dict[str, float]] = field(default_factory=dict)


@dataclass
class Candidate:
    """What the rules propose for one statement, before its kind is decided (`decide_kind`).

    `kind` is the rules' proposal; `features` are the facts a decision uses (a trained classifier may replace
    `decide_kind` and read the same features plus the sentence)."""

    kind: str
    figure: Figure | None
    weight: float
    anchor: int
    subject_pos: int | None = None
    features: dict[str, bool] = field(default_factory=dict)


def decide_kind(sentence: str, candidates: Sequence[Candidate]) -> list[tuple[Candidate, str]]:
    """The kind of each candidate, or none (dropped): the rules' decision, one function so that a trained
    classifier can take its place.

    - questions, hypotheticals, rules for everyone (obligations without a named organisation) and single users' stories
      are no claims;
    - a figure somebody else expected (consensus) is no result of the company;
    - a target or forecast told in the past tense, with no word of the future, is an achievement: a result;
    - a result with a span still to run from publication ("未来3年内…超过2000亿元") is a plan: a target (words of
      the future alone do not count: "may" is also a month).
    """
    out: list[tuple[Candidate, str]] = []
    for c in candidates:
        f = c.features
        if f.get("question") or f.get("hypothetical") or f.get("testimonial") \
                or (f.get("obligation") and not f.get("named_org")):
            continue
        kind = c.kind
        if kind in ("target", "forecast") and f.get("past") and not f.get("future"):
            kind = "result"
        elif kind == "result" and f.get("future_frame"):
            kind = "target"
        if kind == "result" and f.get("expectation"):
            continue
        out.append((c, kind))
    return out


@lru_cache(maxsize=1)
def load_cues() -> dict[str, dict[str, dict[str, float]]]:
    with CUES_FILE.open("rb") as fh:
        return tomllib.load(fh)


@lru_cache(maxsize=16)
def _cue_regex(lang: str, kind: str) -> tuple[re.Pattern[str], dict[str, float]] | None:
    table = load_cues().get(lang, {}).get(kind)
    if not table:
        return None
    weights = {k.casefold(): float(v) for k, v in table.items()}
    alternatives = "|".join(re.escape(k) for k in sorted(table, key=len, reverse=True))
    return re.compile(alternatives, re.IGNORECASE), weights


def find_cues(doc: ClaimInput, kind: str, start: int, end: int) -> list[Cue]:
    """Cues of one kind inside [start, end) that begin and end on token boundaries."""
    compiled = _cue_regex(doc.lang, kind)
    if compiled is None:
        return []
    regex, weights = compiled
    blocked = _phrases(doc, "not_cue", start, end) if kind in ("target", "forecast", "result", "comparison") else []
    out = []
    for m in regex.finditer(doc.text, start, end):
        if doc.token_starts and (m.start() not in doc.token_starts or m.end() not in doc.token_ends):
            continue
        if any(a <= m.start() and m.end() <= b for a, b in blocked):
            continue
        out.append(Cue(kind, m.group(), m.start(), m.end(), weights[m.group().casefold()]))
    return out


def _phrases(doc: ClaimInput, kind: str, start: int, end: int) -> list[tuple[int, int]]:
    """Spans of one phrase list (not_cue, hedge...) inside [start, end), on token boundaries."""
    compiled = _cue_regex(doc.lang, kind)
    if compiled is None:
        return []
    return [(m.start(), m.end()) for m in compiled[0].finditer(doc.text, start, end)
            if not doc.token_starts or (m.start() in doc.token_starts and m.end() in doc.token_ends)]


def _cue_set(lang: str, kind: str) -> set[str]:
    return {k.casefold() for k in load_cues().get(lang, {}).get(kind, {})}


def _edge_distance(a: tuple[int, int], b: tuple[int, int]) -> int:
    return max(0, b[0] - a[1], a[0] - b[1])


def quoted_regions(text: str) -> list[tuple[int, int]]:
    regions = []
    for open_q, close_q in _QUOTES:
        pos = 0
        while (i := text.find(open_q, pos)) != -1:
            j = text.find(close_q, i + 1)
            if j == -1 or "\n" in text[i:j]:
                pos = i + 1
                continue
            regions.append((i, j + 1))
            pos = j + 1
    return regions


def _paragraph(text: str, pos: int) -> tuple[int, int]:
    start = text.rfind("\n", 0, pos) + 1
    end = text.find("\n", pos)
    return start, len(text) if end == -1 else end


def _clause(text: str, sent: Span, pos: int) -> tuple[int, int]:
    """The clause around `pos`: the sentence cut at commas, colons and dashes."""
    start, end = sent.start, sent.end
    for m in _CLAUSE_BREAK.finditer(text, sent.start, sent.end):
        if m.end() <= pos:
            start = m.end()
        elif m.start() >= pos:
            end = m.start()
            break
    return start, end


class ClaimFinder:
    """Finds the claims of one document (see `find_claims`)."""

    def __init__(self, doc: ClaimInput, table: AliasTable) -> None:
        self.doc = doc
        self.table = table
        self.quotes = quoted_regions(doc.text)
        whole = (0, len(doc.text))
        # the sources of reports ("according to Reuters") and metric words (CapEx) are never subjects
        self.sources = discourse.attribution_sources(
            doc.text, doc.entities, _phrases(doc, "attribution_before", *whole),
            _phrases(doc, "attribution_after", *whole), doc.lang)
        self.entities = [e for e in doc.entities if not (e.label == "ORG" and (
            (e.start, e.end) in self.sources or (e.start, e.end) in doc.rejected or is_not_entity(e.text)))]
        self.main_org = self._main_org()
        self.main_person = self._main_person()
        self.turns = (discourse.speaker_turns(doc.text, doc.lang, self.entities)
                      if doc.ctx.kind == "transcript" else [])
        self.local_affiliation = self._local_affiliations()

    # -- document-level defaults ---------------------------------------------------------------
    def _main_org(self) -> str | None:
        """The organisation the document is about: an earnings-call intro, the title, the lead, the mentions.

        Sentences without an organisation of their own fall back to it, so a passing mention must not win: a news
        item needs its title, or a weight of MIN_MAIN_ORG_MENTIONS (mentions, plus one for a name in the lead)."""
        doc = self.doc
        title_orgs = doc.title_entities if doc.ctx.kind in ("letter", "transcript") else ()
        name, weight = discourse.main_org(
            self.entities, title=doc.ctx.title, lang=doc.lang, sources=self.sources,
            intro=discourse.intro_org(doc.text, doc.lang), title_orgs=title_orgs)
        if name is None:
            return None
        if doc.ctx.kind != "news" or weight >= MIN_MAIN_ORG_MENTIONS:
            return canonical_name(name, "ORG", self.table)
        return None

    def _main_person(self) -> str | None:
        """Who speaks in a letter or speech: the byline, else the signature, else a person in the title. News:
        the person named most (quoted statements without "he said" are theirs)."""
        ctx = self.doc.ctx
        author = canonical_name(ctx.author, "PERSON", self.table) if ctx.author else None
        if ctx.kind == "letter":
            if author:
                return author
            in_title = [e.canonical for e in self.doc.title_entities if e.label == "PERSON"]
            return discourse.signature(self.doc.text, self.entities) or (in_title[0] if in_title else None)
        people = [e for e in self.entities if e.label == "PERSON" and e.canonical != author]
        return main_entity(people, "PERSON", title=ctx.title)

    def _local_affiliations(self) -> dict[str, str]:
        """Person → the organisation named right beside them in the text ("Arjun Mehta, founder of Skylark Data",
        "东方电池董事长赵刚"): what their "we" stands for when no alias table knows them."""
        out: dict[str, str] = {}
        reach = AFFILIATION_REACH.get(self.doc.lang, 40)
        orgs = [e for e in self.entities if e.label == "ORG"]
        for sent in self.doc.sentences:
            people = [e for e in self.entities if e.label == "PERSON" and sent.start <= e.start < sent.end]
            for person in people:
                if person.canonical in out:
                    continue
                near = [o for o in orgs if sent.start <= o.start < sent.end
                        and _edge_distance((o.start, o.end), (person.start, person.end)) <= reach
                        and not any(min(o.end, person.end) <= p.start < max(o.start, person.start) for p in people)]
                if near:
                    best = min(near, key=lambda o: _edge_distance((o.start, o.end), (person.start, person.end)))
                    out[person.canonical] = best.canonical
        return out

    def org_of(self, speaker: str | None) -> str | None:
        """The organisation a speaker's "we"/"his company" stands for."""
        return (self.table.affiliation(speaker) or (self.local_affiliation.get(speaker) if speaker else None)
                or self.main_org)

    # -- per sentence ------------------------------------------------------------------------
    def in_quote(self, pos: int) -> bool:
        return any(a <= pos < b for a, b in self.quotes)

    def speaker(self, sent: Span, anchor: int) -> tuple[str | None, bool]:
        """(speaker, attributed?) for a statement at `anchor` in `sent`."""
        doc = self.doc
        people = [e for e in self.entities if e.label == "PERSON"]
        if doc.ctx.kind == "letter" and not self.in_quote(anchor):
            return self.main_person, self.main_person is not None
        if doc.ctx.kind == "transcript" and not self.in_quote(anchor):
            # the one who has the word, never a name inside the sentence ("Thanks, Dana" passes it on)
            current = discourse.speaker_at(self.turns, anchor)
            return current, current is not None
        for region in self._attribution_regions(sent, anchor):
            reporting = find_cues(doc, "reporting", *region)
            if not reporting:
                continue
            cue = reporting[0]
            near = [e for e in people if region[0] <= e.start < region[1]]
            if near:
                return min(near, key=lambda e: abs(e.start - cue.start)).canonical, True
            if find_cues(doc, "pronoun", *region):
                before = [e for e in people if e.end <= region[0]]
                return (before[-1].canonical if before else self.main_person), True
        if self.in_quote(anchor):
            para = _paragraph(doc.text, anchor)
            near = [e for e in people if para[0] <= e.start < para[1]]
            if near:
                return near[0].canonical, True
        return None, False

    def _attribution_regions(self, sent: Span, anchor: int) -> list[tuple[int, int]]:
        regions = [(sent.start, sent.end)]
        if self.in_quote(anchor):  # "...," he said — the attribution may sit in the next or previous sentence
            idx = next((i for i, s in enumerate(self.doc.sentences) if s.start == sent.start), None)
            if idx is not None:
                for j in (idx + 1, idx - 1):
                    if 0 <= j < len(self.doc.sentences):
                        other = self.doc.sentences[j]
                        if _paragraph(self.doc.text, other.start) == _paragraph(self.doc.text, sent.start):
                            regions.append((other.start, other.end))
        return regions

    def subject(self, sent: Span, pos: int, speaker: str | None) -> str | None:
        """The organisation a statement at `pos` is about: nearest ORG or self-reference before it.

        A possessive "its"/"其" after an organisation named in the same sentence points back to that organisation.
        """
        doc = self.doc
        orgs = [e for e in self.entities if e.label == "ORG" and sent.start <= e.start < pos]
        org = orgs[-1] if orgs else None
        selves = find_cues(doc, "first_person", sent.start, pos) + find_cues(doc, "company_reference", sent.start, pos)
        self_ref = max(selves, key=lambda c: c.start) if selves else None
        if self_ref is not None and (org is None or self_ref.start > org.start):
            if org is not None and self_ref.weight < 1.0:  # "its" / "其": the organisation just named
                return org.canonical
            first_person = self_ref.kind == "first_person"
            if first_person and doc.ctx.kind in ("letter", "transcript") and not self.in_quote(pos):
                return self.main_org
            if first_person or speaker:
                return self.org_of(speaker)
            # "the company" / "公司" with no speaker: the organisation named last before ("据光明乳业介绍，公司…")
            return self._last_org_before(sent.start) or self.main_org
        if org is not None:
            return org.canonical
        return self.main_org

    def _last_org_before(self, pos: int) -> str | None:
        para = _paragraph(self.doc.text, pos)
        earlier = [e for e in self.entities if e.label == "ORG" and para[0] <= e.start < pos]
        return earlier[-1].canonical if earlier else None

    def has_subject_before(self, sent: Span, cue: Cue) -> bool:
        """Whether an organisation or self-reference stands right before a weak cue ("Xiaomi will", "我们将").

        "will" alone is too common to mean a commitment: "the display size will remain 13.3 inches" or "a
        tender offer by SoftBank will be launched" state no goal of anyone.
        """
        doc = self.doc
        clause_start = _clause(doc.text, sent, cue.start)[0]
        candidates = [(e.start, e.end) for e in self.entities if e.label == "ORG" and clause_start <= e.start
                      and e.end <= cue.start]
        for kind in ("first_person", "company_reference", "subject_pronoun"):
            candidates += [(c.start, c.end) for c in find_cues(doc, kind, clause_start, cue.start)]
        if not candidates:
            return False
        start, end = max(candidates)
        gap = doc.text[end:cue.start]
        if len(gap) > SUBJECT_GAP.get(doc.lang, 24) or (doc.lang == "en" and len(gap.split()) > SUBJECT_GAP_WORDS):
            return False
        # the agent of a passive or the object of a preposition is not the one who commits ("by SoftBank will")
        blocked = _phrases(doc, "not_subject_after", clause_start, start)
        return not any(not doc.text[b:start].strip() for _, b in blocked)

    def figures_in(self, sent: Span) -> list[Figure]:
        frames = [t for t in self.doc.time_frames if sent.start <= t.start < sent.end]
        return [f for f in self.doc.figures if sent.start <= f.start < sent.end
                and not any(t.start <= f.start and f.end <= t.end for t in frames)]

    def time_frame(self, sent: Span, pos: int, fig: Figure | None = None) -> Span | None:
        """The time frame of a statement: in the clause of its figure (or cue), else in a clause that carries no
        other figure ("今年，我们有机会进入世界500强"); never one that belongs to another figure's clause."""
        text = self.doc.text
        anchor = (fig.start, fig.end) if fig is not None else (pos, pos)
        frames = [t for t in self.doc.time_frames if sent.start <= t.start < sent.end and t.value
                  and not (t.relative and self.is_past(sent, t, anchor[0]))]
        if not frames:
            return None
        clause = _clause(text, sent, anchor[0])
        local = [t for t in frames if clause[0] <= t.start < clause[1]]
        if not local and fig is not None:
            others = [f for f in self.figures_in(sent) if f is not fig]
            local = [t for t in frames if not any(
                _clause(text, sent, t.start) == _clause(text, sent, f.start) for f in others)]
        return min(local, key=lambda t: _edge_distance((t.start, t.end), anchor)) if local else None

    def is_past(self, sent: Span, frame: Span, pos: int) -> bool:
        """Whether the clauses of a time frame and of its statement at `pos` tell of the past ("grew tenfold in 6
        years", "三年内增长了十倍"): a past form and no word of the future. The English pipeline has no tagger,
        so past forms are listed words and regular "-ed" forms that do not follow a determiner or number."""
        doc = self.doc
        regions = {_clause(doc.text, sent, frame.start), _clause(doc.text, sent, pos)}
        if any(_phrases(doc, "future", *r) for r in regions):
            return False
        if any(_phrases(doc, "past", *r) for r in regions):
            return True
        if doc.lang != "en":
            return False
        reporting = [(c.start, c.end) for r in regions for c in find_cues(doc, "reporting", *r)]
        not_past, noun_before = _cue_set("en", "not_past"), _cue_set("en", "noun_before")
        for r in regions:
            for m in _REGULAR_PAST.finditer(doc.text, *r):
                if m.group().casefold() in not_past or any(a <= m.start() < b for a, b in reporting):
                    continue
                before = _PREVIOUS_WORD.search(doc.text, r[0], m.start())
                if before and (before.group(1).casefold() in noun_before or before.group(1)[0].isdigit()):
                    continue
                return True
        return False

    def period(self, sent: Span, fig: Figure | None, pos: int) -> str | None:
        if fig is not None and fig.period:
            return fig.period
        periods = [p for p in self.doc.periods if sent.start <= p.start < sent.end and p.value]
        return min(periods, key=lambda p: abs(p.start - pos)).value if periods else None

    def claims_in(self, sent: Span) -> list[Claim]:
        """The rules propose candidates (targets/forecasts, else comparisons and results); `decide_kind` keeps
        and labels them."""
        doc = self.doc
        figs = self.figures_in(sent)
        target = self._strong_enough(sent, find_cues(doc, "target", sent.start, sent.end))
        forecast = self._strong_enough(sent, find_cues(doc, "forecast", sent.start, sent.end))
        candidates: list[Candidate] = []
        if target or forecast:
            candidates = self._intent(sent, figs, target, forecast)
        out: list[Claim] = []
        if not candidates:
            used: list[Figure] = []
            # "in 6 years compared to Pfizer's 12": a duration the time-frame rules read as "within" is compared
            in_sentence = [f for f in doc.figures if sent.start <= f.start < sent.end]
            comparison = self._comparison(sent, in_sentence)
            if comparison is not None:
                claim, used = comparison
                if not self._features(sent, claim.figure, claim.figure.start if claim.figure else sent.start).get(
                        "hypothetical"):
                    out.append(claim)
            candidates = self._results(sent, figs, used)
            if not candidates and not out:
                # nothing the cue words or the result/comparison rules read: the trained classifier may see a
                # target or forecast
                candidates = self._classified(sent, figs)
        for cand, kind in decide_kind(sent.text, candidates):
            out.append(self._claim(kind, sent, cand.figure, cand.weight, cand.anchor, subject_pos=cand.subject_pos))
        return out

    def _classified(self, sent: Span, figs: list[Figure]) -> list[Candidate]:
        """A target or forecast the cue words missed but the trained classifier is confident of ("Tax rate of
        approximately 16% on a GAAP basis." in an outlook; "We'll be accretive in fiscal 26."): its first figure
        that is not a time span, or none."""
        scores = self.doc.kind_scores.get(sent.start)
        if not scores:
            return []
        kind = max(("target", "forecast"), key=lambda k: scores.get(k, 0.0))
        p = scores.get(kind, 0.0)
        if p < CLASSIFIER_ADDS.get(self.doc.lang, 1.0):
            return []
        fig = next((f for f in figs if f.kind != "duration"), None)
        anchor = fig.start if fig is not None else sent.start
        if fig is None and self.time_frame(sent, anchor) is None:
            return []  # nothing to check it against: no figure and no time (labelling.md's rule for a claim)
        if len(sent.text.split()) < MIN_CLASSIFIED_WORDS and self.doc.lang == "en":
            return []  # a heading or a fragment ("2023 Letter to Shareholders")
        features = self._features(sent, fig, anchor)
        if features["past"] and not features["future"]:
            return []  # told in the past tense: the result and comparison rules read it, not a proposal here
        return [Candidate(kind, fig, p, anchor, features=features)]

    def _results(self, sent: Span, figs: list[Figure], used: list[Figure]) -> list[Candidate]:
        """Result candidates: a figure whose clause has a result cue or a stated change, and no hedge."""
        doc = self.doc
        out = []
        for f in figs:
            if f.kind not in RESULT_FIGURE_KINDS or any(f is u for u in used) or self._is_baseline(sent, f):
                continue
            clause = _clause(doc.text, sent, f.start)
            if _phrases(doc, "hedge", *clause):
                continue  # "the deal could raise up to $12.9bn if...": a possibility, not a reported fact
            result_cues = find_cues(doc, "result", *clause)
            if result_cues or f.change or f.kind in CHANGE_KINDS:
                weight = max((c.weight for c in result_cues), default=0.5)
                out.append(Candidate("result", f, weight, f.start, features=self._features(sent, f, f.start)))
        return out

    def _features(self, sent: Span, fig: Figure | None, anchor: int) -> dict[str, bool]:
        """What `decide_kind` reads about a statement: its clause's tense, conditions, obligations, whose figure."""
        doc = self.doc
        pos = fig.start if fig is not None else anchor
        clause = _clause(doc.text, sent, pos)
        obligation = _phrases(doc, "obligation", *clause)
        named = [e for e in self.entities if e.label == "ORG" and clause[0] <= e.start < pos]
        frame = self.time_frame(sent, pos, fig)
        past = self._clause_is_past(clause)
        return {
            "question": sent.text.rstrip().endswith(("?", "？")),
            "hypothetical": bool(_phrases(doc, "hypothetical", sent.start, clause[1])),
            "testimonial": bool(_phrases(doc, "testimonial", sent.start, sent.end)),
            "obligation": bool(obligation),
            "named_org": bool(named or find_cues(doc, "first_person", clause[0], pos)),
            "expectation": bool(_phrases(doc, "expectation", *clause)),
            "past": past,
            "future": bool(_phrases(doc, "future", *clause)),
            # a span still to run from publication ("未来3年内", "within two years"), not "this year" or a date
            "future_frame": bool(frame is not None and frame.relative and not past),
        }

    def _clause_is_past(self, clause: tuple[int, int]) -> bool:
        """A past form in the clause (listed words, English regular "-ed" forms not after a determiner)."""
        doc = self.doc
        if _phrases(doc, "past", *clause):
            return True
        if doc.lang != "en":
            return False
        reporting = [(c.start, c.end) for c in find_cues(doc, "reporting", *clause)]
        not_past, noun_before = _cue_set("en", "not_past"), _cue_set("en", "noun_before")
        for m in _REGULAR_PAST.finditer(doc.text, *clause):
            if m.group().casefold() in not_past or any(a <= m.start() < b for a, b in reporting):
                continue
            before = _PREVIOUS_WORD.search(doc.text, clause[0], m.start())
            if before and (before.group(1).casefold() in noun_before or before.group(1)[0].isdigit()):
                continue
            if m.group().casefold() in _cue_set("en", "expectation"):
                continue  # "expected" looks ahead
            return True
        return False

    def scope(self, sent: Span, pos: int) -> tuple[str, str | None]:
        """("company" | "market" | "economy", the market or statistic named): a market or macro word before the
        figure in its clause, with no organisation (or "we") named before that word."""
        doc = self.doc
        clause = _clause(doc.text, sent, pos)
        words = sorted(find_cues(doc, "market", clause[0], max(pos, clause[0] + 1))
                       + find_cues(doc, "economy", clause[0], max(pos, clause[0] + 1)), key=lambda c: c.start)
        if not words:
            return "company", None
        first = words[0]
        # the organisation may open the sentence ("晨光证券预期，该行业…": its forecast about the industry)
        if any(e.label == "ORG" and sent.start <= e.start < first.start for e in self.entities) \
                or find_cues(doc, "first_person", sent.start, first.start):
            return "company", None
        return first.kind, first.text

    def _strong_enough(self, sent: Span, cues: list[Cue]) -> list[Cue]:
        """Cues that count here: weak ones ("will", "将") only right after an organisation or "we"."""
        weak = _cue_set(self.doc.lang, "needs_subject")
        return [c for c in cues if c.text.casefold() not in weak or self.has_subject_before(sent, c)]

    def _is_baseline(self, sent: Span, fig: Figure) -> bool:
        """A figure the sentence starts from ("up 18% from $3.56 billion", "比2017年的2073.5亿元增长") is the
        point of comparison, not the result: a baseline word, then at most a period and a filler ("的")."""
        doc = self.doc
        lo = max(sent.start, fig.start - 16)
        fillers = sorted(_cue_set(doc.lang, "baseline_filler"), key=len, reverse=True)
        for _, b in _phrases(doc, "baseline", lo, fig.start):
            gap = doc.text[b:fig.start].casefold()
            for p in doc.periods:
                if b <= p.start and p.end <= fig.start:
                    gap = gap.replace(p.text.casefold(), "")
            for filler in fillers:
                gap = gap.replace(filler, "")
            if not gap.strip():
                return True
        return False

    def _comparison(self, sent: Span, figs: list[Figure]) -> tuple[Claim, list[Figure]] | None:
        """The subject's figure set against other organisations or another figure of the same kind.

        Most cues follow the subject's figure ("in 7 years compared to Apple's 20"); some precede it
        ("而小米只用了7年", "与苹果相比，小米…"), listed under comparison_after.
        """
        doc = self.doc
        cues = find_cues(doc, "comparison", sent.start, sent.end)
        if not cues or not figs:
            return None
        cue = max(cues, key=lambda c: (c.weight, c.start))
        if cue.text.casefold() in _cue_set(doc.lang, "comparison_after"):
            own_side = [f for f in figs if f.start >= cue.end]
            own = min(own_side, key=lambda f: f.start) if own_side else None
            other = (sent.start, cue.start)
        else:
            own_side = [f for f in figs if f.end <= cue.start]
            own = max(own_side, key=lambda f: f.end) if own_side else None
            other = (cue.end, sent.end)
        if own is None:
            return None
        speaker, _ = self.speaker(sent, own.start)
        subject = self.subject(sent, own.start, speaker)
        # the others: organisations across the cue, or in another clause ("…只用了4年，而特斯拉用了12年")
        own_clause = _clause(doc.text, sent, own.start)
        compared: list[str] = []
        for e in self.entities:
            elsewhere = other[0] <= e.start < other[1] or not own_clause[0] <= e.start < own_clause[1]
            # "Pfizer's 12": a name with its own figure is compared even when the model took it for a person
            named_figure = e.label == "ORG" or bool(_POSSESSIVE_NUMBER.match(doc.text, e.end))
            if named_figure and sent.start <= e.start < sent.end and elsewhere \
                    and e.canonical not in compared + [subject]:
                compared.append(e.canonical)
        other_figs = [f for f in figs if other[0] <= f.start < other[1] and f.kind == own.kind]
        # a weak cue ("while", "比", "而") compares only when other organisations are named
        if not compared and (cue.weight < STRONG_COMPARISON or not (other_figs or self._bare_number_in(other))):
            return None
        claim = self._claim("comparison", sent, own, cue.weight, own.start)
        claim.compared_with = compared
        return claim, [own, *other_figs]

    def _predicted_subject_end(self, sent: Span, cue: Cue, fig: Figure) -> int | None:
        """Where the subject of an expectation about someone else ends ("predicts that Velox Robotics will
        sell"): an organisation between a forecast cue and its figure, right before a "will"/"将"."""
        if cue.kind != "forecast":
            return None
        weak = [c for c in find_cues(self.doc, "target", cue.end, fig.start) + find_cues(
            self.doc, "forecast", cue.end, fig.start) if c.text.casefold() in _cue_set(self.doc.lang, "needs_subject")]
        for w in weak:
            if self.has_subject_before(sent, w):
                return w.start
        return None

    def _bare_number_in(self, region: tuple[int, int]) -> bool:
        """A number without a unit that is not a date ("compared with 600,000 in 2021")."""
        periods = [(p.start, p.end) for p in self.doc.periods]
        return any(not any(a <= m.start() < b for a, b in periods)
                   for m in _NUMBER.finditer(self.doc.text, *region))

    def _intent(self, sent: Span, figs: list[Figure], target: list[Cue], forecast: list[Cue]) -> list[Candidate]:
        """Targets or forecasts: the strongest cue with the figure that follows it closely (never a baseline:
        "from 3万 to 12万" is 12万); then every other clause with its own cue and figure, and a figure of another
        kind after the same cue ("grow 11% and be $1.33"): one claim per statement."""
        best_t = max((c.weight for c in target), default=0.0)
        best_f = max((c.weight for c in forecast), default=0.0)
        kind, cues = ("forecast", forecast) if best_f > best_t else ("target", target)
        window = CUE_WINDOW.get(self.doc.lang, 60)
        text = self.doc.text
        # "from 3万辆 to 12万辆" targets 12万; a range figure ("from 97 cents to 99 cents") is no baseline
        figs = [f for f in figs if f.lower is not None or not self._is_baseline(sent, f)]
        out: list[Candidate] = []
        clauses: set[tuple[int, int]] = set()
        for i, cue in enumerate(sorted(cues, key=lambda c: (-c.weight, c.start))):
            after = [f for f in figs if cue.start <= f.start <= cue.end + window and not any(f is c.figure for c in out)]
            if not after and cue.text.casefold() in _cue_set(self.doc.lang, "figure_before"):
                # "实现营收增加一倍至75亿美元的目标", "a $5 billion target": the figure precedes the target noun
                before = [f for f in figs if cue.start - window <= f.end <= cue.start
                          and _clause(text, sent, f.start) == _clause(text, sent, cue.start)]
                after = before[-1:]
            if not after:
                continue
            first = after[0]
            if out and (_clause(text, sent, first.start) in clauses
                        or _clause(text, sent, cue.start) != _clause(text, sent, first.start)):
                continue  # another cue in a clause already used, or reaching into another clause
            picked = [first]
            kinds = {first.kind}
            for f in after[1:]:
                if f.kind not in kinds and f.kind in RESULT_FIGURE_KINDS and _clause(text, sent, f.start) == \
                        _clause(text, sent, first.start) and re.search(r"\band\b|和|并", text[picked[-1].end:f.start]):
                    picked.append(f)
                    kinds.add(f.kind)
            for f in picked:
                out.append(Candidate(kind, f, cue.weight, cue.start,
                                     subject_pos=self._predicted_subject_end(sent, cue, f) or cue.end,
                                     features=self._features(sent, f, cue.start)))
                clauses.add(_clause(text, sent, f.start))
        if out:
            return out
        cue = max(cues, key=lambda c: c.weight)
        frame = self.time_frame(sent, cue.start)
        # a date-only statement: a strong cue, or any cue right before its date ("可能到明年初才能量产")
        if frame is not None and (cue.weight >= 0.8 or 0 <= frame.start - cue.end <= DATE_AFTER_CUE.get(
                self.doc.lang, 12)):
            return [Candidate(kind, None, cue.weight, cue.start, subject_pos=cue.end,
                              features=self._features(sent, None, cue.start))]
        return []

    def _claim(self, kind: str, sent: Span, fig: Figure | None, weight: float, anchor: int,
               subject_pos: int | None = None) -> Claim:
        speaker, attributed = self.speaker(sent, anchor)
        pos = fig.start if fig is not None else anchor
        # the one who commits or expects is named before the cue ("Tencent aims to…"), not before the figure
        if subject_pos is None or not self._names_subject(sent, subject_pos):
            subject_pos = pos
        subject = self.subject(sent, subject_pos, speaker)
        if speaker is None and kind in ("target", "forecast", "comparison") and self.main_person \
                and self.doc.ctx.kind == "news" \
                and subject is not None and subject == self.org_of(self.main_person):
            # news reports the main speaker's plans without repeating "he said" — for his own company only
            speaker = self.main_person
        scope, named = self.scope(sent, pos)
        if scope != "company":
            subject = None  # a market or statistic ("沪指", "GDP"), never the document's company
        frame = self.time_frame(sent, pos, fig) if kind in ("target", "forecast") else None
        period = self.period(sent, fig, pos)
        deadline = frame.value if frame else None
        fiscal_text = None
        # the sentence's own fiscal period ("fiscal 2026" of a July company), its year ("要在2025年实现"), then the
        # period an outlook header named a few sentences before ("Our Q1 guidance is as follows.")
        for inherit in (False, True):
            if deadline is None and kind in ("target", "forecast"):
                fiscal = self.fiscal_deadline(sent, pos, subject, inherit=inherit)
                if fiscal is not None:
                    fiscal_text, deadline = fiscal
            if deadline is None and kind in ("target", "forecast") and not inherit:
                deadline = future_period_end(period, self.doc.ctx.published)
        if fig is not None and period and not fig.period:
            fig = replace(fig, period=period)
        clause = _clause(self.doc.text, sent, pos)
        confidence = 0.3 + 0.3 * weight + (0.15 if attributed else 0) + (0.1 if fig else 0) + (0.1 if frame else 0)
        return Claim(
            kind=kind, subject=subject, speaker=speaker,
            predicate=self.doc.text[clause[0]:clause[1]].strip(),
            sentence=sent.text.strip(), start=sent.start, end=sent.end, figure=fig, period=period,
            time_frame=frame.text if frame else fiscal_text, deadline=deadline, scope=scope,
            quote=self.in_quote(pos), confidence=round(min(1.0, confidence), 2),
            evidence=[{"sentence": sent.text.strip(), "start": sent.start, "end": sent.end}],
        )

    def fiscal_deadline(self, sent: Span, pos: int, subject: str | None, *, inherit: bool = False
                        ) -> tuple[str, str] | None:
        """(the period as written, its deadline) for an outlook naming a fiscal period ("for the first quarter",
        "full year", 下半年): the next such period of the subject's fiscal year, from publication."""
        published = self.doc.ctx.published
        if not published:
            return None
        clause = _clause(self.doc.text, sent, pos)
        found = [] if inherit else (find_fiscal_periods(self.doc.text, self.doc.lang, *clause)
                                    or find_fiscal_periods(self.doc.text, self.doc.lang, sent.start, sent.end))
        if not found and inherit:
            # an outlook names its period once ("Our Q1 guidance is as follows."), the next sentences inherit it
            earlier = [s for s in self.doc.sentences if s.end <= sent.start][-OUTLOOK_REACH:]
            for prev in reversed(earlier):
                found = find_fiscal_periods(self.doc.text, self.doc.lang, prev.start, prev.end)
                if found and find_cues(self.doc, "forecast", prev.start, prev.end):
                    break
                found = []
        if not found:
            return None
        period = min(found, key=lambda f: _edge_distance((f.start, f.end), (pos, pos)))
        try:
            day = date.fromisoformat(published[:10])
        except ValueError:
            return None
        end = resolve_fiscal(period, day, year_end_month(subject or self.main_org))
        return (period.text, end.isoformat()) if end else None

    def _names_subject(self, sent: Span, pos: int) -> bool:
        """Whether an organisation or self-reference appears in the sentence before `pos` (end of a cue)."""
        doc = self.doc
        if any(e.label == "ORG" and sent.start <= e.start < pos for e in self.entities):
            return True
        return bool(find_cues(doc, "first_person", sent.start, pos) or find_cues(doc, "company_reference",
                                                                                 sent.start, pos))


def future_period_end(period: str | None, published: str | None) -> str | None:
    """The last day of an ISO period ("2025", "2025-Q2", "2025-03") that ends after the publication date."""
    if not period or not published:
        return None
    m = _PERIOD.fullmatch(period)
    if m is None:
        return None
    year = int(m.group(1))
    if m.group(2):
        month = int(m.group(2)) * 3
    elif m.group(3):
        month = int(m.group(3))
    else:
        month = 12
    end = date(year + (month == 12), month % 12 + 1, 1) - timedelta(days=1)
    return end.isoformat() if end.isoformat() > published[:10] else None


def _merge_key(c: Claim) -> tuple[Any, ...]:
    fig = (c.figure.kind, c.figure.value) if c.figure else None
    return c.kind, c.subject, fig, c.deadline, c.scope


def merge_repeats(claims: list[Claim]) -> list[Claim]:
    """One claim per statement: repeats (same kind, subject, figure, deadline) keep every sentence as evidence."""
    merged: dict[tuple[Any, ...], Claim] = {}
    for c in claims:
        key = _merge_key(c)
        first = merged.get(key)
        if first is None:
            merged[key] = c
            continue
        first.evidence.extend(c.evidence)
        first.confidence = max(first.confidence, c.confidence)
        first.speaker = first.speaker or c.speaker
        first.time_frame = first.time_frame or c.time_frame
        first.quote = first.quote or c.quote
        first.compared_with += [n for n in c.compared_with if n not in first.compared_with]
    return list(merged.values())


def find_claims(doc: ClaimInput, table: AliasTable) -> list[Claim]:
    """All claims of a document, repeats merged, in order of first mention."""
    finder = ClaimFinder(doc, table)
    claims = [c for sent in doc.sentences for c in finder.claims_in(sent)]
    return merge_repeats(claims)

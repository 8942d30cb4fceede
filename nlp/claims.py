"""Claims: who claimed what, with which figure, by when — rules over sentences, entities, figures and time frames.

Language independent: the cue words are data (nlp/data/claims/cues.toml) and cues only match on token
boundaries, so 要 inside 重要 or "up" inside "upgrade" never fire. The inputs are plain records, so this
module knows nothing about spaCy or jieba.
"""
from __future__ import annotations

import re
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import Any

from nlp.entities import AliasTable, canonical_name, main_entity
from nlp.records import Claim, DocContext, Entity, Figure

CUES_FILE = Path(__file__).resolve().parent / "data" / "claims" / "cues.toml"
CUE_KINDS = ("target", "forecast", "result", "comparison", "reporting", "first_person", "company_reference",
             "pronoun")
# How far (characters) a target/forecast figure may sit from its cue; Chinese packs more into a character.
CUE_WINDOW = {"en": 80, "zh": 30}
# Figure kinds that can be a reported result on their own (durations are how long, not what was achieved).
RESULT_FIGURE_KINDS = {"percent", "money", "count", "rank", "multiple", "quantity"}
_QUOTES = [("“", "”"), ("「", "」"), ("『", "』"), ('"', '"')]
_CLAUSE_BREAK = re.compile(r"[,;:，；：、]|\s[–—-]\s|–|—")


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
    out = []
    for m in regex.finditer(doc.text, start, end):
        if doc.token_starts and (m.start() not in doc.token_starts or m.end() not in doc.token_ends):
            continue
        out.append(Cue(kind, m.group(), m.start(), m.end(), weights[m.group().casefold()]))
    return out


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
        self.main_org = self._main_org()
        self.main_person = self._main_person()

    # -- document-level defaults ---------------------------------------------------------------
    def _main_org(self) -> str | None:
        title = self.doc.ctx.title
        if title:
            for e in self.doc.entities:
                if e.label == "ORG" and e.text in title:
                    return e.canonical
        return main_entity(self.doc.entities, "ORG", title=title)

    def _main_person(self) -> str | None:
        if self.doc.ctx.kind == "letter" and self.doc.ctx.author:
            return canonical_name(self.doc.ctx.author, "PERSON", self.table)
        author = canonical_name(self.doc.ctx.author, "PERSON", self.table) if self.doc.ctx.author else None
        people = [e for e in self.doc.entities if e.label == "PERSON" and e.canonical != author]
        return main_entity(people, "PERSON", title=self.doc.ctx.title)

    def org_of(self, speaker: str | None) -> str | None:
        """The organisation a speaker's "we"/"his company" stands for."""
        return self.table.affiliation(speaker) or self.main_org

    # -- per sentence ------------------------------------------------------------------------
    def in_quote(self, pos: int) -> bool:
        return any(a <= pos < b for a, b in self.quotes)

    def speaker(self, sent: Span, anchor: int) -> tuple[str | None, bool]:
        """(speaker, attributed?) for a statement at `anchor` in `sent`."""
        doc = self.doc
        people = [e for e in doc.entities if e.label == "PERSON"]
        if doc.ctx.kind == "letter" and not self.in_quote(anchor):
            return self.main_person, True
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
        """The organisation a statement at `pos` is about: nearest ORG or self-reference before it."""
        doc = self.doc
        orgs = [e for e in doc.entities if e.label == "ORG" and sent.start <= e.start < pos]
        org = orgs[-1] if orgs else None
        selves = find_cues(doc, "first_person", sent.start, pos) + find_cues(doc, "company_reference", sent.start, pos)
        self_ref = max(selves, key=lambda c: c.start) if selves else None
        if self_ref is not None and (org is None or self_ref.start > org.start):
            first_person = self_ref.kind == "first_person"
            if first_person and doc.ctx.kind == "letter" and not self.in_quote(pos):
                return self.main_org
            return self.org_of(speaker) if (first_person or speaker) else self.main_org
        if org is not None:
            return org.canonical
        return self.main_org

    def figures_in(self, sent: Span) -> list[Figure]:
        frames = [t for t in self.doc.time_frames if sent.start <= t.start < sent.end]
        return [f for f in self.doc.figures if sent.start <= f.start < sent.end
                and not any(t.start <= f.start and f.end <= t.end for t in frames)]

    def time_frame(self, sent: Span, pos: int) -> Span | None:
        frames = [t for t in self.doc.time_frames if sent.start <= t.start < sent.end and t.value]
        return min(frames, key=lambda t: abs(t.start - pos)) if frames else None

    def period(self, sent: Span, fig: Figure | None, pos: int) -> str | None:
        if fig is not None and fig.period:
            return fig.period
        periods = [p for p in self.doc.periods if sent.start <= p.start < sent.end and p.value]
        return min(periods, key=lambda p: abs(p.start - pos)).value if periods else None

    def claims_in(self, sent: Span) -> list[Claim]:
        doc = self.doc
        figs = self.figures_in(sent)
        target = find_cues(doc, "target", sent.start, sent.end)
        forecast = find_cues(doc, "forecast", sent.start, sent.end)
        out: list[Claim] = []
        if target or forecast:
            claim = self._intent(sent, figs, target, forecast)
            if claim is not None:
                return [claim]
        comparison = find_cues(doc, "comparison", sent.start, sent.end)
        compared: Figure | None = None
        if comparison and figs:
            cue = max(comparison, key=lambda c: (c.weight, c.start))
            compared = min(figs, key=lambda f: min(abs(f.start - cue.end), abs(cue.start - f.end)))
            out.append(self._claim("comparison", sent, compared, cue.weight, compared.start))
        result_cues = find_cues(doc, "result", sent.start, sent.end)
        for f in figs:
            if f.kind not in RESULT_FIGURE_KINDS or (compared is not None and f.kind == compared.kind):
                continue
            if result_cues or f.change:
                weight = max((c.weight for c in result_cues), default=0.5)
                out.append(self._claim("result", sent, f, weight, f.start))
        return out

    def _intent(self, sent: Span, figs: list[Figure], target: list[Cue], forecast: list[Cue]) -> Claim | None:
        """A target or forecast: the strongest cue, with the figure that follows it closely."""
        best_t = max((c.weight for c in target), default=0.0)
        best_f = max((c.weight for c in forecast), default=0.0)
        kind, cues = ("forecast", forecast) if best_f > best_t else ("target", target)
        window = CUE_WINDOW.get(self.doc.lang, 60)
        for cue in sorted(cues, key=lambda c: -c.weight):
            after = [f for f in figs if cue.start <= f.start <= cue.end + window]
            if after:
                return self._claim(kind, sent, after[0], cue.weight, cue.start)
        cue = max(cues, key=lambda c: c.weight)
        frame = self.time_frame(sent, cue.start)
        if cue.weight >= 0.8 and frame is not None:
            return self._claim(kind, sent, None, cue.weight, cue.start)
        return None

    def _claim(self, kind: str, sent: Span, fig: Figure | None, weight: float, anchor: int) -> Claim:
        speaker, attributed = self.speaker(sent, anchor)
        if speaker is None and kind in ("target", "forecast", "comparison"):
            speaker = self.main_person  # news reports the main speaker's plans without repeating "he said"
        pos = fig.start if fig is not None else anchor
        subject = self.subject(sent, pos, speaker)
        frame = self.time_frame(sent, pos) if kind in ("target", "forecast") else None
        period = self.period(sent, fig, pos)
        if fig is not None and period and not fig.period:
            fig = replace(fig, period=period)
        clause = _clause(self.doc.text, sent, pos)
        confidence = 0.3 + 0.3 * weight + (0.15 if attributed else 0) + (0.1 if fig else 0) + (0.1 if frame else 0)
        return Claim(
            kind=kind, subject=subject, speaker=speaker,
            predicate=self.doc.text[clause[0]:clause[1]].strip(),
            sentence=sent.text.strip(), start=sent.start, end=sent.end, figure=fig, period=period,
            time_frame=frame.text if frame else None, deadline=frame.value if frame else None,
            quote=self.in_quote(pos), confidence=round(min(1.0, confidence), 2),
            evidence=[{"sentence": sent.text.strip(), "start": sent.start, "end": sent.end}],
        )


def _merge_key(c: Claim) -> tuple[Any, ...]:
    fig = (c.figure.kind, c.figure.value) if c.figure else None
    return c.kind, c.subject, fig, c.deadline


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
    return list(merged.values())


def find_claims(doc: ClaimInput, table: AliasTable) -> list[Claim]:
    """All claims of a document, repeats merged, in order of first mention."""
    finder = ClaimFinder(doc, table)
    claims = [c for sent in doc.sentences for c in finder.claims_in(sent)]
    return merge_repeats(claims)

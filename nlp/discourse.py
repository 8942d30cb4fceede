"""Document-level resolution: who a document is about and who is speaking where.

- the main organisation: named in the title, in an earnings-call intro ("welcome to Acme's third quarter call"),
  in the lead, or named again and again — never a report's source ("according to Reuters") or a metric word;
- abbreviations defined in the document ("British Airways (BA)", 简称“国航”) stand for the full name later;
- sources of reports ("The Daily Ledger reported", "analysts surveyed by Refinitiv", 据X报道) are never subjects;
- speakers: a letter's author (byline, signature, a person in the title); in a call transcript the current
  speaker, passed on by hand-overs ("I'll turn it over to Dana", "Thanks, Dana", "Lee, please go ahead").

Language independent: the phrases are data (nlp/data/claims/cues.toml, turns.tsv); inputs are plain records.
"""
from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path

from nlp.entities import is_not_entity, name_parts
from nlp.records import Entity

DATA_DIR = Path(__file__).resolve().parent / "data" / "claims"
TURNS_FILE = DATA_DIR / "turns.tsv"
INTRO_FILE = DATA_DIR / "intros.tsv"
# How far (characters) an attribution phrase may sit from the organisation it makes a source.
ATTRIBUTION_GAP = {"en": 3, "zh": 1}
# How far (characters) after "X reported" another organisation shows that X reports on it.
REPORT_REACH = 80
# The lead: the first characters of a document, where news names what it is about.
LEAD_CHARS = {"en": 400, "zh": 150}
# A signature sits in the last lines of a letter.
SIGNATURE_LINES = 4
SIGNATURE_MAX_LINE = 80
SIGNATURE_MAX_NAME = 40
_JOB_TITLE = re.compile(r"\b(?:Chief|CEO|Founder|Co-founder|President|Chairman|Chairwoman|Chair|Managing Director)\b"
                        r"|董事长|创始人|首席执行官|总裁|总经理")
# Participants of a call are the people named before its first hand-over, within this many characters.
INTRO_CHARS = 1500
# Mentions weigh 1; a name in the title or lead weighs this much more.
TITLE_WEIGHT = 3.0
LEAD_WEIGHT = 1.0
_ABBREVIATION_EN = re.compile(r"\s*\((?:the\s+)?[\"“]?(?P<abbr>[A-Z][A-Za-z0-9&.-]{1,9})[\"”]?\)")
_ABBREVIATION_ZH = re.compile(r"[（(]?(?:以下)?简称[：:]?[“\"「]?(?P<abbr>[\u3400-\u9fffA-Za-z0-9]{2,8})[”\"」]")
_PERIOD_WORD = re.compile(r"(?i)fiscal|first|second|third|fourth|full|year|quarter|\d{4}")
_NAME = r"(?P<name>[A-Z][\w'’-]+(?:[ ][A-Z][\w'’-]+){0,2})"


@dataclass(frozen=True)
class Turn:
    """From `start` on, `speaker` has the word (None: someone we cannot name)."""

    start: int
    speaker: str | None


@lru_cache(maxsize=1)
def _turn_patterns() -> tuple[tuple[str, re.Pattern[str], str], ...]:
    out = []
    for row in _rows(TURNS_FILE):
        lang, pattern, effect = row[0], row[1], row[2]
        out.append((lang, re.compile(pattern.replace("{NAME}", _NAME)), effect))
    return tuple(out)


@lru_cache(maxsize=1)
def _intro_patterns() -> tuple[tuple[str, re.Pattern[str]], ...]:
    name = r"(?P<org>[A-Z][\w&]*(?:[.-][\w&]+)*(?:\s+[A-Z][\w&]*(?:[.-][\w&]+)*){0,3}?)"
    return tuple((row[0], re.compile(row[1].replace("{ORG}", name)))
                 for row in _rows(INTRO_FILE))


def _rows(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8") as fh:
        return [line.rstrip("\n").split("\t") for line in fh if line.strip() and not line.startswith("#")]


# -- abbreviations ---------------------------------------------------------------------------------
def link_abbreviations(text: str, lang: str, entities: Sequence[Entity], token_starts: set[int],
                       token_ends: set[int]) -> list[Entity]:
    """Entities with abbreviations defined in the text mapped to the full name ("British Airways (BA)" →
    every later "BA" is British Airways), and later uses the model missed added as mentions."""
    defined: dict[str, tuple[str, int]] = {}  # abbreviation -> (canonical, end of definition)
    pattern = _ABBREVIATION_ZH if lang == "zh" else _ABBREVIATION_EN
    for e in entities:
        if e.label != "ORG":
            continue
        m = pattern.match(text, e.end)
        if m and m.group("abbr") != e.text and not is_not_entity(m.group("abbr")):
            defined.setdefault(m.group("abbr"), (e.canonical, m.end()))
    if not defined:
        return list(entities)
    out = [replace(e, label="ORG", canonical=defined[e.text][0]) if e.text in defined else e for e in entities]
    taken = [(e.start, e.end) for e in out]
    for abbr, (canonical, after) in defined.items():
        for m in re.finditer(re.escape(abbr), text[after:]):
            s, t = after + m.start(), after + m.end()
            if token_starts and (s not in token_starts or t not in token_ends):
                continue
            if any(not (t <= a or s >= b) for a, b in taken):
                continue
            out.append(Entity(abbr, "ORG", canonical, s, t))
            taken.append((s, t))
    return sorted(out, key=lambda e: e.start)


# -- attribution -----------------------------------------------------------------------------------
def attribution_sources(text: str, entities: Sequence[Entity], before: Sequence[tuple[int, int]],
                        after: Sequence[tuple[int, int]], lang: str) -> set[tuple[int, int]]:
    """(start, end) of organisations that are the source of a report, not its subject.

    `after` phrases precede their source ("according to X", "surveyed by X", 据X); `before` phrases follow it
    ("X reported", "X援引")."""
    gap = ATTRIBUTION_GAP.get(lang, 3)
    out: set[tuple[int, int]] = set()
    for e in entities:
        if e.label not in ("ORG", "PERSON"):
            continue
        if any(b <= e.start and _near(text[b:e.start], gap) for _, b in after) \
                or any(a >= e.end and _near(text[e.end:a], gap) and _reports_on_other(text, b, e, entities)
                       for a, b in before):
            out.add((e.start, e.end))
    return out


def _reports_on_other(text: str, pos: int, source: Entity, entities: Sequence[Entity]) -> bool:
    """Whether "X reported" reports on someone else ("reported that …", "reported on Monday WeWork …", 报道),
    not X's own figures ("X reported revenue of …")."""
    rest = text[pos:pos + REPORT_REACH]
    stop = re.search(r"[.!?。！？]", rest)
    rest = rest[:stop.start()] if stop else rest
    if not rest[:1].isascii() or re.match(r"\s*(?:that\b|,|citing\b|on\b)", rest):
        return True
    return any(o.label == "ORG" and o.canonical != source.canonical and pos <= o.start < pos + len(rest)
               for o in entities)


def _near(between: str, gap: int) -> bool:
    """Only spaces, or "the" ("according to the Financial Times"), between a phrase and its source."""
    rest = between.strip()
    return len(between) <= gap or rest.lower() == "the"


# -- the main organisation -------------------------------------------------------------------------
def intro_org(text: str, lang: str) -> str | None:
    """The company an earnings call or press release introduces itself as ("welcome to Acme's Q3 call")."""
    head = text[:3000]
    for plang, pattern in _intro_patterns():
        if plang != lang:
            continue
        m = pattern.search(head)
        if m:
            words = re.sub(r"['’]s?$", "", m.group("org")).split()
            # "the Q3 FY24 Adobe earnings call": the period words before the name are no part of it
            while words and (is_not_entity(words[0]) or _PERIOD_WORD.fullmatch(words[0])):
                words.pop(0)
            name = " ".join(words)
            if name and not is_not_entity(name):
                return name
    return None


def main_org(entities: Sequence[Entity], *, title: str | None, lang: str, sources: set[tuple[int, int]],
             intro: str | None, title_orgs: Sequence[Entity] = ()) -> tuple[str | None, float]:
    """(the organisation a document is about, its weight): mentions + title and lead bonuses.

    Sources of reports and metric words never count. An intro name ("welcome to Acme's call") wins when a
    mention of it is found (or stands alone when the model missed every mention)."""
    orgs = [e for e in entities if e.label == "ORG" and (e.start, e.end) not in sources and not is_not_entity(e.text)]
    if intro:
        folded = intro.casefold()
        for e in orgs:
            if e.text.casefold() == folded or e.canonical.casefold() == folded:
                return e.canonical, float("inf")
        return intro, float("inf")
    scores: dict[str, float] = {}
    first: dict[str, int] = {}
    lead = LEAD_CHARS.get(lang, 400)
    for e in orgs:
        scores[e.canonical] = scores.get(e.canonical, 0.0) + 1
        first.setdefault(e.canonical, e.start)
    for e in orgs:
        if title and e.text in title:
            scores[e.canonical] += TITLE_WEIGHT / max(1, sum(1 for o in orgs if o.canonical == e.canonical))
    for e in title_orgs:
        if e.label == "ORG" and not is_not_entity(e.text):
            scores[e.canonical] = scores.get(e.canonical, 0.0) + TITLE_WEIGHT
            first.setdefault(e.canonical, -1)
    leads = {e.canonical for e in orgs if e.start < lead}
    for name in leads:
        scores[name] += LEAD_WEIGHT
    if not scores:
        return None, 0.0
    best = max(scores, key=lambda c: (scores[c], -first[c]))
    return best, scores[best]


# -- speakers --------------------------------------------------------------------------------------
def signature(text: str, entities: Sequence[Entity]) -> str | None:
    """The person who signs a letter: a person's name that fills most of one of its last lines."""
    end = len(text.rstrip())
    lines_start = end
    for _ in range(SIGNATURE_LINES):
        lines_start = text.rfind("\n", 0, max(0, lines_start - 1))
        if lines_start < 0:
            lines_start = 0
            break
    lines = [ln.strip(" >—-–\t") for ln in text[lines_start:end].split("\n") if ln.strip()]
    for above, line in zip(lines, lines[1:]):
        # "Helena Varga / Chief Executive Officer": the line above a job title is the signer, whatever the model
        # labelled it
        if _JOB_TITLE.search(line) and len(above) <= SIGNATURE_MAX_NAME and not re.search(r"[\d,:;]", above):
            return above
    for e in reversed([e for e in entities if e.label == "PERSON" and e.start >= lines_start]):
        line_start = text.rfind("\n", 0, e.start) + 1
        line_end = text.find("\n", e.end)
        line = text[line_start: len(text) if line_end < 0 else line_end].strip(" >—-–\t")
        if len(line) <= SIGNATURE_MAX_LINE and len(e.text) >= 0.5 * len(line.split(",")[0].strip()):
            return e.canonical
    return None


def speaker_turns(text: str, lang: str, entities: Sequence[Entity]) -> list[Turn]:
    """Who has the word where in a call transcript, from the hand-overs in turns.tsv.

    "to": the named person speaks next (from the next sentence); "ask": the same for an analyst, whose question
    ends at its question mark (then an executive answers); "self": the named person is speaking now;
    "from": the named person has just finished (the thanker is someone else: the other known executive when
    there is exactly one, else unknown)."""
    people = [e for e in entities if e.label == "PERSON"]
    events: list[tuple[int, int, str, str]] = []  # (position, end, effect, canonical)
    for plang, pattern, effect in _turn_patterns():
        if plang != lang:
            continue
        for m in pattern.finditer(text):
            who = _person_at(m.start("name"), m.group("name"), people, text)
            if who:
                events.append((m.start(), m.end(), effect, who))
    events.sort()
    # the people introduced before the first hand-over ("joined by our CEO, Dana Reyes, and our CFO, Lee Park")
    opening = min([pos for pos, _, effect, _ in events if effect != "self"] + [INTRO_CHARS])
    participants = list(dict.fromkeys(e.canonical for e in people if e.start < opening))
    host = next((who for _, _, effect, who in events if effect == "self"), None)
    turns: list[Turn] = []
    current: str | None = None
    for pos, end, effect, who in events:
        if effect == "self":
            current = who
            turns.append(Turn(pos, who))
        elif effect in ("to", "ask"):
            current = who
            turns.append(Turn(_sentence_end(text, end), who))
            if effect == "ask":  # an analyst's question ends at its question mark; the answer is an executive's
                answer = text.find("?", end)
                if answer >= 0:
                    others = [p for p in participants if p != host]
                    current = others[0] if len(others) == 1 else None
                    turns.append(Turn(answer + 1, current))
        elif effect == "from" and (current is None or current == who):
            # "Thanks, Dana" from whoever was handed the word; else the one participant left besides the host
            others = [p for p in participants if p not in (who, host)]
            current = others[0] if len(others) == 1 else None
            turns.append(Turn(pos, current))
    return sorted(turns, key=lambda t: t.start)


def speaker_at(turns: Sequence[Turn], pos: int) -> str | None:
    current = None
    for t in turns:
        if t.start > pos:
            break
        current = t.speaker
    return current


def _sentence_end(text: str, pos: int) -> int:
    m = re.compile(r"[.?!。？！]").search(text, pos)
    return m.end() if m else pos


def _person_at(pos: int, name: str, people: Sequence[Entity], text: str) -> str | None:
    """The person a name in a hand-over stands for: the entity there, the one whose first or last name it is, or
    (the small model misses names) the full name "First Last" written earlier in the text."""
    for e in people:
        if e.start <= pos < e.end:
            return e.canonical
    first = name.split()[0]
    owners = {e.canonical for e in people if first in name_parts(e.canonical) or e.canonical == name}
    if len(owners) == 1:
        return next(iter(owners))
    if owners:
        return None
    if " " in name:
        return name
    full = re.search(rf"\b{re.escape(first)}[ ][A-Z][\w'’-]+", text[:pos])
    return full.group(0) if full else None

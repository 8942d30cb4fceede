"""Figures as evidence: a result figure the claim rules did not turn into a claim ("小米以第468名首次上榜").

A figure counts as a report on a subject only when, in its sentence, the nearest organisation named before it is
that subject (so "Huawei ranked first, ahead of Xiaomi" is not about Xiaomi), and the sentence neither looks
ahead nor refers back to a promise (a restated target is not a result). The caller passes figures that no claim
carries; a claim's figure is already evidence through the claim.
"""
from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

from nlp.promises.records import TrackedClaim
from nlp.promises.vocab import _pattern, _rows, refers_back
from nlp.records import Entity, Figure

_SENTENCE_END = re.compile(r"[.!?。！？；;\n]")
_CLAUSE_END = re.compile(r"[，,：:（）()]")


@lru_cache(maxsize=1)
def _forward_words() -> tuple[re.Pattern[str], ...]:
    return tuple(_pattern(w, lang) for lang, w in _rows("forward.tsv"))


def sentence_bounds(text: str, start: int, end: int) -> tuple[int, int]:
    """The sentence around text[start:end]: from after the previous end mark to the next one (inclusive).

    A full stop between digits ("4.82", "No. 4" is not between digits) does not end a sentence."""
    left = start
    while left > 0:
        ch = text[left - 1]
        if _SENTENCE_END.match(ch) and not (ch == "." and _between_digits(text, left - 1)) and \
                not (ch == "." and _abbreviation(text, left - 1)):
            break
        left -= 1
    right = end
    while right < len(text):
        ch = text[right]
        if _SENTENCE_END.match(ch) and not (ch == "." and (_between_digits(text, right) or _abbreviation(text, right))):
            right += 1
            break
        right += 1
    return left, right


def clause_bounds(text: str, start: int, end: int, left: int, right: int) -> tuple[int, int]:
    """The clause around a figure inside its sentence [left, right): cut at commas and colons (not "1,200")."""
    a = start
    while a > left and not (_CLAUSE_END.match(text[a - 1]) and not _between_digits(text, a - 1)):
        a -= 1
    b = end
    while b < right and not (_CLAUSE_END.match(text[b]) and not _between_digits(text, b)):
        b += 1
    return a, b


def _between_digits(text: str, i: int) -> bool:
    return 0 < i < len(text) - 1 and text[i - 1].isdigit() and text[i + 1].isdigit()


def _abbreviation(text: str, i: int) -> bool:
    """"No. 4", "Inc. said": a full stop after a short capitalised word and before a space and a digit/lowercase."""
    word = re.search(r"([A-Za-z]{1,4})$", text[:i])
    nxt = text[i + 1:i + 3]
    return bool(word and word.group(1)[0].isupper() and re.match(r"\s[\da-z]", nxt))


def bare_figure_report(*, text: str, figure: Figure, figure_id: int, mentions: Sequence[Entity], subject: str,
                       made: str, lang: str, article_id: int | None, url: str | None) -> TrackedClaim | None:
    """The figure (figures.id `figure_id`) as a result report on `subject`, or None when it is not clearly one;
    `mentions` are the article's entities (their canonical names)."""
    if figure.value is None:
        return None
    left, right = sentence_bounds(text, figure.start, figure.end)
    before = [m for m in mentions if left <= m.start and m.end <= figure.start and m.label == "ORG"]
    if not before or max(before, key=lambda m: m.end).canonical.casefold() != subject.casefold():
        return None
    sentence = text[left:right].strip()
    clause = text[slice(*clause_bounds(text, figure.start, figure.end, left, right))]
    if refers_back(clause) or any(p.search(clause) for p in _forward_words()):
        return None  # judged on the figure's own clause: "雷军曾立下…的目标，但小米仍排名第四" reports a result
    return TrackedClaim(
        id=-figure_id, kind="result", subject=subject, sentence=sentence, lang=lang, made=made,
        figure_text=figure.text, figure_kind=figure.kind, figure_value=figure.value, figure_unit=figure.unit,
        figure_lower=figure.lower, figure_upper=figure.upper, figure_top=figure.top, figure_change=figure.change,
        figure_period=figure.period, period=figure.period, article_id=article_id, url=url, bare=True,
    )

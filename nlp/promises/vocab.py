"""Metric, scope and back-reference words (nlp/data/tracking/*.tsv) and what a sentence says with them."""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent.parent / "data" / "tracking"


@dataclass(frozen=True)
class Word:
    name: str  # metric or scope
    kinds: frozenset[str]  # figure kinds a metric word counts for; {"*"} for any
    lang: str
    pattern: re.Pattern[str]


def _rows(name: str) -> list[list[str]]:
    rows = []
    for line in (DATA_DIR / name).read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            rows.append([cell.strip() for cell in line.split("\t")])
    return rows


def _pattern(word: str, lang: str) -> re.Pattern[str]:
    if lang == "zh":
        return re.compile(re.escape(word))
    # English words match whole words only ("ship" must not match "leadership")
    return re.compile(rf"(?<![A-Za-z]){re.escape(word)}(?![A-Za-z])", re.IGNORECASE)


@lru_cache(maxsize=1)
def metric_words() -> tuple[Word, ...]:
    return tuple(Word(m, frozenset(k.split(",")), lang, _pattern(w, lang)) for m, k, lang, w in _rows("metrics.tsv"))


@lru_cache(maxsize=1)
def hidden_by() -> dict[str, frozenset[str]]:
    out: dict[str, set[str]] = {}
    for specific, general in _rows("specific.tsv"):
        out.setdefault(specific, set()).add(general)
    return {k: frozenset(v) for k, v in out.items()}


@lru_cache(maxsize=1)
def scope_words() -> tuple[Word, ...]:
    return tuple(Word(s, frozenset({"*"}), lang, _pattern(w, lang)) for s, lang, w in _rows("scopes.tsv"))


@lru_cache(maxsize=1)
def reference_words() -> tuple[re.Pattern[str], ...]:
    return tuple(_pattern(w, lang) for lang, w in _rows("references.tsv"))


def metrics_of(sentence: str, figure_kind: str | None, figure_text: str | None = None) -> frozenset[str]:
    """The metrics a sentence names for a figure of this kind (empty when it names none).

    Specific metrics hide the general ones they contain (specific.tsv). When the figure's text is found in the
    sentence, only the metrics named nearest to it count: in "invest $650 million in R&D, about 14% of expected
    revenue" the $650 million is R&D spending, not revenue.
    """
    hits: dict[str, int] = {}
    at = sentence.find(figure_text) if figure_text else -1
    for w in metric_words():
        if "*" not in w.kinds and (figure_kind or "") not in w.kinds:
            continue
        for m in w.pattern.finditer(sentence):
            distance = 0 if at < 0 else max(0, at - m.end(), m.start() - (at + len(figure_text or "")))
            hits[w.name] = min(distance, hits.get(w.name, distance))
    for specific in list(hits):
        for general in hidden_by().get(specific, frozenset()):
            hits.pop(general, None)
    if not hits:
        return frozenset()
    nearest = min(hits.values())
    return frozenset(name for name, distance in hits.items() if distance == nearest)


def scopes_of(sentence: str) -> frozenset[str]:
    """Where the figure holds (China, global, a segment): the scope words the sentence names."""
    return frozenset(w.name for w in scope_words() if w.pattern.search(sentence))


def refers_back(sentence: str) -> bool:
    return any(p.search(sentence) for p in reference_words())


@lru_cache(maxsize=1)
def negation_words() -> tuple[re.Pattern[str], ...]:
    return tuple(_pattern(w, lang) for lang, w in _rows("negations.tsv"))


def negated(sentence: str) -> bool:
    return any(p.search(sentence) for p in negation_words())

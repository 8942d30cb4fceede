"""The records that leave `nlp/`: plain dataclasses, no spaCy or jieba objects.

Offsets (`start`, `end`) are character offsets into the analysed text, end exclusive,
so `text[start:end] == record.text` always holds.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

EntityLabel = Literal["ORG", "PERSON", "GPE", "LOC", "PRODUCT"]
FigureKind = Literal["percent", "money", "count", "rank", "duration", "multiple", "quantity"]
ClaimKind = Literal["target", "forecast", "result", "comparison"]


@dataclass(frozen=True)
class DocContext:
    """What is known about a document before it is analysed."""

    lang: str = "auto"  # "en", "zh" or "auto"
    published: str | None = None  # ISO date "YYYY-MM-DD" (a datetime is cut to its date)
    kind: str = "news"  # "news" or "letter"
    author: str | None = None
    title: str | None = None


@dataclass
class Entity:
    text: str
    label: str
    canonical: str
    start: int
    end: int


@dataclass
class Figure:
    text: str
    kind: str
    value: float | None
    start: int
    end: int
    unit: str | None = None
    approx: bool = False
    top: bool = False
    change: str | None = None  # "increase" | "decrease"
    lower: float | None = None
    upper: float | None = None
    period: str | None = None  # ISO period the figure refers to: "2017", "2017-Q4", "2018-02"


@dataclass
class Claim:
    kind: str
    subject: str | None
    speaker: str | None
    predicate: str
    sentence: str
    start: int  # sentence span in the text
    end: int
    figure: Figure | None = None
    period: str | None = None
    time_frame: str | None = None  # as written: "within 10 financial quarters", "十个季度内"
    deadline: str | None = None  # ISO date
    quote: bool = False
    confidence: float = 0.5
    evidence: list[dict[str, Any]] = field(default_factory=list)  # [{sentence, start, end}] of merged repeats
    compared_with: list[str] = field(default_factory=list)  # canonical names a comparison sets the subject against
    scope: str = "company"  # "company" | "market" (a market, index, industry total) | "economy" (GDP, CPI ...)


@dataclass
class Analysis:
    lang: str
    entities: list[Entity] = field(default_factory=list)
    figures: list[Figure] = field(default_factory=list)
    claims: list[Claim] = field(default_factory=list)
    version: str = ""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

"""The records the tracker decides on: a claim as the database knows it, and an outcome with its evidence."""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

Status = Literal["kept", "missed", "pending", "unclear"]
STATUSES: tuple[str, ...] = ("kept", "missed", "pending", "unclear")


@dataclass(frozen=True)
class TrackedClaim:
    """One stored claim with its figure and article: a promise (target/forecast) or a piece of evidence (result)."""

    id: int
    kind: str
    subject: str | None
    sentence: str
    lang: str = "en"
    made: str | None = None  # ISO date the article was published
    deadline: str | None = None
    period: str | None = None  # what the claim is about: "2020-Q2", "2019"
    figure_text: str | None = None
    figure_kind: str | None = None
    figure_value: float | None = None
    figure_unit: str | None = None
    figure_lower: float | None = None
    figure_upper: float | None = None
    figure_top: bool = False
    figure_change: str | None = None  # "increase" | "decrease"
    figure_period: str | None = None
    speaker: str | None = None
    # claims.scope: company | market | economy (None before the extractor set it). Where the figure holds
    # (China, global, a segment) is not this: it is read from the sentence's words (nlp/data/tracking/scopes.tsv).
    scope: str | None = None
    article_id: int | None = None
    url: str | None = None
    outlet: str | None = None
    bare: bool = False  # a figure no claim carries, read as a result (id = -figures.id)


@dataclass(frozen=True)
class Evidence:
    """One later report weighed for an outcome, and what it says about the promise."""

    claim_id: int | None  # None for a bare figure (then figure_id says which)
    article_id: int | None
    url: str | None
    published: str | None
    as_of: str  # the date the report's figure holds for (its period's end, else its publication date)
    sentence: str
    figure_text: str | None
    verdict: Literal["met", "not_met"]
    weight: float
    explicit: bool  # the report refers back to the claim ("its target", "此前承诺")
    figure_id: int | None = None  # for a bare figure: figures.id

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Outcome:
    status: Status
    confidence: float
    rule: str  # the deciding rule, in words
    as_of: str  # the day the outcome was decided for
    reached: str | None = None  # when the figure was first met (a late "missed" keeps its date)
    evidence: list[Evidence] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "evidence": [e.to_dict() for e in self.evidence]}

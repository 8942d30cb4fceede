"""Claim groups: one claim reported many times (a letter in Chinese, TechNode in English, ten outlets' copies)."""
from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field

from nlp.promises.records import TrackedClaim

PROMISE_KINDS = ("target", "forecast")


def _value_key(value: float | None) -> str:
    """Four significant figures: 1e11 CNY written as "1000亿元" and "RMB 100 billion" land on one key."""
    if value is None or not math.isfinite(value):
        return ""
    return f"{value:.4g}"


def group_key(claim: TrackedClaim) -> str:
    """Claims with equal keys are one claim: same subject, kind, comparable figure and deadline (or period).

    A claim with no subject, or with neither a figure nor a deadline/period, is a group of its own: there is
    nothing to tell two such claims apart by, so merging them would be a guess.
    """
    when = claim.deadline or claim.period or ""
    if not claim.subject or not (claim.figure_kind or when):
        return f"claim:{claim.id}"
    figure = "|".join((claim.figure_kind or "", claim.figure_unit or "", _value_key(claim.figure_value),
                       _value_key(claim.figure_lower), _value_key(claim.figure_upper),
                       "top" if claim.figure_top else ""))
    return "|".join((claim.subject.casefold(), claim.kind, figure, when))


@dataclass
class Group:
    key: str
    members: list[TrackedClaim] = field(default_factory=list)

    @property
    def first(self) -> TrackedClaim:
        """The earliest report (publication date, then id): it stands for the group."""
        return min(self.members, key=lambda c: (c.made or "9999", c.id))

    @property
    def first_seen(self) -> str | None:
        return self.first.made

    @property
    def languages(self) -> list[str]:
        return sorted({c.lang for c in self.members if c.lang})

    @property
    def outlets(self) -> list[str]:
        return sorted({c.outlet for c in self.members if c.outlet})

    @property
    def articles(self) -> list[int]:
        return sorted({c.article_id for c in self.members if c.article_id is not None})

    @property
    def is_promise(self) -> bool:
        first = self.first
        return first.kind in PROMISE_KINDS and bool(first.figure_kind or first.deadline)


def group_claims(claims: Iterable[TrackedClaim]) -> list[Group]:
    """Claims into groups by `group_key`, in order of first appearance."""
    groups: dict[str, Group] = {}
    for claim in claims:
        key = group_key(claim)
        groups.setdefault(key, Group(key)).members.append(claim)
    return list(groups.values())

"""Was a promise kept? Decide kept / missed / pending / unclear for one claim group from later reports.

The rules, in the order they apply:
1. Evidence is a later report (published after the promise was first made) on the same subject whose figure is
   comparable: same figure kind and unit, metric words that do not name a different metric, and a scope that does
   not name a different market or segment. Each report weighs 1.0, halved when it names no metric (or no scope
   while the promise names one), and 1.5x when it refers back to the promise ("its target", "此前承诺").
2. A report *meets* the figure when its value is in the promise's range (a range: within it; "at least" or a
   plain target: at or above it; "at most" or a cut: at or below it; a rank: that rank or better). A report that
   says the figure was not reached ("did not enter") never meets it.
3. Each report holds as of its figure's period end (no later than its publication date). Meeting the figure by
   the deadline is for *kept*; meeting it only after the deadline (late), or not meeting it at or after the
   deadline, is for *missed*. Reports before the deadline that do not meet it decide nothing.
4. Before the deadline: kept if the figure is already met, else pending. After it: the side with more weight
   wins, unless reports disagree (the minority has more than a third of the weight) or the confidence
   (agreement x support, support = 1 - 0.5^weight) is below the threshold: then unclear.
"""
from __future__ import annotations

import calendar
from collections.abc import Iterable
from dataclasses import dataclass

from nlp.promises.grouping import Group
from nlp.promises.records import Evidence, Outcome, TrackedClaim
from nlp.promises.vocab import metrics_of, negated, refers_back, scopes_of

DEFAULT_THRESHOLD = 0.5  # one report naming metric and scope, or two vaguer ones; measured in docs/quality.md
DISAGREEMENT = 1 / 3  # the minority's share of the weight above which reports are said to disagree
EVIDENCE_KINDS = ("result", "comparison")
_TOLERANCE = 0.01  # a plain figure is met within 1% (rounded reporting: "$4.2 billion" for $4.19bn)
_APPROX_TOLERANCE = 0.05  # "around 12%", "约10%"


@dataclass(frozen=True)
class Bounds:
    """What "met" means for a promise's figure: low <= value <= high (either side open)."""

    kind: str
    unit: str | None
    low: float | None
    high: float | None

    def met_by(self, value: float) -> bool:
        return (self.low is None or value >= self.low) and (self.high is None or value <= self.high)

    def describe(self) -> str:
        if self.kind == "rank":
            return f"rank {self.high:g} or better"
        if self.low is not None and self.high is not None:
            return f"{_number(self.low, self.unit)} to {_number(self.high, self.unit)}"
        if self.low is not None:
            return f"at least {_number(self.low, self.unit)}"
        return f"at most {_number(self.high, self.unit)}"


def _number(value: float | None, unit: str | None) -> str:
    """4.7e9 USD -> "4.7 billion USD" (rounded to 3 significant figures: these are for people to read)."""
    if value is None:
        return "?"
    for scale, word in ((1e12, " trillion"), (1e9, " billion"), (1e6, " million")):
        if abs(value) >= scale:
            text = f"{value / scale:.3g}{word}"
            break
    else:
        text = f"{value:.3g}"
    return text + (f" {unit}" if unit else "")


def bounds_of(claim: TrackedClaim) -> Bounds | None:
    """The figure a promise must reach; None when it carries no usable figure."""
    kind, value = claim.figure_kind, claim.figure_value
    if kind is None or (value is None and claim.figure_lower is None and claim.figure_upper is None):
        return None
    if kind == "rank":  # "number one", "top 500": that rank or better
        return Bounds(kind, claim.figure_unit, None, value if value is not None else claim.figure_upper)
    lower, upper = claim.figure_lower, claim.figure_upper
    if lower is not None and upper is not None and upper != lower:
        return Bounds(kind, claim.figure_unit, lower, upper)
    if upper is not None:
        return Bounds(kind, claim.figure_unit, None, upper)
    if lower is not None:
        return Bounds(kind, claim.figure_unit, lower, None)
    assert value is not None
    tolerance = _APPROX_TOLERANCE if claim.figure_text and _looks_approx(claim) else _TOLERANCE
    if claim.figure_change == "decrease":
        return Bounds(kind, claim.figure_unit, None, value * (1 + tolerance))
    return Bounds(kind, claim.figure_unit, value * (1 - tolerance), None)


def _looks_approx(claim: TrackedClaim) -> bool:
    text = (claim.figure_text or "").lower()
    return any(w in text for w in ("around", "about", "approximately", "约", "左右"))


def period_end(period: str | None) -> str | None:
    """The last day of an ISO period: "2020-Q2" -> 2020-06-30, "2019" -> 2019-12-31, "2018-H1" -> 2018-06-30."""
    if not period:
        return None
    try:
        year = int(period[:4])
        rest = period[5:]
        if not rest:
            month = 12
        elif rest.startswith("Q"):
            month = 3 * int(rest[1])
        elif rest.startswith("H"):
            month = 6 * int(rest[1])
        elif len(rest) == 2:
            month = int(rest)
        else:
            return period[:10]
        return f"{year:04d}-{month:02d}-{calendar.monthrange(year, month)[1]:02d}"
    except (ValueError, IndexError):
        return None


def as_of(report: TrackedClaim) -> str | None:
    """The day a report's figure holds for: its period's end, but never after it was published."""
    end = period_end(report.figure_period or report.period)
    if end and report.made:
        return min(end, report.made)
    return end or report.made


@dataclass(frozen=True)
class Promise:
    """What every report of one claim group says together: its first report, figure bounds, metrics and scope."""

    claim: TrackedClaim
    bounds: Bounds
    metrics: frozenset[str]
    scopes: frozenset[str]


def promise_of(group: Group) -> Promise | None:
    """The group's claim with the metrics and scopes any of its reports names (the EN and ZH reports of one
    letter may each name only part of it); None when it has no figure to check."""
    first = group.first
    bounds = bounds_of(first)
    if bounds is None:
        return None
    metrics = frozenset().union(*(metrics_of(c.sentence, c.figure_kind, c.figure_text) for c in group.members))
    scopes = frozenset().union(*(scopes_of(c.sentence) for c in group.members))
    return Promise(first, bounds, metrics, scopes)


def weigh(promise: Promise, report: TrackedClaim) -> float:
    """How much a report counts as evidence for a promise; 0 when it is not comparable."""
    claim = promise.claim
    if report.kind not in EVIDENCE_KINDS or not report.subject or not claim.subject:
        return 0.0
    if report.subject.casefold() != claim.subject.casefold():
        return 0.0
    if report.figure_kind != claim.figure_kind or (report.figure_unit or None) != (claim.figure_unit or None):
        return 0.0
    if report.figure_value is None:
        return 0.0
    if report.scope in ("market", "economy"):
        return 0.0  # a market total or a national statistic is no result of the company
    want, got = promise.metrics, metrics_of(report.sentence, report.figure_kind, report.figure_text)
    if want and got and not (want & got):
        return 0.0  # a different metric: shipments are not revenue
    if report.bare and not (want and got):
        return 0.0  # a figure outside any claim counts only when it names the promise's metric
    weight = 1.0 if (want and got) else 0.5
    got_scope = scopes_of(report.sentence)
    if promise.scopes and got_scope:
        if not (promise.scopes & got_scope):
            return 0.0  # a different scope: global is not China
    elif promise.scopes:
        weight *= 0.5
    elif got_scope - {"global"}:
        return 0.0  # a company-wide promise against a segment's figure (Europe's sales)
    if refers_back(report.sentence):
        weight *= 1.5
    return weight


def evidence_for(promise: Promise, reports: Iterable[TrackedClaim]) -> list[Evidence]:
    """The comparable later reports, one per article (the heaviest), each with its verdict."""
    best: dict[object, Evidence] = {}
    made = promise.claim.made
    for report in reports:
        if not report.made or not made or report.made <= made:
            continue
        when = as_of(report)
        if when is None or when < made:
            continue  # history from before the promise says nothing about it
        weight = weigh(promise, report)
        if weight <= 0:
            continue
        met = promise.bounds.met_by(float(report.figure_value)) and not negated(report.sentence)  # type: ignore[arg-type]
        ev = Evidence(claim_id=None if report.bare else report.id, figure_id=-report.id if report.bare else None,
                      article_id=report.article_id, url=report.url, published=report.made,
                      as_of=when, sentence=report.sentence, figure_text=report.figure_text,
                      verdict="met" if met else "not_met", weight=round(weight, 3),
                      explicit=refers_back(report.sentence))
        key = report.article_id if report.article_id is not None else ("claim", report.id)
        if key not in best or ev.weight > best[key].weight:
            best[key] = ev
    return sorted(best.values(), key=lambda e: (e.as_of, e.claim_id))


def decide(group: Group, reports: Iterable[TrackedClaim], *, today: str,
           threshold: float = DEFAULT_THRESHOLD) -> Outcome | None:
    """The outcome of a promise group as of `today` (ISO date); None for a group that is not a promise."""
    if not group.is_promise:
        return None
    deadline = group.first.deadline
    promise = promise_of(group)
    evidence = evidence_for(promise, reports) if promise else []
    if promise is None and deadline and deadline >= today:
        return Outcome("pending", 1.0, f"pending: the deadline {deadline} has not passed (as of {today})", today)
    if promise is None:
        return Outcome("unclear", 0.0, "unclear: the claim has no figure to check a result against", today)
    by_deadline = [e for e in evidence if e.verdict == "met" and (deadline is None or e.as_of <= deadline)]
    late = [e for e in evidence if e.verdict == "met" and deadline is not None and e.as_of > deadline]
    short = [e for e in evidence if e.verdict == "not_met" and deadline is not None and e.as_of >= deadline]
    used = by_deadline + late + short
    pro, con = _weight(by_deadline), _weight(late + short)
    target = promise.bounds.describe()
    if deadline is None or deadline >= today:
        if pro and not con and _confidence(pro, 0) >= threshold:
            return Outcome("kept", _confidence(pro, 0), f"kept: {_n(by_deadline)} met {target} "
                           f"before the deadline {deadline or '(none)'}", today, _first(by_deadline), by_deadline)
        if deadline is None:
            return Outcome("unclear", 0.0, f"unclear: no deadline, and no later report shows {target}", today,
                           None, used)
        return Outcome("pending", 1.0, f"pending: the deadline {deadline} has not passed (as of {today})", today,
                       None, used)
    if not pro and not con:
        return Outcome("unclear", 0.0, f"unclear: the deadline {deadline} has passed and no later report on the same "
                       "subject, metric and scope gives a comparable figure", today, None, evidence)
    confidence = _confidence(max(pro, con), min(pro, con))
    if min(pro, con) > DISAGREEMENT * (pro + con):
        return Outcome("unclear", confidence, f"unclear: reports disagree ({_n(by_deadline)} met {target} by "
                       f"{deadline}, {_n(late + short)} against)", today, None, used)
    if confidence < threshold:
        return Outcome("unclear", confidence, f"unclear: too little evidence (confidence {confidence:.2f} below "
                       f"{threshold:.2f}, from {_n(used)})", today, None, used)
    if pro > con:
        return Outcome("kept", confidence, f"kept: {_n(by_deadline)} met {target} by the deadline {deadline}",
                       today, _first(by_deadline), used)
    if late:
        reached = _first(late)
        return Outcome("missed", confidence, f"missed (late): {target} was first met on {reached}, after the deadline "
                       f"{deadline} ({_n(late + short)})", today, reached, used)
    return Outcome("missed", confidence, f"missed: {_n(short)} at or after the deadline {deadline} fell short of "
                   f"{target}", today, None, used)


def _weight(evidence: list[Evidence]) -> float:
    return sum(e.weight for e in evidence)


def _confidence(winner: float, loser: float) -> float:
    """Agreement (the winner's share of the weight) times support (1 - 0.5^weight: more reports, more certain)."""
    return round(winner / (winner + loser) * (1 - 0.5 ** winner), 3) if winner else 0.0


def _first(evidence: list[Evidence]) -> str | None:
    return min((e.as_of for e in evidence), default=None)


def _n(evidence: list[Evidence]) -> str:
    explicit = sum(e.explicit for e in evidence)
    text = f"{len(evidence)} report{'s' if len(evidence) != 1 else ''}"
    return text + (f" ({explicit} referring back to the claim)" if explicit else "")

"""`newsclaims report` as one self-contained HTML page: an SVG timeline drawn here, no scripts, no network."""
from __future__ import annotations

from datetime import date
from html import escape
from typing import Any

from db.report import ReportData

KIND_COLOURS = {"target": "#d62728", "forecast": "#ff7f0e", "result": "#1f77b4", "comparison": "#2ca02c"}
# The promise tracker's outcomes (newsclaims track): a badge after each promise's deadline, linked to its evidence.
OUTCOME_STYLES = {"kept": ("#1a9850", "✓"), "missed": ("#b2182b", "✗"), "pending": ("#4575b4", "…"),
                  "unclear": ("#8c6d00", "?")}
_LANE = 22  # px per claim row
_LEFT, _RIGHT, _TOP = 150, 30, 40
_WIDTH = 1000


def render_report(data: ReportData, *, generated: str | None = None) -> str:
    """The whole page: heading, legend, timeline (one `.claim-mark` per dated claim), figures, undated claims."""
    title = f"Claims about {data.canonical}" if data.canonical else "All claims"
    dated = [c for c in data.claims if _day(c["made"]) or _day(c["deadline"])]
    undated = [c for c in data.claims if c not in dated]
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>{escape(title)} · newsclaims</title>",
        f"<style>{_CSS}</style></head><body>",
        f"<h1>{escape(title)}</h1>",
        f'<p class="summary">{len(data.claims)} claims ({len(dated)} on the timeline)'
        + (f" · made {escape(generated)}" if generated else "") + "</p>",
        _legend(),
        timeline_svg(dated, data.outcomes),
        "<h2>Figures over time</h2>",
        _table(data.figures, ("period", "made", "kind", "figure_kind", "figure_text", "figure_value", "figure_unit",
                              "lang"), link="url"),
        "<h2>Promises: kept or not?</h2>",
        _outcome_table(data),
        "<h2>Claims</h2>",
        _table(data.claims, ("made", "deadline", "kind", "subject", "speaker", "figure_text", "time_frame", "lang",
                             "sentence"), link="url"),
    ]
    if undated:
        parts.append(f"<p>{len(undated)} claims have neither a publication date nor a deadline and are not drawn.</p>")
    parts.append("<footer>Sentences and titles belong to their publishers. Made with newsclaims.</footer>")
    parts.append("</body></html>")
    return "\n".join(parts)


def timeline_svg(claims: list[dict[str, Any]], outcomes: dict[int, dict[str, Any]] | None = None) -> str:
    """One lane per claim: a dot when it was made, a line to its deadline, a diamond at the deadline, and for a
    tracked promise an outcome badge linked to its first piece of evidence."""
    outcomes = outcomes or {}
    days = [d for c in claims for d in (_day(c["made"]), _day(c["deadline"])) if d]
    if not days:
        return '<svg class="timeline" width="400" height="40" role="img"><text x="10" y="25">No dated claims.</text></svg>'
    lo, hi = min(days), max(days)
    lo, hi = lo - max(30, (hi - lo) // 20), hi + max(30, (hi - lo) // 20)
    height = _TOP + _LANE * len(claims) + 30

    def x(day: int) -> float:
        return round(_LEFT + (day - lo) * (_WIDTH - _LEFT - _RIGHT) / (hi - lo), 1)

    out = [f'<svg class="timeline" xmlns="http://www.w3.org/2000/svg" width="{_WIDTH}" height="{height}" '
           f'viewBox="0 0 {_WIDTH} {height}" role="img" aria-label="Timeline of claims">']
    for year in range(date.fromordinal(lo).year + 1, date.fromordinal(hi).year + 1):
        gx = x(date(year, 1, 1).toordinal())
        out.append(f'<line class="grid" x1="{gx}" x2="{gx}" y1="{_TOP - 15}" y2="{height - 20}"/>'
                   f'<text class="year" x="{gx}" y="{_TOP - 20}" text-anchor="middle">{year}</text>')
    for lane, claim in enumerate(claims):
        y = _TOP + lane * _LANE + _LANE / 2
        colour = KIND_COLOURS.get(claim["kind"], "#777")
        made, deadline = _day(claim["made"]), _day(claim["deadline"])
        tip = escape(f"{claim['kind']}: {claim['sentence']} (made {claim['made'] or '?'}, "
                     f"deadline {claim['deadline'] or 'none'})")
        label = escape(_short(f"{claim['subject'] or ''} {claim['figure_text'] or claim['kind']}", 22))
        outcome = outcomes.get(claim["id"])
        mark = [f'<g class="claim-mark" data-claim-id="{claim["id"]}" data-kind="{escape(claim["kind"])}" '
                f'data-made="{escape(claim["made"] or "")}" data-deadline="{escape(claim["deadline"] or "")}"'
                + (f' data-outcome="{escape(outcome["status"])}"' if outcome else "") + ">",
                f"<title>{tip}</title>",
                f'<text class="lane" x="{_LEFT - 8}" y="{y + 4}" text-anchor="end">{label}</text>']
        if made and deadline:
            mark.append(f'<line x1="{x(made)}" x2="{x(deadline)}" y1="{y}" y2="{y}" stroke="{colour}" '
                        'stroke-width="2" stroke-dasharray="4 3"/>')
        if made:
            mark.append(f'<circle cx="{x(made)}" cy="{y}" r="5" fill="{colour}"/>')
        if deadline:
            dx = x(deadline)
            mark.append(f'<path d="M{dx} {y - 6} L{dx + 6} {y} L{dx} {y + 6} L{dx - 6} {y} Z" fill="white" '
                        f'stroke="{colour}" stroke-width="2"/>')
        end = deadline or made
        if outcome and end:
            mark.append(_outcome_badge(outcome, x(end), y))
        mark.append("</g>")
        out.append("".join(mark))
    out.append("</svg>")
    return "\n".join(out)


def _legend() -> str:
    items = "".join(f'<span><i style="background:{c}"></i>{k}</span>' for k, c in KIND_COLOURS.items())
    outcomes = "".join(f'<span class="outcome-key outcome-{k}"><b style="background:{c}">{sym}</b>{k}</span>'
                       for k, (c, sym) in OUTCOME_STYLES.items())
    return (f'<p class="legend">{items}<span>● made&nbsp;&nbsp;◇ deadline</span></p>'
            f'<p class="legend outcomes">Outcome of a promise: {outcomes}'
            '<span>(a badge links to the evidence)</span></p>')


def _outcome_badge(outcome: dict[str, Any], x: float, y: float) -> str:
    """A coloured badge after the deadline; linked to the first evidence when there is some."""
    colour, symbol = OUTCOME_STYLES.get(outcome["status"], ("#777", "·"))
    label = f"{symbol} {outcome['status']}"
    width = 9 + 7 * len(label)
    badge = (f'<g class="outcome-badge outcome-{escape(outcome["status"])}">'
             f'<title>{escape(outcome["rule"])}</title>'
             f'<rect x="{x + 10}" y="{y - 8}" width="{width}" height="16" rx="8" fill="{colour}"/>'
             f'<text x="{x + 10 + width / 2}" y="{y + 4}" text-anchor="middle" fill="white" font-size="11">'
             f'{escape(label)}</text></g>')
    evidence = outcome.get("evidence") or []
    if evidence and evidence[0].get("url"):
        return f'<a class="evidence-link" href="{escape(evidence[0]["url"])}">{badge}</a>'
    return badge


def _outcome_table(data: ReportData) -> str:
    """Each tracked promise once (the first report of its group), its outcome, the rule and links to evidence."""
    seen: set[int] = set()
    rows = []
    for claim in data.claims:
        outcome = data.outcomes.get(claim["id"])
        if not outcome or outcome["group_id"] in seen:
            continue
        seen.add(outcome["group_id"])
        colour, symbol = OUTCOME_STYLES.get(outcome["status"], ("#777", "·"))
        links = " ".join(f'<a class="evidence" href="{escape(e["url"] or "")}">{escape(e["published"] or "?")} '
                         f'{escape(e["figure_text"] or "")}</a>' for e in outcome["evidence"]) or "none"
        rows.append(f'<tr class="outcome-row outcome-{escape(outcome["status"])}">'
                    f'<td><b class="status" style="background:{colour}">{symbol} {escape(outcome["status"])}</b></td>'
                    f'<td>{escape(claim["subject"] or "")}</td><td>{escape(claim["figure_text"] or "")}</td>'
                    f'<td>{escape(claim["made"] or "")}</td><td>{escape(claim["deadline"] or "")}</td>'
                    f'<td>{outcome["confidence"]:.2f}</td><td>{escape(outcome["rule"])}</td><td>{links}</td></tr>')
    if not rows:
        return "<p>No tracked promises.</p>"
    head = "".join(f"<th>{h}</th>" for h in ("outcome", "subject", "figure", "made", "deadline", "confidence",
                                             "deciding rule", "evidence"))
    return f'<table class="outcomes"><thead><tr>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table>'


def _table(rows: list[dict[str, Any]], columns: tuple[str, ...], *, link: str) -> str:
    if not rows:
        return "<p>None.</p>"
    head = "".join(f"<th>{escape(c)}</th>" for c in columns)
    body = []
    for row in rows:
        cells = []
        for c in columns:
            value = "" if row.get(c) is None else str(row[c])
            if c == columns[-1] and row.get(link):
                value_html = f'<a href="{escape(row[link])}">{escape(value)}</a>'
            else:
                value_html = escape(value)
            cells.append(f"<td>{value_html}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def _day(iso: str | None) -> int | None:
    if not iso:
        return None
    try:
        return date.fromisoformat(iso[:10]).toordinal()
    except ValueError:
        return None


def _short(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


_CSS = """
body{font-family:system-ui,"Noto Sans CJK SC","PingFang SC","Microsoft YaHei",sans-serif;margin:2em;color:#222;max-width:1100px}
h1{font-size:1.5em}.summary{color:#555}
.legend span{margin-right:1.2em}.legend i{display:inline-block;width:.9em;height:.9em;margin-right:.3em;vertical-align:middle}
svg.timeline{border:1px solid #ddd;background:#fcfcfc}
svg .grid{stroke:#e3e3e3}svg .year{font-size:11px;fill:#666}svg .lane{font-size:11px;fill:#333}
table{border-collapse:collapse;font-size:.85em;margin-bottom:2em}th,td{border:1px solid #ddd;padding:3px 6px;text-align:left;vertical-align:top}
th{background:#f3f3f3}
.legend.outcomes b,b.status{display:inline-block;color:white;border-radius:8px;padding:0 .5em;margin-right:.3em}
.outcome-key{margin-right:1em}td:first-child,td:nth-child(2){white-space:nowrap}footer{color:#777;font-size:.8em}
"""

"""`newsclaims_figures_v1`: figures, period mentions and time frames of the whole text (doc._.figures,
doc._.periods, doc._.time_frames), using the figure functions of nlp/figures.py, periods.py, timeframes.py.

Dates are resolved against the document's publication date (doc._.ctx.published).
"""
from __future__ import annotations

from datetime import date

from spacy.language import Language
from spacy.tokens import Doc

from nlp.claims import Span
from nlp.components import extensions  # noqa: F401 - registers Doc._ attributes


def published_date(value: str | None) -> date | None:
    """The date part of an ISO date/datetime, or None when absent or unreadable."""
    if not value:
        return None
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        return None


class FigureFinder:
    def __init__(self, lang: str) -> None:
        from nlp.figures import find_figures
        from nlp.periods import find_periods
        from nlp.timeframes import find_time_frames

        self.lang = lang
        self._figures, self._periods, self._frames = find_figures, find_periods, find_time_frames

    def __call__(self, doc: Doc) -> Doc:
        ctx = doc._.ctx
        published = published_date(ctx.published if ctx is not None else None)
        text = doc.text
        doc._.figures = self._figures(text, self.lang)
        doc._.periods = [Span(p.text, p.start, p.end, _iso(p.period)) for p in self._periods(text, self.lang, published)]
        doc._.time_frames = [Span(t.text, t.start, t.end, _iso(t.deadline), t.rule, t.relative)
                             for t in self._frames(text, self.lang, published)]
        return doc


def _iso(value: object) -> str | None:
    if value is None:
        return None
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


@Language.factory("newsclaims_figures_v1", default_config={"lang": "en"})
def make_figure_finder(nlp: Language, name: str, lang: str) -> FigureFinder:
    return FigureFinder(lang)

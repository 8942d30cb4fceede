"""The one entry point of nlp/: text + DocContext → Analysis (entities, figures, claims).

Pipelines are built once per Analyzer, lazily per language (the English model takes ~1 s to load, jieba's
dictionary ~1 s), and documents go through spaCy's `nlp.pipe` in batches.
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

from spacy.language import Language

from nlp.records import Analysis, DocContext

# Bump when the output for the same input changes (stored analyses record it; `process --reprocess` redoes them).
ANALYSIS_VERSION = "nlp-3"
LANGS = ("en", "zh")
_HAN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_LETTER = re.compile(r"[^\W\d_]")
# Chinese text keeps Latin names and numbers; a fifth of the letters being Han already means Chinese prose.
HAN_RATIO_ZH = 0.2


def detect_lang(text: str) -> str:
    """"zh" when Han characters make up a good part of the letters, else "en"."""
    sample = text[:5000]
    letters = len(_LETTER.findall(sample))
    if not letters:
        return "en"
    return "zh" if len(_HAN.findall(sample)) / letters >= HAN_RATIO_ZH else "en"


def resolve_lang(text: str, lang: str | None) -> str:
    lang = (lang or "auto").lower()
    if lang.startswith("zh"):
        return "zh"
    if lang.startswith("en"):
        return "en"
    return detect_lang(text)


class Analyzer:
    """Analyses documents in English and Chinese; `extra_aliases` is a TSV extending the alias table.

    `zh_trained=False` finds Chinese entities with the rules only (the baseline `eval ner` reports).
    """

    def __init__(self, extra_aliases: str | None = None, *, zh_trained: bool = True) -> None:
        self.extra_aliases = str(extra_aliases or "")
        self.zh_trained = zh_trained
        self._pipelines: dict[str, Language] = {}

    def pipeline(self, lang: str) -> Language:
        if lang not in self._pipelines:
            if lang == "zh":
                from nlp.chinese import build_chinese

                self._pipelines[lang] = build_chinese(self.extra_aliases, trained=self.zh_trained)
            else:
                from nlp.english import build_english

                self._pipelines[lang] = build_english(self.extra_aliases)
        return self._pipelines[lang]

    def analyze(self, text: str, ctx: DocContext) -> Analysis:
        return next(self.pipe([(text, ctx)], batch_size=1))

    def pipe(self, items: Iterable[tuple[str, DocContext]], *, batch_size: int = 32) -> Iterator[Analysis]:
        """Analyses in input order; consecutive documents of one language share a spaCy batch."""
        batch: list[tuple[str, DocContext, str]] = []
        for text, ctx in items:
            text = text or ""
            lang = resolve_lang(text, ctx.lang)
            if batch and (lang != batch[-1][2] or len(batch) >= batch_size):
                yield from self._run(batch, batch_size)
                batch = []
            batch.append((text, ctx, lang))
        if batch:
            yield from self._run(batch, batch_size)

    def _run(self, batch: list[tuple[str, DocContext, str]], batch_size: int) -> Iterator[Analysis]:
        nlp = self.pipeline(batch[0][2])
        docs = []
        for text, ctx, _ in batch:
            doc = nlp.make_doc(text)
            doc._.ctx = ctx
            docs.append(doc)
        for doc in nlp.pipe(docs, batch_size=batch_size):
            yield Analysis(lang=batch[0][2], entities=list(doc._.entities or []), figures=list(doc._.figures or []),
                           claims=list(doc._.claims or []), version=ANALYSIS_VERSION)

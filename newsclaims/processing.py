"""`process`: stored articles → analyses → rows, in batches, optionally on several cores.

The main process owns the database; worker processes (each with its pipelines built once) only
analyse text. One article that breaks the analysis is logged, marked and counted; the batch goes on.
"""
from __future__ import annotations

import logging
import multiprocessing
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from db.aggregates import refresh_entity_counts
from db.store import PendingArticle, Store
from nlp.records import Analysis, DocContext

log = logging.getLogger(__name__)

SUPPORTED_LANGS = ("en", "zh")


@dataclass
class ProcessStats:
    analysed: int = 0
    failed: int = 0
    skipped: int = 0
    reextracted: int = 0
    claims: int = 0
    figures: int = 0
    entities: int = 0
    errors: dict[str, int] = field(default_factory=dict)
    tracker: Any = None  # db.tracking.TrackerStats: claim groups and outcomes updated after the analysis


@dataclass
class _Job:
    article_id: int
    text: str
    ctx: DocContext


def context_for(article: PendingArticle) -> DocContext:
    published = (article.published or "")[:10] or None
    return DocContext(lang=article.lang or "auto", published=published, kind=article.kind or "news",
                      author=article.author, title=article.title)


def reextract(store: Store, article: PendingArticle) -> PendingArticle:
    """Run today's extractor over the stored raw page, so improvements reach old articles."""
    from crawler.extract import extract

    if not article.raw_body:
        return article
    page = extract(article.raw_body, article.url, content_type=article.content_type)
    if not page.is_article or not page.text:
        return article
    fields = {"title": page.title, "author": page.author, "published": page.published, "lang": page.lang,
              "text": page.text, "description": page.description, "encoding": page.encoding}
    store.update_extraction(article.id, fields)
    return PendingArticle(id=article.id, url=article.url, text=page.text, title=page.title, lang=page.lang,
                          published=page.published, kind=article.kind, author=page.author,
                          content_type=article.content_type, raw_body=article.raw_body)


# -- worker side --------------------------------------------------------------------------------

_worker_analyzer: Any = None


def _init_worker() -> None:
    global _worker_analyzer
    from nlp.analyze import Analyzer

    _worker_analyzer = Analyzer()


def _analyse_batch(jobs: list[_Job], batch_size: int = 16) -> list[tuple[int, Analysis | str]]:
    """Analyse a batch; if the batch fails, retry article by article to isolate the broken one."""
    analyzer = _worker_analyzer
    try:
        results = list(analyzer.pipe(((j.text, j.ctx) for j in jobs), batch_size=batch_size))
        return [(j.article_id, a) for j, a in zip(jobs, results)]
    except Exception:  # noqa: BLE001 - isolated below, article by article
        out: list[tuple[int, Analysis | str]] = []
        for job in jobs:
            try:
                out.append((job.article_id, analyzer.analyze(job.text, job.ctx)))
            except Exception as exc:  # noqa: BLE001 - one broken article must not stop the run
                out.append((job.article_id, f"{type(exc).__name__}: {exc}"))
        return out


# -- driver -------------------------------------------------------------------------------------


MAX_BATCH_CHARS = 400_000  # long articles must not balloon a batch: cap its text, not only its count


def _batches(items: Iterable[_Job], size: int, max_chars: int = MAX_BATCH_CHARS) -> Iterator[list[_Job]]:
    batch: list[_Job] = []
    chars = 0
    for job in items:
        if batch and (len(batch) >= size or chars + len(job.text) > max_chars):
            yield batch
            batch, chars = [], 0
        batch.append(job)
        chars += len(job.text)
    if batch:
        yield batch


def process_articles(
    store: Store,
    *,
    reprocess: bool = False,
    workers: int = 1,
    batch_size: int = 32,
    limit: int | None = None,
    progress: Callable[[int], None] | None = None,
) -> ProcessStats:
    """Analyse pending articles (all of them with `reprocess`) and store the results."""
    from nlp.analyze import ANALYSIS_VERSION

    stats = ProcessStats()

    def jobs() -> Iterator[_Job]:
        for article in store.pending_articles(reprocess=reprocess, limit=limit):
            if reprocess:
                article = reextract(store, article)
                stats.reextracted += 1
            ctx = context_for(article)
            if ctx.lang not in SUPPORTED_LANGS + ("auto",):
                store.mark_failed(article.id, f"unsupported language {ctx.lang!r}")
                stats.skipped += 1
                stats.errors["unsupported_language"] = stats.errors.get("unsupported_language", 0) + 1
                if progress:
                    progress(1)
                continue
            yield _Job(article.id, article.text or "", ctx)

    def store_results(results: list[tuple[int, Analysis | str]]) -> None:
        good = [(aid, res) for aid, res in results if isinstance(res, Analysis)]
        for aid, res in results:
            if isinstance(res, str):
                log.warning("article %s: analysis failed: %s", aid, res)
                store.mark_failed(aid, res)
                stats.failed += 1
                stats.errors["analysis_error"] = stats.errors.get("analysis_error", 0) + 1
        store.save_analyses(good, ANALYSIS_VERSION)
        for _, res in good:
            stats.analysed += 1
            stats.claims += len(res.claims)
            stats.figures += len(res.figures)
            stats.entities += len(res.entities)
        if progress:
            progress(len(results))

    if workers <= 1:
        _init_worker()
        for batch in _batches(jobs(), batch_size):
            store_results(_analyse_batch(batch))
        refresh_entity_counts(store)
        return _track(store, stats)

    # Enough batches to keep every worker busy to the end (small runs would otherwise leave one idle).
    pending = store.count_pending(reprocess=reprocess)
    batch_size = max(1, min(batch_size, pending // (workers * 4) or 1))
    # Batches are read and results written in this thread only: the database connection is not
    # shared with the pool's feeder thread. At most 2 batches per worker are in flight.
    from collections import deque

    mp = multiprocessing.get_context("spawn")  # fork after loading models and threads is unsafe
    with mp.Pool(workers, initializer=_init_worker) as pool:
        in_flight: deque[Any] = deque()
        for batch in _batches(jobs(), batch_size):
            in_flight.append(pool.apply_async(_analyse_batch, (batch,)))
            if len(in_flight) >= 2 * workers:
                store_results(in_flight.popleft().get())
        while in_flight:
            store_results(in_flight.popleft().get())
    refresh_entity_counts(store)  # once per run: `entities` reads them instead of counting every mention
    return _track(store, stats)


def _track(store: Store, stats: ProcessStats) -> ProcessStats:
    """Group the new claims and re-decide the outcomes they (or time) may change: the promise tracker.

    Runs even when nothing was analysed: a run killed between storing analyses and this step leaves claims
    without a group, which the next run picks up (and it is cheap when there is nothing to do)."""
    from db.tracking import update_tracker

    stats.tracker = update_tracker(store)
    return stats

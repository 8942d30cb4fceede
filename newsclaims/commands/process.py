"""`newsclaims process` (analyse stored articles) and `newsclaims run` (crawl, then process)."""
from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import click

from db.store import Store
from newsclaims.commands._common import db_option, user_errors
from newsclaims.processing import ProcessStats, process_articles


# Each worker loads its own pipelines (about 1 GB with the models): more than this only thrashes.
MAX_WORKERS = min(16, 2 * (os.cpu_count() or 1))


def run_processing(db_path: str, *, reprocess: bool = False, workers: int = 1, batch_size: int = 32,
                   quiet: bool = False, progress: bool | None = None) -> ProcessStats:
    """Analyse, with progress on stderr; shared by `process`, `run` and `demo`.

    `progress`: None shows it on a terminal only (a log or a pipe gets no bar), True always, False never.
    The database must exist already: only a crawl creates one.
    """
    with Store.open(db_path, create=False) as store:
        total = store.count_pending(reprocess=reprocess)
        if total == 0:
            if not quiet:
                click.echo("Nothing to process: every article is analysed (use --reprocess to redo them).", err=True)
            return ProcessStats()
        show = sys.stderr.isatty() if progress is None else progress
        with _progress(total, show) as update:
            return process_articles(store, reprocess=reprocess, workers=workers, batch_size=batch_size,
                                    progress=update)


@contextmanager
def _progress(total: int, show: bool) -> Iterator[Callable[[int], None] | None]:
    if not show:
        yield None
    elif sys.stderr.isatty():
        with click.progressbar(length=total, label=f"Analysing {total} articles",
                               file=click.get_text_stream("stderr"), show_pos=True) as bar:
            yield bar.update
    else:  # --progress into a log: one plain line per batch
        done = 0

        def update(n: int) -> None:
            nonlocal done
            done += n
            click.echo(f"analysed {done}/{total} articles", err=True)

        yield update


def summary(stats: ProcessStats) -> str:
    line = (f"Analysed {stats.analysed} articles: {stats.entities} entity mentions, {stats.figures} figures, "
            f"{stats.claims} claims")
    if stats.failed or stats.skipped:
        line += f"; {stats.failed} failed, {stats.skipped} skipped ({', '.join(f'{k}: {v}' for k, v in stats.errors.items())})"
    return line + "."


@click.command()
@click.option("--reprocess", is_flag=True, help="Re-extract every article from its stored raw page and re-analyse it.")
@click.option("--workers", type=click.IntRange(min=1, max=MAX_WORKERS), default=1, show_default=True,
              help="Analysis processes (each loads its own pipelines; at most 2 per CPU core, 16 in all).")
@click.option("--batch-size", type=click.IntRange(min=1, max=10_000), default=32, show_default=True,
              help="Articles analysed together (spaCy's nlp.pipe batch).")
@click.option("--progress/--no-progress", default=None,
              help="Show progress on stderr (default: only when stderr is a terminal).")
@db_option
@user_errors
def process(reprocess: bool, workers: int, batch_size: int, progress: bool | None, db_path: str) -> None:
    """Find entities, figures and claims in stored articles that are not analysed yet.

    The database must exist (made by `crawl`, `run` or `demo`). Takes the database's run lock, as crawl does:
    one run per database at a time.
    """
    from newsclaims.lock import database_run_lock

    with Store.open(db_path, create=False):
        pass  # a missing or foreign database is refused before a lock file is made beside it
    with database_run_lock(db_path, command="process"):
        stats = run_processing(db_path, reprocess=reprocess, workers=workers, batch_size=batch_size,
                               progress=progress)
    click.echo(summary(stats))
    if stats.failed and not stats.analysed:
        raise SystemExit(1)


@click.command()
@click.option("--source", "names", multiple=True, metavar="NAME", help="Crawl only this source (repeatable).")
@click.option("--sources", "sources_file", type=click.Path(dir_okay=False), default=None,
              help="Sources file.  [default: sources.toml or $NEWSCLAIMS_SOURCES]")
@click.option("--workers", type=click.IntRange(min=1, max=MAX_WORKERS), default=1, show_default=True,
              help="Analysis processes (at most 2 per CPU core, 16 in all).")
@click.option("--frontier", default=None, metavar="redis://HOST:PORT/DB",
              help="Crawl as one worker on this shared frontier while ingesting every worker's items here.")
@click.option("--idle-exit", type=click.FloatRange(min=0), default=30.0, show_default=True, metavar="SECONDS",
              help="With --frontier: the crawl is over once the frontier and the items queue were idle this long.")
@db_option
@user_errors
def run(names: tuple[str, ...], sources_file: str | None, workers: int, frontier: str | None, idle_exit: float,
        db_path: str) -> None:
    """Crawl, then process what was crawled (what `newsclaims schedule` runs each time).

    With --frontier: a crawl worker on the shared frontier (other machines may run more) and the ingest of
    all workers' items into this database, then processing.
    """
    from newsclaims.commands.crawl import CrawlProgress, errors_line
    from newsclaims.lock import database_run_lock
    from newsclaims.runner import CrawlOptions, run_crawl

    with database_run_lock(db_path, command="run"):
        progress = CrawlProgress()
        if frontier:
            ok = _frontier_round(frontier, idle_exit, db_path, names, sources_file, progress)
        else:
            result = run_crawl(CrawlOptions(db_path=db_path, sources_file=sources_file, names=names),
                               progress=progress)
            ok = result.ok
            progress.done()
            click.echo(f"crawl run {result.run_id} {result.status} (errors: {errors_line(result)})")
            if result.status == "interrupted":  # stopped by a signal: stop, do not start the analysis
                raise SystemExit(1)
        stats = run_processing(db_path, workers=workers)
    click.echo(summary(stats))
    if not ok:
        raise SystemExit(1)


def _frontier_round(frontier: str, idle_exit: float, db_path: str, names: tuple[str, ...],
                    sources_file: str | None, progress: Any) -> bool:
    """One worker in a child process (a Twisted reactor per process) while this process ingests."""
    import subprocess
    import sys

    from newsclaims.ingest import check_frontier, run_ingest

    check_frontier(frontier)
    argv = [sys.executable, "-m", "newsclaims", "crawl", "--frontier", frontier, "--idle-exit", str(idle_exit)]
    argv += [a for name in names for a in ("--source", name)] + (["--sources", sources_file] if sources_file else [])
    worker = subprocess.Popen(argv)
    try:
        result = run_ingest(frontier, db_path, until_idle=idle_exit, progress=progress,
                            hold=lambda: worker.poll() is None)
    finally:
        code = worker.wait()
    progress.done()
    click.echo(f"ingest run {result.run_id} {result.status}; crawl worker exit code {code}")
    return result.status == "finished" and code == 0

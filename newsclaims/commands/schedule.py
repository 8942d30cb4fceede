"""`newsclaims schedule`: start a crawl-and-process run every interval, one at a time per database."""
from __future__ import annotations

import logging
import sys

import click

from newsclaims.commands._common import db_option, user_errors
from newsclaims.scheduler import Scheduler, parse_duration, run_command

LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def _log_to_stderr() -> None:
    # A daemon's log needs times, and run start/end lines even without -v.
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter(LOG_FORMAT))
    for name in ("newsclaims.scheduler", "newsclaims.lock"):
        logger = logging.getLogger(name)
        logger.setLevel(min(logger.getEffectiveLevel(), logging.INFO))
        logger.addHandler(handler)
        logger.propagate = False


@click.command()
@click.option("--every", required=True, metavar="DURATION", help="Interval between run starts: 2s, 30m, 6h, 1d, 1h30m.")
@click.option("--jitter", default="0s", show_default=True, metavar="DURATION",
              help="Add a random delay in [0, DURATION] to every start (spreads load over sites).")
@click.option("--source", "sources", multiple=True, help="Crawl only this source (repeatable).")
@click.option("--sources", "sources_file", type=click.Path(dir_okay=False), default=None,
              help="Sources file (default sources.toml or $NEWSCLAIMS_SOURCES).")
@click.option("--max-runs", type=click.IntRange(min=1), default=None,
              help="Stop after this many runs (skipped runs count too); for tests and one-shot use.")
@click.option("--frontier", default=None, metavar="redis://HOST:PORT/DB",
              help="Each run is `run --frontier`: a worker on this shared frontier plus the ingest here.")
@db_option
@click.pass_context
@user_errors
def schedule(ctx: click.Context, every: str, jitter: str, sources: tuple[str, ...], sources_file: str | None,
             max_runs: int | None, frontier: str | None, db_path: str) -> None:
    """Run `newsclaims run` every interval until SIGTERM/SIGINT (which lets the current run finish).

    Runs never overlap on one database: when another scheduler or a manual run holds the database,
    the run is skipped with a warning and tried again at the next interval. A second signal
    terminates the current run.
    """
    verbose = int(ctx.find_root().params.get("verbose", 0) or 0)
    scheduler = Scheduler(
        db_path=db_path,
        argv=run_command(db_path, sources=sources, sources_file=sources_file, verbose=verbose, frontier=frontier),
        every=parse_duration(every),
        jitter=parse_duration(jitter, allow_zero=True),
        max_runs=max_runs,
    )
    _log_to_stderr()
    restore = scheduler.install_signal_handlers()
    try:
        code = scheduler.run()
    finally:
        restore()
    ctx.exit(code)

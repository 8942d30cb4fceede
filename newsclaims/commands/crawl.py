"""`newsclaims crawl`: fetch articles from the configured sources (or given URLs) into the database."""
from __future__ import annotations

import sys
from typing import Any

import click

from newsclaims.commands._common import db_option, user_errors
from newsclaims.errors import ConfigError
from newsclaims.lock import database_run_lock
from newsclaims.runner import CrawlOptions, CrawlResult, run_crawl

PROGRESS_FIELDS = (("pages_fetched", "pages"), ("articles_new", "new"), ("articles_updated", "updated"),
                   ("articles_unchanged", "unchanged"), ("skipped", "skipped"), ("errors", "errors"))


def _parse_settings(pairs: tuple[str, ...]) -> dict[str, str]:
    settings = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise ConfigError(f"--set expects KEY=VALUE, got {pair!r}")
        settings[key.strip()] = value
    return settings


def errors_line(result: CrawlResult) -> str:
    return ", ".join(f"{k} {v}" for k, v in sorted(result.errors.items())) or "none"


def progress_line(row: dict[str, Any]) -> str:
    return " · ".join(f"{label} {row.get(key) or 0}" for key, label in PROGRESS_FIELDS)


class CrawlProgress:
    """Prints the run's counters whenever they change: one rewritten line on a terminal, new lines otherwise."""

    def __init__(self) -> None:
        self.last = ""
        self.tty = sys.stderr.isatty()

    def __call__(self, row: dict[str, Any]) -> None:
        line = progress_line(row)
        if line != self.last and any(row.get(key) for key, _ in PROGRESS_FIELDS):
            click.echo(("\r" + line + "  ") if self.tty else line, err=True, nl=not self.tty)
            self.last = line

    def done(self) -> None:
        if self.tty and self.last:
            click.echo("", err=True)


def _crawl_worker(options: CrawlOptions, frontier: str, idle_exit: float) -> None:
    """A frontier worker (no database, no lock: any number of them share the frontier)."""
    from newsclaims.worker import run_worker

    result = run_worker(options, frontier, idle_exit=idle_exit)
    pages = result.stats.get("newsclaims/pages_fetched", 0)
    click.echo(f"frontier worker {result.reason}: pages {pages} · articles {result.stats.get('newsclaims/articles', 0)}")
    if not result.ok:
        sys.exit(1)


@click.command()
@click.option("--source", "names", multiple=True, metavar="NAME", help="Crawl only this source (repeatable).")
@click.option("--sources", "sources_file", type=click.Path(dir_okay=False), default=None,
              help="Sources file.  [default: sources.toml or $NEWSCLAIMS_SOURCES]")
@click.option("--url", "urls", multiple=True, metavar="URL",
              help="Crawl this page, feed or sitemap as a one-off source (repeatable).")
@click.option("--kind", type=click.Choice(["news", "letter"]), default="news", show_default=True,
              help="Kind of the --url pages.")
@click.option("--lang", type=click.Choice(["en", "zh", "auto"]), default="auto", show_default=True,
              help="Language hint for the --url pages.")
@db_option
@click.option("--max-pages", type=click.IntRange(min=1), default=None, help="At most N requests per source.")
@click.option("--base-url", default=None, help="Replaces {base} in the sources file's URLs.")
@click.option("--set", "settings", multiple=True, metavar="KEY=VALUE",
              help="Scrapy setting for this crawl, e.g. --set DOWNLOAD_DELAY=0 (repeatable).")
@click.option("--resume", is_flag=True,
              help="Continue the interrupted crawl of the same sources instead of starting over.")
@click.option("--frontier", default=None, metavar="redis://HOST:PORT/DB",
              help="Run as a worker on a frontier shared through Redis; items go to `newsclaims ingest`, "
                   "not to --db.")
@click.option("--idle-exit", type=click.FloatRange(min=0), default=30.0, show_default=True, metavar="SECONDS",
              help="With --frontier: exit 0 once the whole frontier has been empty this long.")
@user_errors
def crawl(names: tuple[str, ...], sources_file: str | None, urls: tuple[str, ...], kind: str, lang: str,
          db_path: str, max_pages: int | None, base_url: str | None, settings: tuple[str, ...],
          resume: bool, frontier: str | None, idle_exit: float) -> None:
    """Crawl sources (feeds, sitemaps, listing pages) into the database.

    The crawl runs as its own Scrapy process; progress is shown while it runs and recorded in the
    database (see `newsclaims runs`). Exits non-zero when the run failed.

    Stored articles are fetched again only when they may have changed (conditional requests, sitemap
    and feed dates). An interrupted crawl (Ctrl-C, SIGTERM) sends no new request, finishes the pages in
    transfer, and keeps its queue in `<db>.jobs/`; run the same command with --resume to continue it.
    It holds the database's run lock until its Scrapy process is gone; a second signal kills it.

    With --frontier redis://HOST:PORT/DB this process is one worker on a frontier shared through Redis
    (any number of them, on any machines): it writes no database; `newsclaims ingest` stores what the
    workers fetched. See docs/crawling.md.
    """
    options = CrawlOptions(db_path=db_path, sources_file=sources_file, names=names, urls=urls,
                           max_pages=max_pages, base_url=base_url, kind=kind, lang=lang,
                           settings=_parse_settings(settings), resume=resume)
    if frontier:
        _crawl_worker(options, frontier, idle_exit)
        return
    # One crawl at a time per database: a manual crawl beside a scheduled run fails with one clear line.
    with database_run_lock(db_path, command="crawl") as lock:
        progress = CrawlProgress()
        result = run_crawl(options, progress=progress, on_child=lock.note_child if lock else None)
        progress.done()
    click.echo(f"crawl run {result.run_id} {result.status}: {progress_line(result.stats)} (errors: {errors_line(result)})")
    if result.status == "interrupted":
        click.echo("the crawl's queue is kept: run the same command with --resume to continue it", err=True)
    if not result.ok:
        sys.exit(1)

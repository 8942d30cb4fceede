"""The `newsclaims` command line: a thin click layer over crawler/, nlp/ and db/.

Commands live in `newsclaims/commands/<name>.py` and are imported only when invoked,
so `newsclaims articles` never pays for loading spaCy.
"""
from __future__ import annotations

import importlib
import logging
import os
import sys
from typing import Any

import click

from newsclaims import __version__
from newsclaims.commands._common import one_line_error
from newsclaims.errors import EXIT_ERROR, NewsclaimsError

# command name -> "module:attribute"
COMMANDS = {
    "crawl": "newsclaims.commands.crawl:crawl",
    "articles": "newsclaims.commands.articles:articles",
    "demo": "newsclaims.commands.demo:demo",
    "process": "newsclaims.commands.process:process",
    "run": "newsclaims.commands.process:run",
    "analyze": "newsclaims.commands.analyze:analyze",
    "eval": "newsclaims.commands.evaluate:evaluate",
    "claims": "newsclaims.commands.claims:claims",
    "due": "newsclaims.commands.claims:due",
    "track": "newsclaims.commands.track:track",
    "search": "newsclaims.commands.search:search",
    "entities": "newsclaims.commands.entities:entities",
    "export": "newsclaims.commands.export:export",
    "report": "newsclaims.commands.report:report",
    "serve": "newsclaims.commands.serve:serve",
    "runs": "newsclaims.commands.runs:runs",
    "schedule": "newsclaims.commands.schedule:schedule",
    "ingest": "newsclaims.commands.ingest:ingest",
    "import": "newsclaims.commands.import_:import_warc",
}
# command name -> the first paragraph of its help, so `newsclaims --help` lists the commands without
# importing them (each import pulls in db/, crawler/ or nlp/). tests/test_cli_startup.py keeps these
# equal to the commands' own docstrings.
SUMMARIES = {
    "analyze": "Print one JSON object per document (JSON Lines): text, entities, figures and claims.",
    "articles": "List stored articles, newest first.",
    "claims": "Claims: who claimed what, with which figure, by when (soonest deadline first).",
    "crawl": "Crawl sources (feeds, sitemaps, listing pages) into the database.",
    "demo": "Serve the bundled demo site on 127.0.0.1, crawl it, analyse it, and show what landed.",
    "due": "The promise tracker: targets and forecasts falling due, or overdue, grouped by subject.",
    "entities": "Entities with mention and claim counts per language (claims: those whose subject it is).",
    "eval": "Measure quality against the evaluation corpora in ../shared/corpus (or $NEWSCLAIMS_SHARED).",
    "export": "Export articles, claims, figures or entities; a dataset card is written to OUTPUT.md.",
    "process": "Find entities, figures and claims in stored articles that are not analysed yet.",
    "report": ("Write one HTML page (no network needed): a timeline of claims and a table of figures over "
               "time."),
    "run": "Crawl, then process what was crawled (what `newsclaims schedule` runs each time).",
    "runs": ("List crawl runs, newest first: duration, status, pages, 304s, new/updated/unchanged, "
             "errors by category."),
    "schedule": ("Run `newsclaims run` every interval until SIGTERM/SIGINT (which lets the current run "
                 "finish)."),
    "search": "Search articles and claims (ranked by bm25; matches are marked [like this]).",
    "serve": ("Browse claims, articles and entities in Datasette (read-only, with search, facets and "
              "canned queries)."),
    "track": ("The promise tracker: each target or forecast (one row per claim group) with its outcome — kept, "
              "missed, pending or unclear — the rule that decided it, and the evidence."),
    "ingest": "Store what `crawl --frontier` workers fetched: same dedup, versions and run ledger as `crawl`.",
    "import": "Import HTML and PDF pages from WARC / WARC.gz files (PATH_OR_URL: local paths or http(s) URLs).",
}


class LazyGroup(click.Group):
    """A group whose subcommands are imported on first use.

    It is also the one place where errors a user can cause (a damaged database, a full disk, a huge
    number...) become one line and an exit code, for every command (see newsclaims.errors.describe).
    """

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        for arg in args:
            if _undecodable(arg):
                # argv bytes that are not UTF-8 arrive as lone surrogates and would fail later, anywhere.
                shown = arg.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
                raise click.UsageError(f"argument '{shown}' is not valid UTF-8", ctx)
            if "\x00" in arg:  # impossible in a real argv; file APIs would raise ValueError on it
                raise click.UsageError(f"argument {arg!r} contains a NUL character", ctx)
        return super().parse_args(ctx, args)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            result = super().invoke(ctx)
            sys.stdout.flush()  # a full or closed stdout fails here, inside our handling, not at exit
            return result
        except (click.ClickException, click.exceptions.Exit, click.Abort):
            raise
        except BrokenPipeError:
            _discard_stdout()
            raise click.exceptions.Exit(EXIT_ERROR) from None  # the reader went away (`| head`): nothing to say
        except Exception as exc:
            error = one_line_error(exc)
            if error is None:
                raise
            if isinstance(exc, OSError):
                _flush_or_discard_stdout()
            raise error from exc

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(name for name in COMMANDS if self._available(name))

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        target = COMMANDS.get(name)
        if target is None:
            return None
        module_name, attr = target.split(":")
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name == module_name:
                return None
            raise
        return getattr(module, attr)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """The command list from SUMMARIES, so `--help` imports no command module."""
        names = self.list_commands(ctx)
        if not names:
            return
        limit = formatter.width - 6 - max(len(n) for n in names)
        # a stand-in Command shortens the summary exactly as click shortens a real command's help
        rows = [(n, click.Command(n, help=SUMMARIES.get(n, "")).get_short_help_str(limit)) for n in names]
        with formatter.section("Commands"):
            formatter.write_dl(rows)

    @staticmethod
    def _available(name: str) -> bool:
        module_name = COMMANDS[name].split(":")[0]
        return importlib.util.find_spec(module_name) is not None


def _undecodable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def _flush_or_discard_stdout() -> None:
    try:
        sys.stdout.flush()
    except OSError:
        _discard_stdout()


def _discard_stdout() -> None:
    """Point stdout at /dev/null so the interpreter's final flush of unwritable output stays silent."""
    try:
        fd = sys.stdout.fileno()
    except (AttributeError, OSError, ValueError):
        return  # not a real file (tests capture output in memory)
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, fd)
    os.close(devnull)


def _configure_logging(verbose: int) -> None:
    level = logging.WARNING if verbose == 0 else logging.INFO if verbose == 1 else logging.DEBUG
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s", stream=sys.stderr)


@click.group(cls=LazyGroup)
@click.version_option(__version__, prog_name="newsclaims")
@click.option("-v", "--verbose", count=True, help="More logging: -v for progress, -vv for debugging.")
def cli(verbose: int) -> None:
    """Turn tech news and executive letters into a database of who claimed what, with which figure, by when."""
    _configure_logging(verbose)


def main() -> None:
    try:
        cli(prog_name="newsclaims", standalone_mode=True)  # not "python -m newsclaims" in usage lines
    except NewsclaimsError as exc:  # raised outside click's own handling (e.g. in result callbacks)
        click.echo(f"Error: {exc}", err=True)
        sys.exit(exc.exit_code)

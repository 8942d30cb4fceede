"""The `newsclaims` command line: a thin click layer over crawler/, nlp/ and db/.

Commands live in `newsclaims/commands/<name>.py` and are imported only when invoked,
so `newsclaims articles` never pays for loading spaCy.
"""
from __future__ import annotations

import importlib
import logging
import sys

import click

from newsclaims import __version__
from newsclaims.errors import NewsclaimsError

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


class LazyGroup(click.Group):
    """A group whose subcommands are imported on first use."""

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

    @staticmethod
    def _available(name: str) -> bool:
        module_name = COMMANDS[name].split(":")[0]
        return importlib.util.find_spec(module_name) is not None


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
        cli(standalone_mode=True)
    except NewsclaimsError as exc:  # raised outside click's own handling (e.g. in result callbacks)
        click.echo(f"Error: {exc}", err=True)
        sys.exit(exc.exit_code)

"""`newsclaims analyze PATH_OR_URL...`: entities, figures and claims of files or URLs as JSON Lines."""
from __future__ import annotations

import json
import sys

import click

from newsclaims.commands._common import user_errors
from newsclaims.commands._types import DATE


@click.command("analyze")
@click.argument("sources", nargs=-1, required=True, metavar="PATH_OR_URL...")
@click.option("--lang", type=click.Choice(["auto", "en", "zh"]), default="auto", show_default=True,
              help="Language of the documents (auto: detected from the text).")
@click.option("--published", type=DATE,
              help="Publication date, used to resolve 'this year', 'within 10 quarters'... (default: from the page).")
@click.option("--kind", type=click.Choice(["news", "letter", "transcript"]), default="news", show_default=True,
              help="letter: first-person statements are the author's (byline, signature) and the company's; "
                   "transcript: a call or speech, each statement is the current speaker's (hand-overs).")
@click.option("--aliases", type=click.Path(exists=True, dir_okay=False), default=None,
              help="Extra alias table (TSV: canonical, label, alias, lang); also $NEWSCLAIMS_ALIASES.")
@user_errors
def analyze(sources: tuple[str, ...], lang: str, published: str | None, kind: str, aliases: str | None) -> None:
    """Print one JSON object per document (JSON Lines): text, entities, figures and claims.

    PATH_OR_URL: HTML, PDF and plain-text files (also gzip-compressed, e.g. .html.gz) or http(s) URLs; a
    WARC / WARC.gz file gives one document per HTML/PDF response record. See docs/analyze-json.md for the
    fields.
    """
    from newsclaims.analyze_files import SourceError, analyze_sources

    failed = 0
    for result in analyze_sources(sources, lang=lang, published=published, kind=kind, extra_aliases=aliases):
        if isinstance(result, SourceError):
            failed += 1
            click.echo(f"Error: {result}", err=True)
            continue
        click.echo(json.dumps(result, ensure_ascii=False))
    if failed:
        sys.exit(1)

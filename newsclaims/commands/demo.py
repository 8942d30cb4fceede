"""`newsclaims demo`: the whole pipeline on a bundled offline site, with a short report."""
from __future__ import annotations

from pathlib import Path

import click

from db.queries import ClaimFilter, list_articles, list_claims, table_counts
from db.store import Store
from db.tracking import track_rows
from newsclaims.commands._common import emit_rows, user_errors
from newsclaims.commands._types import DATABASE_PATH

DEMO_DB = "demo.db"
_KIND_ORDER = {"target": 0, "forecast": 1, "comparison": 2, "result": 3}


def _headline_order(claim: dict) -> tuple:
    """Targets and forecasts first, soonest deadline first, then the rest by subject."""
    return (_KIND_ORDER.get(claim["kind"], 9), claim["deadline"] is None, claim["deadline"] or "",
            claim["subject"] or "", claim["id"])


def _show_promises(rows: list[dict]) -> None:
    """The promise tracker's verdicts: was each target or forecast kept?"""
    from newsclaims.commands.track import TABLE_COLUMNS, TABLE_WIDTHS, _table_row

    if not rows:
        return
    counts = ", ".join(f"{sum(r['status'] == s for r in rows)} {s}" for s in ("kept", "missed", "pending", "unclear"))
    click.echo("")
    click.echo(f"Promise tracker ({len(rows)} targets and forecasts: {counts}):")
    shown = sorted(rows, key=lambda r: ({"kept": 0, "missed": 1, "pending": 2, "unclear": 3}.get(r["status"], 9),
                                        r["subject"] or "", r["deadline"] or ""))
    emit_rows([_table_row(r) for r in shown], "table", TABLE_COLUMNS, widths={**TABLE_WIDTHS, "evidence": 60})


@click.command()
@click.option("--db", "db_path", default=DEMO_DB, show_default=True, type=DATABASE_PATH,
              help="Database to create; replaced only if an earlier demo made it (anything else is refused).")
@user_errors
def demo(db_path: str) -> None:
    """Serve the bundled demo site on 127.0.0.1, crawl it, analyse it, and show what landed."""
    from newsclaims.commands.crawl import CrawlProgress, errors_line
    from newsclaims.commands.process import run_processing, summary
    from newsclaims.demo import build_demo_database, refuse_unless_demo, replace_demo_database
    from newsclaims.lock import database_run_lock

    refuse_unless_demo(Path(db_path))  # before the lock: no lock file is left beside a file we refuse
    # The lock first: a crawl or scheduled run writing to this database makes the demo fail (busy).
    with database_run_lock(db_path, command="demo"):
        replace_demo_database(db_path)
        progress = CrawlProgress()
        click.echo(f"Crawling the bundled demo site into {db_path} ...", err=True)
        result = build_demo_database(db_path, crawl_progress=progress,
                                     analyse=lambda p: run_processing(p, quiet=True))
        progress.done()
    crawl = result.crawl
    click.echo(f"Crawl of {result.base_url}: {crawl.status}; pages fetched {crawl.stats.get('pages_fetched', 0)}, "
               f"articles new {crawl.stats.get('articles_new', 0)}, skipped (not articles) "
               f"{crawl.stats.get('skipped', 0)}; errors: {errors_line(crawl)}")
    click.echo(summary(result.process))
    with Store.open(db_path, readonly=True) as store:
        counts = table_counts(store)
        click.echo("")
        click.echo(f"Articles ({counts['articles']}):")
        articles = list(list_articles(store))
        emit_rows(articles, "table", ("published", "lang", "kind", "title"), widths={"title": 80})
        claims = sorted(list_claims(store, ClaimFilter()), key=_headline_order)
        promises = track_rows(store)
    if claims:
        click.echo("")
        click.echo(f"Claims ({len(claims)}; targets and forecasts first):")
        emit_rows(claims[:25], "table", ("kind", "subject", "speaker", "figure_text", "deadline", "lang", "sentence"),
                  widths={"sentence": 60, "subject": 16, "speaker": 14, "figure_text": 24})
        if len(claims) > 25:
            click.echo(f"... and {len(claims) - 25} more.")
    _show_promises(promises)
    click.echo("")
    click.echo("Next, try:")
    for cmd in (f"newsclaims articles --db {db_path}",
                f"newsclaims claims --db {db_path} --entity 小米 --kind target",
                f"newsclaims due --db {db_path} --overdue",
                f"newsclaims track --db {db_path} --entity 小米",
                f"newsclaims search --db {db_path} 世界500强",
                f"newsclaims serve --db {db_path}"):
        click.echo(f"  {cmd}")
    if not crawl.ok:
        raise SystemExit(1)

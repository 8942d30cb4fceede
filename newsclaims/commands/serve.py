"""`newsclaims serve`: browse the database in Datasette, read-only."""
from __future__ import annotations

import importlib.util
from pathlib import Path

import click

from db.store import Store, on_readonly_mount
from newsclaims.commands._common import db_option, user_errors
from newsclaims.errors import NewsclaimsError


@click.command()
@click.option("--port", type=click.IntRange(0, 65535), default=8001, show_default=True,
              help="TCP port to listen on (0: any free port; the address is printed once listening).")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Interface to listen on; anything but loopback exposes the database to the network.")
@db_option
@user_errors
def serve(port: int, host: str, db_path: str) -> None:
    """Browse claims, articles and entities in Datasette (read-only, with search, facets and canned queries).

    The database is opened read-only and new rows (from a crawl running meanwhile) show without a restart.
    """
    if importlib.util.find_spec("datasette") is None:
        raise NewsclaimsError("Datasette is not installed: pip install 'newsclaims[serve]'")
    from newsclaims.datasette import is_loopback, listen, make_app, run_server

    Store.open(db_path, readonly=True).close()  # a clear error for a missing or foreign database
    path = Path(db_path).resolve()
    if not is_loopback(host):
        click.echo(f"Warning: --host {host} is not a loopback address: anyone who can reach this machine "
                   "can read the database.", err=True)
    app = make_app(path, immutable=on_readonly_mount(path))
    try:
        sock = listen(host, port)
    except OSError as exc:
        raise NewsclaimsError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from exc
    with sock:
        run_server(app, sock, announce=lambda url: click.echo(
            f"Serving {db_path} read-only at {url} (Ctrl-C stops)", err=True))

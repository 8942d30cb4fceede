"""`newsclaims serve`: browse the database in Datasette, read-only."""
from __future__ import annotations

import importlib.util
import json
import tempfile
from pathlib import Path

import click

from db.store import Store
from newsclaims.commands._common import db_option, user_errors
from newsclaims.datasette import datasette_args, metadata_for, run_datasette
from newsclaims.errors import NewsclaimsError


@click.command()
@click.option("--port", type=click.IntRange(0, 65535), default=8001, show_default=True)
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to listen on.")
@db_option
@user_errors
def serve(port: int, host: str, db_path: str) -> None:
    """Browse claims, articles and entities in Datasette (read-only, with search, facets and canned queries)."""
    if importlib.util.find_spec("datasette") is None:
        raise NewsclaimsError("Datasette is not installed: pip install 'newsclaims[serve]'")
    Store.open(db_path, readonly=True).close()  # a clear error for a missing or foreign database
    with tempfile.TemporaryDirectory(prefix="newsclaims-serve-") as tmp:
        meta_path = Path(tmp) / "metadata.json"
        meta_path.write_text(json.dumps(metadata_for(db_path), ensure_ascii=False), encoding="utf-8")
        click.echo(f"Serving {db_path} read-only at http://{host}:{port}/ (Ctrl-C stops)", err=True)
        run_datasette(datasette_args(Path(db_path).resolve(), meta_path, port=port, host=host))

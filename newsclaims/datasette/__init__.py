"""Serving the database with Datasette: metadata (titles, descriptions, facets, canned queries) and the
command line that starts it read-only."""
from __future__ import annotations

import json
from importlib import resources
from pathlib import Path
from typing import Any

TEMPLATE_DB = "newsclaims"  # the database key in metadata.json; Datasette names a database by its file stem
PLUGINS_DIR = Path(__file__).resolve().parent / "plugins"


def metadata_for(db_path: str | Path) -> dict[str, Any]:
    """metadata.json with its database section under the name Datasette will give `db_path`."""
    meta = json.loads(resources.files("newsclaims.datasette").joinpath("metadata.json").read_text(encoding="utf-8"))
    meta["databases"] = {Path(db_path).stem: meta["databases"][TEMPLATE_DB]}
    return meta


def datasette_args(db_path: str | Path, metadata_path: str | Path, *, port: int, host: str = "127.0.0.1") -> list[str]:
    """`datasette` arguments that serve `db_path` immutable (read-only, never locked or written) with our
    metadata and plugin."""
    return [
        "serve",
        "--immutable", str(db_path),
        "--metadata", str(metadata_path),
        "--plugins-dir", str(PLUGINS_DIR),
        "--host", host, "--port", str(port),
        "--setting", "default_page_size", "50",
        "--setting", "allow_download", "off",
    ]


def run_datasette(args: list[str]) -> None:
    """Run Datasette's own command line in this process (it exits through SystemExit)."""
    from datasette.cli import cli

    cli.main(args=args, prog_name="datasette")

"""Serving the database with Datasette: metadata (titles, descriptions, facets, canned queries) and a
server that opens the database read-only and announces its address only once it listens."""
from __future__ import annotations

import asyncio
import ipaddress
import json
import socket
from collections.abc import Callable
from importlib import resources
from pathlib import Path
from typing import Any

TEMPLATE_DB = "newsclaims"  # the database key in metadata.json; Datasette names a database by its file stem
PLUGINS_DIR = Path(__file__).resolve().parent / "plugins"
SETTINGS = {"default_page_size": 50, "allow_download": False}


def metadata_for(db_path: str | Path) -> dict[str, Any]:
    """metadata.json with its database section under the name Datasette will give `db_path`."""
    meta = json.loads(resources.files("newsclaims.datasette").joinpath("metadata.json").read_text(encoding="utf-8"))
    meta["databases"] = {Path(db_path).stem: meta["databases"][TEMPLATE_DB]}
    return meta


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def listen(host: str, port: int) -> socket.socket:
    """A listening socket on host:port (port 0: a free one); OSError if it cannot be bound."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    return socket.create_server((host.strip("[]"), port), family=family, backlog=128)


def make_app(db_path: Path, *, immutable: bool) -> Any:
    """The Datasette ASGI app for `db_path`, startup hooks run.

    A file that may change is opened by Datasette with `mode=ro`: read-only, and new rows written by a
    crawl are seen at once. `immutable` (no locking, no change checks) only for a file that cannot change.
    """
    from datasette.app import Datasette

    files = [] if immutable else [str(db_path)]
    immutables = [str(db_path)] if immutable else []
    ds = Datasette(files=files, immutables=immutables, metadata=metadata_for(db_path),
                   plugins_dir=str(PLUGINS_DIR), settings=SETTINGS)
    asyncio.run(ds.invoke_startup())
    return ds.app()


def run_server(app: Any, sock: socket.socket, *, announce: Callable[[str], None]) -> None:
    """Serve `app` on the already bound `sock` until Ctrl-C/SIGTERM; `announce(url)` once it listens."""
    import uvicorn

    host, port = sock.getsockname()[:2]
    shown = f"[{host}]" if ":" in host else host
    config = uvicorn.Config(app, log_level="warning", lifespan="on")
    server = uvicorn.Server(config)
    announce(f"http://{shown}:{port}/")
    server.run(sockets=[sock])

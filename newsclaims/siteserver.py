"""A small static-site HTTP server on 127.0.0.1, for the crawl tests and the offline demo.

It serves a directory in a background thread at a free port. `dir/` serves `dir/index.html`; there are no
directory listings (a missing index is a 404, like on a real site). Special answers come from DATA in an
optional `_routes.toml` at the site root, one table per path:

    ["/zh/letter-gb2312.html"]
    headers = { "Content-Type" = "text/html; charset=gb2312" }
    body = "zh/letter.gb2312.html"     # file relative to the site root; default: the path itself
    ["/broken/"]
    status = 500                        # no body file -> a short plain-text body
    ["/slow.html"]
    delay = 2.0                         # seconds to wait before answering

(`[[routes]]` entries with a `path = "..."` key are read the same way.) Files and folders whose name starts
with `_` (like `_routes.toml` and `_tools/`) are never served.

Files are served with an `ETag` (hash of the body) and `Last-Modified` (the file's mtime), and conditional
requests (`If-None-Match`, `If-Modified-Since`) are answered with 304, as a real server would: incremental
crawls are tested against it. `responses` records (path, status) of every answer and `user_agents` the
User-Agent headers seen.
"""
from __future__ import annotations

import argparse
import email.utils
import hashlib
import logging
import mimetypes
import posixpath
import sys
import threading
import time
import tomllib
from collections import Counter
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from newsclaims.errors import ConfigError

log = logging.getLogger(__name__)

ROUTES_FILE = "_routes.toml"
CONTENT_TYPES = {
    ".html": "text/html",
    ".htm": "text/html",
    ".xml": "application/xml",
    ".rss": "application/rss+xml",
    ".atom": "application/atom+xml",
    ".pdf": "application/pdf",
    ".txt": "text/plain",
    ".json": "application/json",
    ".css": "text/css",
    ".js": "text/javascript",
    ".gz": "application/gzip",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".svg": "image/svg+xml",
}


@dataclass(frozen=True)
class Route:
    """A special answer for one path."""

    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    body: str | None = None  # file relative to the site root
    delay: float = 0.0


def load_routes(root: Path) -> dict[str, Route]:
    """Read `_routes.toml` from the site root (no file -> no special routes)."""
    path = root / ROUTES_FILE
    if not path.exists():
        return {}
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from exc
    entries: list[tuple[str, Any]] = [(k, v) for k, v in data.items() if k.startswith("/")]
    entries += [(r.get("path", ""), r) for r in data.get("routes", []) if isinstance(r, dict)]
    routes: dict[str, Route] = {}
    for route_path, spec in entries:
        if not isinstance(spec, dict) or not str(route_path).startswith("/"):
            raise ConfigError(f"{path}: route {route_path!r} must be a table keyed by a path starting with '/'")
        try:
            routes[route_path] = Route(
                status=int(spec.get("status", 200)),
                headers={str(k): str(v) for k, v in spec.get("headers", {}).items()},
                body=spec.get("body"),
                delay=float(spec.get("delay", 0.0)),
            )
        except (TypeError, ValueError, AttributeError) as exc:
            raise ConfigError(f"{path}: route {route_path!r}: {exc}") from exc
    return routes


class _Handler(SimpleHTTPRequestHandler):
    server: _SiteHTTPServer

    def do_GET(self) -> None:  # noqa: N802 (http.server naming)
        started = time.monotonic()
        try:
            self._answer(send_body=True)
        finally:
            self.server.site.record_span(unquote(urlsplit(self.path).path) or "/", started, time.monotonic())

    def do_HEAD(self) -> None:  # noqa: N802
        self._answer(send_body=False)

    def _answer(self, *, send_body: bool) -> None:
        site = self.server.site
        url_path = unquote(urlsplit(self.path).path) or "/"
        site.record_hit(url_path)
        route = site.routes.get(url_path)
        delay = site.delay + (route.delay if route else 0.0)
        if delay:
            time.sleep(delay)
        if route is None and site.is_folder(url_path):
            # like real servers: `/dir` -> `/dir/`, so relative links inside the index resolve
            self.send_response(301)
            self.send_header("Location", url_path + "/")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        file = site.resolve(route.body if route and route.body else url_path)
        status = route.status if route else (200 if file else 404)
        if file is None and status == 200:
            status = 404
        body = file.read_bytes() if file else f"{status} {HTTPStatus(status).phrase}\n".encode()
        headers = {"Content-Type": site.content_type(file) if file else "text/plain; charset=utf-8"}
        if file is not None and status == 200:
            headers.update(validators(file, body))
            if self._not_modified(headers):
                site.record_response(url_path, 304)
                self.send_response(304)
                for name in ("ETag", "Last-Modified"):
                    self.send_header(name, headers[name])
                self.end_headers()
                return
        headers.update(route.headers if route else {})
        site.record_response(url_path, status)
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if send_body:
            self.wfile.write(body)

    def _not_modified(self, headers: dict[str, str]) -> bool:
        """RFC 9110: If-None-Match wins over If-Modified-Since when both are sent."""
        if_none_match = self.headers.get("If-None-Match")
        if if_none_match is not None:
            return headers["ETag"] in [t.strip() for t in if_none_match.split(",")] or if_none_match.strip() == "*"
        since = self.headers.get("If-Modified-Since")
        if since is None:
            return False
        try:
            since_time = email.utils.parsedate_to_datetime(since)
        except (TypeError, ValueError):
            return False
        return email.utils.parsedate_to_datetime(headers["Last-Modified"]) <= since_time

    def parse_request(self) -> bool:
        ok = super().parse_request()
        if ok:
            self.server.site.record_user_agent(self.headers.get("User-Agent", ""))
        return ok

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 (base-class signature)
        log.debug("%s %s", self.address_string(), format % args)


def validators(file: Path, body: bytes) -> dict[str, str]:
    """ETag from the content, Last-Modified from the file's mtime (whole seconds, as HTTP dates are)."""
    return {"ETag": '"' + hashlib.sha1(body).hexdigest()[:16] + '"',
            "Last-Modified": email.utils.formatdate(int(file.stat().st_mtime), usegmt=True)}


class _SiteHTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    site: SiteServer

    def handle_error(self, request: Any, client_address: Any) -> None:
        # a client that hangs up mid-answer (a killed crawl, a timeout) is routine, not a traceback
        if isinstance(sys.exc_info()[1], (BrokenPipeError, ConnectionResetError)):
            log.debug("client %s hung up", client_address)
            return
        super().handle_error(request, client_address)


class SiteServer:
    """Serve `root` on 127.0.0.1; use as a context manager or call start()/stop()."""

    def __init__(self, root: str | Path, *, port: int = 0, delay: float = 0.0, host: str = "127.0.0.1") -> None:
        self.root = Path(root).resolve()
        if not self.root.is_dir():
            raise ConfigError(f"site folder {root} does not exist")
        self.routes = load_routes(self.root)
        self.delay = delay  # seconds before every answer: lets tests interrupt a crawl "mid-run"
        self.hits: Counter[str] = Counter()  # path -> number of requests, for tests
        self.responses: list[tuple[str, int]] = []  # (path, status) of every answer, in order
        self.user_agents: Counter[str] = Counter()
        self.hit_times: list[tuple[str, float]] = []  # (path, time.monotonic()) of every request
        # (path, start, end) of every GET answered: tests check that answers to polite crawlers never overlap
        self.spans: list[tuple[str, float, float]] = []
        self._lock = threading.Lock()
        self._httpd = _SiteHTTPServer((host, port), _Handler)
        self._httpd.site = self
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        return int(self._httpd.server_address[1])

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def url(self, path: str = "/") -> str:
        return self.base_url + (path if path.startswith("/") else "/" + path)

    def start(self) -> SiteServer:
        self._thread = threading.Thread(target=self._httpd.serve_forever, name="siteserver", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        if self._thread:
            self._thread.join(timeout=5)

    def __enter__(self) -> SiteServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def record_hit(self, path: str) -> None:
        with self._lock:
            self.hits[path] += 1
            self.hit_times.append((path, time.monotonic()))

    def record_span(self, path: str, start: float, end: float) -> None:
        with self._lock:
            self.spans.append((path, start, end))

    def record_response(self, path: str, status: int) -> None:
        with self._lock:
            self.responses.append((path, status))

    def record_user_agent(self, agent: str) -> None:
        with self._lock:
            self.user_agents[agent] += 1

    def statuses(self, path: str) -> list[int]:
        """The statuses answered for `path`, in order."""
        with self._lock:
            return [status for p, status in self.responses if p == path]

    def is_folder(self, url_path: str) -> bool:
        parts = [p for p in url_path.split("/") if p]
        return bool(parts) and not url_path.endswith("/") and ".." not in parts and self.root.joinpath(*parts).is_dir()

    def resolve(self, url_path: str) -> Path | None:
        """The file a URL path maps to, or None (outside the root, hidden, or missing)."""
        clean = posixpath.normpath("/" + url_path.lstrip("/"))
        parts = [p for p in clean.split("/") if p]
        if any(p.startswith((".", "_")) for p in parts):
            return None
        file = self.root.joinpath(*parts) if parts else self.root
        if file.is_dir() or url_path.endswith("/"):
            file = file / "index.html"
        try:
            file.resolve().relative_to(self.root)
        except ValueError:
            return None
        return file if file.is_file() else None

    @staticmethod
    def content_type(file: Path) -> str:
        ctype = CONTENT_TYPES.get(file.suffix.lower()) or mimetypes.guess_type(file.name)[0]
        return ctype or "application/octet-stream"


def main(argv: list[str] | None = None) -> None:
    """`python -m newsclaims.siteserver DIR [--port N]`: serve a site until Ctrl-C."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("root")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--delay", type=float, default=0.0)
    args = parser.parse_args(argv)
    with SiteServer(args.root, port=args.port, delay=args.delay) as server:
        print(f"serving {server.root} at {server.base_url}/ (Ctrl-C to stop)")
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            pass


if __name__ == "__main__":
    main()

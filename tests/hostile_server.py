"""A test web server on 127.0.0.1 that serves the worst of the web, one misbehaviour per path.

Run it alone to look at it: `python tests/hostile_server.py` (serves until Ctrl-C).
Every path is listed in `HOSTILE_PATHS` with the error category the crawl must count it under; the good
pages (`GOOD_PAGES`) must be stored as usual. Timings are short on purpose: crawls of it use
DOWNLOAD_TIMEOUT ~2 s and a small DOWNLOAD_MAXSIZE (see tests/test_hostile.py, whose docstring lists
every case with its category).

It also serves as an HTTP proxy (requests with an absolute URI are answered by path, whatever the host),
so a test can crawl "public" hosts such as news.example that all land here; and `/gated/N.html` pages
that answer only once `release()` is called, for tests that must stop a crawl while requests are
in flight and queued.
"""
from __future__ import annotations

import gzip
import os
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Callable
from urllib.parse import urlsplit

FIXTURES = Path(__file__).parent / "fixtures" / "hostile"
MAXSIZE = 3_000_000  # the DOWNLOAD_MAXSIZE the tests crawl with (the link farm's 2.5 MB fit under it)
LONG_QUERY = "q=" + "x" * 10_240
LINK_FARM = 100_000
STALL_SECONDS = 20  # the drip and the silent answer give up after this (long after the crawl's timeout)

GOOD_PAGES = ("/good-1.html", "/good-2.html", "/good-3.html", "/bad-utf8.html", "/flaky.html", "/429.html",
              "/latin1-as-utf8.html", "/canonical-thief.html")
# path -> the error category it is counted under
HOSTILE_PATHS = {
    "/big.html": "too_large",
    "/big-chunked.html": "too_large",
    "/gzip-bomb.html": "too_large_decompressed",
    "/drip.html": "timeout",
    "/silent.html": "timeout",
    "/loop-a.html": "redirect_loop",
    "/chain/0": "too_many_redirects",
    "/bomb-feed.xml": "xml_entity_bomb",
    "/broken-sitemap.xml": "sitemap_malformed",
    "/bad-utf8.html": "invalid_encoding",
    "/binary.html": "binary_as_html",
    "/links.html": "too_many_links",
    "/429-long.html": "http_429",
    "/429.html": "http_429_retried",
    "/flaky.html": "http_5xx_retried",
    "/long": "url_too_long",
    "/offsite.html": "offsite",
    "/redirect-offsite.html": "offsite_redirect",  # a 302 to another host
    "/refresh-offsite.html": "offsite_redirect",  # <meta http-equiv=refresh> to another host
    "ftp://…/ftp.html": "bad_url",  # a link on the home page: never fetched (it would hang the download)
    "feed item http://127.0.0.1:99999/…": "bad_url",  # port out of range
    "feed item http://[::1/…": "bad_url",  # malformed IPv6 host
    "/latin1-as-utf8.html": "invalid_encoding",  # declared UTF-8, sent in Latin-1: stored, decoded as cp1252
}
# Not errors, but not stored either: a bare list of links (ordinary skip, its links are followed)
SKIPPED_PATHS = ("/link-list.html",)
GATED_PAGES = 40


class HostileServer:
    """Serve the hostile site in a thread; `hits` counts requests per path, `times` records when."""

    def __init__(self) -> None:
        self.hits: Counter[str] = Counter()
        self.times: dict[str, list[float]] = {}
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self.gate = threading.Event()  # `/gated/` pages wait for it
        self._httpd = _QuietServer(("127.0.0.1", 0), _Handler)
        self._httpd.hostile = self  # type: ignore[attr-defined]
        self._thread: threading.Thread | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._httpd.server_address[1]}"

    @property
    def offsite_base(self) -> str:
        """The same server under another host name: another domain as far as a source is concerned."""
        return f"http://localhost:{self._httpd.server_address[1]}"

    def start(self) -> HostileServer:
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._httpd.shutdown()
        self._httpd.server_close()

    def __enter__(self) -> HostileServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def release(self) -> None:
        """Let the `/gated/` pages answer."""
        self.gate.set()

    def gated_hits(self) -> int:
        with self._lock:
            return sum(n for path, n in self.hits.items() if path.startswith("/gated/"))

    def record(self, path: str) -> int:
        with self._lock:
            self.hits[path] += 1
            self.times.setdefault(path, []).append(time.monotonic())
            return self.hits[path]


def article(n: int, extra: str = "") -> bytes:
    return (f"""<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Good story {n}</title>
<meta property="og:type" content="article"></head><body><article><h1>Good story {n}</h1>
<p>Gadget maker {n} said on Tuesday that its revenue rose 12% to $3.4 billion in the quarter and that it
expects to double its output within three years, as demand from cloud customers stays strong.</p>
<p>{extra}The company plans to hire 500 engineers next year and to open a research centre in Berlin, its chief
executive told analysts on a call, adding that margins should improve in the second half.</p>
</article></body></html>""").encode("utf-8")


def _home(base: str) -> bytes:
    links = [*GOOD_PAGES[:2], "/flaky.html", "/429.html", "/429-long.html", "/big.html", "/big-chunked.html",
             "/gzip-bomb.html", "/drip.html", "/silent.html", "/loop-a.html", "/chain/0", "/bad-utf8.html",
             "/binary.html", "/links.html", f"/long?{LONG_QUERY}", "/redirect-offsite.html",
             "/refresh-offsite.html", f"ftp://{base.split('://', 1)[1]}/ftp.html", "/latin1-as-utf8.html",
             "/canonical-thief.html", "/link-list.html"]
    items = "".join(f'<li><a href="{href}">Story {i}</a></li>' for i, href in enumerate(links))
    return f"<!DOCTYPE html><html><head><title>Hostile news</title></head><body><ul>{items}</ul></body></html>".encode()


class _QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # the crawler hanging up on a bomb or a drip is the expected outcome, not news


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 -- quiet
        pass

    def do_GET(self) -> None:  # noqa: N802
        server: HostileServer = self.server.hostile  # type: ignore[attr-defined]
        path = urlsplit(self.path).path
        hit = server.record(path)
        route = ROUTES.get(path) or (_chain if path.startswith("/chain/") else None) or (
            _gated if path.startswith("/gated/") else None)
        try:
            if route is None:
                self.send(404, b"not found", "text/plain")
            else:
                route(self, server, path, hit)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the crawler hung up on us, as it should

    def send(self, status: int, body: bytes, ctype: str = "text/html; charset=utf-8", **headers: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Connection", "close")  # one request per connection: stalls cannot block others
        for name, value in headers.items():
            self.send_header(name.replace("_", "-"), value)
        self.end_headers()
        self.wfile.write(body)


Route = Callable[[_Handler, HostileServer, str, int], None]


def _good(n: int) -> Route:
    return lambda h, s, p, hit: h.send(200, article(n))


def _robots(h: _Handler, s: HostileServer, p: str, hit: int) -> None:
    h.send(200, b"User-agent: *\nAllow: /\n", "text/plain")


def _feed(h: _Handler, s: HostileServer, p: str, hit: int) -> None:
    h.send(200, f"""<?xml version="1.0"?><rss version="2.0"><channel><title>Hostile</title>
<item><title>Good 3</title><link>/good-3.html</link></item>
<item><title>Elsewhere</title><link>{s.offsite_base}/offsite.html</link></item>
<item><title>Bad port</title><link>http://127.0.0.1:99999/bad-port.html</link></item>
<item><title>Bad IPv6</title><link>http://[::1/bad-ipv6.html</link></item>
</channel></rss>""".encode(), "application/rss+xml")


def _static(name: str, ctype: str) -> Route:
    return lambda h, s, p, hit: h.send(200, (FIXTURES / name).read_bytes(), ctype)


def _big(h: _Handler, s: HostileServer, p: str, hit: int) -> None:
    h.send(200, b"<html><body>" + b"<p>big</p>" * (MAXSIZE // 5) + b"</body></html>")


def _big_chunked(h: _Handler, s: HostileServer, p: str, hit: int) -> None:
    """No Content-Length: the size limit must stop it while it streams (it would never end on its own)."""
    h.send_response(200)
    h.send_header("Content-Type", "text/html")
    h.send_header("Transfer-Encoding", "chunked")
    h.send_header("Connection", "close")
    h.end_headers()
    chunk = b"<p>" + b"x" * 16_000 + b"</p>"
    for _ in range(2 * MAXSIZE // len(chunk)):
        if s._stop.is_set():
            return
        h.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))


_BOMB = gzip.compress(b"\0" * (64 * 1024 * 1024), compresslevel=9)  # 64 MB of zeros in ~64 KB


def _gzip_bomb(h: _Handler, s: HostileServer, p: str, hit: int) -> None:
    h.send(200, _BOMB, "text/html", Content_Encoding="gzip")


def _drip(h: _Handler, s: HostileServer, p: str, hit: int) -> None:
    """Headers at once, then one byte every half second: a body that never finishes."""
    h.send_response(200)
    h.send_header("Content-Type", "text/html")
    h.send_header("Content-Length", "100000")
    h.send_header("Connection", "close")
    h.end_headers()
    for _ in range(STALL_SECONDS * 2):
        if s._stop.wait(0.5):
            return
        h.wfile.write(b" ")
        h.wfile.flush()


def _silent(h: _Handler, s: HostileServer, p: str, hit: int) -> None:
    """Accepts the request and says nothing: an answer that never starts."""
    s._stop.wait(STALL_SECONDS)


def _redirect(target: str) -> Route:
    return lambda h, s, p, hit: h.send(302, b"", "text/plain", Location=target)


def _chain(h: _Handler, s: HostileServer, p: str, hit: int) -> None:
    h.send(302, b"", "text/plain", Location=f"/chain/{int(p.rsplit('/', 1)[1]) + 1}")


def _bad_utf8(h: _Handler, s: HostileServer, p: str, hit: int) -> None:
    body = article(4).replace(b"Gadget maker 4", b"Gadget maker \xff\xfe4")  # invalid UTF-8 bytes
    h.send(200, body, "text/html; charset=utf-8")


def _binary(h: _Handler, s: HostileServer, p: str, hit: int) -> None:
    h.send(200, os.urandom(50_000), "text/html")


def _links(h: _Handler, s: HostileServer, p: str, hit: int) -> None:
    links = "".join(f"<a href=/l/{i}>.</a>" for i in range(LINK_FARM))  # ~2 MB: under the size limit
    h.send(200, f"<html><head><title>Links</title></head><body>{links}</body></html>".encode())


def _too_many_requests(after: str) -> Route:
    def answer(h: _Handler, s: HostileServer, p: str, hit: int) -> None:
        if hit == 1:
            h.send(429, b"slow down", "text/plain", Retry_After=after)
        else:
            h.send(200, article(6))
    return answer


def _flaky(h: _Handler, s: HostileServer, p: str, hit: int) -> None:
    if hit == 1:
        h.send(503, b"try again", "text/plain")
    else:
        h.send(200, article(5))


def _long(h: _Handler, s: HostileServer, p: str, hit: int) -> None:
    h.send(200, article(7))


def _refresh_offsite(h: _Handler, s: HostileServer, p: str, hit: int) -> None:
    h.send(200, f"""<html><head><meta http-equiv="refresh" content="0; url={s.offsite_base}/refresh-target.html">
<title>Moved</title></head><body>Moved.</body></html>""".encode())


def _latin1_as_utf8(h: _Handler, s: HostileServer, p: str, hit: int) -> None:
    extra = "Zoë Brontë, an élève of the École in Genève, called the plan très ambitieux. "
    h.send(200, article(9, extra).decode("utf-8").encode("latin-1"), "text/html; charset=utf-8")


def _canonical_thief(h: _Handler, s: HostileServer, p: str, hit: int) -> None:
    """An article that claims to be another host's page through its canonical link."""
    body = article(10).replace(b"<title>", f'<link rel="canonical" href="{s.offsite_base}/good-1.html"><title>'
                               .encode(), 1)
    h.send(200, body)


def _link_list(h: _Handler, s: HostileServer, p: str, hit: int) -> None:
    """A bare list of links (no prose): raw URLs of pages the crawl knows already."""
    links = "".join(f'<a href="/good-{i % 3 + 1}.html#part-{i}">{s.base_url}/good-{i % 3 + 1}.html#part-{i}</a><br>\n'
                    for i in range(40))
    h.send(200, f"<html><body>{links}</body></html>".encode())


def _gated(h: _Handler, s: HostileServer, p: str, hit: int) -> None:
    s.gate.wait(STALL_SECONDS * 3)
    h.send(200, article(100 + int(p.rsplit("/", 1)[1].split(".")[0])))


def _gated_feed(h: _Handler, s: HostileServer, p: str, hit: int) -> None:
    items = "".join(f"<item><title>Gated {n}</title><link>/gated/{n}.html</link></item>"
                    for n in range(1, GATED_PAGES + 1))
    h.send(200, f"<rss version='2.0'><channel><title>Gated</title>{items}</channel></rss>".encode(),
           "application/rss+xml")


def _internal_home(h: _Handler, s: HostileServer, p: str, hit: int) -> None:
    """The home page of a "public" site (reached through the proxy) that links into an internal address."""
    port = s.base_url.rsplit(":", 1)[1]
    h.send(200, f"""<html><head><title>Public news</title></head><body><ul>
<li><a href="/good-2.html">A story on this site, Gadget maker two said on Tuesday</a></li>
<li><a href="http://127.0.0.2:{port}/good-1.html">A story on an internal host, Gadget maker one said</a></li>
<li><a href="/redirect-internal.html">A story that redirects to an internal host, Gadget maker three</a></li>
</ul></body></html>""".encode())


ROUTES: dict[str, Route] = {
    "/": lambda h, s, p, hit: h.send(200, _home(s.base_url)),
    "/robots.txt": _robots,
    "/feed.xml": _feed,
    "/bomb-feed.xml": _static("billion-laughs.xml", "application/rss+xml"),
    "/broken-sitemap.xml": _static("broken-sitemap.xml", "application/xml"),
    "/good-1.html": _good(1),
    "/good-2.html": _good(2),
    "/good-3.html": _good(3),
    "/offsite.html": _good(8),
    "/big.html": _big,
    "/big-chunked.html": _big_chunked,
    "/gzip-bomb.html": _gzip_bomb,
    "/drip.html": _drip,
    "/silent.html": _silent,
    "/loop-a.html": _redirect("/loop-b.html"),
    "/loop-b.html": _redirect("/loop-a.html"),
    "/bad-utf8.html": _bad_utf8,
    "/binary.html": _binary,
    "/links.html": _links,
    "/429.html": _too_many_requests("1"),
    "/429-long.html": _too_many_requests("3600"),
    "/flaky.html": _flaky,
    "/long": _long,
    "/redirect-offsite.html": lambda h, s, p, hit: h.send(302, b"", "text/plain",
                                                          Location=f"{s.offsite_base}/redirect-target.html"),
    "/redirect-target.html": _good(11),
    "/refresh-offsite.html": _refresh_offsite,
    "/refresh-target.html": _good(12),
    "/ftp.html": _good(13),
    "/latin1-as-utf8.html": _latin1_as_utf8,
    "/canonical-thief.html": _canonical_thief,
    "/link-list.html": _link_list,
    "/gated-feed.xml": _gated_feed,
    "/internal-home.html": _internal_home,
    "/redirect-internal.html": lambda h, s, p, hit: h.send(
        302, b"", "text/plain", Location=f"http://127.0.0.2:{s.base_url.rsplit(':', 1)[1]}/good-3.html"),
}


if __name__ == "__main__":
    with HostileServer() as server:
        print(f"hostile site at {server.base_url}/ (Ctrl-C to stop)")
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            pass

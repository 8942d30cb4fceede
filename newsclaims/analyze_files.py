"""Analyse files and URLs given on the command line (`newsclaims analyze`), without a database.

HTML and PDF go through crawler.extract; plain text is read as it is; `.gz` files are decompressed first;
a WARC / WARC.gz file gives one document per HTML/PDF response record (named `FILE#URL`). Each document
becomes one JSON-ready dict (the public contract in docs/analyze-json.md); a document that cannot be read
becomes a SourceError.
"""
from __future__ import annotations

import http.client
import socket
import time
import urllib.error
import urllib.parse
import urllib.request
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from crawler.netguard import any_internal, name_is_internal
from crawler.urls import http_url_problem, same_host
from newsclaims.errors import NewsclaimsError
from nlp.records import DocContext

FETCH_TIMEOUT = 30  # seconds for any one network operation
FETCH_DEADLINE = 120  # seconds for a whole download: a server dripping a byte at a time cannot stall us
MAX_BYTES = 20 * 1024 * 1024  # as the crawler's DOWNLOAD_MAXSIZE: anything bigger is not an article
_CHUNK = 65536
TEXT_SUFFIXES = {".txt", ".text", ".md"}
# A plain-text file's first line is its title when it is at most this long.
TITLE_MAX_CHARS = 120
WARC_SUFFIXES = (".warc", ".warc.gz")
MAX_GUNZIPPED = 64 * 1024 * 1024  # a page, not a gzip bomb
USER_AGENT = "newsclaims (+https://github.com/newsclaims/newsclaims)"


class SourceError(NewsclaimsError):
    """One input of `analyze` that cannot be read or has no text."""


@dataclass
class LoadedDocument:
    source: str
    text: str
    title: str | None = None
    author: str | None = None
    published: str | None = None
    lang: str | None = None


def _host_is_internal(host: str) -> bool:
    if name_is_internal(host):
        return True
    try:
        return any_internal(str(info[4][0]) for info in socket.getaddrinfo(host, None))
    except (OSError, UnicodeError):  # unresolvable: the fetch itself reports it
        return False


class _GuardedRedirects(urllib.request.HTTPRedirectHandler):
    """Follow redirects only to http(s) URLs on the given URL's own site, and never into internal networks
    unless the given URL is itself on an internal host (as the crawler does for a source)."""

    def __init__(self, origin: str) -> None:
        self.origin = origin
        self.origin_host = (urlsplit(origin).hostname or "").rstrip(".")
        self.origin_internal: bool | None = None

    def redirect_request(self, req: Any, fp: Any, code: int, msg: str, headers: Any, newurl: str) -> Any:
        newurl = urllib.parse.urljoin(req.full_url, newurl)
        problem = http_url_problem(newurl)
        if problem:
            raise SourceError(f"{self.origin}: redirected to {newurl[:200]}: {problem}")
        host = (urlsplit(newurl).hostname or "").rstrip(".")
        if not (same_host(newurl, self.origin) or host.endswith("." + self.origin_host)):
            raise SourceError(f"{self.origin}: redirected to another site ({newurl[:200]}): not followed")
        if self.origin_internal is None:
            self.origin_internal = _host_is_internal(self.origin_host)
        if not self.origin_internal and _host_is_internal(host):
            raise SourceError(f"{self.origin}: redirected to an internal address ({newurl[:200]}): not followed")
        return super().redirect_request(req, fp, code, msg, headers, newurl)


def _fetch(source: str) -> tuple[bytes, str, dict[str, str]]:
    """Download an http(s) URL: at most MAX_BYTES, within FETCH_DEADLINE, redirects guarded."""
    problem = http_url_problem(source)
    if problem:
        raise SourceError(f"{source}: cannot fetch: {problem}")
    deadline = time.monotonic() + FETCH_DEADLINE
    opener = urllib.request.build_opener(_GuardedRedirects(source))
    request = urllib.request.Request(source, headers={"User-Agent": USER_AGENT})
    try:
        with opener.open(request, timeout=FETCH_TIMEOUT) as response:
            chunks, size = [], 0
            while chunk := response.read1(_CHUNK):  # read1: returns what arrived, so the deadline is checked
                size += len(chunk)
                if size > MAX_BYTES:
                    raise SourceError(f"{source}: larger than {MAX_BYTES // (1024 * 1024)} MB: not read")
                if time.monotonic() > deadline:
                    raise SourceError(f"{source}: download not finished after {FETCH_DEADLINE} s: given up")
                chunks.append(chunk)
            return b"".join(chunks), response.geturl(), dict(response.headers.items())
    except (urllib.error.URLError, OSError, ValueError, http.client.HTTPException) as exc:
        raise SourceError(f"{source}: cannot fetch: {getattr(exc, 'reason', None) or exc}") from exc


def _read_file(path: Path) -> bytes:
    """At most MAX_BYTES of a file (a 50 MB page or /dev/zero is refused, not read into memory whole)."""
    with path.open("rb") as handle:
        body = handle.read(MAX_BYTES + 1)
    if len(body) > MAX_BYTES:
        raise SourceError(f"{path}: larger than {MAX_BYTES // (1024 * 1024)} MB: not read")
    return body


def _read(source: str) -> tuple[bytes, str, dict[str, str]]:
    """(body, url, headers) of a path or an http(s) URL."""
    if source.lower().startswith(("http://", "https://")):
        return _fetch(source)
    path = Path(source)
    try:
        return _read_file(path), path.resolve().as_uri(), {}
    except FileNotFoundError as exc:
        raise SourceError(f"{source}: no such file") from exc
    except IsADirectoryError as exc:
        raise SourceError(f"{source}: is a directory, not a file") from exc
    except OSError as exc:
        raise SourceError(f"{source}: cannot read: {exc.strerror}") from exc


def _decode_text(body: bytes, source: str) -> str:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return body.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise SourceError(f"{source}: plain text that is neither UTF-8 nor GB18030")


def _first_line_title(text: str) -> str | None:
    """A plain-text file's title: its first line when that is short and followed by more lines ("# 标题" too)."""
    first, _, rest = text.partition("\n")
    first = first.strip().lstrip("#").strip()
    return first if first and rest.strip() and len(first) <= TITLE_MAX_CHARS else None


def _gunzip(body: bytes, source: str) -> bytes:
    """The content of a gzip file, refusing more than MAX_GUNZIPPED bytes."""
    inflater = zlib.decompressobj(wbits=31)
    try:
        data = inflater.decompress(body, MAX_GUNZIPPED + 1)
    except zlib.error as exc:
        raise SourceError(f"{source}: not a readable gzip file ({exc})") from None
    if len(data) > MAX_GUNZIPPED:
        raise SourceError(f"{source}: decompresses to more than {MAX_GUNZIPPED // 2**20} MB")
    return data


def _plain_name(source: str) -> str:
    """The file name without a trailing .gz: `page.html.gz` is read as `page.html`."""
    name = Path(source.split("?", 1)[0]).name.lower()
    return name.removesuffix(".gz")


def load_document(source: str, lang_hint: str = "auto") -> LoadedDocument:
    """Read one path or URL into text + metadata; raises SourceError when there is no usable text."""
    body, url, headers = _read(source)
    if body[:2] == b"\x1f\x8b":
        body = _gunzip(body, source)
        headers = {k: v for k, v in headers.items() if k.lower() not in ("content-type", "content-encoding")}
    if Path(_plain_name(source)).suffix in TEXT_SUFFIXES:
        text = _decode_text(body, source).replace("\r\n", "\n").strip()
        if not text:
            raise SourceError(f"{source}: empty file")
        return LoadedDocument(source=source, text=text, title=_first_line_title(text))
    from crawler.extract import extract

    page = extract(body, url, headers=headers, lang_hint=lang_hint)
    if not page.text.strip():
        raise SourceError(f"{source}: no text found ({page.reason or 'empty page'})")
    return LoadedDocument(source=source, text=page.text, title=page.title, author=page.author,
                          published=page.published, lang=page.lang)


def is_warc(source: str) -> bool:
    return Path(source.split("?", 1)[0]).name.lower().endswith(WARC_SUFFIXES)


def load_warc_documents(source: str, lang_hint: str = "auto") -> Iterator[LoadedDocument | SourceError]:
    """One document per HTML/PDF response record of a local WARC file; other records are passed over."""
    from crawler.extract import extract
    from crawler.warc import WarcResponse, read_warc

    try:
        stream = open(source, "rb")  # noqa: SIM115 - closed below
    except OSError as exc:
        yield SourceError(f"{source}: cannot read: {exc.strerror or exc}")
        return
    with stream:
        try:
            for record in read_warc(stream):
                if not isinstance(record, WarcResponse):
                    continue
                name = f"{source}#{record.url}"
                page = extract(record.body, record.url, headers=record.headers, lang_hint=lang_hint)
                if not page.text.strip():
                    yield SourceError(f"{name}: no text found ({page.reason or 'empty page'})")
                    continue
                yield LoadedDocument(source=name, text=page.text, title=page.title, author=page.author,
                                     published=page.published, lang=page.lang)
        except Exception as exc:  # a truncated or corrupt archive: what was read counts, the rest is named
            yield SourceError(f"{source}: unreadable WARC ({type(exc).__name__}: {exc})")


def load_documents(source: str, lang_hint: str = "auto") -> Iterator[LoadedDocument | SourceError]:
    if is_warc(source) and not source.startswith(("http://", "https://")):
        yield from load_warc_documents(source, lang_hint)
        return
    try:
        yield load_document(source, lang_hint=lang_hint)
    except SourceError as exc:
        yield exc


def analyze_sources(
    sources: Iterable[str],
    *,
    lang: str = "auto",
    published: str | None = None,
    kind: str = "news",
    extra_aliases: str | None = None,
) -> Iterator[dict[str, Any] | SourceError]:
    """One JSON-ready dict per readable source, in order; a SourceError in place of each unreadable one."""
    from nlp.analyze import Analyzer

    analyzer = Analyzer(extra_aliases=extra_aliases)
    for doc in (d for source in sources for d in load_documents(source, lang_hint=lang)):
        if isinstance(doc, SourceError):
            yield doc
            continue
        ctx = DocContext(
            lang=lang if lang != "auto" else (doc.lang if doc.lang in ("en", "zh") else "auto"),
            published=(published or doc.published or None) and (published or doc.published)[:10],
            kind=kind, author=doc.author, title=doc.title,
        )
        analysis = analyzer.analyze(doc.text, ctx)
        yield {
            "source": doc.source, "title": doc.title, "author": doc.author, "published": ctx.published,
            "kind": kind, "lang": analysis.lang, "version": analysis.version, "text": doc.text,
            "entities": [asdict(e) for e in analysis.entities],
            "figures": [asdict(f) for f in analysis.figures],
            "claims": [asdict(c) for c in analysis.claims],
        }

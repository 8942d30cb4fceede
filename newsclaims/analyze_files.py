"""Analyse files and URLs given on the command line (`newsclaims analyze`), without a database.

HTML and PDF go through crawler.extract; plain text is read as it is; `.gz` files are decompressed first;
a WARC / WARC.gz file gives one document per HTML/PDF response record (named `FILE#URL`). Each document
becomes one JSON-ready dict (the public contract in docs/analyze-json.md); a document that cannot be read
becomes a SourceError.
"""
from __future__ import annotations

import urllib.error
import urllib.request
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from newsclaims.errors import NewsclaimsError
from nlp.records import DocContext

FETCH_TIMEOUT = 30
TEXT_SUFFIXES = {".txt", ".text", ".md"}
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


def _read(source: str) -> tuple[bytes, str, dict[str, str]]:
    """(body, url, headers) of a path or an http(s) URL."""
    if source.startswith(("http://", "https://")):
        request = urllib.request.Request(source, headers={"User-Agent": USER_AGENT})
        try:
            with urllib.request.urlopen(request, timeout=FETCH_TIMEOUT) as response:  # noqa: S310 - user's URL
                return response.read(), response.geturl(), dict(response.headers.items())
        except (urllib.error.URLError, OSError, ValueError) as exc:
            raise SourceError(f"{source}: cannot fetch: {getattr(exc, 'reason', exc)}") from exc
    path = Path(source)
    try:
        return path.read_bytes(), path.resolve().as_uri(), {}
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
        return LoadedDocument(source=source, text=text)
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

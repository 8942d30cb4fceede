"""WARC / WARC.gz files (web archives, Common Crawl's CC-NEWS) -> HTTP responses, one record at a time.

Two maintained readers: FastWARC (the default; measured faster here, see docs/scale.md) and warcio.
Both stream, so memory does not grow with the file. Each record comes out either as a `WarcResponse`
(a 200 response of an HTML or PDF page, payload decoded as the browser would see it) or as a
`WarcSkip` naming why it is not one: the record type (request, metadata, revisit, warcinfo, ...), a
non-200 status, or a content type that is neither HTML nor PDF. `offset` is where the record starts
in the (compressed) file: reading again from an offset resumes an interrupted import there.
"""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import IO, Any

HTML_TYPES = ("text/html", "application/xhtml+xml")
PDF_TYPES = ("application/pdf", "application/x-pdf")
READERS = ("fastwarc", "warcio")


@dataclass
class WarcResponse:
    offset: int
    url: str
    date: str  # WARC-Date, ISO 8601 UTC: when the page was fetched
    status: int
    headers: dict[str, str]  # the HTTP response headers
    body: bytes


@dataclass
class WarcSkip:
    offset: int
    reason: str  # "request", "revisit", "metadata", "warcinfo", "status_404", "content_type", ...
    url: str | None = None


def kind_of(content_type: str | None, body: bytes) -> str | None:
    """'html', 'pdf' or None (anything else is not an article page)."""
    ctype = (content_type or "").split(";")[0].strip().lower()
    if ctype in PDF_TYPES or body[:5] == b"%PDF-":
        return "pdf"
    if ctype in HTML_TYPES or (not ctype and b"<html" in body[:2048].lower()):
        return "html"
    return None


def _iso(value: Any) -> str:
    if isinstance(value, datetime):
        when = value if value.tzinfo else value.replace(tzinfo=timezone.utc)
        return when.astimezone(timezone.utc).isoformat(timespec="seconds")
    text = str(value or "").strip()
    try:
        return _iso(datetime.fromisoformat(text.replace("Z", "+00:00")))
    except ValueError:
        return text


def _classify(offset: int, rec_type: str, url: str, date: Any, status: int | None,
              headers: dict[str, str], read_body: Any) -> WarcResponse | WarcSkip:
    if rec_type != "response":
        return WarcSkip(offset, rec_type or "unknown", url or None)
    if status is None:
        return WarcSkip(offset, "not_http", url)
    if status != 200:
        return WarcSkip(offset, f"status_{status}", url)
    body = read_body()
    content_type = next((v for k, v in headers.items() if k.lower() == "content-type"), None)
    if kind_of(content_type, body) is None:
        return WarcSkip(offset, "content_type", url)
    return WarcResponse(offset, url, _iso(date), status, headers, body)


def read_warc(stream: IO[bytes], *, reader: str = "fastwarc") -> Iterator[WarcResponse | WarcSkip]:
    """Every record of a WARC or WARC.gz stream (positioned at a record boundary), in order."""
    if reader == "warcio":
        yield from _read_warcio(stream)
    else:
        yield from _read_fastwarc(stream)


def _read_fastwarc(stream: IO[bytes]) -> Iterator[WarcResponse | WarcSkip]:
    from fastwarc.warc import ArchiveIterator

    for record in ArchiveIterator(stream, parse_http=True, auto_decode="all", fsspec_args=False):
        rec_type = str(record.record_type)
        url = record.headers.get("WARC-Target-URI") or ""
        http = record.http_headers if rec_type == "response" and record.is_http else None
        status = http.status_code if http is not None else None
        headers = dict(http.items()) if http is not None else {}
        yield _classify(record.stream_pos, rec_type, url, record.record_date or record.headers.get("WARC-Date"),
                        status, headers, record.reader.read)


def _read_warcio(stream: IO[bytes]) -> Iterator[WarcResponse | WarcSkip]:
    from warcio.archiveiterator import ArchiveIterator

    iterator = ArchiveIterator(stream)
    for record in iterator:
        offset = iterator.get_record_offset()
        rec_type = record.rec_type
        url = record.rec_headers.get_header("WARC-Target-URI") or ""
        http = record.http_headers if rec_type == "response" else None
        status = int(http.get_statuscode()) if http is not None and http.get_statuscode().isdigit() else None
        headers = dict(http.headers) if http is not None else {}
        yield _classify(offset, rec_type, url, record.rec_headers.get_header("WARC-Date"), status, headers,
                        lambda: record.content_stream().read())


def to_article(response: WarcResponse, *, source: str = "warc", kind: str = "news",
               lang_hint: str = "auto") -> Any:
    """A response record -> an `Article` (through the crawler's own `extract`), or the reason it is not one.

    The fetch date is the record's WARC-Date; the publication date is whatever the page says.
    """
    from crawler.extract import canonicalize_url, extract
    from crawler.items import Article

    content_type = next((v for k, v in response.headers.items() if k.lower() == "content-type"), None)
    try:
        page = extract(response.body, response.url, content_type=content_type, headers=response.headers,
                       lang_hint=lang_hint)
    except Exception as exc:  # extract() promises not to raise; if it does, lose this record, not the import
        return f"extract_error: {exc!r}"
    if not page.is_article:
        return page.reason or "not an article"
    header = {k.lower(): v for k, v in response.headers.items()}
    return Article(
        url=response.url, canonical_url=page.canonical_url or canonicalize_url(response.url), source=source,
        kind="letter" if page.content_type in PDF_TYPES else kind, text=page.text, raw_body=response.body,
        content_type=page.content_type, fetched_at=response.date, lang=page.lang, title=page.title,
        author=page.author, published=page.published, description=page.description, encoding=page.encoding,
        http_status=response.status, etag=header.get("etag"), last_modified=header.get("last-modified"))

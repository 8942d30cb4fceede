"""Writing test WARC files with warcio's writer: pages as response records, plus the records an importer
must skip (warcinfo, request, metadata, revisit, a 404). Used by the tests and by bench/import_throughput."""
from __future__ import annotations

import gzip
import io
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

REPO = Path(__file__).resolve().parents[1]
DEMO_SITE = REPO / "newsclaims" / "demo_site"
CONTENT_TYPES = {".html": "text/html; charset=utf-8", ".pdf": "application/pdf"}


@dataclass
class Page:
    url: str
    body: bytes
    content_type: str = "text/html; charset=utf-8"
    date: str = "2024-03-01T12:00:00Z"  # WARC-Date: when it was "fetched"


def demo_pages(base: str = "http://demo.example") -> list[Page]:
    """Every HTML and PDF file of the bundled demo site, under `base`."""
    pages = []
    for path in sorted(DEMO_SITE.rglob("*")):
        rel = path.relative_to(DEMO_SITE)
        if path.suffix in CONTENT_TYPES and not any(part.startswith("_") for part in rel.parts):
            pages.append(Page(f"{base}/{rel.as_posix()}", path.read_bytes(), CONTENT_TYPES[path.suffix]))
    return pages


def benchmark_pages(corpus: Path) -> list[Page]:
    """The 181 pages of article-extraction-benchmark (MIT) under their original URLs, read from ../shared."""
    folder = corpus / "article-extraction-benchmark"
    truth = json.loads((folder / "ground-truth.json").read_text("utf-8"))
    return [Page(item["url"], gzip.decompress((folder / "html" / f"{key}.html.gz").read_bytes()))
            for key, item in sorted(truth.items())]


def _record(writer: WARCWriter, rec_type: str, url: str, date: str, payload: bytes, *,
            status: str | None = None, content_type: str | None = None, extra: dict[str, str] | None = None) -> None:
    http = None
    if status is not None:
        http = StatusAndHeaders(status, [("Content-Type", content_type or "text/html"),
                                         ("Content-Length", str(len(payload)))], protocol="HTTP/1.1")
    elif rec_type == "request":
        http = StatusAndHeaders(f"GET {url.split('/', 3)[-1] or '/'} HTTP/1.1", [("User-Agent", "test")],
                                is_http_request=True)
    headers = {"WARC-Date": date, **(extra or {})}
    record = writer.create_warc_record(url, rec_type, payload=io.BytesIO(payload), http_headers=http,
                                       warc_headers_dict=headers,
                                       warc_content_type=None if http else "application/json")
    writer.write_record(record)


def records(writer: WARCWriter, pages: Iterable[Page], *, extras: bool = True) -> Iterator[None]:
    if extras:
        writer.write_record(writer.create_warcinfo_record("test.warc.gz", {"software": "newsclaims tests"}))
    for page in pages:
        if extras:
            _record(writer, "request", page.url, page.date, b"")
        _record(writer, "response", page.url, page.date, page.body, status="200 OK", content_type=page.content_type)
        yield None
    if extras:
        first = next(iter(pages), None) if isinstance(pages, list) else None
        base = first.url.rsplit("/", 1)[0] if first else "http://missing.example"
        _record(writer, "response", base + "/no-such-page.html", "2024-03-01T12:00:00Z", b"<h1>Not Found</h1>",
                status="404 Not Found")
        if first is not None:
            _record(writer, "revisit", first.url, "2024-03-02T12:00:00Z", b"", status="200 OK",
                    extra={"WARC-Profile": "http://netpreserve.org/warc/1.1/revisit/identical-payload-digest",
                           "WARC-Refers-To-Target-URI": first.url})
        _record(writer, "metadata", base + "/", "2024-03-01T12:00:00Z", b'{"note": "not a page"}')


def write_warc(path: Path, pages: Iterable[Page], *, extras: bool = True, repeat: int = 1) -> Path:
    """A WARC.gz (per-record gzip members, as web archives write them) of `pages`, `repeat` times over."""
    pages = list(pages)
    with path.open("wb") as out:
        writer = WARCWriter(out, gzip=True)
        for n in range(repeat):
            copy = pages if n == 0 else [Page(f"{p.url}?copy={n}", p.body, p.content_type, p.date) for p in pages]
            for _ in records(writer, copy, extras=extras and n == 0):
                pass
    return path

"""`newsclaims import`: web-archive (WARC) files -> the same extraction and `articles` rows as a crawl.

Each run is a row of the run ledger (command `import`), like a crawl: response records read count as pages
fetched, articles as new/updated/unchanged (the same `Store.save_articles`, so importing a file twice adds
nothing), and every record that is not an HTML/PDF 200 response is skipped and counted by reason in the
run's stats (`records_skipped`; their sum is the run's `skipped`). Batches are committed with the offset of the next record, so an
interrupted import (Ctrl-C, SIGTERM, a kill) resumes there when the same file is imported again.
"""
from __future__ import annotations

import logging
import signal
import urllib.request
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any
from urllib.parse import urlsplit

from crawler.items import Article
from crawler.warc import WarcResponse, WarcSkip, read_warc, to_article
from db.store import Store
from newsclaims.errors import ConfigError

log = logging.getLogger(__name__)

OUTCOME_COUNTERS = {"new": "articles_new", "updated": "articles_updated", "unchanged": "articles_unchanged"}
USER_AGENT = "newsclaims (+https://github.com/newsclaims/newsclaims)"


@dataclass
class ImportOptions:
    sources: Sequence[str]  # paths or http(s) URLs of WARC / WARC.gz files
    db_path: str
    domains: frozenset[str] | None = None  # keep only these hosts (and their subdomains)
    since: str | None = None  # keep records fetched (WARC-Date) on or after this date, YYYY-MM-DD
    until: str | None = None  # ... on or before this date
    batch_size: int = 50
    reader: str = "fastwarc"
    workers: int = 1  # extraction processes; the database is written by this process alone


@dataclass
class ImportResult:
    run_id: int
    status: str
    stats: dict[str, int] = field(default_factory=dict)
    skipped: dict[str, int] = field(default_factory=dict)  # records skipped, by reason
    errors: dict[str, int] = field(default_factory=dict)


def read_domains(path: str) -> frozenset[str]:
    """A hosts file: one host per line, `#` comments; lower-cased, `www.` kept as written."""
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise ConfigError(f"--source-domains {path}: cannot read ({exc.strerror or exc})") from None
    hosts = {line.split("#", 1)[0].strip().lower().rstrip(".") for line in lines}
    hosts.discard("")
    if not hosts:
        raise ConfigError(f"--source-domains {path}: no hosts in the file")
    return frozenset(hosts)


def host_allowed(url: str, domains: frozenset[str] | None) -> bool:
    if domains is None:
        return True
    host = (urlsplit(url).hostname or "").lower()
    return any(host == d or host.endswith("." + d) for d in domains)


def date_allowed(date: str, since: str | None, until: str | None) -> bool:
    day = date[:10]
    return (since is None or day >= since) and (until is None or day <= until)


def source_key(source: str) -> str:
    """How a file is named in the run ledger (absolute path; URLs as given)."""
    return source if source.startswith(("http://", "https://")) else str(Path(source).resolve())


@contextmanager
def open_source(source: str, offset: int) -> Iterator[tuple[IO[bytes], int]]:
    """The file (or URL) positioned at `offset` when possible; yields (stream, where it really starts)."""
    if source.startswith(("http://", "https://")):
        headers = {"User-Agent": USER_AGENT, **({"Range": f"bytes={offset}-"} if offset else {})}
        try:
            response = urllib.request.urlopen(urllib.request.Request(source, headers=headers), timeout=60)  # noqa: S310
        except (OSError, ValueError) as exc:
            raise ConfigError(f"{source}: cannot fetch ({getattr(exc, 'reason', exc)})") from None
        with response:
            yield response, offset if response.status == 206 else 0
        return
    try:
        stream = open(source, "rb")  # noqa: SIM115 - closed below
    except OSError as exc:
        raise ConfigError(f"{source}: cannot read ({exc.strerror or exc})") from None
    with stream:
        stream.seek(offset)
        yield stream, offset


class Importer:
    def __init__(self, options: ImportOptions, store: Store, run_id: int) -> None:
        self.options = options
        self.store = store
        self.run_id = run_id
        self.stats: Counter[str] = Counter()
        self.skipped: Counter[str] = Counter()
        self.errors: Counter[str] = Counter()
        self.offsets: dict[str, int | str] = {}
        self.batch: list[Article] = []
        self.pending: list[WarcResponse] = []  # responses waiting for extraction (a batch at a time)
        self.pool: Any = None
        if options.workers > 1:
            import multiprocessing

            # spawn: children import crawler.extract afresh, no copy of this process's SQLite connection
            self.pool = multiprocessing.get_context("spawn").Pool(options.workers)

    def close(self) -> None:
        if self.pool is not None:
            self.pool.terminate()
            self.pool.join()

    def import_source(self, source: str) -> None:
        key = source_key(source)
        start = self.store.import_offset(key)
        if start == -1:
            log.info("%s: already imported by the interrupted run being resumed", source)
            self.offsets[key] = "done"
            return
        if start:
            log.warning("%s: resuming the interrupted import at byte %d", source, start)
        self.offsets[key] = start or 0
        with open_source(source, start or 0) as (stream, real_start):
            try:
                for record in read_warc(stream, reader=self.options.reader):
                    if record.offset < (start or 0) and real_start == 0:
                        continue  # a server that ignored our Range header: skip what was imported
                    if len(self.batch) + len(self.pending) >= self.options.batch_size:
                        self.commit(key, record.offset)
                    self.take(record)
            except Exception as exc:  # a truncated or corrupt archive: keep what was read, name the problem
                log.warning("%s: unreadable after byte %s (%s: %s)", source, self.offsets[key], type(exc).__name__, exc)
                self.errors["warc_unreadable"] += 1
        self.commit(key, "done")

    def take(self, record: WarcResponse | WarcSkip) -> None:
        if isinstance(record, WarcSkip):
            self.skipped["non_200" if record.reason.startswith("status_") else record.reason] += 1
            return
        if not host_allowed(record.url, self.options.domains):
            self.skipped["domain"] += 1
            return
        if not date_allowed(record.date, self.options.since, self.options.until):
            self.skipped["date"] += 1
            return
        self.stats["pages_fetched"] += 1
        if self.store.fetched_at(record.url) == record.date:
            # this very capture is stored already (a re-import): nothing to extract, nothing to add
            self.skipped["already_stored"] += 1
            return
        self.pending.append(record)

    def extract_pending(self) -> None:
        """Extract the waiting responses (in the worker processes when there are some), in record order."""
        pending, self.pending = self.pending, []
        if not pending:
            return
        results = self.pool.map(to_article, pending) if self.pool is not None else map(to_article, pending)
        for record, article in zip(pending, results):
            if isinstance(article, Article):
                self.batch.append(article)
                continue
            self.skipped["not_article"] += 1
            if article.startswith("extract_error"):
                self.errors["extract_error"] += 1
                log.warning("%s: %s", record.url, article)

    def commit(self, key: str, next_offset: int | str) -> None:
        """One transaction for the batch, then the ledger: where to resume this file."""
        self.extract_pending()
        batch, self.batch = self.batch, []
        if batch:
            self.stats.update(OUTCOME_COUNTERS[o] for o in self.store.save_articles(batch, self.run_id))
        self.offsets[key] = next_offset
        self.report()

    def report(self) -> None:
        stats: dict[str, Any] = dict(self.stats)
        stats["skipped"] = sum(self.skipped.values())  # every record not stored as an article; why, below
        stats["records_skipped"] = dict(self.skipped)
        stats["offsets"] = dict(self.offsets)
        self.store.update_run(self.run_id, stats=stats, errors=dict(self.errors))


ProgressCallback = Callable[[dict[str, Any]], None]


def run_import(options: ImportOptions, *, progress: ProgressCallback | None = None) -> ImportResult:
    store = Store.open(options.db_path)
    status, run_id = "failed", 0
    previous = signal.getsignal(signal.SIGTERM)
    # SIGTERM stops like Ctrl-C: the batch in hand is lost, what was committed stays, and --resume picks up
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    try:
        store.mark_stale_runs()
        run_id = store.start_run(sources=[source_key(s) for s in options.sources], command="import")
        importer = Importer(options, store, run_id)
        try:
            for source in options.sources:
                importer.import_source(source)
                if progress is not None:
                    progress(store.get_run(run_id))
            status = "finished"
        except KeyboardInterrupt:
            status = "interrupted"
        finally:
            importer.close()
        stats = {**importer.stats, "skipped": sum(importer.skipped.values())}
        return ImportResult(run_id, status, stats, dict(importer.skipped), dict(importer.errors))
    finally:
        signal.signal(signal.SIGTERM, previous)
        if run_id:
            store.finish_run(run_id, status=status)
        store.close()

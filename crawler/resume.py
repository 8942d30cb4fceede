"""What a resumable crawl keeps in its job folder (Scrapy's JOBDIR) besides Scrapy's own request queue.

Scrapy persists the queue of requests not yet sent, but requests in flight when a crawl stops are lost
with it, and its duplicate filter remembers every request ever *queued*, so a lost request could never
be queued again. So the duplicate filter here remembers only this process's requests, and the
`FetchLedger` remembers what was actually *answered*: on `--resume` the configured feeds, sitemaps and
start pages are read again (finding what was lost in flight), and the ledger keeps pages that were
already fetched from being requested a second time.
"""
from __future__ import annotations

import json
import logging
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from scrapy.dupefilters import RFPDupeFilter

log = logging.getLogger(__name__)

JOB_FILE = "newsclaims-job.json"
LEDGER_FILE = "fetched.tsv"
# ledger kinds: an article is only "done" once the database has it (it may have died in a pipeline batch)
PAGE, ARTICLE = "page", "article"


class FetchLedger:
    """Append-only `fingerprint<TAB>kind` lines, flushed one by one so a killed crawl loses at most one."""

    def __init__(self, jobdir: str | Path) -> None:
        self.dir = Path(jobdir)
        self.dir.mkdir(parents=True, exist_ok=True)
        job = self.dir / JOB_FILE
        if not job.exists():
            job.write_text(json.dumps({"started_at": datetime.now(timezone.utc).isoformat(timespec="seconds")}))
        self.started_at: str = json.loads(job.read_text())["started_at"]
        self.kinds: dict[str, str] = {}
        path = self.dir / LEDGER_FILE
        if path.exists():
            for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
                fp, sep, kind = line.partition("\t")
                if sep and kind in (PAGE, ARTICLE):  # a torn last line (killed mid-write) is ignored
                    self.kinds[fp] = kind
        self.resumed = bool(self.kinds)
        self._file = path.open("a", encoding="utf-8")

    def get(self, fingerprint: str) -> str | None:
        return self.kinds.get(fingerprint)

    def record(self, fingerprint: str, kind: str) -> None:
        if self.kinds.get(fingerprint) == kind:
            return
        self.kinds[fingerprint] = kind
        self._file.write(f"{fingerprint}\t{kind}\n")
        self._file.flush()

    def close(self) -> None:
        self._file.close()


class ProcessDupeFilter(RFPDupeFilter):
    """Scrapy's duplicate filter without its JOBDIR file (see the module docstring for why).

    It also names redirect loops, which it would otherwise drop as mere duplicates without a word
    (loops of retried requests, which bypass this filter, are caught in crawler.middlewares).
    """

    stats: Any = None

    @classmethod
    def from_crawler(cls, crawler: Any) -> ProcessDupeFilter:
        dupefilter = cls(None, crawler.settings.getbool("DUPEFILTER_DEBUG"),
                         fingerprinter=crawler.request_fingerprinter)
        dupefilter.stats = crawler.stats
        return dupefilter

    def request_seen(self, request: Any) -> bool:
        chain = request.meta.get("redirect_urls", ())
        if request.url in chain:
            log.warning("not fetched (redirect loop: %s)", " -> ".join([*chain, request.url]))
            if self.stats is not None:
                self.stats.inc_value("newsclaims/errors/redirect_loop")
            return True
        return super().request_seen(request)

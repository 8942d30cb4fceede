"""Run a crawl as its own process (`python -m scrapy crawl ...`) and follow its progress in the database.

A Twisted reactor cannot be restarted inside one process, so every crawl is a child process. This module
owns the crawl_runs row: it validates the sources and starts the row BEFORE the child runs (bad input is
one clear error, no Scrapy start-up), the child's StorePipeline writes progress into the row, and this
module finishes the row from the child's exit status, even when the child died without a word.

Signals: SIGTERM or SIGINT to this process is passed on to the child as a stop request (SIGUSR1, which
the child treats as its first SIGTERM, and ignores when a Ctrl-C reached it directly already). This
process then waits for the child (at most `stop_wait` seconds, then SIGKILL) and finishes the row as
`interrupted`; the caller's run lock is held until the child is gone. A second signal kills the child.

Every crawl keeps its request queue in a job folder (Scrapy's JOBDIR), `<db>.jobs/<hash of what is
crawled>/`, removed when the crawl finishes. `resume=True` continues an interrupted crawl from that folder;
without it an old folder is discarded and the crawl starts over.
"""
from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from crawler.sources import Source, load_sources, select_sources, url_source
from db.store import RUN_COUNTERS, Store
from newsclaims.config import REPO_DIR, default_sources
from newsclaims.errors import ConfigError

log = logging.getLogger(__name__)

GENERIC_SPIDER = "news"
STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)
# The child reads this to know its parent forwards stop requests as SIGUSR1 (see crawler/shutdown.py)
PARENT_STOP_ENV = "NEWSCLAIMS_PARENT_STOP"
# Everything the child must see is passed explicitly; this makes `scrapy` find our settings from any folder.
SETTINGS_MODULE = "crawler.settings"


@dataclass
class CrawlOptions:
    """What `newsclaims crawl` was asked to do."""

    db_path: str
    sources_file: str | None = None  # None: sources.toml / $NEWSCLAIMS_SOURCES
    names: Sequence[str] = ()  # source names; empty: every source
    urls: Sequence[str] = ()  # one-off URLs instead of the sources file
    max_pages: int | None = None
    base_url: str | None = None  # replaces {base} in the sources file
    kind: str = "news"  # for --url
    lang: str = "auto"  # for --url
    settings: Mapping[str, str] = field(default_factory=dict)  # extra Scrapy settings (-s KEY=VALUE)
    log_level: str | None = None  # the child's Scrapy LOG_LEVEL; None: from this process's logging level
    resume: bool = False  # continue the interrupted crawl of the same sources from its job folder
    stop_wait: float = 60.0  # after a stop signal, seconds to wait for the child before killing it


@dataclass
class CrawlResult:
    run_id: int
    status: str  # finished | failed | interrupted
    stats: dict[str, Any]
    errors: dict[str, int]
    returncodes: list[int]

    @property
    def ok(self) -> bool:
        return self.status == "finished"


ProgressCallback = Callable[[dict[str, Any]], None]


def plan_sources(options: CrawlOptions) -> list[Source]:
    """The sources this crawl covers; raises ConfigError for a bad file or an unknown name."""
    if options.urls:
        if options.names:
            raise ConfigError("give either --url or --source, not both")
        return [url_source(options.urls, kind=options.kind, lang=options.lang, max_pages=options.max_pages)]
    path = options.sources_file or default_sources()
    sources = select_sources(load_sources(path, base_url=options.base_url), options.names)
    check_spiders(sources)
    return sources


def check_spiders(sources: Sequence[Source]) -> None:
    """A source naming a spider the project does not have is a ConfigError, before any process starts."""
    wanted = {s.spider for s in sources if s.spider and s.spider != GENERIC_SPIDER}
    if not wanted:
        return
    from scrapy.settings import Settings
    from scrapy.spiderloader import SpiderLoader

    settings = Settings()
    settings.setmodule(SETTINGS_MODULE, priority="project")
    known = set(SpiderLoader.from_settings(settings).list())
    for src in sources:
        if src.spider in wanted - known:
            raise ConfigError(f"source {src.name!r}: unknown spider {src.spider!r} "
                              f"(spiders in {', '.join(settings.getlist('SPIDER_MODULES'))}: "
                              f"{', '.join(sorted(known)) or 'none'})")


def job_dir(options: CrawlOptions, spider: str, sources: Sequence[Source]) -> Path:
    """`<db>.jobs/<hash>/`: one folder per database and set of sources crawled the same way."""
    what = {"spider": spider, "sources": [s.config() for s in sources], "urls": list(options.urls),
            "max_pages": options.max_pages}
    digest = hashlib.sha256(json.dumps(what, sort_keys=True, default=str).encode()).hexdigest()[:16]
    db = Path(options.db_path).resolve()
    return db.with_name(db.name + ".jobs") / f"{spider}-{digest}"


def spider_arguments(options: CrawlOptions, sources: Sequence[Source]) -> dict[str, str]:
    """The spider's `-a` arguments: the URLs given, or the sources file and the names of `sources`."""
    args: dict[str, str] = {}
    if options.urls:
        args.update(urls=" ".join(options.urls), kind=options.kind, lang=options.lang)
    else:
        args["sources"] = str(Path(options.sources_file or default_sources()).resolve())
        args["source"] = ",".join(s.name for s in sources)
        if options.base_url:
            args["base_url"] = options.base_url
    if options.max_pages:
        args["max_pages"] = str(options.max_pages)
    return args


def spider_command(spider: str, sources: Sequence[Source], options: CrawlOptions, run_id: int,
                   jobdir: Path | None = None) -> list[str]:
    """The argv of one child crawl: `python -m scrapy crawl SPIDER -s ... -a ...`."""
    settings = {
        "NEWSCLAIMS_DB": str(Path(options.db_path).resolve()),
        "NEWSCLAIMS_RUN_ID": str(run_id),
        "LOG_LEVEL": options.log_level or _child_log_level(),
        **({"JOBDIR": str(jobdir)} if jobdir is not None else {}),
        **options.settings,
    }
    args = spider_arguments(options, sources)
    argv = [sys.executable, "-m", "scrapy", "crawl", spider]
    for key, value in settings.items():
        argv += ["-s", f"{key}={value}"]
    for key, value in args.items():
        argv += ["-a", f"{key}={value}"]
    return argv


def _child_log_level() -> str:
    # -v on the newsclaims command line shows Scrapy's INFO lines; by default only warnings and errors
    level = logging.getLogger().getEffectiveLevel()
    return "DEBUG" if level <= logging.DEBUG else "INFO" if level <= logging.INFO else "WARNING"


def _child_env() -> dict[str, str]:
    env = dict(os.environ)
    env["SCRAPY_SETTINGS_MODULE"] = SETTINGS_MODULE
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO_DIR), env.get("PYTHONPATH")]))
    env[PARENT_STOP_ENV] = "1"
    return env


def group_by_spider(sources: Sequence[Source]) -> dict[str, list[Source]]:
    groups: dict[str, list[Source]] = {}
    for src in sources:
        groups.setdefault(src.spider or GENERIC_SPIDER, []).append(src)
    return groups


def run_crawl(options: CrawlOptions, *, progress: ProgressCallback | None = None,
              poll_seconds: float = 1.0, on_child: Callable[[int], None] | None = None) -> CrawlResult:
    """Crawl in child processes (one per spider), following progress; returns the finished run.

    `on_child(pid)` is told each child's pid (the crawl command records it in the run lock).
    """
    sources = plan_sources(options)
    store = Store.open(options.db_path)
    try:
        store.mark_stale_runs()
        store.upsert_sources([s.row() for s in sources])
        run_id = store.start_run(sources=[s.name for s in sources], command="crawl --resume" if options.resume
                                 else "crawl")
        status, codes = "finished", []
        with StopSignals() as stop:
            for spider, group in group_by_spider(sources).items():
                if stop.requested:
                    break
                jobdir = prepare_job_dir(options, spider, group)
                argv = spider_command(spider, group, options, run_id, jobdir)
                log.info("starting %s", " ".join(argv))
                code = _run_child(argv, store, run_id, progress, poll_seconds, stop=stop,
                                  stop_wait=options.stop_wait, on_child=on_child)
                codes.append(code)
                if stop.requested or store.get_run(run_id)["stats"].get("close_reason") == "shutdown":
                    status = "interrupted"  # stopped by a signal; Scrapy saved the queue for --resume
                elif code != 0:
                    status = "failed"
                else:
                    remove_job_dir(jobdir)  # done: nothing left to resume
        row = store.get_run(run_id)
        if status == "finished" and row["pages_fetched"] == 0 and row["errors"] > 0:
            status = "failed"  # nothing could be fetched at all (no network, every URL wrong)
        store.finish_run(run_id, status=status)
        row = store.get_run(run_id)
    finally:
        store.close()
    stats = {k: row.get(k, 0) for k in RUN_COUNTERS}
    return CrawlResult(run_id=run_id, status=status, stats=stats, errors=row["error_counts"], returncodes=codes)


def remove_job_dir(jobdir: Path) -> None:
    """Remove a finished job's folder, and `<db>.jobs/` too once no other job is kept in it."""
    shutil.rmtree(jobdir, ignore_errors=True)
    try:
        jobdir.parent.rmdir()
    except OSError:  # another interrupted job is kept there (or it is already gone)
        pass


def prepare_job_dir(options: CrawlOptions, spider: str, sources: Sequence[Source]) -> Path:
    """The job folder for this crawl: kept when resuming, else emptied so the crawl starts over."""
    jobdir = job_dir(options, spider, sources)
    if options.resume:
        if jobdir.exists():
            log.warning("resuming the interrupted crawl kept in %s", jobdir)
        else:
            log.warning("nothing to resume for %s (no job folder %s): starting a new crawl",
                        ", ".join(s.name for s in sources), jobdir)
    elif jobdir.exists():
        shutil.rmtree(jobdir)
    return jobdir


_LOG_RECORD = re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} \[[^\]]+\] [A-Z]+: ")


def relay_log(stream: IO[str], out: IO[str], *, tracebacks: bool) -> None:
    """Copy the child's log lines to `out`; tracebacks and other continuation lines only when asked."""
    keep = False
    for line in stream:
        if _LOG_RECORD.match(line):
            keep = True
        elif not tracebacks and (line.startswith(("Traceback", "  ", "The above exception", "During handling"))
                                 or not line.strip()):
            keep = False
        if keep or tracebacks:
            out.write(line)
            out.flush()


class StopSignals:
    """While active (main thread only), SIGTERM/SIGINT are recorded and passed on to the current child."""

    def __init__(self) -> None:
        self.count = 0
        self.first_at: float | None = None
        self.child: subprocess.Popen[str] | None = None
        self._previous: dict[int, Any] = {}

    @property
    def requested(self) -> bool:
        return self.count > 0

    def __enter__(self) -> StopSignals:
        if threading.current_thread() is threading.main_thread():
            self._previous = {sig: signal.signal(sig, self._on_signal) for sig in STOP_SIGNALS}
        return self

    def __exit__(self, *exc: object) -> None:
        for sig, handler in self._previous.items():
            signal.signal(sig, handler)

    def _on_signal(self, signum: int, frame: Any) -> None:
        self.count += 1
        if self.count == 1:
            self.first_at = time.monotonic()
            self.forward(signal.SIGUSR1)  # "stop": the child stops fetching, commits, saves its queue
        else:
            self.forward(signal.SIGKILL)  # asked twice: no more waiting

    def forward(self, signum: int) -> None:
        if self.child is not None and self.child.poll() is None:
            try:
                self.child.send_signal(signum)
            except ProcessLookupError:
                pass

    def overdue(self, bound: float) -> bool:
        return self.first_at is not None and time.monotonic() - self.first_at > bound


def _run_child(argv: list[str], store: Store, run_id: int, progress: ProgressCallback | None,
               poll_seconds: float, *, stop: StopSignals, stop_wait: float,
               on_child: Callable[[int], None] | None = None) -> int:
    child = subprocess.Popen(argv, env=_child_env(), stderr=subprocess.PIPE, text=True, errors="replace")
    stop.child = child
    if on_child is not None:
        on_child(child.pid)
    assert child.stderr is not None
    # Scrapy logs some download errors with a traceback: the user gets the one-line message (-vv: all)
    relay = threading.Thread(target=relay_log, args=(child.stderr, sys.stderr),
                             kwargs={"tracebacks": logging.getLogger().getEffectiveLevel() <= logging.DEBUG},
                             daemon=True)
    relay.start()
    try:
        while child.poll() is None:
            if stop.overdue(stop_wait):
                log.warning("the crawl did not stop within %g s of the signal: killing it", stop_wait)
                stop.forward(signal.SIGKILL)
            time.sleep(poll_seconds)
            if progress is not None:
                progress(store.get_run(run_id))
    finally:
        if child.poll() is None:  # an exception here: never leave the child crawling on its own
            child.kill()
        child.wait()
        stop.child = None
    relay.join(timeout=5)
    if progress is not None:
        progress(store.get_run(run_id))
    return child.returncode

"""The soak: scheduled crawls of a hostile local site, stopped by SIGTERM/SIGKILL at random moments, while
`serve`, query commands and `process` use the same database. Slow: not part of `make test` or of
`python -m bench` without its name.

    python -m bench soak --minutes 20 [--seed N] [--workdir DIR] [--json FILE]

What runs, until --minutes have passed:
  - newsclaims.scheduler.Scheduler (the code behind `newsclaims schedule`) starts `newsclaims crawl --resume`
    of the hostile site (tests/hostile_server.py) every --every seconds, one at a time under the run lock;
  - a chaos thread watches each run's row and, once it has fetched a random number of pages (observed
    progress, never a timer), lets it finish, sends SIGTERM to the crawl, or SIGKILLs its process group;
  - `newsclaims serve` answers JSON queries, `articles`/`runs`/`search`/`claims` run in a loop, and
    `newsclaims process` is tried every second (it runs between crawls, when it can take the run lock).
Then one clean crawl, and the checks: integrity_check ok; no duplicate articles; no process of the soak
left; every good page of the site stored exactly once; every run finished, interrupted or marked
interrupted (none left `running`); every bad case of the site counted under its category; no
traceback from any command, no failed query and no failed `serve` request (a busy `process` is expected).
Exit status 0 when every check holds.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))

from hostile_server import GOOD_PAGES, HOSTILE_PATHS, HostileServer  # noqa: E402

from newsclaims.lock import LockInfo, lock_path_for  # noqa: E402
from newsclaims.scheduler import Scheduler  # noqa: E402

SETTINGS = ["--set", "DOWNLOAD_TIMEOUT=2", "--set", "DOWNLOAD_MAXSIZE=3000000", "--set", "RETRY_TIMES=1",
            "--set", "NEWSCLAIMS_MAX_RETRY_AFTER=5", "--set", "CONCURRENT_REQUESTS_PER_DOMAIN=8",
            "--set", "AUTOTHROTTLE_ENABLED=False", "--set", "DOWNLOAD_DELAY=0",
            "--set", "NEWSCLAIMS_BATCH_SECONDS=0.2", "--set", "NEWSCLAIMS_BATCH_SIZE=2"]
# categories the site produces only on its first hit of a page (a 429 or 503, then 200 ever after)
FIRST_HIT_ONLY = {"http_429_retried", "http_5xx_retried", "http_429"}
# ... so a page that answered 429 (Retry-After: 3600) once is a good page in every later run
GOOD_LATER = ("/429-long.html",)


def newsclaims(*args: str) -> list[str]:
    return [sys.executable, "-m", "newsclaims", *args]


def child_env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(REPO)}


class Tally:
    """Thread-safe counters of everything the soak did and saw."""

    def __init__(self) -> None:
        self.counts: Counter[str] = Counter()
        self.tracebacks: list[str] = []
        self.examples: dict[str, str] = {}
        self._lock = threading.Lock()

    def add(self, key: str, n: int = 1) -> None:
        with self._lock:
            self.counts[key] += n

    def note(self, key: str, text: str) -> None:
        """Keep the first example of a failure, for the summary."""
        with self._lock:
            self.examples.setdefault(key, " ".join(text.split())[:300])

    def command(self, kind: str, result: subprocess.CompletedProcess[str]) -> None:
        busy = "database is busy" in result.stderr
        self.add(f"{kind}: {'ok' if result.returncode == 0 else 'busy' if busy else 'error'}")
        if result.returncode != 0 and not busy:
            self.note(f"{kind} error", result.stderr[-300:])
        if "Traceback" in result.stderr:
            with self._lock:
                self.tracebacks.append(f"{kind}: {result.stderr[-1500:]}")


def db_rows(db: Path, sql: str) -> list[sqlite3.Row]:
    try:
        conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=30)
    except sqlite3.OperationalError:  # not created yet
        return []
    conn.row_factory = sqlite3.Row
    try:
        return conn.execute(sql).fetchall()
    except sqlite3.OperationalError:  # the schema is not there yet
        return []
    finally:
        conn.close()


def chaos(db: Path, stop: threading.Event, rng: random.Random, tally: Tally) -> None:
    """Per run: wait for a random amount of observed progress, then finish / SIGTERM / SIGKILL it."""
    done: set[int] = set()
    while not stop.is_set():
        info = LockInfo.parse(lock_path_for(db).read_text()) if lock_path_for(db).exists() else None
        pid = info.child_pid if info else None
        runs = db_rows(db, "SELECT id, pid, pages_fetched FROM crawl_runs WHERE status = 'running' ORDER BY id DESC")
        run = next((r for r in runs if r["id"] not in done), None)
        if not pid or run is None:
            stop.wait(0.1)
            continue
        done.add(run["id"])
        action = rng.choice(["finish", "sigterm", "sigkill"])
        threshold = rng.randint(1, 12)  # a run of the site fetches ~16 pages
        while not stop.is_set() and _alive(pid):
            fetched = db_rows(db, f"SELECT pages_fetched FROM crawl_runs WHERE id = {run['id']}")
            if fetched and (fetched[0][0] or 0) >= threshold:
                break
            stop.wait(0.05)
        if not _alive(pid) or action == "finish":
            tally.add("runs left to finish" if action == "finish" else "runs ended before their kill")
            continue
        try:
            if action == "sigterm":
                os.kill(pid, signal.SIGTERM)  # the crawl command only: it must stop its Scrapy child itself
            else:
                os.killpg(pid, signal.SIGKILL)  # the run's session: crawl command and Scrapy child, no cleanup
            tally.add(f"runs sent {action.upper()}")
        except ProcessLookupError:
            tally.add("runs ended before their kill")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:  # a zombie child of the scheduler counts as gone
        return Path(f"/proc/{pid}/stat").read_text().split(") ", 1)[1][0] != "Z"
    except (OSError, IndexError):
        return True


def readers(db: Path, stop: threading.Event, tally: Tally, serve_port: int) -> None:
    queries = [("articles", "--db", str(db)), ("runs", "--db", str(db)), ("search", "revenue", "--db", str(db)),
               ("claims", "--db", str(db))]
    i, serving = 0, False
    while not stop.is_set():
        if db.exists():
            args = queries[i % len(queries)]
            result = subprocess.run(newsclaims(*args), capture_output=True, text=True, timeout=120, env=child_env())
            tally.command(args[0], result)
            try:
                url = f"http://127.0.0.1:{serve_port}/{db.stem}/articles.json?_size=5&_shape=array"
                with urllib.request.urlopen(url, timeout=30) as response:
                    json.load(response)
                tally.add("serve: ok")
                serving = True
            except urllib.error.HTTPError as exc:
                tally.add(f"serve: HTTP {exc.code}")
                tally.note(f"serve HTTP {exc.code}", exc.read(2000).decode("utf-8", "replace"))
            except Exception:  # noqa: BLE001 -- counted; the report shows how many failed
                tally.add("serve: error" if serving else "serve: not listening yet")
            i += 1
        stop.wait(0.5)


def processor(db: Path, stop: threading.Event, tally: Tally) -> None:
    while not stop.wait(1):
        if db.exists():
            result = subprocess.run(newsclaims("process", "--db", str(db)), capture_output=True, text=True,
                                    timeout=600, env=child_env())
            tally.command("process", result)


def soak_processes(db: Path) -> list[str]:
    """Command lines of any process still naming the soak's database."""
    left = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit() or int(proc.name) == os.getpid():
            continue
        try:
            cmdline = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if str(db) in cmdline:
            left.append(f"{proc.name}: {cmdline[:200]}")
    return left


def checks(db: Path, server: HostileServer, final_run: dict[str, Any], tally: Tally) -> dict[str, Any]:
    conn = sqlite3.connect(db, timeout=30)
    conn.row_factory = sqlite3.Row
    try:
        integrity = conn.execute("PRAGMA integrity_check").fetchone()[0]
        dup_urls = conn.execute("SELECT count(*) - count(DISTINCT canonical_url) FROM articles").fetchone()[0]
        stored = Counter(r["url"].removeprefix(server.base_url) for r in conn.execute("SELECT url FROM articles"))
        runs = [dict(r) for r in conn.execute("SELECT id, status, pid, error_counts FROM crawl_runs")]
        unanalysed = conn.execute("SELECT count(*) FROM articles WHERE process_state IS NULL "
                                  "OR process_state = 'pending'").fetchone()[0]
    finally:
        conn.close()
    expected = Counter(HOSTILE_PATHS.values())
    final_errors = json.loads(final_run["error_counts"] or "{}")
    seen_anywhere = set().union(*(json.loads(r["error_counts"] or "{}") for r in runs))
    result = {
        "integrity_check": integrity,
        "duplicate_articles": dup_urls,
        "good_pages_stored_once": sorted(stored) == sorted({*GOOD_PAGES, *GOOD_LATER})
        and set(stored.values()) == {1},
        "stored_pages": dict(stored),
        "processes_left": soak_processes(db),
        "runs_by_status": dict(Counter(r["status"] for r in runs)),
        "final_run_errors_match_the_site": {k: v for k, v in final_errors.items()
                                            if k not in FIRST_HIT_ONLY} == {
            k: v for k, v in expected.items() if k not in FIRST_HIT_ONLY},
        "first_hit_categories_counted_in_some_run": FIRST_HIT_ONLY <= seen_anywhere,
        "tracebacks": len(tally.tracebacks),
        "serve_errors": sum(n for k, n in tally.counts.items()
                            if k.startswith("serve: ") and k not in ("serve: ok", "serve: not listening yet")),
        "query_errors": sum(n for k, n in tally.counts.items() if k.endswith(": error")),
        "articles_not_analysed": unanalysed,
    }
    result["ok"] = (integrity == "ok" and dup_urls == 0 and result["good_pages_stored_once"]
                    and not result["processes_left"] and "running" not in result["runs_by_status"]
                    and result["final_run_errors_match_the_site"]
                    and result["first_hit_categories_counted_in_some_run"] and not tally.tracebacks
                    and not result["serve_errors"] and not result["query_errors"])
    return result


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench soak", description=__doc__.split("\n\n")[0])
    parser.add_argument("--minutes", type=float, default=20.0, help="How long the chaos lasts (default 20).")
    parser.add_argument("--every", type=float, default=20.0, help="Seconds between scheduled runs (default 20).")
    parser.add_argument("--seed", type=int, default=None, help="Random seed (default: random, printed).")
    parser.add_argument("--workdir", type=Path, default=None, help="Keep the database here (default: a temp dir).")
    parser.add_argument("--json", type=Path, default=None, help="Also write the summary to this file.")
    args = parser.parse_args(argv)
    seed = args.seed if args.seed is not None else random.SystemRandom().randrange(1 << 30)
    rng = random.Random(seed)
    work = args.workdir or Path(tempfile.mkdtemp(prefix="newsclaims-soak-"))
    work.mkdir(parents=True, exist_ok=True)
    db = work / "soak.db"
    tally = Tally()
    started = time.monotonic()
    with HostileServer() as server:
        sources = work / "hostile.toml"
        sources.write_text(f'[[sources]]\nname = "hostile"\nstart_urls = ["{server.base_url}/"]\n'
                           f'feeds = ["{server.base_url}/feed.xml", "{server.base_url}/bomb-feed.xml"]\n'
                           f'sitemaps = ["{server.base_url}/broken-sitemap.xml"]\nmax_depth = 2\n', encoding="utf-8")
        crawl = newsclaims("crawl", "--sources", str(sources), "--db", str(db), *SETTINGS)
        # a run takes ~10-15 s: the interval leaves gaps in which `process` can take the lock
        scheduler = Scheduler(str(db), [*crawl, "--resume"], every=args.every, rng=random.Random(seed + 1))
        serve_port = _free_port()
        stop = threading.Event()
        threads = [threading.Thread(target=chaos, args=(db, stop, rng, tally), daemon=True),
                   threading.Thread(target=readers, args=(db, stop, tally, serve_port), daemon=True),
                   threading.Thread(target=processor, args=(db, stop, tally), daemon=True)]
        log = (work / "soak.log").open("a", encoding="utf-8")
        saved = os.dup(1), os.dup(2)
        os.dup2(log.fileno(), 1)  # every child (scheduled crawls, their Scrapy logs) writes to soak.log
        os.dup2(log.fileno(), 2)
        sched_thread = threading.Thread(target=scheduler.run, daemon=True)
        sched_thread.start()
        for thread in threads:
            thread.start()
        serve = None
        try:
            deadline = started + args.minutes * 60
            while time.monotonic() < deadline:
                if serve is None and db.exists():
                    serve = subprocess.Popen(newsclaims("serve", "--db", str(db), "--port", str(serve_port)),
                                             env=child_env(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                time.sleep(1)
            scheduler.request_stop()  # the current run finishes (or is killed by chaos); no new one starts
            sched_thread.join(timeout=600)
        finally:
            stop.set()
            for thread in threads:
                thread.join(timeout=600)
            if serve is not None:
                serve.terminate()
                serve.wait(timeout=30)
            os.dup2(saved[0], 1)
            os.dup2(saved[1], 2)
            log.close()
        chaos_seconds = time.monotonic() - started
        final = subprocess.run(crawl, capture_output=True, text=True, timeout=600, env=child_env())
        tally.command("final crawl", final)
        processed = subprocess.run(newsclaims("process", "--db", str(db)), capture_output=True, text=True,
                                   timeout=1200, env=child_env())
        tally.command("final process", processed)
        final_run = db_rows(db, "SELECT * FROM crawl_runs ORDER BY id DESC LIMIT 1")[0]
        outcomes = Counter(o.status for o in scheduler.outcomes)
        summary = {"seed": seed, "minutes": args.minutes, "chaos_seconds": round(chaos_seconds),
                   "database": str(db), "scheduled_runs": dict(outcomes), **dict(sorted(tally.counts.items())),
                   **checks(db, server, dict(final_run), tally), "failure_examples": tally.examples}
    text = json.dumps(summary, indent=2, ensure_ascii=False)
    print(text)
    for line in tally.tracebacks[:5]:
        print(line, file=sys.stderr)
    if args.json:
        args.json.write_text(text + "\n", encoding="utf-8")
    return 0 if summary["ok"] else 1


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

"""Crawl rate with 1, 2 and 4 frontier workers against one plain `crawl`, on the same slow local sites.

8 sites (127.0.0.2 ... 127.0.0.9, one source each) answer every page after 100 ms. Politeness is the
same in every run (CONCURRENT_REQUESTS_PER_DOMAIN=2, global across workers in frontier mode; AutoThrottle
and DOWNLOAD_DELAY off so the numbers measure the crawler, not a delay). The rate is pages / (last page
answered - first page answered) at the servers, so start-up and idle-exit are not counted; ratios are
against the plain crawl of the same run. Then `ingest` drains what the workers pushed: items/s.
A local redis-server is started on a free port (Debian's package; the bench stops if it is missing).

    python -m bench frontier_scaling             # 8 sites x 40 pages
    python -m bench frontier_scaling --quick     # 8 sites x 10 pages
"""
from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))

HOSTS = [f"127.0.0.{n}" for n in range(2, 10)]
SETTINGS = ["--set", "AUTOTHROTTLE_ENABLED=False", "--set", "DOWNLOAD_DELAY=0", "--set", "CONCURRENT_REQUESTS_PER_DOMAIN=2",
            "--set", "NEWSCLAIMS_BATCH_SECONDS=0.5"]


def make_sites(root: Path, pages: int) -> list[Path]:
    from crawl_site import make_site

    return [make_site(root / f"site{i}", feed=range(1, pages + 1)).parent / f"site{i}" for i in range(len(HOSTS))]


def sources_file(root: Path, servers: list) -> Path:
    lines = []
    for i, server in enumerate(servers):
        lines += ["[[sources]]", f'name = "site{i}"', f'feeds = ["{server.base_url.replace("127.0.0.1", HOSTS[i])}/feed.xml"]',
                  f'allowed_domains = ["{HOSTS[i]}"]', "max_pages = 100000", ""]
    path = root / "bench-sources.toml"
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def rate(servers: list) -> tuple[int, float]:
    times = [t for s in servers for path, t in s.hit_times if path.startswith("/story-")]
    return len(times), (max(times) - min(times)) if len(times) > 1 else float("nan")


def reset(servers: list) -> None:
    for s in servers:
        s.hits.clear()
        s.hit_times.clear()


def main(argv: list[str]) -> int:
    from crawl_site import env
    from newsclaims.siteserver import SiteServer
    from redis_server import REDIS_SERVER, SKIP_REASON, RedisServer

    parser = argparse.ArgumentParser(prog="python -m bench frontier_scaling")
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args(argv)
    if REDIS_SERVER is None:
        print(f"frontier_scaling: skipped: {SKIP_REASON}")
        return 0
    pages = 10 if args.quick else 40
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        folders = make_sites(root, pages)
        servers = [SiteServer(folder, delay=0.1, host=host).start() for folder, host in zip(folders, HOSTS)]
        try:
            sources = sources_file(root, servers)
            cmd = [sys.executable, "-m", "newsclaims", "crawl", "--sources", str(sources), *SETTINGS]
            subprocess.run([*cmd, "--db", str(root / "plain.db")], check=True, cwd=REPO, env=env(),
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            n, seconds = rate(servers)
            plain = n / seconds
            print(f"plain crawl: {n} pages in {seconds:.1f} s = {plain:.1f} pages/s")
            for workers in (1, 2, 4):
                reset(servers)
                with RedisServer(root / f"redis{workers}") as redis_server:
                    procs = [subprocess.Popen([*cmd, "--frontier", redis_server.url, "--idle-exit", "2"], cwd=REPO,
                                              env=env(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                             for _ in range(workers)]
                    codes = [p.wait() for p in procs]
                    n, seconds = rate(servers)
                    print(f"{workers} worker(s): {n} pages in {seconds:.1f} s = {n / seconds:.1f} pages/s "
                          f"= {n / seconds / plain:.2f}x the plain crawl (exit codes {codes})")
                    if workers == 4:
                        ingest_rate(redis_server.url, root / "ingest.db")
        finally:
            for s in servers:
                s.stop()
    return 0


def ingest_rate(url: str, db: Path) -> None:
    """Drain the queue the workers filled, in this process: messages/s and articles/s written."""
    import redis

    from crawler.frontier import ITEMS_KEY
    from db.store import Store
    from newsclaims.ingest import Ingest

    queued = redis.Redis.from_url(url).llen(ITEMS_KEY)
    store = Store.open(str(db))
    run_id = store.start_run(sources=[], command="ingest")
    ingest = Ingest(url, store, run_id, batch_size=50)
    start = time.perf_counter()
    while batch := ingest.take_batch(wait=0):
        ingest.write(batch)
    seconds = time.perf_counter() - start
    store.finish_run(run_id, status="finished")
    store.close()
    print(f"ingest: {queued} messages in {seconds:.2f} s = {queued / seconds:.0f} messages/s "
          f"({ingest.stats['articles_new']} articles new)")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

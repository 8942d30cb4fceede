"""The query commands on a 100,000-article database, timed as whole commands against their goals.

The database is the demo's, blown up: `newsclaims demo` builds demo.db (13 articles, ~400 mentions,
~190 figures, ~70 claims); `build_big_database` copies it and appends 7,699 copies of every row, each
copy with its own URLs (`?copy=N`) and its dates (published, fetched, deadlines) moved N days back.
That gives ~100,100 articles, ~3.0M mentions, ~1.5M figures and ~550k claims, with the full-text
indexes filled like the real ones.

Each command runs as its own `newsclaims` process (start-up included, output to /dev/null), a few
times; the line shows the median wall-clock seconds and the goal.

    python -m bench bigdb                         # build (or reuse) /tmp/newsclaims-bigdb.db, then time
    python -m bench bigdb --db big.db --copies 770   # a smaller database (10,010 articles)
    python -m bench bigdb --rebuild               # build again even if the file exists
"""
from __future__ import annotations

import argparse
import os
import resource
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

DEFAULT_DB = Path(tempfile.gettempdir()) / "newsclaims-bigdb.db"
COPIES = 7700  # 13 demo articles x 7,700 = 100,100

# (what, newsclaims arguments, goal in seconds); the database is added as --db.
COMMANDS: list[tuple[str, list[str], float]] = [
    ("newsclaims --help", ["--help"], 0.3),
    ("entities --top 20", ["entities", "--top", "20"], 2.0),
    ("claims --entity 小米", ["claims", "--entity", "小米"], 1.5),
    ("claims --entity Xiaomi --kind target", ["claims", "--entity", "Xiaomi", "--kind", "target"], 1.5),
    ("due", ["due", "--as-of", "2024-01-01"], 1.5),
    ("search 世界500强", ["search", "世界500强"], 1.5),
    ("search revenue", ["search", "revenue"], 1.5),
    ("articles", ["articles"], 1.5),
]


def build_demo_database(path: Path) -> None:
    """`newsclaims demo` into `path` (crawls the bundled site on 127.0.0.1 and analyses it)."""
    subprocess.run([_newsclaims(), "demo", "--db", str(path)], check=True, stdout=subprocess.DEVNULL)


def build_big_database(demo: Path, out: Path, copies: int = COPIES) -> dict[str, int]:
    """Copy the demo database to `out` and blow it up to `copies` times its rows; returns row counts."""
    for suffix in ("", "-wal", "-shm"):
        Path(str(out) + suffix).unlink(missing_ok=True)
    # Let newsclaims bring the copy to the current schema first (indexes included), as a user's upgrade would.
    shutil.copyfile(demo, out)
    from db.store import Store

    Store.open(out).close()
    conn = sqlite3.connect(out, isolation_level=None)
    try:
        _replicate_rows(conn, copies)
    finally:
        conn.close()
    from db.aggregates import refresh_entity_counts
    from db.store import bump_generation

    with Store.open(out) as store:
        with store.transaction() as conn:  # the copies are new analyses: what `process` does after them
            bump_generation(conn)
        refresh_entity_counts(store)
        return {t: store.conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
                for t in ("articles", "mentions", "figures", "claims", "entities")}


def _replicate_rows(conn: sqlite3.Connection, copies: int) -> None:
    """The one place this bench writes SQL itself: copies 1..copies-1 of every analysed row, in one
    transaction, via INSERT ... SELECT over a recursive counter (ids offset by copy x the demo's max id)."""
    top = {t: int(conn.execute(f"SELECT coalesce(max(id), 0) FROM {t}").fetchone()[0])
           for t in ("articles", "figures", "claims")}
    conn.execute("PRAGMA journal_mode = OFF")
    conn.execute("PRAGMA synchronous = OFF")
    conn.execute("BEGIN")
    counter = f"WITH RECURSIVE k(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM k WHERE n < {int(copies) - 1})"
    article_id = f"{{}}.article_id + k.n * {top['articles']}"
    _copy(conn, counter, "articles", "a", {
        "id": f"a.id + k.n * {top['articles']}",
        "canonical_url": "a.canonical_url || '?copy=' || k.n",
        "url": "a.url || '?copy=' || k.n",
        "published": _days_back("a.published"),
        "fetched_at": _days_back("a.fetched_at"),
    })
    conn.execute(f"""{counter} INSERT INTO articles_fts (rowid, title, text)
                     SELECT f.rowid + k.n * {top['articles']}, f.title, f.text
                     FROM articles_fts f, k WHERE f.rowid <= {top['articles']}""")
    _copy(conn, counter, "mentions", "m", {"id": "NULL", "article_id": article_id.format("m")})
    _copy(conn, counter, "figures", "f", {"id": f"f.id + k.n * {top['figures']}",
                                          "article_id": article_id.format("f")})
    _copy(conn, counter, "claims", "c", {
        "id": f"c.id + k.n * {top['claims']}",
        "article_id": article_id.format("c"),
        "figure_id": f"c.figure_id + k.n * {top['figures']}",
        "deadline": _days_back("c.deadline"),
    })
    conn.execute(f"""{counter} INSERT INTO claims_fts (rowid, sentence, subject, speaker)
                     SELECT f.rowid + k.n * {top['claims']}, f.sentence, f.subject, f.speaker
                     FROM claims_fts f, k WHERE f.rowid <= {top['claims']}""")
    conn.execute("COMMIT")


def _days_back(col: str) -> str:
    """An ISO date or timestamp moved k.n days back, its time and zone kept."""
    return f"date(substr({col}, 1, 10), '-' || k.n || ' days') || substr({col}, 11)"


def _copy(conn: sqlite3.Connection, counter: str, table: str, alias: str, changed: dict[str, str]) -> None:
    """INSERT INTO table SELECT every column (some rewritten by `changed`) of every original row x k."""
    cols = [r[1] for r in conn.execute(f"PRAGMA table_info({table})")]
    exprs = [changed.get(c, f"{alias}.{_quote(c)}") for c in cols]
    conn.execute(f"""{counter} INSERT INTO {table} ({', '.join(_quoted(cols))})
                     SELECT {', '.join(exprs)} FROM (SELECT * FROM {table}) {alias}, k""")


def _pad(text: str, width: int) -> str:
    """Left-justify counting CJK characters as two columns, as a terminal shows them."""
    import unicodedata

    shown = sum(2 if unicodedata.east_asian_width(c) in ("W", "F") else 1 for c in text)
    return text + " " * max(0, width - shown)


def _quote(col: str) -> str:
    return f'"{col}"'


def _quoted(cols: list[str]) -> list[str]:
    return [_quote(c) for c in cols]


def _newsclaims() -> str:
    return str(Path(sys.executable).with_name("newsclaims"))


def time_command(args: list[str], db: Path, repeats: int) -> tuple[float, float]:
    """Median wall-clock and median CPU (user + system) seconds of a whole `newsclaims` process.

    CPU time is shown beside wall-clock because on a shared machine the wall-clock of a short
    process mostly measures how long it waited for a core.
    """
    argv = [_newsclaims(), *args] if args == ["--help"] else [_newsclaims(), *args, "--db", str(db)]
    wall, cpu = [], []
    for _ in range(repeats):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        proc = subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, check=False)
        wall.append(time.perf_counter() - start)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
        if proc.returncode != 0:
            raise RuntimeError(f"{' '.join(argv)} failed: {proc.stderr.strip()[-500:]}")
    return statistics.median(wall), statistics.median(cpu)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench bigdb")
    parser.add_argument("--db", type=Path, default=DEFAULT_DB, help=f"big database (default {DEFAULT_DB})")
    parser.add_argument("--copies", type=int, default=COPIES, help="copies of the demo (default 7,700)")
    parser.add_argument("--rebuild", action="store_true", help="build the database again even if it exists")
    parser.add_argument("--repeats", type=int, default=3, help="runs per command; the median is shown")
    args = parser.parse_args(argv)
    if args.rebuild or not args.db.exists():
        with tempfile.TemporaryDirectory() as tmp:
            demo = Path(tmp) / "demo.db"
            print("building the demo database ...", file=sys.stderr)
            build_demo_database(demo)
            print(f"blowing it up {args.copies:,}x into {args.db} ...", file=sys.stderr)
            start = time.perf_counter()
            counts = build_big_database(demo, args.db, args.copies)
            print(f"built in {time.perf_counter() - start:.0f} s", file=sys.stderr)
    else:
        from db.store import Store

        Store.open(args.db).close()  # migrations the file has not seen yet (e.g. new indexes)
        conn = sqlite3.connect(args.db)
        counts = {t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
                  for t in ("articles", "mentions", "figures", "claims", "entities")}
        conn.close()
    print(f"database: {args.db}: " + ", ".join(f"{n:,} {t}" for t, n in counts.items()))
    print(f"load average before timing: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print(f"{'command (whole process; median of ' + str(args.repeats) + ' runs)':50} {'wall s':>7} {'cpu s':>6} "
          f"{'goal s':>6}  meets goal (wall)")
    for what, cmd, goal in COMMANDS:
        wall, cpu = time_command(cmd, args.db, args.repeats)
        print(f"{_pad(what, 50)} {wall:7.2f} {cpu:6.2f} {goal:6.2f}  {'yes' if wall <= goal else 'NO'}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

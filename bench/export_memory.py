"""Peak memory of `newsclaims export --what claims --format parquet` on a 100,000-claim database.

The database is generated (articles and analyses written through db.store.Store in batches). Each
measurement runs in a fresh child process that reports its own peak RSS (resource.getrusage):

- baseline: open the database read-only and import pyarrow + db.export, nothing else;
- export at a tenth of the claims, and at all of them.

Bounded memory shows as export/baseline staying near 1 and full/tenth staying near 1 while the
row count grows tenfold. The full export is then read back and compared with the database row by row.

    python -m bench export_memory              # 100,000 claims (about a minute)
    python -m bench export_memory --claims 20000
"""
from __future__ import annotations

import argparse
import json
import resource
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

PER_ARTICLE = 20
KINDS = ("target", "forecast", "result", "comparison")


def build_database(path: Path, n_claims: int, *, batch: int = 100) -> None:
    """n_claims claims over n_claims / 20 articles (a third of them Chinese), written in batches."""
    from crawler.items import Article
    from db.store import Store
    from nlp.records import Analysis, Claim, Entity, Figure

    n_articles = max(1, n_claims // PER_ARTICLE)
    with Store.open(path) as store:
        for first in range(0, n_articles, batch):
            arts = []
            for i in range(first, min(first + batch, n_articles)):
                zh = i % 3 == 0
                line = (f"小米预计{2020 + i % 10}年营收增长{i % 97}%。" if zh
                        else f"Acme expects revenue to grow {i % 97}% by {2020 + i % 10}, its chief executive said.")
                arts.append(Article(url=f"http://bench.invalid/{i}", canonical_url=f"http://bench.invalid/{i}",
                                    source="bench", kind="news", text="\n".join([line] * 30), raw_body=b"",
                                    content_type="text/html", fetched_at="2024-01-01T00:00:00+00:00",
                                    lang="zh" if zh else "en", title=f"Bench article {i}",
                                    published=f"{2010 + i % 15}-{1 + i % 12:02d}-{1 + i % 28:02d}"))
            store.save_articles(arts)
            ids = {a.canonical_url: i for a, i in zip(arts, _ids(store, [a.canonical_url for a in arts]))}
            results = []
            for art in arts:
                line = art.text.split("\n")[0]
                pct = line.index("%")
                fig_start = pct - len(str(int(art.url.rsplit("/", 1)[1]) % 97))
                fig = Figure(text=line[fig_start:pct + 1], kind="percent", value=float(line[fig_start:pct]),
                             start=fig_start, end=pct + 1)
                name = "小米" if art.lang == "zh" else "Acme"
                ent = Entity(text=name, label="ORG", canonical="Xiaomi" if art.lang == "zh" else "Acme",
                             start=line.index(name), end=line.index(name) + len(name))
                claims = [Claim(kind=KINDS[k % 4], subject=ent.canonical, speaker=None if k % 2 else "Jane Doe",
                                predicate="grow", sentence=line, start=0, end=len(line),
                                figure=None if k % 5 == 4 else fig,
                                deadline=None if k % 3 == 2 else f"{2020 + k % 10}-12-31", confidence=0.5)
                          for k in range(PER_ARTICLE)]
                results.append((ids[art.canonical_url], Analysis(lang=art.lang or "en", entities=[ent], figures=[fig],
                                                                 claims=claims, version="bench")))
            store.save_analyses(results, version="bench")


def _ids(store: Any, urls: list[str]) -> list[int]:
    rows = dict(store.conn.execute(
        f"SELECT canonical_url, id FROM articles WHERE canonical_url IN ({', '.join('?' for _ in urls)})", urls))
    return [rows[u] for u in urls]


# -- the child process ------------------------------------------------------------------------------------


def child(mode: str, db: str, out: str, limit: int | None) -> dict[str, Any]:
    import pyarrow.parquet  # noqa: F401  (the baseline pays for pyarrow too)

    from db.export import export
    from db.queries import ClaimFilter
    from db.store import Store

    start = time.perf_counter()
    rows = 0
    with Store.open(db, readonly=True) as store:
        if mode == "baseline":
            rows = int(store.conn.execute("SELECT count(*) FROM claims").fetchone()[0])
        else:
            rows = export(store, "claims", "parquet", out, ClaimFilter(limit=limit)).rows
    return {"mode": mode, "rows": rows, "seconds": round(time.perf_counter() - start, 2),
            "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)}


def measure(mode: str, db: Path, out: Path, limit: int | None = None) -> dict[str, Any]:
    argv = [sys.executable, "-m", "bench.export_memory", "--child", mode, str(db), str(out), str(limit or 0)]
    proc = subprocess.run(argv, capture_output=True, text=True, check=True, cwd=Path(__file__).resolve().parent.parent)
    return json.loads(proc.stdout.strip().splitlines()[-1])


def round_trip(db: Path, out: Path) -> int:
    """Every exported row equals its claim in the database; returns the number compared."""
    import pyarrow.parquet as pq

    table = pq.read_table(out, columns=["id", "kind", "subject", "speaker", "figure_value", "deadline", "sentence",
                                        "lang", "url"])
    exported = {r["id"]: r for r in table.to_pylist()}
    conn = sqlite3.connect(db)
    conn.row_factory = sqlite3.Row
    count = 0
    for row in conn.execute("""SELECT c.id, c.kind, c.subject, c.speaker, c.figure_value, c.deadline, c.sentence,
                                      a.lang, a.canonical_url AS url
                               FROM claims c JOIN articles a ON a.id = c.article_id"""):
        if exported.get(row["id"]) != dict(row):
            raise AssertionError(f"claim {row['id']} differs: {exported.get(row['id'])} != {dict(row)}")
        count += 1
    conn.close()
    if count != len(exported):
        raise AssertionError(f"{len(exported)} exported rows, {count} claims")
    return count


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench export_memory")
    parser.add_argument("--claims", type=int, default=100_000)
    parser.add_argument("--quick", action="store_true", help="20,000 claims")
    parser.add_argument("--child", nargs=4, metavar=("MODE", "DB", "OUT", "LIMIT"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        mode, db, out, limit = args.child
        print(json.dumps(child(mode, db, out, int(limit) or None)))
        return 0
    n = 20_000 if args.quick else args.claims
    with tempfile.TemporaryDirectory(prefix="bench-export-") as tmp:
        db, out = Path(tmp) / "claims.db", Path(tmp) / "claims.parquet"
        start = time.perf_counter()
        build_database(db, n)
        print(f"built {n} claims in {time.perf_counter() - start:.1f}s ({db.stat().st_size / 1e6:.1f} MB database)")
        base = measure("baseline", db, out)
        tenth = measure("export", db, out, limit=n // 10)
        full = measure("export", db, out)
        compared = round_trip(db, out)
    for m in (base, tenth, full):
        print(f"{m['mode']:>8}  rows={m['rows']:>7}  peak RSS {m['peak_rss_mb']:7.1f} MB  {m['seconds']:6.2f}s")
    print(f"export/baseline peak RSS ratio: {full['peak_rss_mb'] / base['peak_rss_mb']:.2f}")
    print(f"full/tenth peak RSS ratio (10x the rows): {full['peak_rss_mb'] / tenth['peak_rss_mb']:.2f}")
    print(f"round trip: {compared} of {full['rows']} rows identical")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

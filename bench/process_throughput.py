"""Throughput and memory of `process` end to end, as ratios against bare libraries in the same run.

Baselines that compare like with like: for English, bare `nlp.pipe` over the same spaCy components
`process` runs (en_core_web_sm with nlp.english.EXCLUDED left out and the sentence recogniser on,
i.e. senter + ner); the full en_core_web_sm pipeline (tagger, parser, lemmatizer, ...) is a second,
informative line. For Chinese, bare `jieba.posseg` (the tokenizer `process` runs, default dictionary).
ratio = baseline seconds / our seconds on the same texts, measured in this run; per core = ratio /
workers. Goals: English `process` >= 0.8x the same-component baseline per core; Chinese >= 1.0x.

Texts (read from ../shared/corpus, never copied): English article bodies of the
article-extraction-benchmark plus the Amazon shareholder letters; Chinese hand-annotated article
texts of zh-news-html/cwce. Each measurement runs in its own fresh process, so model loading and
peak memory are not shared between them.

    python -m bench process_throughput            # full run (a few minutes)
    python -m bench process_throughput --quick    # a small slice, for a smoke check
"""
from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from newsclaims.config import SHARED_DIR

CORPUS = SHARED_DIR / "corpus"


def english_texts() -> list[str]:
    gold = json.loads((CORPUS / "article-extraction-benchmark" / "ground-truth.json").read_text("utf-8"))
    texts = [v["articleBody"] for v in gold.values() if v.get("articleBody")]
    texts += [p.read_text("utf-8", errors="replace") for p in sorted((CORPUS / "ceo-letters" / "amazon").glob("*.txt"))]
    return texts


def chinese_texts() -> list[str]:
    expected = json.loads((CORPUS / "zh-news-html" / "cwce" / "expected.json").read_text("utf-8"))
    return [v["content"] for v in expected.values() if v.get("content")]


def words(text: str) -> int:
    return len(text.split())


def han_chars(text: str) -> int:
    return sum(1 for c in text if "\u4e00" <= c <= "\u9fff")


# -- measurements, each run in a child process -------------------------------------------------------


def _measure_bare_spacy(texts: list[str], full: bool) -> dict[str, Any]:
    import spacy

    from nlp.english import EXCLUDED, MODEL

    if full:
        nlp = spacy.load(MODEL)
    else:  # exactly what nlp.english.load_model + build_english start from, without our components
        nlp = spacy.load(MODEL, exclude=EXCLUDED)
        if "senter" in nlp.disabled:
            nlp.enable_pipe("senter")
    nlp("warm up")
    start = time.perf_counter()
    for _ in nlp.pipe(texts, batch_size=32):
        pass
    return {"seconds": time.perf_counter() - start, "pipes": nlp.pipe_names}


def _measure_bare_jieba(texts: list[str]) -> dict[str, Any]:
    import jieba
    import jieba.posseg

    tok = jieba.posseg.POSTokenizer(jieba.Tokenizer())
    tok.lcut("预热")  # dictionary load is not part of the throughput
    start = time.perf_counter()
    for t in texts:
        tok.lcut(t)
    return {"seconds": time.perf_counter() - start}


def _measure_process(texts: list[str], lang: str, workers: int) -> dict[str, Any]:
    from db.store import Store
    from newsclaims.processing import _init_worker, process_articles

    with tempfile.TemporaryDirectory() as tmp:
        store = Store.open(Path(tmp) / "bench.db")
        articles = [
            {"url": f"http://bench.invalid/{i}", "canonical_url": f"http://bench.invalid/{i}", "source": "bench",
             "kind": "news", "lang": lang, "text": t, "raw_body": t.encode(), "content_type": "text/plain",
             "fetched_at": "2026-01-01T00:00:00+00:00", "published": "2018-02-08"}
            for i, t in enumerate(texts)
        ]
        store.save_articles(articles)
        if workers == 1:
            _init_worker()  # pipelines built before the clock starts, as bare nlp.pipe's model load is
            from newsclaims import processing

            processing._worker_analyzer.analyze("warm up", _ctx(lang))
        start = time.perf_counter()
        stats = process_articles(store, workers=workers)
        seconds = time.perf_counter() - start
        store.close()
    return {"seconds": seconds, "analysed": stats.analysed, "claims": stats.claims, "failed": stats.failed}


def _ctx(lang: str) -> Any:
    from nlp.records import DocContext

    return DocContext(lang=lang)


MEASURES = {"spacy": _measure_bare_spacy, "jieba": _measure_bare_jieba, "process": _measure_process}


def _child(args: list[str]) -> None:
    name, payload = args[0], json.loads(sys.stdin.read())
    result = MEASURES[name](*payload)
    # ru_maxrss is in KiB on Linux; children (worker pools) are reported separately
    result["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    result["children_peak_rss_mb"] = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(json.dumps(result))


def run_child(name: str, *payload: Any) -> dict[str, Any]:
    proc = subprocess.run(
        [sys.executable, "-m", "bench.process_throughput", "--child", name],
        input=json.dumps(payload), capture_output=True, text=True, check=False,
    )
    if proc.returncode != 0:
        raise RuntimeError(f"{name} failed:\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench process_throughput")
    parser.add_argument("--quick", action="store_true", help="a small slice of the corpus")
    parser.add_argument("--child", nargs=1, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        _child(args.child)
        return 0
    if not CORPUS.exists():
        print(f"bench: {CORPUS} not found; the throughput benchmark reads the shared corpus", file=sys.stderr)
        return 2
    en, zh = english_texts(), chinese_texts()
    if args.quick:
        en, zh = en[:20], zh[:10]
    en_words = sum(words(t) for t in en)
    zh_chars = sum(han_chars(t) for t in zh)
    print(f"English: {len(en)} texts, {en_words:,} words; Chinese: {len(zh)} texts, {zh_chars:,} Han characters")

    rows = []
    bare_en = run_child("spacy", en, False)
    full_en = run_child("spacy", en, True)
    rows.append((f"bare nlp.pipe, same components ({'+'.join(bare_en['pipes'])})", "en", len(en), en_words,
                 bare_en, bare_en, 1))
    rows.append((f"bare nlp.pipe, full en_core_web_sm ({len(full_en['pipes'])} pipes)", "en", len(en), en_words,
                 full_en, bare_en, 1))
    for workers in (1, 2):
        ours = run_child("process", en, "en", workers)
        rows.append((f"process end to end, {workers} worker(s)", "en", ours["analysed"], en_words, ours, bare_en,
                     workers))
    bare_zh = run_child("jieba", zh)
    rows.append(("bare jieba.posseg", "zh", len(zh), zh_chars, bare_zh, bare_zh, 1))
    for workers in (1, 2):
        ours = run_child("process", zh, "zh", workers)
        rows.append((f"process end to end, {workers} worker(s)", "zh", ours["analysed"], zh_chars, ours, bare_zh,
                     workers))

    # Memory must stay flat with corpus size: the same process over 1x and 3x the English corpus.
    small = run_child("process", en, "en", 1)
    large = run_child("process", en * 3, "en", 1)

    print()
    print(f"{'measurement':52} {'lang':4} {'articles/s':>10} {'words|chars/s':>14} {'peak MB':>8} {'ratio':>6} "
          f"{'per core':>8}")
    for name, lang, n, units, ours, base, workers in rows:
        seconds = ours["seconds"]
        rss = max(ours["peak_rss_mb"], ours.get("children_peak_rss_mb", 0))
        ratio = base["seconds"] / seconds
        print(f"{name:52} {lang:4} {n / seconds:10.1f} {units / seconds:14,.0f} {rss:8.0f} {ratio:6.2f} "
              f"{ratio / workers:8.2f}")
    print()
    for lang, goal, baseline in (("en", 0.8, "bare nlp.pipe, same components"), ("zh", 1.0, "bare jieba.posseg")):
        ours = next(r for r in rows if r[1] == lang and r[0].startswith("process") and r[6] == 1)
        ratio = ours[5]["seconds"] / ours[4]["seconds"]
        print(f"goal: {lang} process, 1 worker, >= {goal:.1f}x {baseline} per core: {ratio:.2f}x "
              f"({'met' if ratio >= goal else 'NOT met'})")
    print()
    print(f"peak RSS, process over 1x corpus: {small['peak_rss_mb']:.0f} MB; over 3x corpus: "
          f"{large['peak_rss_mb']:.0f} MB; ratio {large['peak_rss_mb'] / small['peak_rss_mb']:.2f}")
    print("ratio = baseline time / our time on the same texts, this run (>= 1.0: at least as fast as the baseline); "
          "per core = ratio / workers")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

"""The labelled claims corpus: which sentences of which documents, their labels, and the frozen splits.

The documents live in the shared evaluation corpus (most of them have no open licence), so the repo keeps only
references: a document path under the corpus root, character offsets of each sentence, and a short hash of the
sentence text that proves the offsets still point at the same words. `materialise` joins them back to text.

Layout (all under nlp/training/claims/):
- docs.jsonl       one line a document: doc, lang, genre, published, split (train | dev | test)
- sentences.jsonl  one line a sentence chosen for labelling: id, doc, start, end, sha1, context_start
- labels/*.jsonl   one line a labelled sentence: id, claims[...], labeller, pass ("primary" | "second")

Documents are split by a hash of their path, so every sentence of one document is in one split, and the split
of a document never changes when documents are added.

    python -m nlp.training.claims_corpus select    # (re)build docs.jsonl and sentences.jsonl
    python -m nlp.training.claims_corpus show --lang en --labeller A [--from ID] [--count 40]
    python -m nlp.training.claims_corpus check     # labels well-formed, offsets and hashes still valid
"""
from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import os
import random
import re
import sys
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from functools import lru_cache
from pathlib import Path

HERE = Path(__file__).resolve().parent
CORPUS_DIR = HERE / "claims"
DOCS_FILE = CORPUS_DIR / "docs.jsonl"
SENTENCES_FILE = CORPUS_DIR / "sentences.jsonl"
LABELS_DIR = CORPUS_DIR / "labels"
SEED = 20261202
# Shares of documents per split (by hash of the document path).
SPLITS = (("train", 0.6), ("dev", 0.2), ("test", 0.2))
KINDS = ("target", "forecast", "result", "comparison")
SCOPES = ("company", "market", "economy")


def shared_corpus() -> Path:
    """The shared evaluation corpus: $NEWSCLAIMS_SHARED/corpus, or ../shared/corpus beside the checkout."""
    shared = os.environ.get("NEWSCLAIMS_SHARED") or HERE.parents[2] / "shared"
    return Path(shared) / "corpus"


@dataclass(frozen=True)
class Doc:
    doc: str  # "<corpus folder>/<path>" or "<corpus folder>/<file>#<key>" for JSON collections
    lang: str
    genre: str  # news | letter | speech | call
    published: str | None
    split: str


@dataclass(frozen=True)
class Sentence:
    id: str
    doc: str
    start: int
    end: int
    sha1: str
    context_start: int  # where the labeller starts reading (a few sentences earlier, for who is speaking)
    # "window": contiguous windows at seeded positions (unbiased: every evaluation number comes from these);
    # "enrich": extra train-split sentences that look forward-looking, to give the classifier more positives
    pool: str = "window"


def split_of(doc: str) -> str:
    bucket = int(hashlib.sha1(f"{SEED}:{doc}".encode()).hexdigest()[:8], 16) / 0xFFFFFFFF
    edge = 0.0
    for name, share in SPLITS:
        edge += share
        if bucket < edge:
            return name
    return SPLITS[-1][0]


def text_hash(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:12]


# --- document text -------------------------------------------------------------------------------------------

@lru_cache(maxsize=64)
def _json(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


@lru_cache(maxsize=4)
def _cluener(path: Path) -> list[str]:
    return [json.loads(line)["text"] for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def doc_text(doc: str, root: Path | None = None) -> str:
    root = root or shared_corpus()
    path, _, key = doc.partition("#")
    full = root / path
    if path.startswith("article-extraction-benchmark/"):
        return _json(full)[key]["articleBody"]
    if path.startswith("zh-news-html/cwce/"):
        return _json(full)[key]["content"]
    if path.startswith("cluener2020/"):
        return _cluener(full)[int(key)]
    if full.suffix == ".gz":
        with gzip.open(full, "rt", encoding="utf-8") as handle:
            return handle.read()
    return full.read_text(encoding="utf-8")


# --- sentence splitting (deterministic, independent of the NLP pipeline being evaluated) ----------------------

_ABBREV = re.compile(r"(?:\b(?:Mr|Mrs|Ms|Dr|Inc|Corp|Co|Ltd|Jr|Sr|St|vs|No|approx|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|"
                     r"Sept|Oct|Nov|Dec|U\.S|U\.K|e\.g|i\.e|etc)|\b[A-Z])\.$")
_EN_END = re.compile(r"[.!?][\"”’)\]]*(?=\s+[\"“‘(\[]?[A-Z0-9$])")
_ZH_END = re.compile(r"[。！？!?；][”’」』）)]*")


def sentences(text: str, lang: str) -> Iterator[tuple[int, int]]:
    """(start, end) of each sentence; paragraphs (newlines) always end a sentence."""
    for para in re.finditer(r"[^\n]+", text):
        start = para.start()
        chunk_end = para.end()
        pattern = _ZH_END if lang == "zh" else _EN_END
        pos = start
        for match in pattern.finditer(text, start, chunk_end):
            end = match.end()
            if lang != "zh" and _ABBREV.search(text[max(start, end - 8):end].rstrip("\"”’)]")):
                continue
            yield from _trimmed(text, pos, end)
            pos = end
        yield from _trimmed(text, pos, chunk_end)


def _trimmed(text: str, start: int, end: int) -> Iterator[tuple[int, int]]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if end - start >= 4 and re.search(r"\w", text[start:end]):
        yield start, end


# --- selection ---------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Plan:
    """How many sentences to take from each document of one source: a contiguous window at a seeded position."""

    pattern: str  # glob under the corpus root, or a JSON collection
    lang: str
    genre: str
    window: int  # sentences per document (0: all)
    limit: int | None = None  # documents


PLANS = (
    Plan("claims-dev/en-calls/*.txt", "en", "call", 30),
    Plan("ceo-letters/amazon/*.txt", "en", "letter", 16),
    Plan("article-extraction-benchmark/ground-truth.json", "en", "news", 12, limit=36),
    Plan("claims-dev/zh-news/*.txt", "zh", "news", 0),
    Plan("claims-dev/zh-letters/*.txt", "zh", "speech", 28),
    Plan("zh-news-html/cwce/expected.json", "zh", "news", 12, limit=16),
    Plan("cluener2020/train.json", "zh", "news", 1, limit=260),
)
_BUSINESS = {
    "en": re.compile(r"\b(?:revenue|sales|profit|percent|%|billion|million|company|shares|customers|growth)\b", re.I),
    "zh": re.compile(r"亿|万元|公司|营收|利润|增长|销量|市场|融资|同比"),
}


def _published(root: Path) -> dict[str, str]:
    index = root / "claims-dev" / "index.json"
    out = {}
    for row in json.loads(index.read_text(encoding="utf-8")):
        match = re.match(r"\d{4}(?:-\d{2}(?:-\d{2})?)?", row.get("published") or "")
        if match:
            out["claims-dev/" + row["file"]] = match.group(0)
    return out


def _plan_docs(plan: Plan, root: Path, rng: random.Random) -> list[str]:
    if plan.pattern.endswith(".json"):
        path = plan.pattern
        if plan.pattern.startswith("cluener2020/"):
            texts = _cluener(root / path)
            keys = [str(i) for i, t in enumerate(texts) if _BUSINESS["zh"].search(t)]
        else:
            data = _json(root / path)
            field = "articleBody" if "article-extraction" in path else "content"
            keys = sorted(k for k, v in data.items() if len(_BUSINESS[plan.lang].findall(v[field] or "")) >= 3)
        rng.shuffle(keys)
        return [f"{path}#{k}" for k in keys[: plan.limit]]
    docs = sorted(str(p.relative_to(root)) for p in root.glob(plan.pattern))
    return docs[: plan.limit] if plan.limit else docs


def select(root: Path | None = None) -> tuple[list[Doc], list[Sentence]]:
    root = root or shared_corpus()
    rng = random.Random(SEED)
    published = _published(root)
    docs: list[Doc] = []
    chosen: list[Sentence] = []
    for plan in PLANS:
        for doc in _plan_docs(plan, root, rng):
            text = doc_text(doc, root)
            spans = list(sentences(text, plan.lang))
            if not spans:
                continue
            if plan.window and len(spans) > plan.window:
                first = rng.randrange(0, len(spans) - plan.window + 1)
                window = spans[first:first + plan.window]
                context_start = spans[max(0, first - 6)][0]
            else:
                window, context_start = spans, spans[0][0]
            year = _year_of(doc)
            docs.append(Doc(doc, plan.lang, plan.genre, published.get(doc) or year, split_of(doc)))
            for start, end in window:
                chosen.append(Sentence(f"{doc}@{start}", doc, start, end, text_hash(text[start:end]), context_start))
    return docs, chosen


def _year_of(doc: str) -> str | None:
    match = re.search(r"(?<!\d)(19|20)\d{2}(?!\d)", doc.split("#")[0].rsplit("/", 1)[-1])
    return match.group(0) if match else None


# Broad forward-looking wording: it only chooses which train sentences get labelled, the labels decide.
_FORWARD = {
    "en": re.compile(r"\b(?:will|expect\w*|plan\w*|aim\w*|target\w*|goal\w*|guidance|outlook|forecast\w*|"
                     r"anticipat\w*|intend\w*|project(?:ed|s|ion)|by (?:the end of )?20\d\d|next (?:year|quarter)|"
                     r"should|going to|commit\w*|hope)\b", re.I),
    "zh": re.compile(r"预计|预期|计划|将|目标|力争|有望|争取|规划|未来|明年|今年|年内|年底|到20\d\d|预测|拟|打算|希望"),
}
ENRICH_PER_LANG = 520


def select_enrichment(docs: list[Doc], chosen: list[Sentence], root: Path | None = None) -> list[Sentence]:
    """Train-split sentences outside the windows that look forward-looking, seeded, per language."""
    root = root or shared_corpus()
    rng = random.Random(SEED + 1)
    taken = {(s.doc, s.start) for s in chosen}
    out: list[Sentence] = []
    for lang in ("en", "zh"):
        pool = []
        for d in docs:
            if d.lang != lang or d.split != "train" or d.doc.startswith("cluener2020/"):
                continue
            text = doc_text(d.doc, root)
            spans = list(sentences(text, lang))
            for i, (start, end) in enumerate(spans):
                if (d.doc, start) in taken or not _FORWARD[lang].search(text[start:end]) or end - start > 400:
                    continue
                if not re.search(r"\d|[一二三四五六七八九十百千万亿]", text[start:end]):
                    continue
                context = spans[max(0, i - 4)][0]
                pool.append(Sentence(f"{d.doc}@{start}", d.doc, start, end, text_hash(text[start:end]), context,
                                     "enrich"))
        rng.shuffle(pool)
        out.extend(sorted(pool[:ENRICH_PER_LANG], key=lambda s: (s.doc, s.start)))
    return out


def write_selection(docs: list[Doc], chosen: list[Sentence]) -> None:
    CORPUS_DIR.mkdir(parents=True, exist_ok=True)
    DOCS_FILE.write_text("".join(json.dumps(asdict(d), ensure_ascii=False) + "\n" for d in docs), encoding="utf-8")
    SENTENCES_FILE.write_text("".join(json.dumps(asdict(s), ensure_ascii=False) + "\n" for s in chosen),
                              encoding="utf-8")


# --- reading back ---------------------------------------------------------------------------------------------

def load_docs() -> dict[str, Doc]:
    return {d["doc"]: Doc(**d) for d in _jsonl(DOCS_FILE)}


def load_sentences() -> list[Sentence]:
    return [Sentence(**s) for s in _jsonl(SENTENCES_FILE)]


def load_labels(pass_: str = "primary") -> dict[str, dict]:
    """Labels of one pass by sentence id (later files win, so a correction file can follow)."""
    out: dict[str, dict] = {}
    for path in sorted(LABELS_DIR.glob("*.jsonl")):
        for row in _jsonl(path):
            if row.get("pass", "primary") == pass_:
                out[row["id"]] = row
    return out


def _jsonl(path: Path) -> list[dict]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def test_split_digest() -> str:
    """A hash of the frozen test split: its documents, sentences and primary labels. A test pins it."""
    docs = load_docs()
    test_docs = sorted(d for d, doc in docs.items() if doc.split == "test")
    chosen = sorted((s for s in load_sentences() if s.doc in set(test_docs)), key=lambda s: s.id)
    labels = load_labels("primary")
    digest = hashlib.sha256()
    for doc in test_docs:
        digest.update(json.dumps(asdict(docs[doc]), sort_keys=True, ensure_ascii=False).encode())
    for s in chosen:
        digest.update(json.dumps(asdict(s), sort_keys=True).encode())
        digest.update(json.dumps(labels.get(s.id, {}).get("claims"), sort_keys=True, ensure_ascii=False).encode())
    return digest.hexdigest()


def labeller_of(sentence: Sentence, docs: dict[str, Doc]) -> str:
    """Primary labeller "A" or "B": half the documents of each language each, by hash."""
    return "A" if int(hashlib.sha1(sentence.doc.encode()).hexdigest()[:4], 16) % 2 == 0 else "B"


def check(root: Path | None = None) -> list[str]:
    """Problems with the stored selection and labels (empty when all is well)."""
    problems = []
    docs = load_docs()
    by_id = {s.id: s for s in load_sentences()}
    for s in by_id.values():
        text = doc_text(s.doc, root)
        if text_hash(text[s.start:s.end]) != s.sha1:
            problems.append(f"{s.id}: text changed (hash mismatch)")
    for pass_ in ("primary", "second"):
        for sid, row in load_labels(pass_).items():
            if sid not in by_id:
                problems.append(f"{sid}: labelled but not selected")
                continue
            sentence_text = doc_text(by_id[sid].doc, root)[by_id[sid].start:by_id[sid].end]
            for claim in row.get("claims", []):
                problems.extend(f"{sid}: {p}" for p in _claim_problems(claim, sentence_text))
    missing = [d for d in {s.doc for s in by_id.values()} if d not in docs]
    problems.extend(f"{d}: sentence of an unknown document" for d in missing)
    return problems


def _claim_problems(claim: dict, sentence: str) -> list[str]:
    out = []
    if claim.get("kind") not in KINDS:
        out.append(f"bad kind {claim.get('kind')!r}")
    if claim.get("scope", "company") not in SCOPES:
        out.append(f"bad scope {claim.get('scope')!r}")
    figure = claim.get("figure")
    if figure and figure not in sentence:
        out.append(f"figure {figure!r} is not in the sentence")
    deadline = claim.get("deadline")
    if deadline and not re.fullmatch(r"\d{4}-\d{2}-\d{2}", deadline):
        out.append(f"bad deadline {deadline!r}")
    return out


# --- command line ---------------------------------------------------------------------------------------------

def _show(args: argparse.Namespace) -> None:
    docs = load_docs()
    rows = [s for s in load_sentences() if docs[s.doc].lang == args.lang and s.pool == args.pool
            and (args.labeller is None or labeller_of(s, docs) == args.labeller)]
    if args.second:
        # The second pass: every fifth labelled document of the other labeller, whole windows.
        other = {"A": "B", "B": "A"}[args.labeller]
        pool = [s for s in load_sentences() if docs[s.doc].lang == args.lang and s.pool == "window"
                and labeller_of(s, docs) == other]
        doc_order = sorted({s.doc for s in pool})
        keep = set(doc_order[::args.second])
        rows = [s for s in pool if s.doc in keep]
    if args.ids_only:
        print("\n".join(s.id for s in rows))
        return
    start = next((i for i, s in enumerate(rows) if s.id == args.from_id), 0) if args.from_id else 0
    last_doc = None
    for s in rows[start:start + args.count]:
        text = doc_text(s.doc)
        if s.doc != last_doc:
            d = docs[s.doc]
            print(f"\n=== DOC {s.doc}  genre={d.genre} published={d.published}")
            if s.context_start < s.start and args.context:
                print(f"--- context (not to label): {text[s.context_start:s.start][-args.context:]}")
            last_doc = s.doc
        print(f"[{s.id}] {text[s.start:s.end]}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m nlp.training.claims_corpus")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("select")
    show = sub.add_parser("show")
    show.add_argument("--lang", required=True, choices=("en", "zh"))
    show.add_argument("--labeller", choices=("A", "B"))
    show.add_argument("--second", type=int, default=0, help="second-pass sample: every Nth document of the other")
    show.add_argument("--from", dest="from_id")
    show.add_argument("--count", type=int, default=40)
    show.add_argument("--context", type=int, default=1500, help="characters of preceding context to print")
    show.add_argument("--ids-only", action="store_true")
    show.add_argument("--pool", choices=("window", "enrich"), default="window", help="which sentences")
    sub.add_parser("check")
    sub.add_parser("stats")
    sub.add_parser("agreement")
    args = parser.parse_args(argv)
    if args.command == "select":
        docs, chosen = select()
        chosen += select_enrichment(docs, chosen)
        write_selection(docs, chosen)
        print(f"{len(docs)} documents, {len(chosen)} sentences")
    elif args.command == "show":
        _show(args)
    elif args.command == "check":
        problems = check()
        print("\n".join(problems) or "ok")
        return 1 if problems else 0
    elif args.command == "stats":
        _stats()
    elif args.command == "agreement":
        for lang in ("en", "zh"):
            print(lang, json.dumps(agreement(lang)))
    return 0


def agreement(lang: str) -> dict[str, float | int]:
    """How far the second pass agrees with the primary one on the sentences both labelled (one language)."""
    docs = load_docs()
    by_id = {s.id: s for s in load_sentences()}
    primary, second = load_labels("primary"), load_labels("second")
    both = [i for i in second if i in primary and docs[by_id[i].doc].lang == lang]
    a = [bool(primary[i]["claims"]) for i in both]
    b = [bool(second[i]["claims"]) for i in both]
    kinds_same = sum(_kinds(primary[i]) == _kinds(second[i]) for i in both)
    fields = {"subject": [0, 0], "speaker": [0, 0], "deadline": [0, 0], "figure": [0, 0]}
    for i in both:
        for p in primary[i]["claims"]:
            q = next((c for c in second[i]["claims"] if c["kind"] == p["kind"]), None)
            if q is None:
                continue
            for name, tally in fields.items():
                tally[1] += 1
                tally[0] += _same(p.get(name), q.get(name))
    return {"sentences": len(both), "claim_yes_no_kappa": round(cohen_kappa(a, b), 3),
            "claim_yes_no_agreement": round(sum(x == y for x, y in zip(a, b)) / len(both), 3) if both else 0.0,
            "kinds_identical": round(kinds_same / len(both), 3) if both else 0.0,
            **{f"{name}_agreement": round(t[0] / t[1], 3) if t[1] else 0.0 for name, t in fields.items()},
            "paired_claims": fields["subject"][1]}


def _kinds(row: dict) -> list[str]:
    return sorted(c["kind"] for c in row["claims"])


def _same(a: str | None, b: str | None) -> bool:
    fa, fb = (a or "").strip().casefold(), (b or "").strip().casefold()
    return fa == fb or (bool(fa) and bool(fb) and (fa in fb or fb in fa))


def cohen_kappa(a: list[bool], b: list[bool]) -> float:
    n = len(a)
    if not n:
        return 0.0
    observed = sum(x == y for x, y in zip(a, b)) / n
    pa, pb = sum(a) / n, sum(b) / n
    expected = pa * pb + (1 - pa) * (1 - pb)
    return (observed - expected) / (1 - expected) if expected < 1 else 1.0


def _stats() -> None:
    from collections import Counter

    docs = load_docs()
    counts: Counter[tuple[str, str, str]] = Counter()
    for s in load_sentences():
        d = docs[s.doc]
        counts[(d.lang, d.genre, d.split)] += 1
    for key, n in sorted(counts.items()):
        print(*key, n, sep="\t")
    for pass_ in ("primary", "second"):
        labels = load_labels(pass_)
        print(pass_, len(labels), "labelled;", sum(bool(r["claims"]) for r in labels.values()), "with claims")


if __name__ == "__main__":
    sys.exit(main())

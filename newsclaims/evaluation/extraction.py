"""`newsclaims eval extraction`: our page extraction next to plain trafilatura / htmldate, same pages, same run.

- English body text: scrapinghub article-extraction-benchmark (token 4-gram shingles, scored like its evaluate.py)
- Chinese body text: zh-news-html/cwce (bag of characters, whitespace ignored)
- Publication dates: htmldate-eval (exact day)
The corpora are read from the shared folder (never copied into the repo).
"""
from __future__ import annotations

import gzip
import json
import logging
import re
import statistics
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path

import click

from newsclaims.config import SHARED_DIR
from newsclaims.errors import NewsclaimsError

log = logging.getLogger(__name__)

ENGLISH_DIR = "corpus/article-extraction-benchmark"
CHINESE_DIR = "corpus/zh-news-html/cwce"
DATES_DIR = "corpus/htmldate-eval"
PORTALS_DIR = "corpus/zh-news-html/gne"
_TOKEN = re.compile(r"\w+")
_SHINGLE_N = 4

TpFpFn = tuple[float, float, float]


# --- scoring ------------------------------------------------------------------------------------------------

def _shingles(text: str, n: int = _SHINGLE_N) -> Counter:
    tokens = _TOKEN.findall(text or "")
    # A text shorter than n tokens is one (short) shingle, as in the benchmark's own scorer.
    return Counter(tuple(tokens[i:i + n]) for i in range(max(1, len(tokens) - n + 1)) if tokens[i:i + n])


def shingle_match(true: str, pred: str) -> TpFpFn:
    """Shingle TP/FP/FN of one page, normalised to sum to 1 so long pages do not outweigh short ones."""
    gold, got = _shingles(true), _shingles(pred)
    tp = sum((gold & got).values())
    fp = sum((got - gold).values())
    fn = sum((gold - got).values())
    total = tp + fp + fn
    return (tp / total, fp / total, fn / total) if total else (0.0, 0.0, 0.0)


def _precision(tp: float, fp: float, fn: float) -> float:
    if fp == fn == 0:
        return 1.0
    return 0.0 if tp == fp == 0 else tp / (tp + fp)


def _recall(tp: float, fp: float, fn: float) -> float:
    if fp == fn == 0:
        return 1.0
    return 0.0 if tp == fn == 0 else tp / (tp + fn)


@dataclass
class Scores:
    precision: float
    recall: float
    f1: float
    pages: int


def _f1(p: float, r: float) -> float:
    return 2 * p * r / (p + r) if p + r else 0.0


def benchmark_scores(matches: list[TpFpFn]) -> Scores:
    """Macro precision over pages that predicted something, macro recall over pages with gold, F1 of the two."""
    ps = [_precision(*m) for m in matches if m[0] + m[1] > 0]
    rs = [_recall(*m) for m in matches if m[0] + m[2] > 0]
    p = statistics.mean(ps) if ps else 0.0
    r = statistics.mean(rs) if rs else 0.0
    return Scores(p, r, _f1(p, r), len(matches))


def char_match(true: str, pred: str) -> tuple[float, float]:
    """(precision, recall) of the predicted characters against the gold ones, as bags, whitespace ignored."""
    gold = Counter(c for c in true if not c.isspace())
    got = Counter(c for c in pred if not c.isspace())
    common = sum((gold & got).values())
    precision = common / sum(got.values()) if got else 0.0
    recall = common / sum(gold.values()) if gold else 1.0
    return precision, recall


def char_scores(pairs: list[tuple[float, float]]) -> Scores:
    p = statistics.mean(x for x, _ in pairs) if pairs else 0.0
    r = statistics.mean(y for _, y in pairs) if pairs else 0.0
    return Scores(p, r, _f1(p, r), len(pairs))


# --- corpora ------------------------------------------------------------------------------------------------

@dataclass
class Page:
    key: str
    url: str | None
    body: bytes
    expected: str | None


def _require(path: Path) -> Path:
    if not path.exists():
        raise NewsclaimsError(f"evaluation data not found: {path} (set --shared or $NEWSCLAIMS_SHARED)")
    return path


def _read_gz(path: Path) -> bytes:
    with gzip.open(path, "rb") as fh:
        return fh.read()


def english_pages(shared: Path, limit: int | None) -> Iterator[Page]:
    root = _require(shared / ENGLISH_DIR)
    truth = json.loads((root / "ground-truth.json").read_text(encoding="utf-8"))
    for key in sorted(truth)[:limit]:
        yield Page(key, truth[key].get("url"), _read_gz(root / "html" / f"{key}.html.gz"), truth[key]["articleBody"])


def chinese_pages(shared: Path, limit: int | None) -> Iterator[Page]:
    root = _require(shared / CHINESE_DIR)
    expected = json.loads((root / "expected.json").read_text(encoding="utf-8"))
    for name in sorted(expected)[:limit]:
        yield Page(name, None, _read_gz(root / "html" / name), expected[name]["content"])


def date_pages(shared: Path, limit: int | None) -> Iterator[Page]:
    root = _require(shared / DATES_DIR)
    expected = json.loads((root / "expected.json").read_text(encoding="utf-8"))
    for url in sorted(expected)[:limit]:
        yield Page(url, url, _read_gz(root / "html" / expected[url]["file"]), expected[url]["date"])


def portal_pages(shared: Path, limit: int | None) -> Iterator[tuple[Page, dict | None]]:
    """GNE's Chinese portal pages; the reference (title, publish_time) exists for 20 of them."""
    root = _require(shared / PORTALS_DIR)
    pages = json.loads((root / "pages.json").read_text(encoding="utf-8"))
    for name in sorted(pages)[:limit]:
        yield Page(name, None, _read_gz(root / "html" / name), None), pages[name].get("reference")


# --- the contenders -----------------------------------------------------------------------------------------

def _ours(page: Page):
    from crawler.extract import extract

    return extract(page.body, page.url or f"http://localhost/{page.key}")


def _trafilatura_default(markup: bytes | str) -> str:
    import trafilatura

    return trafilatura.extract(markup) or ""


def _htmldate_default(page: Page) -> str | None:
    from htmldate import find_date

    return find_date(page.body, url=page.url)


# --- evaluations --------------------------------------------------------------------------------------------

@dataclass
class Section:
    name: str
    metric: str
    rows: dict[str, dict] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


def _timed(fn: Callable[[], object]) -> tuple[object, float]:
    start = time.perf_counter()
    result = fn()
    return result, time.perf_counter() - start


def evaluate_english(shared: Path, limit: int | None) -> Section:
    pages = list(english_pages(shared, limit))
    ours, ours_s = _timed(lambda: [_ours(p) for p in pages])
    base, base_s = _timed(lambda: [_trafilatura_default(p.body.decode("utf-8")) for p in pages])
    section = Section("English body text (article-extraction-benchmark)", "token 4-gram shingles, macro P/R")
    section.rows["newsclaims"] = {
        **asdict(benchmark_scores([shingle_match(p.expected, e.text) for p, e in zip(pages, ours)])),
        "seconds": round(ours_s, 1),
        "accepted_as_article": sum(e.is_article for e in ours),
    }
    section.rows["trafilatura default"] = {
        **asdict(benchmark_scores([shingle_match(p.expected, t) for p, t in zip(pages, base)])),
        "seconds": round(base_s, 1),
    }
    return section


def evaluate_chinese(shared: Path, limit: int | None) -> Section:
    from crawler.encoding import decode_html

    pages = list(chinese_pages(shared, limit))
    ours, ours_s = _timed(lambda: [_ours(p) for p in pages])
    base, base_s = _timed(lambda: [_trafilatura_default(p.body) for p in pages])
    decoded = [decode_html(p.body)[0] for p in pages]
    base_dec, base_dec_s = _timed(lambda: [_trafilatura_default(d) for d in decoded])
    section = Section("Chinese body text (zh-news-html/cwce)", "bag of characters (no whitespace), macro P/R")
    section.rows["newsclaims"] = {
        **asdict(char_scores([char_match(p.expected, e.text) for p, e in zip(pages, ours)])),
        "seconds": round(ours_s, 1),
        "accepted_as_article": sum(e.is_article for e in ours),
    }
    section.rows["trafilatura default"] = {
        **asdict(char_scores([char_match(p.expected, t) for p, t in zip(pages, base)])),
        "seconds": round(base_s, 1),
    }
    section.rows["trafilatura default, our decoding"] = {
        **asdict(char_scores([char_match(p.expected, t) for p, t in zip(pages, base_dec)])),
        "seconds": round(base_dec_s, 1),
    }
    section.notes.append("'trafilatura default' gets the raw bytes; the last row gets text decoded by crawler.encoding")
    return section


def evaluate_dates(shared: Path, limit: int | None) -> Section:
    pages = list(date_pages(shared, limit))
    ours, ours_s = _timed(lambda: [_ours(p) for p in pages])
    base, base_s = _timed(lambda: [_htmldate_default(p) for p in pages])

    def accuracy(found: Iterable[str | None]) -> dict:
        hits = sum((f[:10] if f else None) == p.expected for p, f in zip(pages, found))
        return {"accuracy": hits / len(pages) if pages else 0.0, "correct": hits, "pages": len(pages)}

    section = Section("Publication dates (htmldate-eval)", "exact day (a missing date is right only if none exists)")
    section.rows["newsclaims"] = {**accuracy(e.published for e in ours), "seconds": round(ours_s, 1)}
    section.rows["htmldate default"] = {**accuracy(base), "seconds": round(base_s, 1)}
    return section


def evaluate_portals(shared: Path, limit: int | None) -> Section:
    """Chinese portal article pages: are they accepted, and are title and date right (GNE's sample output)?"""
    import trafilatura

    from crawler.dates import parse_date

    items = list(portal_pages(shared, limit))
    ours, ours_s = _timed(lambda: [_ours(p) for p, _ in items])
    base, base_s = _timed(lambda: [trafilatura.bare_extraction(p.body, with_metadata=True) for p, _ in items])
    referenced = [(i, ref) for i, (_, ref) in enumerate(items) if ref]

    def agreement(titles: list[str | None], dates: list[str | None]) -> dict:
        title_hits = sum(titles[i] == ref["title"] for i, ref in referenced)
        date_hits = sum(
            bool(dates[i]) and (parse_date(ref["publish_time"]) or "")[:10] == (dates[i] or "")[:10]
            for i, ref in referenced
        )
        n = len(referenced)
        return {"title_exact": title_hits / n if n else 0.0, "date_day": date_hits / n if n else 0.0, "referenced": n}

    section = Section(
        "Chinese portal pages (zh-news-html/gne)", "all pages are articles; title/date vs GNE's sample output"
    )
    section.rows["newsclaims"] = {
        "accepted_as_article": sum(e.is_article for e in ours),
        "pages": len(items),
        **agreement([e.title for e in ours], [e.published for e in ours]),
        "seconds": round(ours_s, 1),
    }
    section.rows["trafilatura default metadata"] = {
        "accepted_as_article": sum(bool(d and d.text) for d in base),
        "pages": len(items),
        **agreement([d.title if d else None for d in base], [d.date if d else None for d in base]),
        "seconds": round(base_s, 1),
    }
    section.notes.append("GNE's outputs are not human gold; trafilatura 'accepts' a page when it returns any text")
    return section


def run_all(shared: Path, limit: int | None) -> list[Section]:
    # Library warnings about odd pages are expected on real corpora; they are not results.
    for name in ("trafilatura", "htmldate", "charset_normalizer", "pypdf"):
        logging.getLogger(name).setLevel(logging.CRITICAL)
    return [
        evaluate_english(shared, limit),
        evaluate_chinese(shared, limit),
        evaluate_dates(shared, limit),
        evaluate_portals(shared, limit),
    ]


def format_sections(sections: list[Section]) -> str:
    lines = []
    for s in sections:
        lines.append(f"{s.name} — {s.metric}")
        for name, row in s.rows.items():
            cells = "  ".join(
                f"{k}={v:.3f}" if isinstance(v, float) and k != "seconds" else f"{k}={v}" for k, v in row.items()
            )
            lines.append(f"  {name:<34} {cells}")
        lines.extend(f"  note: {n}" for n in s.notes)
        lines.append("")
    return "\n".join(lines).rstrip()


@click.command("extraction")
@click.option("--shared", "shared", type=click.Path(file_okay=False, path_type=Path), default=SHARED_DIR,
              show_default=True, help="Folder holding corpus/ (other projects' evaluation data).")
@click.option("--limit", type=click.IntRange(min=1), default=None, help="Only the first N pages of each corpus.")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
def command(shared: Path, limit: int | None, as_json: bool) -> None:
    """Body text, Chinese body text and dates: newsclaims vs plain trafilatura / htmldate on the same pages."""
    try:
        sections = run_all(shared, limit)
    except NewsclaimsError as exc:
        raise click.ClickException(str(exc)) from exc
    if as_json:
        click.echo(json.dumps([asdict(s) for s in sections], ensure_ascii=False, indent=2))
    else:
        click.echo(format_sections(sections))

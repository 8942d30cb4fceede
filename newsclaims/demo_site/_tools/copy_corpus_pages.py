"""Copy the real demo pages out of the shared evaluation corpus, bytes unchanged.

Run once from the repo root when the page set changes:
    .venv/bin/python newsclaims/demo_site/_tools/copy_corpus_pages.py
Only MIT-licensed corpus folders are used (see ../NOTICE.md); the pages are placed at paths that look like their
original URL paths so the demo crawl resembles a real one.
"""
from __future__ import annotations

import gzip
import hashlib
from pathlib import Path

from newsclaims.config import SHARED_DIR

SITE = Path(__file__).resolve().parent.parent
AEB = SHARED_DIR / "corpus" / "article-extraction-benchmark" / "html"
GNE = SHARED_DIR / "corpus" / "zh-news-html" / "gne" / "html"
FIXTURES = SHARED_DIR / "fixtures" / "site"

# (gzip source, path inside the demo site); the id prefixes are unique in the benchmark.
GZIPPED_PAGES: list[tuple[Path, str]] = [
    (AEB / "360c732d1fdb", "alibaba-to-raise-up-to-12-9bn-in-landmark-hong-kong-listing/index.html"),
    (AEB / "bc13ff87b263", "2019/11/18/thousands-of-wework-employees-to-be-laid-off-this-week/index.html"),
    (AEB / "098bb3e96c0a", "entertainment-arts/business/story/2019-11-19/disney-plus-kevin-mayer/index.html"),
    (AEB / "232a43fb15ab", "2019/11/18/13-inch-macbook-pro-scissor-keyboard-2020/index.html"),
    (AEB / "42aad16bde92", "ajimpact/nasas-commercial-moon-shot-musk-bezos-firms-bid-191119041538885.html"),
    (GNE / "sina_4", "t/2019-09-11/doc-iicezzrq4972166.shtml"),
    (GNE / "sina_sina", "c/2019-09-07/doc-iicezzrq4076655.shtml"),
    (GNE / "guancha_2", "industry-science/2019_09_07_516923.shtml"),
    (GNE / "ednchina_1", "news/201909251301.html"),
    (GNE / "readhub_readhub", "topic/7PM49H7yjs5/index.html"),
]
PLAIN_PAGES: list[tuple[Path, str]] = [
    (FIXTURES / "technode-xiaomi-2018-02-08.html", "2018/02/08/xiaomi-number-one-10-quarters/index.html"),
    (FIXTURES / "zh-xiaomi-letter-2018-02-08.gb2312.html", "tech/2018-02-08/xiaomi-letter.html"),
    (FIXTURES / "zh-xiaomi-letter-2018-02-08.html", "tech/2018-02-08/xiaomi-letter-utf8.html"),
]


def _resolve_gzip(prefix: Path) -> Path:
    matches = sorted(prefix.parent.glob(prefix.name + "*.html.gz"))
    if len(matches) != 1:
        raise SystemExit(f"expected one corpus file for {prefix}, found {len(matches)}")
    return matches[0]


def main() -> None:
    for prefix, target in GZIPPED_PAGES:
        source = _resolve_gzip(prefix)
        body = gzip.open(source, "rb").read()
        _write(SITE / target, body, source)
    for source, target in PLAIN_PAGES:
        _write(SITE / target, source.read_bytes(), source)


def _write(target: Path, body: bytes, source: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(body)
    print(f"{target.relative_to(SITE)}  <-  {source.name}  sha256:{hashlib.sha256(body).hexdigest()[:16]}")


if __name__ == "__main__":
    main()

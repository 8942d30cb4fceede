"""Search queries are cut by a tokenizer holding only their substrings' dictionary entries: the cut
must be exactly what jieba's full tokenizer gives, on real Chinese text."""
from __future__ import annotations

from pathlib import Path

import pytest

from db import search
from db.store import Store


@pytest.fixture(scope="module")
def chinese_texts(demo_db: Path) -> list[str]:
    with Store.open(demo_db, readonly=True) as store:
        texts = [r[0] for r in store.conn.execute("SELECT text FROM articles WHERE lang = 'zh'")]
    assert texts
    return texts


def windows(text: str, width: int, step: int) -> list[str]:
    return [text[i:i + width] for i in range(0, max(1, len(text) - width), step)]


def test_query_cut_equals_the_full_tokenizer(chinese_texts: list[str]) -> None:
    full = search._jieba()
    chunks = [w for t in chinese_texts for width in (4, 11, 25, search._LITE_MAX_CHARS) for w in windows(t, width, 13)]
    assert len(chunks) > 500
    differ = [c for c in chunks if search.cut_query(c) != full.lcut(c)]
    assert not differ, differ[:5]


def test_fts_query_terms(chinese_texts: list[str]) -> None:
    assert search.fts_query("世界500强") == '"世界" "500" "强"'
    assert search.fts_query("小米 revenue") == '"小米" "revenue"'


def test_long_chunks_and_a_missing_cache_fall_back_to_the_full_tokenizer(monkeypatch: pytest.MonkeyPatch) -> None:
    long = "小米创始人雷军发布了一封内部信称小米要在十个季度内重回中国市场第一" * 2
    assert len(long) > search._LITE_MAX_CHARS
    assert search.cut_query(long) == search._jieba().lcut(long)

    def unavailable() -> Path:
        raise OSError("read-only file system")

    monkeypatch.setattr(search, "_prefix_dictionary", unavailable)
    assert search.cut_query("世界500强") == ["世界", "500", "强"]

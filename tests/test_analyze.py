"""The Analyzer entry point and the `newsclaims analyze` command (JSON Lines contract)."""
from __future__ import annotations

import functools
import http.server
import json
import threading
from pathlib import Path

import pytest
from click.testing import CliRunner

from newsclaims.cli import cli
from nlp.analyze import ANALYSIS_VERSION, Analyzer, detect_lang
from nlp.records import DocContext

SITE = Path(__file__).parent / "fixtures" / "reference" / "site"
EN_PAGE = SITE / "technode-xiaomi-2018-02-08.html"
ZH_PAGE = SITE / "zh-xiaomi-letter-2018-02-08.gb2312.html"


def test_detect_lang() -> None:
    assert detect_lang("雷军发布内部信：小米要在十个季度内重回中国市场第一 (Mi MIX 2)") == "zh"
    assert detect_lang("Xiaomi will be number one in China again, said 雷军.") == "en"
    assert detect_lang("") == "en"


def test_pipe_keeps_order_across_languages() -> None:
    analyzer = Analyzer()
    items = [("Apple sold 10 million phones.", DocContext()), ("腾讯营收增长20%。", DocContext()),
             ("Huawei grew 5%.", DocContext(lang="en")), ("", DocContext(lang="zh"))]
    results = list(analyzer.pipe(items, batch_size=2))
    assert [r.lang for r in results] == ["en", "zh", "en", "zh"]
    assert results[0].entities[0].canonical == "Apple" and results[1].entities[0].canonical == "Tencent"
    assert all(r.version == ANALYSIS_VERSION for r in results)
    assert results[3].claims == [] and results[3].entities == []


def _run(*args: str) -> tuple[int, list[dict], str]:
    result = CliRunner().invoke(cli, ["analyze", *args])
    lines = [json.loads(line) for line in result.stdout.splitlines() if line.strip()]
    return result.exit_code, lines, result.stderr


def test_analyze_fixture_pages_in_both_languages() -> None:
    code, docs, _ = _run(str(EN_PAGE), str(ZH_PAGE))
    assert code == 0 and [d["lang"] for d in docs] == ["en", "zh"]
    for doc in docs:
        assert {"source", "title", "author", "published", "lang", "text", "entities", "figures", "claims"} <= set(doc)
        target = [c for c in doc["claims"] if c["kind"] == "target" and c["figure"] and c["figure"]["value"] == 1]
        assert target and target[0]["subject"] == "Xiaomi" and target[0]["speaker"] == "Lei Jun"
        assert target[0]["deadline"] == "2020-06-30"
        forecast = [c for c in doc["claims"] if c["kind"] == "forecast"]
        assert forecast and forecast[0]["figure"]["value"] == 500 and forecast[0]["deadline"] == "2018-12-31"
        assert forecast[0]["speaker"] == "Lei Jun" and forecast[0]["subject"] == "Xiaomi"
        for e in doc["entities"]:
            assert doc["text"][e["start"]:e["end"]] == e["text"]


def test_missing_file_is_one_line_and_exit_1_others_still_printed(tmp_path: Path) -> None:
    text_file = tmp_path / "note.txt"
    text_file.write_text("Huawei plans to ship 200 million smartphones this year.", encoding="utf-8")
    code, docs, err = _run(str(tmp_path / "missing.html"), str(text_file), "--published", "2018-02-08")
    assert code == 1
    assert "missing.html: no such file" in err and "Traceback" not in err
    assert len(docs) == 1 and docs[0]["source"] == str(text_file)
    assert docs[0]["claims"][0]["deadline"] == "2018-12-31"


def test_bad_date_option_is_a_usage_error() -> None:
    result = CliRunner().invoke(cli, ["analyze", str(EN_PAGE), "--published", "08/02/2018"])
    assert result.exit_code == 2 and "YYYY-MM-DD" in result.output


@pytest.fixture()
def local_site() -> str:
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(SITE))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_analyze_url_from_a_local_server(local_site: str) -> None:
    code, docs, _ = _run(f"{local_site}/{EN_PAGE.name}", f"{local_site}/nothing-here.html")
    assert code == 1
    assert len(docs) == 1 and docs[0]["lang"] == "en"
    assert any(e["canonical"] == "Xiaomi" for e in docs[0]["entities"])

"""`newsclaims serve` and `newsclaims report` in a real headless Chromium (Debian's chromium + chromium-driver)."""
from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
from click.testing import CliRunner
from crawl_site import stop

from headless import CHROMEDRIVER, CHROMIUM, MISSING, chromium
from newsclaims.cli import cli

pytestmark = pytest.mark.slow

needs_browser = pytest.mark.skipif(
    not (CHROMIUM and CHROMEDRIVER),
    reason=MISSING,
)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[object]:
    with chromium(tmp_path_factory.mktemp("chromium-profile")) as driver:
        yield driver


@pytest.fixture(scope="module")
def server(demo_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`newsclaims serve` as its own process on a free loopback port."""
    port = free_port()
    log = tmp_path_factory.mktemp("serve") / "serve.log"
    with log.open("wb") as fh:
        proc = subprocess.Popen([sys.executable, "-m", "newsclaims", "serve", "--db", str(demo_db), "--port", str(port)],
                                stdout=fh, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(base + "/-/versions.json", timeout=2).read()
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise AssertionError(f"newsclaims serve did not start: {log.read_text()}")
                time.sleep(0.3)
        yield base
    finally:
        stop(proc)


def cells(driver: object, column: str) -> list[str]:
    from selenium.webdriver.common.by import By

    return [td.text for td in driver.find_elements(By.CSS_SELECTOR, f"table.rows-and-columns td.col-{column}")]


@needs_browser
def test_claims_table_facet_by_kind(browser: object, server: str) -> None:
    from selenium.webdriver.common.by import By

    browser.get(f"{server}/demo/claims")
    assert browser.find_element(By.CSS_SELECTOR, "h1").text.startswith("Claims")
    assert "Who claimed what" in browser.page_source  # the table description from metadata
    facet = browser.find_element(By.CSS_SELECTOR, ".facet-info[data-column='kind']")
    facet.find_element(By.LINK_TEXT, "target").click()
    assert "kind=target" in browser.current_url
    kinds = cells(browser, "kind")
    assert kinds and set(kinds) == {"target"}


@needs_browser
def test_view_facets_on_lang_and_source(browser: object, server: str) -> None:
    from selenium.webdriver.common.by import By

    browser.get(f"{server}/demo/claims_with_articles")
    for column in ("kind", "subject", "source", "lang"):
        assert browser.find_elements(By.CSS_SELECTOR, f".facet-info[data-column='{column}']"), column
    browser.find_element(By.CSS_SELECTOR, ".facet-info[data-column='lang']").find_element(By.LINK_TEXT, "zh").click()
    langs = cells(browser, "lang")
    assert langs and set(langs) == {"zh"}


@needs_browser
def test_full_text_search_box(browser: object, server: str) -> None:
    from selenium.webdriver.common.by import By

    browser.get(f"{server}/demo/articles")
    box = browser.find_element(By.CSS_SELECTOR, "input[name='_search']")
    box.send_keys("quarters")
    box.submit()
    assert "_search=quarters" in browser.current_url
    titles = cells(browser, "title")
    assert titles and any("Xiaomi" in t for t in titles)
    assert len(titles) < len(json.loads(urllib.request.urlopen(f"{server}/demo/articles.json?_shape=array").read()))


@needs_browser
def test_canned_query_every_claim_about_an_entity(browser: object, server: str) -> None:
    from selenium.webdriver.common.by import By

    browser.get(f"{server}/demo")
    browser.find_element(By.LINK_TEXT, "Every claim about an entity").click()
    field = browser.find_element(By.CSS_SELECTOR, "input[name='entity']")
    field.send_keys("小米")
    field.submit()
    subjects, langs, deadlines = cells(browser, "subject"), cells(browser, "lang"), cells(browser, "deadline")
    assert subjects and set(subjects) == {"Xiaomi"}
    assert {lang for lang, d in zip(langs, deadlines) if d == "2020-06-30"} == {"en", "zh"}


@needs_browser
def test_canned_search_segments_chinese(browser: object, server: str) -> None:
    browser.get(f"{server}/demo/search_everything?q={quote('世界500强')}")
    types, langs, titles = cells(browser, "type"), cells(browser, "lang"), cells(browser, "title")
    assert types[0] == "article" and langs[0] == "zh" and "小米" in titles[0]
    assert "[世界500强]" in cells(browser, "snippet")[0]


@needs_browser
def test_serve_is_read_only(server: str, demo_db: Path) -> None:
    with urllib.request.urlopen(f"{server}/-/databases.json") as resp:
        databases = json.loads(resp.read())
    # Opened mode=ro (not immutable) so new rows show; Datasette 0.65 has no write API to reach it.
    assert [d["is_mutable"] for d in databases if d["name"] == "demo"] == [True]
    before = demo_db.read_bytes()
    urllib.request.urlopen(f"{server}/demo/claims.json").read()
    assert demo_db.read_bytes() == before


@needs_browser
def test_report_draws_one_mark_per_claim(browser: object, demo_db: Path, tmp_path: Path) -> None:
    from selenium.webdriver.common.by import By

    out = tmp_path / "report.html"
    result = CliRunner().invoke(cli, ["report", "--entity", "小米", "-o", str(out), "--db", str(demo_db)])
    assert result.exit_code == 0, result.stderr
    listed = json.loads(CliRunner().invoke(cli, ["claims", "--entity", "xiaomi", "--limit", "1000", "--format", "json",
                                                  "--db", str(demo_db)]).stdout)
    html = out.read_text(encoding="utf-8")
    assert "http://" not in html.split("<body>")[0] and "<script" not in html  # nothing to fetch
    browser.get(out.as_uri())
    assert browser.find_element(By.CSS_SELECTOR, "h1").text == "Claims about Xiaomi"
    marks = browser.find_elements(By.CSS_SELECTOR, "svg.timeline g.claim-mark")
    assert sorted(int(m.get_attribute("data-claim-id")) for m in marks) == sorted(r["id"] for r in listed)
    for mark in marks:
        assert mark.find_elements(By.CSS_SELECTOR, "circle"), "every claim has a made-date dot"
        assert mark.find_element(By.CSS_SELECTOR, "circle").rect["width"] > 0  # rendered, not just in the DOM
    with_deadline = [m for m in marks if m.get_attribute("data-deadline")]
    assert with_deadline and all(m.find_elements(By.CSS_SELECTOR, "path") for m in with_deadline)
    assert browser.find_elements(By.XPATH, "//h2[text()='Figures over time']/following-sibling::table[1]//tbody/tr")

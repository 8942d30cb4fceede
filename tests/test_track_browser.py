"""The promise tracker in the HTML report, in a real headless Chromium: the outcome legend and a badge of every
outcome are drawn, visible on a screenshot (pixels of each outcome's colour), and badges link to their evidence."""
from __future__ import annotations

import struct
import zlib
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from headless import chromium
from newsclaims.cli import cli
from newsclaims.report import OUTCOME_STYLES

pytestmark = pytest.mark.slow



@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[object]:
    with chromium(tmp_path_factory.mktemp("chromium-profile")) as driver:
        yield driver


def png_pixels(data: bytes) -> tuple[int, int, list[bytes]]:
    """Decode an 8-bit RGB/RGBA, non-interlaced PNG (what Chromium writes) into rows of raw pixels."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat, header = 8, b"", None
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    width, height, depth, colour, _, _, interlace = header
    assert depth == 8 and colour in (2, 6) and interlace == 0, header
    bpp = 4 if colour == 6 else 3
    raw, stride, rows, prev = zlib.decompress(idat), width * bpp, [], bytearray(width * bpp)
    for y in range(height):
        filt, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b, c = prev[i], prev[i - bpp] if i >= bpp else 0
            if filt == 1:
                line[i] = (line[i] + a) & 255
            elif filt == 2:
                line[i] = (line[i] + b) & 255
            elif filt == 3:
                line[i] = (line[i] + (a + b) // 2) & 255
            elif filt == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append(bytes(line) if bpp == 3 else bytes(v for j in range(0, stride, 4) for v in line[j:j + 3]))
        prev = line
    return width, height, rows


def colour_count(rows: list[bytes], hex_colour: str) -> int:
    rgb = bytes.fromhex(hex_colour.lstrip("#"))
    return sum(row.count(rgb) for row in rows)  # counts byte-aligned and stray matches alike; only a floor is used


@pytest.fixture(scope="module")
def report_page(demo_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("report") / "report.html"
    result = CliRunner().invoke(cli, ["report", "-o", str(out), "--db", str(demo_db)])
    assert result.exit_code == 0, result.output
    return out


def test_report_shows_the_outcome_legend_and_a_badge_of_every_outcome(browser: object, report_page: Path,
                                                                      tmp_path: Path) -> None:
    from selenium.webdriver.common.by import By

    browser.get(report_page.as_uri())
    keys = browser.find_elements(By.CSS_SELECTOR, ".legend.outcomes .outcome-key")
    assert [k.text.strip(" ✓✗…?") for k in keys] == list(OUTCOME_STYLES)
    assert all(k.is_displayed() and k.rect["width"] > 0 for k in keys)
    for status in OUTCOME_STYLES:
        badges = browser.find_elements(By.CSS_SELECTOR, f"g.claim-mark[data-outcome='{status}'] g.outcome-badge rect")
        assert badges, status
        assert badges[0].rect["width"] > 0 and badges[0].rect["height"] > 0, status
    # a screenshot of the whole page shows each outcome's colour: legend plus badges, not only DOM nodes
    height = browser.execute_script("return document.documentElement.scrollHeight")
    browser.set_window_size(1280, min(int(height) + 200, 12000))
    shot = tmp_path / "report.png"
    assert browser.save_screenshot(str(shot))
    _, _, rows = png_pixels(shot.read_bytes())
    for status, (colour, _) in OUTCOME_STYLES.items():
        assert colour_count(rows, colour) > 200, f"{status} ({colour}) barely visible on the screenshot"


def test_outcome_badges_link_to_their_evidence(browser: object, report_page: Path) -> None:
    from selenium.webdriver.common.by import By

    browser.get(report_page.as_uri())
    for status in ("kept", "missed"):
        links = browser.find_elements(By.CSS_SELECTOR, f"g.claim-mark[data-outcome='{status}'] a.evidence-link")
        assert links, status
        assert "/followups/" in links[0].get_dom_attribute("href")
    rows = browser.find_elements(By.CSS_SELECTOR, "table.outcomes tr.outcome-row")
    assert {r.get_attribute("class").split("outcome-")[-1] for r in rows} == set(OUTCOME_STYLES)

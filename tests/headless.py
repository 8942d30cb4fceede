"""A real headless Chromium (Debian's chromium + chromium-driver) for the browser tests; they skip without it."""
from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver")
MISSING = ("headless browser tests need Debian's chromium and chromium-driver "
           "(apt-get install chromium chromium-driver)")
# Flags that keep Chromium off the network it does not have here, and its pixels predictable for screenshots.
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run", "--window-size=1280,1000",
         "--force-device-scale-factor=1")


@contextmanager
def chromium(profile: Path) -> Iterator[object]:
    """A Selenium driver for headless Chromium with its own empty profile folder; skips without Chromium."""
    if not (CHROMIUM and CHROMEDRIVER):
        pytest.skip(MISSING)
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for arg in (*FLAGS, f"--user-data-dir={profile}"):
        options.add_argument(arg)
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(30)
    try:
        yield driver
    finally:
        driver.quit()

"""Headless Chromium for the browser tests (the chat page, the Agents Playground): Debian's
chromium and chromium-driver, started offline, its console log kept, and on a failure the
page as the reader saw it saved where CI keeps it."""
from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
#: How long a page may take to show what a test waits for (a deadline, not a claim).
WAIT_SECONDS = 60
#: Screenshots and page sources of failed browser tests (git-ignored; CI keeps it).
ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts"
#: Each test's reports by phase (setup, call), kept by tests/conftest.py's hook.
REPORTS = pytest.StashKey[dict]()


def failed(item: pytest.Item) -> bool:
    """Whether the test `item` failed so far (its setup or its call), for a fixture's
    teardown to keep what the browser showed."""
    return any(report.failed for report in item.stash.get(REPORTS, {}).values())


def chromium(profile: Path, *, height: int = 1500) -> webdriver.Chrome:
    """Headless Chromium with its own profile folder; tools that download a browser fail
    here, so it is Debian's."""
    assert shutil.which(CHROMIUM) and shutil.which(CHROMEDRIVER), "Debian chromium is missing"
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run", f"--window-size=1280,{height}",
                 f"--user-data-dir={profile}"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    return webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)


def save_page(driver: webdriver.Chrome, folder: Path, name: str) -> list[Path]:
    """The page's screenshot and source under `folder`, named for the test."""
    folder.mkdir(parents=True, exist_ok=True)
    stem = folder / re.sub(r"[^A-Za-z0-9_.-]+", "_", name)
    shot, source = stem.with_suffix(".png"), stem.with_suffix(".html")
    driver.save_screenshot(str(shot))
    source.write_text(driver.page_source, encoding="utf-8")
    return [shot, source]

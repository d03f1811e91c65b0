"""Our pages in a real browser: Debian's headless Chromium (the system browser, never a
download) driven by Playwright. Screenshots go to .data/test-artifacts/."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from playwright.sync_api import BrowserContext, Page, sync_playwright

from wallet.config import ROOT_DIR

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = ROOT_DIR / ".data" / "test-artifacts"


@contextmanager
def chromium(profile: Path) -> Iterator[BrowserContext]:
    # No skip: CI has root and apt, and `make test` installs Debian's chromium when it is missing.
    assert Path(CHROMIUM).exists(), (
        f"{CHROMIUM} is missing: `make test` installs it (apt-get install -y chromium)"
    )
    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(profile),
            executable_path=CHROMIUM,
            headless=True,
            args=CHROMIUM_ARGS,
            viewport={"width": 1360, "height": 900},
        )
        try:
            yield context
        finally:
            context.close()


def screenshot(page: Page, name: str, copy_to: Path | None = None) -> Path:
    """The whole page as ARTIFACTS/<name>.png (and a copy where a person will look at it)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    if copy_to is not None:
        shutil.copy(path, copy_to)
    return path

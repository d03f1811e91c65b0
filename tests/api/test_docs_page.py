"""/docs in a real browser (Debian's headless Chromium driven by Playwright, as the cashier
console's test): Swagger UI renders the document with every operation of both APIs, loads
nothing from outside the server, and a schema opens. Screenshot: .data/test-artifacts/docs.png
(and /tmp/api-docs.png)."""

from __future__ import annotations

import shutil
from pathlib import Path
from urllib.parse import urlsplit

from playwright.sync_api import BrowserContext, Request, expect

from tests.api.conftest import the_document
from tests.browser import ARTIFACTS
from tests.support import Server


def test_docs_shows_every_operation(api_server: Server, browser: BrowserContext) -> None:
    outside: list[str] = []

    def seen(request: Request) -> None:
        if urlsplit(request.url).netloc != urlsplit(api_server.base_url).netloc:
            outside.append(request.url)

    page = browser.new_page()
    page.on("request", seen)
    page.goto(f"{api_server.base_url}/docs")
    document = the_document()
    expected = sum(len(methods) for methods in document["paths"].values())
    blocks = page.locator(".opblock")
    expect(blocks).to_have_count(expected, timeout=20_000)
    expect(page.locator(".info .title")).to_contain_text("wallet")
    for path in ("/api/transfer", "/api/cashier/players/{user}/balance/add"):
        expect(page.locator(f'.opblock-summary-path[data-path="{path}"]')).to_have_count(1)
    page.locator('.opblock-summary-path[data-path="/api/deposit"]').click()
    expect(page.locator(".opblock-body").first).to_contain_text("playerUsername")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    shot = ARTIFACTS / "docs.png"
    page.screenshot(path=str(shot), full_page=False)
    shutil.copy(shot, Path("/tmp/api-docs.png"))
    assert not outside, outside

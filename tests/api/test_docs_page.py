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


def test_docs_renders_under_its_content_security_policy(
    api_server: Server, browser: BrowserContext
) -> None:
    """Issue #21: /docs is served with a CSP (only its own scripts, the inline one by its hash);
    Swagger UI renders under it and the browser reports no violation."""
    problems: list[str] = []
    page = browser.new_page()
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
    answer = page.goto(f"{api_server.base_url}/api/docs")
    assert answer is not None and "script-src" in answer.headers["content-security-policy"]
    expect(page.locator(".opblock").first).to_be_visible(timeout=20_000)
    page.locator('.opblock-summary-path[data-path="/api/deposit"]').click()
    expect(page.locator(".opblock-body").first).to_contain_text("playerUsername")
    assert not problems, problems


# Amount fields of request bodies: Swagger UI writes a number without an example as 0, which the
# server refuses (a deposit of 0): each carries an example above 0 instead (issue #20).
MONEY_FIELDS = {"sum", "amount", "balance"}


def test_every_amount_of_a_request_body_has_an_example_above_zero() -> None:
    document = the_document()
    schemas = document["components"]["schemas"]
    bodies = {
        part["$ref"].rsplit("/", 1)[1]
        for methods in document["paths"].values()
        for op in methods.values()
        if "requestBody" in op
        for part in op["requestBody"]["content"]["application/json"]["schema"].get(
            "allOf", [op["requestBody"]["content"]["application/json"]["schema"]]
        )
    }
    checked = []
    for name in sorted(bodies):
        for field, schema in schemas[name].get("properties", {}).items():
            if field in MONEY_FIELDS:
                checked.append(f"{name}.{field}")
                assert schema.get("examples") and schema["examples"][0] > 0, (name, field)
    assert len(checked) >= 7, checked  # cashier sum x2, balance; agent amount x4, transfer


def test_docs_examples_of_a_deposit_are_not_zero(
    api_server: Server, browser: BrowserContext
) -> None:
    page = browser.new_page()
    page.goto(f"{api_server.base_url}/docs")
    for path, field, example in (
        ("/api/cashier/players/{user}/balance/add", "sum", "10"),
        ("/api/cashier/players/{user}/balance/out", "sum", "10"),
        ("/api/deposit", "amount", "100"),
        ("/api/transfer", "amount", "100"),
    ):
        summary = page.locator(f'.opblock-summary-path[data-path="{path}"]').first
        summary.click()
        block = page.locator(".opblock.is-open", has=page.locator(f'[data-path="{path}"]'))
        body = block.locator(".body-param__example, .opblock-section-request-body pre").first
        expect(body).to_contain_text(f'"{field}": {example}')
        assert f'"{field}": 0' not in body.inner_text(), (path, body.inner_text())
        summary.click()  # closed again

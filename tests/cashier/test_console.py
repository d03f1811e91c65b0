"""The cashier console (/cashier) in a real browser: Debian's headless Chromium driven by
Playwright (the system browser, no browser download), against a real server and PostgreSQL.
The shop, its cashier and its key come from the `wallet` command, as docs/cashier.md
tells an operator. A cashier logs in, creates a player, deposits (a double click pays once),
sees the new balance, and sees the API's own message when withdrawing more than the player
has. Screenshots go to .data/test-artifacts/ (and the main one to /tmp/cashier-console.png).
"""

from __future__ import annotations

import json
import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import BrowserContext, Page, Request, Route, expect

from tests.browser import screenshot as shoot
from tests.support import Server
from wallet.config import ROOT_DIR
from wallet.ledger.database import LedgerDB

LAST_SCREENSHOT = Path("/tmp/cashier-console.png")  # the over-withdrawal's page
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}")


def wallet_cli(db_url: str, *args: str) -> str:
    """One `wallet` command against the test database; its one line of output."""
    done = subprocess.run(
        [sys.executable, "-m", "wallet.cli", *args],
        env={**os.environ, "DATABASE_URL": db_url},
        cwd=ROOT_DIR,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, f"wallet {' '.join(args)}: {done.stderr}"
    return done.stdout.strip()


def shown_once(line: str, label: str) -> str:
    found = re.search(rf"\b{label}: (\S+)", line)
    assert found, f"no {label}: in {line!r}"
    Server.extra_secrets.add(found.group(1))  # the suite checks that no server log has it
    return found.group(1)


def open_shop(db_url: str, mode: str, balance: str = "1000") -> dict[str, str]:
    """A shop with a float of 1000.00 USD (or `balance`), its cashier and an API key, made by
    the CLI."""
    shop = f"CONSOLE_{secrets.token_hex(3)}"
    wallet_cli(
        db_url, "shop", "create", shop, "--currency", "USD", "--balance", balance, "--mode", mode
    )
    cashier = f"S_{secrets.token_hex(4)}"
    password = shown_once(
        wallet_cli(db_url, "cashier", "create", cashier, "--shop", shop), "password"
    )
    key = shown_once(wallet_cli(db_url, "apikey", "create", "--shop", shop), "key")
    return {"shop": shop, "cashier": cashier, "password": password, "key": key}


@pytest.fixture
def desk(db_url: str) -> dict[str, str]:
    return open_shop(db_url, "default")


@pytest.fixture
def river_desk(db_url: str) -> dict[str, str]:
    return open_shop(db_url, "river")


def log_in(page: Page, desk: dict[str, str]) -> None:
    login = page.locator("#login-form")
    login.get_by_label("Shop API key").fill(desk["key"])
    login.get_by_label("Cashier username").fill(desk["cashier"])
    login.get_by_label("Password").fill(desk["password"])
    login.get_by_role("button", name="Log in").click()


def screenshot(page: Page, name: str) -> Path:
    return shoot(page, name, LAST_SCREENSHOT if name == "cashier-console" else None)


def test_console_is_one_page_with_only_our_own_files(server: Server) -> None:
    page = httpx.get(f"{server.base_url}/cashier", timeout=10)
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    policy = page.headers["content-security-policy"]
    assert "default-src 'none'" in policy and "script-src 'self'" in policy
    assert "frame-ancestors 'none'" in policy and page.headers["referrer-policy"] == "no-referrer"
    linked = re.findall(r'(?:src|href)="([^"]+)"', page.text)
    assert sorted(linked) == [
        "/cashier/static/console.css",
        "/cashier/static/console.js",
        "/docs",  # the API document, ours too
        "/static/favicon.svg",
        "/static/money.js",
        "/static/pages.css",
    ]
    for path in linked:
        asset = httpx.get(f"{server.base_url}{path}", timeout=10)
        assert asset.status_code == 200, path
        if path != "/docs":  # a page of its own (Swagger UI), not one of this page's files
            assert asset.headers["x-content-type-options"] == "nosniff"
    # Nothing from elsewhere: no URL of another origin in any of the page's files.
    files = [*(ROOT_DIR / "wallet" / "cashier" / "console_files").iterdir()]
    shared = ROOT_DIR / "wallet" / "web" / "page_files"
    for path in [*files, shared / "pages.css", shared / "money.js"]:
        text = path.read_text().replace("http://www.w3.org/2000/svg", "")
        assert not re.search(r"https?://|//[a-z0-9.-]+\.[a-z]{2,}/", text), path.name


def test_console_login_create_deposit_and_over_withdrawal(
    server: Server,
    ledger: LedgerDB,  # the suite's audit runs after the test
    desk: dict[str, str],
    browser: BrowserContext,
) -> None:
    page = browser.new_page()
    problems: list[str] = []  # script errors, CSP refusals, failed loads
    page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    failed: list[str] = []
    page.on("response", lambda r: failed.append(f"{r.status} {r.url}") if r.status >= 400 else None)
    moves: list[Request] = []
    page.on("request", lambda r: moves.append(r) if "/balance/" in r.url else None)

    page.goto(f"{server.base_url}/cashier")
    expect(page.get_by_role("heading", name="Log in")).to_be_visible()
    screenshot(page, "cashier-console-login")

    # Log in with the key and the cashier's credentials: the cashier's info is shown.
    log_in(page, desk)
    expect(page.locator("#me-username")).to_have_text(desk["cashier"])
    expect(page.locator("#me-shop")).to_have_text(desk["shop"])
    expect(page.locator("#me-shop-balance")).to_have_text("USD 1,000.00")
    expect(page.locator("#me-mode")).to_have_text("Default")
    expect(page.locator("#players-body")).to_contain_text("No players yet.")

    # Create a player (Default mode: username and password of the cashier's choosing).
    player = f"p_{secrets.token_hex(4)}"
    create = page.locator("#create-form")
    create.get_by_label("Username").fill(player)
    create.get_by_label("Password").fill("secret123")
    create.get_by_role("button", name="Create player").click()
    expect(page.locator("#message")).to_contain_text(f"Created player {player}")
    expect(page.locator("#players-body")).to_contain_text(player)
    expect(page.locator("#player-name")).to_have_text(player)

    # Deposit 25.50, double-clicked: one request, one Idempotency-Key, paid once.
    deposit = page.locator("#deposit-form")
    deposit.get_by_label("Amount").fill("25.50")
    deposit.get_by_role("button", name="Deposit").dblclick()
    expect(page.locator("#message")).to_have_text(
        f"Deposited USD 25.50 to {player}, balance USD 25.50"
    )
    balance = page.locator('#player-figures [data-figure="balance"]')
    expect(balance).to_have_text("USD 25.50")
    expect(page.locator("#players-body tr", has_text=player)).to_contain_text("USD 25.50")
    expect(page.locator("#me-shop-balance")).to_have_text("USD 974.50")
    assert len(moves) == 1, [r.url for r in moves]
    assert moves[0].method == "PUT" and moves[0].post_data == '{"sum":25.50,"wager":false}'
    assert UUID.fullmatch(moves[0].headers["idempotency-key"])

    # Withdraw more than the player has: the page shows the API's own message, nothing moved.
    withdraw = page.locator("#withdraw-form")
    withdraw.get_by_label("Amount").fill("100")
    with page.expect_response(lambda r: "/balance/out" in r.url) as refused:
        withdraw.get_by_role("button", name="Withdraw").click()
    assert refused.value.status == 400
    body = json.loads(refused.value.text())
    assert body["fail"] is True and body["message"]
    expect(page.locator("#message")).to_have_text(f"Not withdrawn from {player}: {body['message']}")
    expect(page.locator("#message")).to_have_class(re.compile(r"\berror\b"))
    expect(balance).to_have_text("USD 25.50")
    expect(page.locator("#me-shop-balance")).to_have_text("USD 974.50")
    assert moves[1].headers["idempotency-key"] != moves[0].headers["idempotency-key"]

    shot = screenshot(page, "cashier-console")
    assert shot.stat().st_size > 10_000
    # The one failure is the refused withdrawal (which the browser also logs).
    assert [f.split("?")[0] for f in failed] == [
        f"400 {server.base_url}/api/cashier/players/{player}/balance/out"
    ], failed
    assert [p for p in problems if "status of 400" not in p] == [], problems


def test_console_river_reverse_withdraw_all_password_paging_and_logout(
    server: Server,
    ledger: LedgerDB,
    river_desk: dict[str, str],
    browser: BrowserContext,
) -> None:
    page = browser.new_page()
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
    page.goto(f"{server.base_url}/cashier")

    # A wrong password: the API's message, and still the login form.
    log_in(page, {**river_desk, "password": "wrong-password"})
    expect(page.locator("#message")).to_have_text("Not logged in: Invalid credentials.")
    log_in(page, river_desk)
    expect(page.locator("#me-mode")).to_have_text("River")

    # River: the login and password are generated and shown once; a Bounce Back is recorded.
    create = page.locator("#create-form")
    expect(create.get_by_label("Username")).to_be_hidden()
    create.get_by_label("Opening deposit").fill("10")
    create.get_by_label("Bounce back").check()
    create.get_by_label("Platform").select_option("Thunder7")
    with page.expect_response(lambda r: r.url.split("?")[0].endswith("/cashier/players")) as made:
        create.get_by_role("button", name="Create player").click()
    player = made.value.json()["data"]
    assert re.fullmatch(r"\d{12}", player["username"]) and player["password"] == player["username"]
    expect(page.locator("#message")).to_contain_text(
        f"Created player {player['username']}, password {player['password']} (shown once)"
    )
    card = page.locator("#player-card")
    expect(card.locator("#player-extra")).to_contain_text(f"River login {player['river_login']}")
    expect(card.locator('[data-figure="balance"]')).to_have_text("USD 10.00")

    # Deposit: a bad amount is refused on the page (nothing sent); too many decimals by the API.
    deposit = page.locator("#deposit-form")
    deposit.get_by_label("Amount").fill("1,5")
    deposit.get_by_role("button", name="Deposit").click()
    expect(deposit.locator(".field-error")).to_contain_text("Enter the amount as digits")
    expect(deposit.get_by_label("Amount")).to_have_attribute("aria-invalid", "true")
    deposit.get_by_label("Amount").fill("1.005")
    with page.expect_response(lambda r: "/balance/add" in r.url) as refused:
        deposit.get_by_role("button", name="Deposit").click()
    assert refused.value.status == 400 and refused.value.request.post_data.startswith(
        '{"sum":1.005,'
    )
    expect(page.locator("#message")).to_contain_text(refused.value.json()["message"])
    deposit.get_by_label("Amount").fill("5.5")
    deposit.get_by_role("button", name="Deposit").click()
    expect(card.locator('[data-figure="balance"]')).to_have_text("USD 15.50")

    # A deposit whose answer is lost on the way back: the server paid it, the page saw no
    # answer. Sending it again carries the same Idempotency-Key: paid once.
    sent: list[Request] = []

    def lose_the_first_answer(route: Route) -> None:
        sent.append(route.request)
        if len(sent) == 1:
            route.fetch()  # the server does the deposit...
            route.abort("connectionreset")  # ...and its answer never arrives
        else:
            route.continue_()

    page.route("**/balance/add?*", lose_the_first_answer)
    deposit.get_by_label("Amount").fill("2")
    deposit.get_by_role("button", name="Deposit").click()
    expect(page.locator("#message")).to_contain_text("Sending it again is safe")
    expect(card.locator('[data-figure="balance"]')).to_have_text("USD 15.50")
    deposit.get_by_role("button", name="Deposit").click()
    expect(page.locator("#message")).to_contain_text(f"Deposited USD 2.00 to {player['username']}")
    expect(card.locator('[data-figure="balance"]')).to_have_text("USD 17.50")
    page.unroute("**/balance/add?*")
    assert len(sent) == 2
    assert sent[0].headers["idempotency-key"] == sent[1].headers["idempotency-key"]

    # Reverse takes the latest deposit back; withdraw all answers with the API's own words.
    page.get_by_role("button", name="Reverse last deposit").click()
    page.locator("#confirm").get_by_role("button", name="Reverse it").click()  # asked first
    expect(page.locator("#message")).to_contain_text(
        f"Reversed the deposit of USD 2.00 to {player['username']}"
    )
    expect(card.locator('[data-figure="balance"]')).to_have_text("USD 15.50")
    withdraw = page.locator("#withdraw-form")
    withdraw.get_by_label("Withdraw everything available").check()
    expect(withdraw.get_by_label("Amount")).to_be_disabled()
    with page.expect_response(lambda r: "/balance/out" in r.url) as out:
        withdraw.get_by_role("button", name="Withdraw").click()
    assert out.value.request.post_data == '{"all":true}'
    expect(page.locator("#message")).to_contain_text(out.value.json()["message"])
    expect(card.locator('[data-figure="balance"]')).to_have_text("USD 15.50")

    password = page.locator("#password-form")
    password.get_by_label("New password").fill("newSecret123")
    with page.expect_response(lambda r: r.url.split("?")[0].endswith("/password")) as changed:
        password.get_by_role("button", name="Change").click()
    assert changed.value.status == 200
    assert changed.value.json()["message"] == "Password changed successfully."
    expect(page.locator("#message")).to_have_text(f"Changed the password of {player['username']}.")

    # Eleven more players through the API; then ten a page, the next page, and a search.
    token = page.evaluate("JSON.parse(sessionStorage.getItem('wallet-cashier-console')).token")
    Server.extra_secrets.add(token)
    with httpx.Client(base_url=f"{server.base_url}/api", timeout=30) as api:
        for _ in range(11):
            made_more = api.post(
                "/cashier/players",
                params={"key": river_desk["key"]},
                headers={"Authorization": f"Bearer {token}", "Accept": "application/json"},
                json={},
            )
            assert made_more.status_code == 200, made_more.text
    page.get_by_label("Players per page").select_option("10")
    expect(page.locator("#page-info")).to_have_text("Page 1 of 2 · 12 players")
    expect(page.locator("#players-body tr")).to_have_count(10)
    page.get_by_role("button", name="Next").click()
    expect(page.locator("#page-info")).to_have_text("Page 2 of 2 · 12 players")
    expect(page.locator("#players-body tr")).to_have_count(2)
    expect(page.get_by_role("button", name="Next")).to_be_disabled()
    page.get_by_label("Search by username or first name").fill(player["username"])
    page.get_by_role("button", name="Search").click()
    expect(page.locator("#page-info")).to_have_text("Page 1 of 1 · 1 player")
    expect(page.locator("#players-body tr")).to_have_count(1)

    # A reload keeps the session (this tab only); logging out ends it, and the token with it.
    page.reload()
    expect(page.locator("#me-username")).to_have_text(river_desk["cashier"])
    page.get_by_role("button", name=f"Open player {player['username']}").click()
    expect(card.locator('[data-figure="balance"]')).to_have_text("USD 15.50")
    expect(card.locator('[data-figure="bounce_back"]')).to_be_visible()
    expect(card.locator('[data-figure="wager_bonus"]')).to_be_hidden()
    screenshot(page, "cashier-console-river")
    page.set_viewport_size({"width": 400, "height": 860})  # a phone: nothing wider than it
    assert page.evaluate("document.documentElement.scrollWidth") <= 400
    screenshot(page, "cashier-console-narrow")
    page.get_by_role("button", name="Log out").click()
    expect(page.locator("#message")).to_have_text("Logout is successful.")
    expect(page.locator("#login-form")).to_be_visible()
    assert page.evaluate("sessionStorage.length") == 0
    me = httpx.get(
        f"{server.base_url}/api/cashier/me",
        params={"key": river_desk["key"]},
        headers={"Authorization": f"Bearer {token}", "Accept": "application/json"},
    )
    assert me.status_code == 403
    assert not problems, problems

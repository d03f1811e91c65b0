"""The cashier console as a till (issue #20), in Debian's headless Chromium (Playwright) against
a real server whose operator is in Asia/Manila, at a desk's 1280x800 and a phone's 390x844.

Each finding of the issue is a test here: how much "withdraw everything" paid out, a double
Enter after a deposit, messages piling up, the first name that was called "Notes", currency and
cents on every amount, one date style in the operator's zone, reverse asked first and saying
what it took back, loading that keeps its buttons live, the link to /docs. And what the issue
asks of a till: quick amounts and a confirmation above the shop's amount (both set with
`wallet shop till`), the receipt line after every money move and a printable receipt, the
player's recent transactions, and the cashier's shift whose figures equal the ledger's.
Screenshots: .data/test-artifacts/cashier-till-*.png.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable, Iterator, Mapping
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
from playwright.sync_api import BrowserContext, Page, Request, expect

from tests.browser import ARTIFACTS, screenshot
from tests.cashier.conftest import GENEROUS
from tests.cashier.test_console import log_in, open_shop, shown_once, wallet_cli
from tests.support import LoopThread, Server
from wallet.ledger.database import LedgerDB

ZONE = "Asia/Manila"
DESK, PHONE = {"width": 1280, "height": 800}, {"width": 390, "height": 844}
MONEY = re.compile(r"^[+-]?USD [0-9]{1,3}(,[0-9]{3})*\.[0-9]{2}$")
A_TIME = re.compile(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}")


@pytest.fixture(scope="module")
def till_server(start_server: Callable[[Mapping[str, str]], Server]) -> Server:
    return start_server({**GENEROUS, "OPERATOR_TIMEZONE": ZONE})


FLOAT = "100000"  # the shops' opening float, USD


@pytest.fixture
def desk(db_url: str) -> dict[str, str]:
    return open_shop(db_url, "default", FLOAT)


@pytest.fixture
def page(browser: BrowserContext) -> Iterator[Page]:
    page = browser.new_page()
    page.set_viewport_size(DESK)
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
    page.on(
        "console",
        lambda m: (
            problems.append(m.text)
            if m.type == "error" and "the server responded with a status of" not in m.text
            else None
        ),
    )
    yield page
    assert not problems, problems


def no_sideways_scroll(page: Page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    inner = page.evaluate("window.innerWidth")
    assert width <= inner, f"the page is {width} px wide in a {inner} px window"


def both_sizes(page: Page, name: str, whole: bool = True) -> None:
    """No horizontal overflow at a desk's size and a phone's; a screenshot of each (the whole
    page, or what the window shows: a dialog is where the person looks)."""
    for size, label in ((DESK, "1280"), (PHONE, "390")):
        page.set_viewport_size(size)
        page.wait_for_timeout(150)  # the layout settles
        no_sideways_scroll(page)
        if whole:
            screenshot(page, f"{name}-{label}")
        else:
            ARTIFACTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / f"{name}-{label}.png"))
    page.set_viewport_size(DESK)


def enter(page: Page, server: Server, desk: dict[str, str]) -> None:
    page.goto(f"{server.base_url}/cashier")
    log_in(page, desk)
    expect(page.locator("#me-username")).to_have_text(desk["cashier"])
    expect(page.locator("#shift-count")).to_have_text(re.compile(r"\d"))


def new_player(page: Page, balance: str = "") -> str:
    name = f"p_{secrets.token_hex(4)}"
    create = page.locator("#create-form")
    create.get_by_label("Username").fill(name)
    create.get_by_label("Password").fill("secret123")
    create.get_by_label("Opening deposit").fill(balance)
    create.get_by_role("button", name="Create player").click()
    expect(page.locator("#player-name")).to_have_text(name)
    return name


def deposit(page: Page, amount: str, confirm: bool = False) -> None:
    """Deposit; `confirm`: the amount is above the shop's, so it is asked first: yes."""
    form = page.locator("#deposit-form")
    form.get_by_label("Amount").fill(amount)
    form.get_by_role("button", name="Deposit").click()
    if confirm:
        page.locator("#confirm").get_by_role("button", name=re.compile("^Deposit ")).click()


def message(page: Page) -> Any:
    return page.locator("#message")


def api_token(page: Page) -> str:
    token: str = page.evaluate("JSON.parse(sessionStorage.getItem('wallet-cashier-console')).token")
    Server.extra_secrets.add(token)
    return token


# ---- the findings ----


def test_withdraw_everything_says_how_much_to_hand_over(
    till_server: Server, ledger: LedgerDB, desk: dict[str, str], page: Page
) -> None:
    enter(page, till_server, desk)
    player = new_player(page, "30")
    withdraw = page.locator("#withdraw-form")
    withdraw.get_by_label("Withdraw everything available").check()
    with page.expect_response(lambda r: "/balance/out" in r.url) as out:
        withdraw.get_by_role("button", name="Withdraw").click()
    assert out.value.json()["data"]["sum"] == 30  # the API says it too
    expect(message(page)).to_have_text(
        f"Withdrew everything, USD 30.00, from {player}: pay out USD 30.00. Now balance USD 0.00"
    )
    expect(page.locator('#player-figures [data-figure="balance"]')).to_have_text("USD 0.00")


def test_a_double_enter_after_a_deposit_keeps_its_receipt(
    till_server: Server, ledger: LedgerDB, desk: dict[str, str], page: Page
) -> None:
    enter(page, till_server, desk)
    player = new_player(page)
    moves: list[Request] = []
    page.on("request", lambda r: moves.append(r) if "/balance/" in r.url else None)
    amount = page.locator("#deposit-sum")
    amount.fill("40")
    amount.press("Enter")
    amount.press("Enter")  # the till's habit: the second one lands after the first
    expect(message(page)).to_have_text(f"Deposited USD 40.00 to {player}, balance USD 40.00")
    amount.press("Enter")  # and one more, on the now empty field
    expect(message(page)).to_have_text(f"Deposited USD 40.00 to {player}, balance USD 40.00")
    expect(message(page)).to_have_class(re.compile(r"\bok\b"))
    expect(page.locator("#message-bar")).not_to_have_class(re.compile(r"\berror\b"))
    # The empty field says so beside itself, in grey; nothing went out again.
    expect(page.locator("#deposit-form .field-error")).to_have_text("Type an amount first.")
    expect(page.locator("#deposit-form .field-error")).to_have_class(re.compile(r"\bneutral\b"))
    assert len(moves) == 1, [r.url for r in moves]


def test_a_server_failure_after_a_deposit_is_not_said_to_be_a_refusal(
    till_server: Server, ledger: LedgerDB, desk: dict[str, str], page: Page
) -> None:
    """The server did the deposit but its answer came back a 503 (as when a commit's answer was
    lost): the page may not say "not deposited". It says it may have happened; the resend goes
    under the same key and is paid once."""
    enter(page, till_server, desk)
    player = new_player(page)
    sent: list[Request] = []

    def fail_the_first_answer(route: Any) -> None:
        sent.append(route.request)
        if len(sent) == 1:
            route.fetch()  # the deposit is made...
            route.fulfill(  # ...and the page gets the server's failure
                status=503,
                content_type="application/json",
                body='{"fail":true,"message":"The service is temporarily unavailable."}',
            )
        else:
            route.continue_()

    page.route("**/balance/add?*", fail_the_first_answer)
    deposit(page, "12")
    expect(message(page)).to_contain_text("may or may not have gone through")
    expect(message(page)).to_contain_text("Sending it again is safe")
    expect(page.locator("#message-bar")).to_have_class(re.compile(r"\bunknown\b"))
    page.locator("#deposit-form").get_by_role("button", name="Deposit").click()
    expect(message(page)).to_have_text(f"Deposited USD 12.00 to {player}, balance USD 12.00")
    page.unroute("**/balance/add?*")
    assert len(sent) == 2
    assert sent[0].headers["idempotency-key"] == sent[1].headers["idempotency-key"]


def test_one_message_area_shows_only_the_last_action(
    till_server: Server, ledger: LedgerDB, desk: dict[str, str], page: Page
) -> None:
    enter(page, till_server, desk)
    first = new_player(page, "10")
    deposit(page, "5")
    expect(message(page)).to_contain_text("Deposited USD 5.00")
    page.locator("#withdraw-form").get_by_label("Amount").fill("3")
    page.locator("#withdraw-form").get_by_role("button", name="Withdraw").click()
    expect(message(page)).to_contain_text("Withdrew USD 3.00")
    page.get_by_role("button", name="Reverse last deposit").click()
    page.locator("#confirm").get_by_role("button", name="Reverse it").click()
    expect(message(page)).to_have_text(
        f"Reversed the deposit of USD 5.00 to {first}, balance USD 7.00"
    )
    # One line on the whole page speaks of a move; no older box lingers.
    said = page.locator("text=/Deposited|Withdrew|Reversed|Created player/").all()
    assert [s.inner_text() for s in said if s.is_visible()] == [message(page).inner_text()]
    # Another player: the last action's line names its own player; no form speaks of anyone.
    second = new_player(page)
    expect(message(page)).to_contain_text(f"Created player {second}")
    for form in page.locator("#create-form, #deposit-form, #withdraw-form, #reverse-form").all():
        assert first not in form.inner_text()


def test_the_first_name_is_called_what_it_is_and_checked_before_sending(
    till_server: Server, ledger: LedgerDB, desk: dict[str, str], page: Page, db_url: str
) -> None:
    enter(page, till_server, desk)
    create = page.locator("#create-form")
    expect(create.get_by_text("Notes")).to_have_count(0)
    field = create.get_by_label("First name")
    expect(field).to_be_visible()
    expect(create.locator("#create-first-name-help")).to_contain_text("not a note")
    sent: list[Request] = []
    page.on("request", lambda r: sent.append(r) if r.method == "POST" else None)
    create.get_by_label("Username").fill(f"p_{secrets.token_hex(4)}")
    create.get_by_label("Password").fill("secret123")
    field.fill("Regular, blue jacket")
    create.get_by_role("button", name="Create player").click()
    expect(create.locator(".field-error").first).to_contain_text("Not a valid first name")
    assert sent == []
    # A first name another player has (of any shop): said plainly, nothing made.
    other = open_shop(db_url, "default", FLOAT)
    taken = f"tag_{secrets.token_hex(4)}"
    with httpx.Client(base_url=f"{till_server.base_url}/api", timeout=30) as api:
        login = {"username": other["cashier"], "password": other["password"]}
        token = api.post("/login", params={"key": other["key"]}, json=login)
        Server.extra_secrets.add(token.json()["token"])
        made = api.post("/cashier/players", params={"key": other["key"]},
                        headers={"Authorization": f"Bearer {token.json()['token']}"},
                        json={"username": f"o_{secrets.token_hex(4)}", "password": "secret123",
                              "first_name": taken})  # fmt: skip
        assert made.status_code == 200, made.text
    field.fill(taken)
    create.get_by_role("button", name="Create player").click()
    expect(message(page)).to_contain_text("Player not created: The first name has already been")
    expect(message(page)).to_contain_text("first names are unique")


def test_every_amount_has_its_currency_and_cents_and_every_time_one_style_in_the_zone(
    till_server: Server, ledger: LedgerDB, desk: dict[str, str], page: Page
) -> None:
    enter(page, till_server, desk)
    player = new_player(page, "12.5")
    deposit(page, "7")
    expect(message(page)).to_contain_text("Deposited USD 7.00")
    expect(page.locator("#history-list li")).to_have_count(2)
    amounts = page.locator(
        "#me-shop-balance, #player-figures dd, #players-body td.num, .history .amount,"
        " #shift dd.num:not(#shift-count), .btn-quick"
    )
    texts = [t.strip() for t in amounts.all_inner_texts()]
    assert len(texts) >= 20, texts
    assert [t for t in texts if not MONEY.match(t)] == [], texts
    # Times: the player's creation and each transaction in YYYY-MM-DD HH:MM, in Manila (UTC+8),
    # the zone named beside them.
    api_time = page.evaluate(
        """async (user) => {
            const s = JSON.parse(sessionStorage.getItem('wallet-cashier-console'));
            const r = await fetch(`/api/cashier/players/${user}?key=${encodeURIComponent(s.key)}`,
                                  {headers: {Authorization: `Bearer ${s.token}`}});
            return (await r.json()).data.created_at;
        }""",
        player,
    )
    local = datetime.fromisoformat(api_time).replace(tzinfo=UTC).astimezone(ZoneInfo(ZONE))
    row = page.locator("#players-body tr", has_text=player)
    expect(row.locator("td").last).to_have_text(local.strftime("%Y-%m-%d %H:%M"))
    expect(page.locator("#players-title")).to_contain_text(f"times in {ZONE}")
    for detail in page.locator(".history-detail").all_inner_texts():
        assert A_TIME.match(detail), detail
    expect(page.locator("#history")).to_contain_text(f"times in {ZONE}")
    expect(page.locator("#shift-range")).to_contain_text(ZONE)


def test_reverse_is_asked_first_and_says_what_it_took_back(
    till_server: Server, ledger: LedgerDB, desk: dict[str, str], page: Page
) -> None:
    enter(page, till_server, desk)
    player = new_player(page, "20")
    page.locator("#deposit-form").get_by_label("Wager bonus").check()
    deposit(page, "50")
    expect(message(page)).to_contain_text("Deposited USD 50.00")
    expect(page.locator(".history li").first).to_contain_text("Deposit")
    reverses: list[Request] = []
    page.on(
        "request",
        lambda r: reverses.append(r) if r.url.split("?")[0].endswith("/reverse") else None,
    )
    page.get_by_role("button", name="Reverse last deposit").click()
    dialog = page.locator("#confirm")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("Reverse the deposit of USD 50.00 and its bonus USD 5.00 made")
    expect(dialog).to_contain_text(f"by {desk['cashier']} to {player}")
    dialog.get_by_role("button", name="Cancel").click()
    expect(message(page)).to_contain_text("was cancelled")
    assert reverses == []
    page.get_by_role("button", name="Reverse last deposit").click()
    dialog.get_by_role("button", name="Reverse it").click()
    expect(message(page)).to_have_text(
        f"Reversed the deposit of USD 50.00 and its bonus USD 5.00 to {player}, balance USD 20.00"
    )
    assert len(reverses) == 1
    expect(page.locator(".history li").nth(1)).to_contain_text("Deposit (reversed)")


def test_loading_says_what_it_loads_and_its_buttons_wait(
    till_server: Server, ledger: LedgerDB, desk: dict[str, str], page: Page
) -> None:
    enter(page, till_server, desk)
    held: list[Any] = []
    page.route("**/api/cashier/players?*", lambda route: held.append(route))
    page.get_by_role("button", name="Search").click()
    expect(page.locator("#players-status")).to_have_text("Loading players…")
    expect(page.get_by_role("button", name="Search")).to_be_disabled()
    expect(page.locator("#players-table")).to_have_attribute("aria-busy", "true")
    held[0].continue_()
    page.unroute("**/api/cashier/players?*")
    expect(page.get_by_role("button", name="Search")).to_be_enabled()
    expect(page.locator("#players-status")).to_have_text("")


def test_the_console_links_to_the_api_document(
    till_server: Server, desk: dict[str, str], page: Page
) -> None:
    page.goto(f"{till_server.base_url}/cashier")
    link = page.get_by_role("link", name="API docs")
    expect(link).to_have_attribute("href", "/docs")
    assert httpx.get(f"{till_server.base_url}/docs", timeout=10).status_code == 200


# ---- the till ----


def test_quick_amounts_and_the_confirmation_above_the_shops_amount(
    till_server: Server, ledger: LedgerDB, desk: dict[str, str], page: Page, db_url: str
) -> None:
    line = wallet_cli(
        db_url, "shop", "till", desk["shop"], "--confirm-above", "50", "--quick-amounts", "5,15.5"
    )
    assert line.endswith("confirm_above: 50.00 quick_amounts: 5.00,15.50"), line
    enter(page, till_server, desk)
    player = new_player(page)
    quick = page.locator("#deposit-form .btn-quick")
    expect(quick).to_have_text(["USD 5.00", "USD 15.50"])
    quick.nth(1).click()
    expect(page.locator("#deposit-sum")).to_have_value("15.50")
    expect(page.locator("#deposit-sum")).to_be_focused()
    page.locator("#deposit-sum").press("Enter")  # at the shop's amount or below: no question
    expect(message(page)).to_have_text(f"Deposited USD 15.50 to {player}, balance USD 15.50")

    moves: list[Request] = []
    page.on("request", lambda r: moves.append(r) if "/balance/" in r.url else None)
    deposit(page, "50.01")
    dialog = page.locator("#confirm")
    expect(dialog).to_contain_text(f"Deposit USD 50.01 to {player}? It is above USD 50.00")
    page.keyboard.press("Enter")  # a second Enter lands on Cancel
    expect(dialog).to_be_hidden()
    expect(message(page)).to_have_text(f"Not deposited: USD 50.01 to {player} was cancelled.")
    assert moves == []
    deposit(page, "50.01")
    dialog.get_by_role("button", name="Deposit USD 50.01").click()
    expect(message(page)).to_have_text(f"Deposited USD 50.01 to {player}, balance USD 65.51")
    # A withdrawal above the amount is asked too; everything, when the balance is above it.
    page.locator("#withdraw-form").get_by_label("Withdraw everything available").check()
    page.locator("#withdraw-form").get_by_role("button", name="Withdraw").click()
    expect(dialog).to_contain_text(f"Withdraw everything from {player} (USD 65.51 as last shown)?")
    dialog.get_by_role("button", name="Withdraw everything").click()
    expect(message(page)).to_contain_text("pay out USD 65.51")
    assert len(moves) == 2


def test_a_receipt_line_after_every_money_move_and_a_printable_receipt(
    till_server: Server, ledger: LedgerDB, desk: dict[str, str], page: Page
) -> None:
    enter(page, till_server, desk)
    player = f"p_{secrets.token_hex(4)}"
    create = page.locator("#create-form")
    create.get_by_label("Username").fill(player)
    create.get_by_label("Password").fill("secret123")
    create.get_by_label("Opening deposit").fill("100")
    create.get_by_role("button", name="Create player").click()
    expect(message(page)).to_have_text(
        f"Created player {player}, deposited USD 100.00; balance USD 100.00"
    )
    deposit(page, "1234.5", confirm=True)
    expect(message(page)).to_have_text(f"Deposited USD 1,234.50 to {player}, balance USD 1,334.50")
    withdraw = page.locator("#withdraw-form")
    withdraw.get_by_label("Amount").fill("34.5")
    withdraw.get_by_role("button", name="Withdraw").click()
    expect(message(page)).to_have_text(
        f"Withdrew USD 34.50 from {player}: pay out USD 34.50. Now balance USD 1,300.00"
    )
    deposit(page, "0.05")
    expect(message(page)).to_have_text(f"Deposited USD 0.05 to {player}, balance USD 1,300.05")
    page.get_by_role("button", name="Reverse last deposit").click()
    page.locator("#confirm").get_by_role("button", name="Reverse it").click()
    expect(message(page)).to_have_text(
        f"Reversed the deposit of USD 0.05 to {player}, balance USD 1,300.00"
    )
    # The printer gets the receipt of that last move, and nothing else of the page.
    expect(page.get_by_role("button", name="Print receipt")).to_be_visible()
    screenshot(page, "cashier-till-receipt-line")
    page.emulate_media(media="print")
    receipt = page.locator("#receipt")
    expect(receipt).to_be_visible()
    expect(page.locator("main")).to_be_hidden()
    lines = dict(
        zip(
            receipt.locator("dt").all_inner_texts(),
            receipt.locator("dd").all_inner_texts(),
            strict=True,
        )
    )
    assert lines["Shop"] == desk["shop"] and lines["Cashier"] == desk["cashier"]
    assert lines["Player"] == player and lines["Deposit reversed"] == "USD 0.05"
    assert lines["Balance"] == "USD 1,300.00"
    assert re.fullmatch(rf"{A_TIME.pattern} \({ZONE}\)", lines["Time"]), lines["Time"]
    screenshot(page, "cashier-till-receipt-print")
    page.emulate_media(media="screen")


def test_the_players_recent_transactions(
    till_server: Server, ledger: LedgerDB, desk: dict[str, str], page: Page
) -> None:
    enter(page, till_server, desk)
    player = new_player(page, "10")
    deposit(page, "20")
    expect(message(page)).to_contain_text("Deposited USD 20.00")
    page.locator("#withdraw-form").get_by_label("Amount").fill("5")
    page.locator("#withdraw-form").get_by_role("button", name="Withdraw").click()
    expect(message(page)).to_contain_text("Withdrew USD 5.00")
    rows = page.locator("#history-list li")
    expect(rows).to_have_count(3)
    expect(rows.locator(".what")).to_have_text(["Withdrawal", "Deposit", "Deposit"])
    expect(rows.locator(".amount")).to_have_text(["-USD 5.00", "+USD 20.00", "+USD 10.00"])
    expect(rows.nth(0).locator(".history-detail")).to_contain_text(
        f"{desk['cashier']} · balance USD 25.00"
    )
    # The same as the API answers, row for row.
    token = api_token(page)
    answer = httpx.get(
        f"{till_server.base_url}/api/cashier/players/{player}/transactions",
        params={"key": desk["key"]},
        headers={"Authorization": f"Bearer {token}", "Accept": "application/json"},
        timeout=10,
    ).json()["data"]
    assert [(r["type"], r["amount"], r["balance"]) for r in answer] == [
        ("withdrawal", -5, 25),
        ("deposit", 20, 30),
        ("deposit", 10, 10),
    ]


def shift_figures(page: Page) -> dict[str, str]:
    return {
        name: page.locator(f"#shift-{name}").inner_text()
        for name in ("cash-in", "cash-out", "net", "count", "in-detail", "out-detail")
    }


def ledger_shift(
    ledger: LedgerDB, loop: LoopThread, players: list[str], since: datetime
) -> dict[str, tuple[int, int]]:
    """Per operation: (moves, cash) of the cashier API's moves on these players since then, from
    the postings on their money accounts (no use of cashier_moves: who served whom is the
    test's own knowledge)."""
    rows = loop.run(
        ledger.all(
            "SELECT t.operation, count(DISTINCT t.id), sum(q.amount_minor)"
            "  FROM transactions t"
            "  JOIN postings q ON q.transaction_id = t.id"
            "  JOIN accounts a ON a.id = q.account_id"
            "  JOIN players p ON p.id = a.owner_id"
            " WHERE t.caller = 'cashier' AND a.owner_type = 'player' AND p.username = ANY (%s)"
            "   AND a.purpose IN ('main', 'debt', 'win') AND t.created_at >= %s"
            " GROUP BY t.operation",
            (players, since),
        )
    )
    return {str(op): (int(n), abs(int(cash))) for op, n, cash in rows}


def usd(minor: int) -> str:
    return f"USD {Decimal(minor).scaleb(-2):,.2f}"


def test_the_shift_summary_equals_the_ledger(
    till_server: Server,
    ledger: LedgerDB,
    loop: LoopThread,
    db_url: str,
    desk: dict[str, str],
    page: Page,
) -> None:
    base = f"{till_server.base_url}/api"
    # Another cashier of the same shop, and this cashier's earlier session: neither is this
    # shift's.
    other = f"S_{secrets.token_hex(4)}"
    other_password = shown_once(
        wallet_cli(db_url, "cashier", "create", other, "--shop", desk["shop"]), "password"
    )

    def session(username: str, password: str) -> httpx.Client:
        client = httpx.Client(base_url=base, timeout=30, params={"key": desk["key"]})
        token = client.post("/login", json={"username": username, "password": password})
        Server.extra_secrets.add(token.json()["token"])
        client.headers["Authorization"] = f"Bearer {token.json()['token']}"
        client.headers["Accept"] = "application/json"
        return client

    earlier = session(desk["cashier"], desk["password"])
    opened = {"username": f"e_{secrets.token_hex(4)}", "password": "secret123", "balance": 40}
    before = earlier.post("/cashier/players", json=opened)
    assert before.status_code == 200, before.text
    chosen = datetime.now(UTC) - timedelta(minutes=1)
    loop.run(ledger.one("SELECT pg_sleep(1.1)"))  # the login below is a later second

    enter(page, till_server, desk)
    logged_in = page.evaluate(
        """async () => {
            const s = JSON.parse(sessionStorage.getItem('wallet-cashier-console'));
            const r = await fetch(`/api/cashier/me?key=${encodeURIComponent(s.key)}`,
                                  {headers: {Authorization: `Bearer ${s.token}`}});
            return (await r.json()).data.logged_in_at;
        }"""
    )
    since = datetime.fromisoformat(logged_in).replace(tzinfo=UTC)
    served = [new_player(page, "100")]
    deposit(page, "25.25")
    expect(message(page)).to_contain_text("Deposited USD 25.25")
    withdraw = page.locator("#withdraw-form")
    withdraw.get_by_label("Amount").fill("60")
    withdraw.get_by_role("button", name="Withdraw").click()
    expect(message(page)).to_contain_text("Withdrew USD 60.00")
    served.append(new_player(page))
    page.locator("#deposit-form").get_by_label("Wager bonus").check()  # a bonus is not cash
    deposit(page, "10")
    expect(message(page)).to_contain_text("Deposited USD 10.00")
    page.get_by_role("button", name="Reverse last deposit").click()
    page.locator("#confirm").get_by_role("button", name="Reverse it").click()
    expect(message(page)).to_contain_text("Reversed the deposit of USD 10.00")
    # Meanwhile the other cashier serves its own player.
    theirs = session(other, other_password)
    theirs_opened = {
        "username": f"x_{secrets.token_hex(4)}",
        "password": "secret123",
        "balance": 70,
    }
    made = theirs.post("/cashier/players", json=theirs_opened)
    assert made.status_code == 200, made.text
    theirs.close()

    page.locator("#shift-refresh").click()
    figures = ledger_shift(ledger, loop, served, since)
    deposits, withdrawals, reverses = (
        figures.get(op, (0, 0)) for op in ("deposit", "withdraw", "reverse")
    )
    # The script's own figures: deposits 100 + 25.25 + 10, withdrawals 60, reverses 10.
    assert (deposits, withdrawals, reverses) == ((3, 13525), (1, 6000), (1, 1000))
    cash_in, cash_out = deposits[1] - reverses[1], withdrawals[1]
    expect(page.locator("#shift-cash-in")).to_have_text(usd(cash_in))
    expect(page.locator("#shift-cash-out")).to_have_text(usd(cash_out))
    expect(page.locator("#shift-net")).to_have_text(usd(cash_in - cash_out))
    expect(page.locator("#shift-count")).to_have_text("5")
    expect(page.locator("#shift-in-detail")).to_have_text(
        f"3 deposits {usd(13525)}, less 1 reverse {usd(1000)}"
    )
    expect(page.locator("#shift-out-detail")).to_have_text(f"1 withdrawal {usd(6000)}")
    local_login = since.astimezone(ZoneInfo(ZONE)).strftime("%Y-%m-%d %H:%M")
    expect(page.locator("#shift-range")).to_contain_text(f"Since {local_login} (your login)")
    shop_float = loop.run(ledger.one(
        "SELECT a.balance_minor FROM accounts a JOIN shops s ON s.id = a.owner_id"
        " WHERE a.owner_type = 'shop' AND a.purpose = 'main' AND s.name = %s", (desk["shop"],)
    ))  # fmt: skip
    assert shop_float is not None
    expect(page.locator("#me-shop-balance")).to_have_text(usd(int(shop_float[0])))

    # Since a chosen time (the operator's zone): the earlier session's deposit counts too.
    chosen_local = chosen.astimezone(ZoneInfo(ZONE)).strftime("%Y-%m-%d %H:%M")
    page.locator("#shift-since").fill(chosen_local)
    page.locator("#shift-form").get_by_role("button", name="Show").click()
    expect(page.locator("#shift-count")).to_have_text("6")
    expect(page.locator("#shift-cash-in")).to_have_text(usd(cash_in + 4000))
    expect(page.locator("#shift-range")).to_contain_text(f"Since {chosen_local} to")
    page.locator("#shift-since").fill("yesterday")
    page.locator("#shift-form").get_by_role("button", name="Show").click()
    expect(page.locator("#shift-form .field-error")).to_contain_text("YYYY-MM-DD HH:MM")
    page.get_by_role("button", name="Since login").click()
    expect(page.locator("#shift-count")).to_have_text("5")
    earlier.close()


def test_the_console_at_a_desk_and_on_a_phone(
    till_server: Server, ledger: LedgerDB, db_url: str, page: Page
) -> None:
    river = open_shop(db_url, "river", FLOAT)
    page.goto(f"{till_server.base_url}/cashier")
    both_sizes(page, "cashier-till-login")
    enter(page, till_server, river)
    create = page.locator("#create-form")
    create.get_by_label("Opening deposit").fill("20")
    create.get_by_label("Bounce back").check()
    create.get_by_role("button", name="Create player").click()
    expect(message(page)).to_contain_text("Created player")
    deposit(page, "1000", confirm=True)
    expect(message(page)).to_contain_text("Deposited USD 1,000.00")
    expect(page.locator("#history-list li")).to_have_count(2)
    both_sizes(page, "cashier-till")
    page.get_by_role("button", name="Reverse last deposit").click()
    expect(page.locator("#confirm")).to_be_visible()
    both_sizes(page, "cashier-till-confirm", whole=False)
    page.locator("#confirm").get_by_role("button", name="Cancel").click()

"""The agent dashboard (/agent) in a real browser (Debian's headless Chromium driven by
Playwright, tests/browser.py), after the scripted month of play (tests/agents/scripted_month.py):
an agent logs in, picks November, and sees the month's totals, the daily charts drawn from the
daily report (each chart's data is read back from Chart.js and compared with the figures the
script means), the top players by GGR, the settlement with its sub-agent, and an unread message.
The page loads nothing from another origin and no script error or CSP refusal happens.
Screenshot: .data/test-artifacts/agent-dashboard.png (and /tmp/agent-dashboard.png)."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterator, Mapping
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import httpx
import pytest
from playwright.sync_api import BrowserContext, Page, expect

from tests.agents.conftest import GENEROUS, PASSWORD
from tests.agents.scripted_month import BP, NOV_FROM, NOV_TO, Fig, World, commission, play_month
from tests.browser import screenshot
from tests.support import LoopThread, Server
from wallet.config import ROOT_DIR
from wallet.ledger.database import LedgerDB

SHOT = Path("/tmp/agent-dashboard.png")
NOTE = "Please top up my players before the weekend."


@pytest.fixture(scope="module")
def month(
    start_server: Callable[[Mapping[str, str]], Server],
    ledger: LedgerDB,
    loop: LoopThread,
    db_url: str,
) -> Iterator[tuple[Server, World]]:
    Server.extra_secrets.add(PASSWORD)
    server = start_server({**GENEROUS, "OPERATOR_TIMEZONE": "Asia/Manila"})
    with play_month(server, ledger, loop, db_url) as world:
        to_r = {"toAffiliateId": str(world.agents["R"].id), "message": NOTE}
        world.ok("A", "/message/send", to_r)
        yield server, world


def money(minor: int) -> str:
    """As the page shows an amount of a 2-decimal currency: its currency, en-US grouping."""
    sign = "-" if minor < 0 else ""
    return f"{sign}PHP {Decimal(abs(minor)).scaleb(-2):,.2f}"


def days_of(world: World) -> list[Fig]:
    names = world.subtree("R")
    days = (NOV_TO - NOV_FROM).days + 1
    return [
        world.expected.fig(names, NOV_FROM + timedelta(d), NOV_FROM + timedelta(d))
        for d in range(days)
    ]


def chart_data(page: Page, canvas: str) -> dict[str, list[float]]:
    data: dict[str, list[float]] = page.evaluate(
        """(id) => {
            const chart = window.Chart.getChart(id);
            const out = { labels: chart.data.labels };
            for (const set of chart.data.datasets) out[set.label] = set.data;
            return out;
        }""",
        canvas,
    )
    return data


def test_the_page_is_ours_alone(month: tuple[Server, World]) -> None:
    server, _ = month
    page = httpx.get(f"{server.base_url}/agent", timeout=10)
    assert (
        page.status_code == 200 and "default-src 'none'" in page.headers["content-security-policy"]
    )
    linked = re.findall(r'(?:src|href)="([^"]+)"', page.text)
    assert sorted(linked) == [
        "#inbox",  # the page's own messages and notifications
        "/agent/static/chart.umd.min.js",
        "/agent/static/dashboard.css",
        "/agent/static/dashboard.js",
        "/docs",  # the API document, ours too
        "/static/favicon.svg",
        "/static/money.js",
        "/static/pages.css",
    ]
    for path in linked:
        if path.startswith("#"):
            continue
        asset = httpx.get(f"{server.base_url}{path}", timeout=10)
        assert asset.status_code == 200, path
        if path != "/docs":  # a page of its own (Swagger UI), not one of this page's files
            assert asset.headers["x-content-type-options"] == "nosniff"
    # Our own files name no other origin (Chart.js, vendored as published, names its authors'
    # pages in comments; that nothing is fetched from elsewhere is the browser test's check).
    for name in ("dashboard.html", "dashboard.js", "dashboard.css"):
        text = (ROOT_DIR / "wallet" / "agents" / "dashboard_files" / name).read_text()
        assert not re.search(r"https?://", text), name
    shared = ROOT_DIR / "wallet" / "web" / "page_files" / "money.js"
    assert not re.search(r"https?://", shared.read_text())


def test_an_agent_sees_the_month_as_charts_top_players_settlement_and_messages(
    month: tuple[Server, World], browser: BrowserContext, ledger: LedgerDB, loop: LoopThread
) -> None:
    server, world = month
    page = browser.new_page()
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    outside: list[str] = []
    here = urlsplit(server.base_url).netloc
    page.on("request", lambda r: outside.append(r.url) if urlsplit(r.url).netloc != here else None)

    page.goto(f"{server.base_url}/agent")
    login = page.locator("#login-form")
    login.get_by_label("Agent username").fill(world.agents["R"].username)
    login.get_by_label("Password").fill("wrong-password")
    login.get_by_role("button", name="Log in").click()
    expect(login.locator(".form-status")).to_have_text("Invalid credentials")
    assert problems == ["Failed to load resource: the server responded with a status of 401 "
                        "(Unauthorized)"], problems  # fmt: skip
    problems.clear()
    login.get_by_label("Password").fill(PASSWORD)
    login.get_by_role("button", name="Log in").click()
    expect(page.locator("#me-username")).to_have_text(world.agents["R"].username)

    page.locator("#date-from").fill(NOV_FROM.isoformat())
    page.locator("#date-to").fill(NOV_TO.isoformat())
    page.get_by_role("button", name="Show").click()

    names, exp = world.subtree("R"), world.expected
    total = exp.fig(names, NOV_FROM, NOV_TO)
    expect(page.locator("#total-bets")).to_have_text(money(total.bets))
    expect(page.locator("#total-wins")).to_have_text(money(total.wins))
    expect(page.locator("#total-ggr")).to_have_text(money(total.ggr))
    expect(page.locator("#total-deposits")).to_have_text(money(total.deposits))
    expect(page.locator("#total-withdrawals")).to_have_text(money(total.withdrawals))
    expect(page.locator("#total-commission")).to_have_text(money(commission(total.ggr, BP["R"])))

    days = days_of(world)
    money_chart = chart_data(page, "money-chart")
    play_chart = chart_data(page, "play-chart")
    assert money_chart["labels"] == [f"2026/11/{d:02d}" for d in range(1, 31)]
    for label, figure in (("Deposits", "deposits"), ("Withdrawals", "withdrawals")):
        assert [Decimal(str(v)) for v in money_chart[label]] == [
            Decimal(getattr(f, figure)).scaleb(-2) for f in days
        ], label
    for label, figure in (("Bets", "bets"), ("Wins", "wins"), ("GGR", "ggr")):
        assert [Decimal(str(v)) for v in play_chart[label]] == [
            Decimal(getattr(f, figure)).scaleb(-2) for f in days
        ], label

    by_player = {world.players[n]: exp.fig({n}, NOV_FROM, NOV_TO) for n in names}
    top = max(by_player, key=lambda user: by_player[user].ggr)
    first = page.locator("#top-players tbody tr").first
    expect(first.locator("td").nth(0)).to_have_text(top)
    expect(first.locator("td").nth(3)).to_have_text(money(by_player[top].ggr))

    settlement = page.locator("#settlement tbody tr", has_text=world.agents["A"].username)
    expect(settlement).to_have_count(1)

    expect(page.locator("#unread-total")).to_have_text("1")
    expect(page.locator("#unread-chats li")).to_contain_text(NOTE)
    expect(page.locator("#unread-chats li")).to_contain_text(world.agents["A"].username)

    screenshot(page, "agent-dashboard", SHOT)
    assert not problems, problems
    assert not outside, outside

    # Log out revokes the page's token on the server too (issue #21: POST /api/auth/logout).
    live = "SELECT count(*) FROM agent_tokens WHERE agent_id = %s AND expires_at > now()"
    before = loop.run(ledger.one(live, (world.agents["R"].id,)))
    with page.expect_response("**/api/auth/logout") as logged_out:
        page.get_by_role("button", name="Log out").click()
    expect(page.get_by_role("heading", name="Log in")).to_be_visible()
    assert logged_out.value.status == 200
    after = loop.run(ledger.one(live, (world.agents["R"].id,)))
    assert before is not None and after is not None and after[0] == before[0] - 1


# ---- issue #20: the dashboard as agents compare it with a payments dashboard, on a phone too ----

DESK, PHONE = {"width": 1280, "height": 800}, {"width": 390, "height": 844}
OCT_FROM, OCT_TO = date(2026, 10, 1), date(2026, 10, 31)
ZONE = ZoneInfo("Asia/Manila")
A_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def watched(browser: BrowserContext) -> tuple[Page, list[str]]:
    page = browser.new_page()
    page.set_viewport_size(DESK)
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
    page.on(
        "console",
        lambda m: (
            problems.append(m.text) if m.type == "error" and "status of 400" not in m.text else None
        ),
    )
    return page, problems


def log_in_as(page: Page, server: Server, world: World, who: str) -> None:
    page.goto(f"{server.base_url}/agent")
    login = page.locator("#login-form")
    login.get_by_label("Agent username").fill(world.agents[who].username)
    login.get_by_label("Password").fill(PASSWORD)
    login.get_by_role("button", name="Log in").click()
    expect(page.locator("#me-username")).to_have_text(world.agents[who].username)
    expect(page.locator("#range-note")).to_contain_text("compared with")


def show(page: Page, first: date, last: date) -> None:
    page.locator("#date-from").fill(first.isoformat())
    page.locator("#date-to").fill(last.isoformat())
    page.get_by_role("button", name="Show").click()
    expect(page.locator("#range-note")).to_contain_text(
        f"{first.isoformat()} to {last.isoformat()}"
    )


def no_sideways_scroll(page: Page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    inner = page.evaluate("window.innerWidth")
    assert width <= inner, f"the page is {width} px wide in a {inner} px window"


def test_the_dashboard_at_a_desk_and_on_a_phone(
    month: tuple[Server, World], browser: BrowserContext
) -> None:
    server, world = month
    page, problems = watched(browser)
    page.goto(f"{server.base_url}/agent")
    for size, label in ((DESK, "1280"), (PHONE, "390")):
        page.set_viewport_size(size)
        no_sideways_scroll(page)
        screenshot(page, f"agent-dashboard-login-{label}")
    page.set_viewport_size(DESK)
    log_in_as(page, server, world, "R")
    show(page, NOV_FROM, NOV_TO)
    for size, label in ((DESK, "1280"), (PHONE, "390")):
        page.set_viewport_size(size)
        page.wait_for_timeout(300)  # the charts follow their boxes
        no_sideways_scroll(page)
        # Nothing runs out of its card: every table and chart within its section.
        overflowing = page.evaluate(
            """() => [...document.querySelectorAll('table, canvas')].filter((el) => {
                const card = el.closest('.card').getBoundingClientRect();
                const box = el.getBoundingClientRect();
                return box.width > 0 && (box.right > card.right + 1 || box.left < card.left - 1);
            }).map((el) => el.id)"""
        )
        assert overflowing == [], (label, overflowing)
        screenshot(page, f"agent-dashboard-{label}")
    assert not problems, problems


def test_the_previous_period_beside_each_total_and_the_players_counts(
    month: tuple[Server, World], browser: BrowserContext
) -> None:
    server, world = month
    page, problems = watched(browser)
    log_in_as(page, server, world, "R")
    show(page, NOV_FROM, NOV_TO)
    names, exp = world.subtree("R"), world.expected
    october = exp.fig(names, OCT_FROM, OCT_TO)
    expect(page.locator("#range-note")).to_contain_text(
        "2026-11-01 to 2026-11-30 (30 days), compared with 2026-10-01 to 2026-10-31."
        " Days in Asia/Manila."
    )
    assert october.deposits > 0  # the script's October deposit
    expect(page.locator("#prev-deposits")).to_have_text(
        re.compile(rf"^Previous: {re.escape(money(october.deposits))} · ▲ \d+\.\d%$")
    )
    expect(page.locator("#prev-bets")).to_contain_text(f"Previous: {money(october.bets)} · ")
    # The players' counts: as the summary report answers them, this period and the last.
    now = world.ok("R", "/reports/summary", {"dateFrom": "2026/11/01", "dateTo": "2026/11/30"})
    then = world.ok("R", "/reports/summary", {"dateFrom": "2026/10/01", "dateTo": "2026/10/31"})
    for name in ("activePlayers", "newPlayers", "ftdCount"):
        expect(page.locator(f"#total-{name}")).to_have_text(str(now[name]))
        expect(page.locator(f"#prev-{name}")).to_contain_text(f"Previous: {then[name]} ·")
    expect(page.locator("#total-players")).to_have_text(str(now["players"]))
    # Another period: a month to date is compared with the same days of the month before.
    show(page, date(2026, 11, 1), date(2026, 11, 10))
    expect(page.locator("#range-note")).to_contain_text("compared with 2026-10-01 to 2026-10-10")
    show(page, date(2026, 11, 5), date(2026, 11, 11))
    expect(page.locator("#range-note")).to_contain_text("compared with 2026-10-29 to 2026-11-04")
    assert not problems, problems


def test_date_shortcuts(month: tuple[Server, World], browser: BrowserContext) -> None:
    server, world = month
    page, problems = watched(browser)
    log_in_as(page, server, world, "R")
    today = datetime.now(ZONE).date()
    first = today.replace(day=1)
    last_month_end = first - timedelta(days=1)
    expected = {
        "Today": (today, today),
        "7 days": (today - timedelta(days=6), today),
        "This month": (first, today),
        "Last month": (last_month_end.replace(day=1), last_month_end),
    }
    for name, (start, end) in expected.items():
        page.get_by_role("button", name=name, exact=True).click()
        expect(page.locator("#date-from")).to_have_value(start.isoformat())
        expect(page.locator("#date-to")).to_have_value(end.isoformat())
        expect(page.locator("#range-note")).to_contain_text(
            f"{start.isoformat()} to {end.isoformat()}"
        )
        if (start, end) == (NOV_FROM, NOV_TO):  # the scripted month itself
            total = world.expected.fig(world.subtree("R"), NOV_FROM, NOV_TO)
            expect(page.locator("#total-bets")).to_have_text(money(total.bets))
    assert not problems, problems


def test_sub_agents_and_products_as_the_reports_answer_them(
    month: tuple[Server, World], browser: BrowserContext
) -> None:
    server, world = month
    page, problems = watched(browser)
    log_in_as(page, server, world, "R")
    show(page, NOV_FROM, NOV_TO)
    nov = {"dateFrom": "2026/11/01", "dateTo": "2026/11/30"}
    agents = world.ok("R", "/reports/agents", nov)["agents"]
    assert {a["username"] for a in agents} == {
        world.agents["A"].username,
        world.agents["B"].username,
    }
    for agent in agents:
        row = page.locator("#sub-agents tbody tr", has_text=agent["username"])
        expect(row.locator("td")).to_have_text(
            [
                agent["username"],
                money(minor_of(agent["deposits"])),
                str(agent["ftdCount"]),
                money(minor_of(agent["ggr"])),
                f"{money(minor_of(agent['commission']))} ({agent['commissionPercent']}%)",
            ]
        )
    products = world.ok("R", "/reports/products", nov)["products"]
    expect(page.locator("#products tbody tr td:first-child")).to_have_text(
        [p["product"] for p in products]
    )
    for product in products:
        row = page.locator("#products tbody tr", has_text=product["product"])
        expect(row.locator("td").nth(3)).to_have_text(money(minor_of(product["ggr"])))
    assert not problems, problems


def minor_of(value: Decimal | int) -> int:
    return int(Decimal(value).scaleb(2))


AMOUNTS = {"deposits", "withdrawals", "bets", "wins", "ggr", "commission", "rebateDue",
           "rebateOwed", "surchargeDue", "surchargeOwed", "net", "rebateDueBalance",
           "rebateOwedBalance"}  # fmt: skip


def test_every_table_as_csv_equals_its_report(
    month: tuple[Server, World], browser: BrowserContext
) -> None:
    server, world = month
    page, problems = watched(browser)
    log_in_as(page, server, world, "R")
    show(page, NOV_FROM, NOV_TO)
    nov = {"dateFrom": "2026/11/01", "dateTo": "2026/11/30"}
    reports = {
        "players": ("/reports/players", "players", {"sortBy": "ggr"}),
        "agents": ("/reports/agents", "agents", {}),
        "products": ("/reports/products", "products", {}),
        "settlement": ("/reports/settlement", "settlement", {}),
    }
    for name, (path, key, extra) in reports.items():
        with page.expect_download() as done:
            page.locator(f'button.csv[data-csv="{name}"]').click()
        download = done.value
        assert download.suggested_filename == f"{name}_2026-11-01_2026-11-30.csv"
        rows = list(csv.DictReader(io.StringIO(Path(download.path()).read_text("utf-8"))))
        answer = world.ok("R", path, {**nov, **extra, "limit": 100} if key != "products" else nov)
        wanted = answer[key]
        assert len(rows) == len(wanted) == answer["total"] > 0, (name, rows, wanted)
        for got, row in zip(rows, wanted, strict=True):
            assert got.pop("currency") == "PHP"
            assert set(got) <= set(row), (name, got)
            for field, text in got.items():
                value = row[field]
                if field in AMOUNTS:  # exact, with the currency's cents
                    assert Decimal(text) == Decimal(value), (name, field, text, value)
                    assert re.fullmatch(r"-?\d+\.\d{2}", text), (name, field, text)
                elif isinstance(value, bool):
                    assert text == str(value).lower(), (name, field, text)
                else:
                    assert text == str(value), (name, field, text, value)
    assert not problems, problems


def test_notifications_reach_the_dashboard_open_and_are_answered(
    month: tuple[Server, World], browser: BrowserContext
) -> None:
    server, world = month
    page, problems = watched(browser)
    before = world.ok("A", "/message/unread")["unreadNotifications"]
    assert before > 0  # R's moves and settings for A left A notifications
    log_in_as(page, server, world, "A")
    expect(page.locator("#notifications-unread")).to_have_text(str(before))
    expect(page.locator("#header-notifications")).to_have_text(str(before))
    listed = world.ok("A", "/notifications", {"limit": 20})["notifications"]
    items = page.locator("#notifications-list li")
    expect(items).to_have_count(len(listed))
    boss = world.agents["R"].username
    credited = page.locator("#notifications-list li", has_text="added PHP 9,000.00 to your balance")
    expect(credited).to_have_count(1)
    expect(credited).to_contain_text(boss)
    credited.locator(".note-open").click()
    expect(credited.locator(".note-details")).to_contain_text("balanceAfter")
    credited.get_by_role("button", name=f"Answer {boss}").click()
    expect(page.locator("#chat-title")).to_contain_text(f"Chat with {boss} (upline)")
    page.locator("#reply-text").fill("Thank you, received.")
    page.locator("#reply-form").get_by_role("button", name="Send").click()
    expect(page.locator("#chat-messages li.mine").last).to_contain_text("Thank you, received.")
    a_id = str(world.agents["A"].id)
    thread = world.ok("R", "/message/chat", {"affiliateId": a_id})["messages"]
    assert thread[0]["message"] == "Thank you, received."
    # Mark them read: the count goes, for the API too.
    page.get_by_role("button", name="Mark these read").click()
    expect(page.locator("#notifications-unread")).to_have_text("")
    expect(page.locator("#notifications-list li.unread")).to_have_count(0)
    assert world.ok("A", "/message/unread")["unreadNotifications"] == max(before - 20, 0)
    assert not problems, problems


def test_a_message_opens_and_is_answered(
    month: tuple[Server, World], browser: BrowserContext
) -> None:
    server, world = month
    page, problems = watched(browser)
    r_id = str(world.agents["R"].id)
    world.ok("B", "/message/send", {"toAffiliateId": r_id, "message": "Can you fund b1?\nThanks"})
    log_in_as(page, server, world, "R")
    chat = page.locator("#unread-chats li", has_text=world.agents["B"].username)
    expect(chat).to_contain_text("Can you fund b1?")
    chat.get_by_role("button").click()
    expect(page.locator("#chat-messages li.theirs").last).to_contain_text("Can you fund b1?")
    page.locator("#reply-text").fill("Done: PHP 500.00 sent.")
    page.locator("#reply-form").get_by_role("button", name="Send").click()
    expect(page.locator("#reply-form .form-status")).to_have_text("Sent.")
    b_side = world.ok("B", "/message/chat", {"affiliateId": r_id})["messages"]
    assert b_side[0]["message"] == "Done: PHP 500.00 sent."
    assert b_side[1]["read"] is True  # opening the chat read B's message
    page.get_by_role("button", name="All chats").click()
    expect(page.locator("#unread-chats li", has_text=world.agents["B"].username)).not_to_have_class(
        re.compile(r"\bunread\b")
    )
    # A new message to someone of the tree (the API's recipients: upline and downline).
    page.get_by_role("button", name="New message").click()
    a1 = world.agents["A1"].username
    page.locator("#recipient").select_option(label=f"{a1} (downline)")
    page.locator("#recipient-form").get_by_role("button", name="Open").click()
    expect(page.locator("#chat-title")).to_have_text(f"Chat with {a1} (downline)")
    page.locator("#reply-text").fill("Welcome to the team.")
    page.locator("#reply-form").get_by_role("button", name="Send").click()
    expect(page.locator("#chat-messages li.mine")).to_have_text(re.compile("Welcome to the team."))
    inbox = world.ok("A1", "/message/unread")
    assert (
        inbox["unreadMessages"] == 1 and inbox["chats"][0]["username"] == world.agents["R"].username
    )
    assert not problems, problems


def test_a_refused_range_leaves_no_figures(
    month: tuple[Server, World], browser: BrowserContext
) -> None:
    server, world = month
    page, problems = watched(browser)
    log_in_as(page, server, world, "R")
    show(page, NOV_FROM, NOV_TO)
    expect(page.locator("#total-deposits")).not_to_have_text("—")
    status = page.locator("#range-form .form-status")
    # From after To: said in the page's words, before asking; no old figure stays.
    page.locator("#date-from").fill("2026-11-30")
    page.locator("#date-to").fill("2026-11-01")
    page.get_by_role("button", name="Show").click()
    expect(status).to_have_text(
        "From (2026-11-30) is after To (2026-11-01): choose a From on or before To."
    )
    for total in page.locator(".totals .big").all():
        expect(total).to_have_text("—")
    expect(page.locator("#top-players")).to_be_hidden()
    expect(page.locator("#settlement")).to_be_hidden()
    assert page.evaluate("Chart.getChart('money-chart')") is None
    expect(page.locator("#range-note")).to_have_text("No figures shown.")
    # Refused by the API (more than 366 days): its reason, with the page's field names.
    show(page, NOV_FROM, NOV_TO)
    page.locator("#date-from").fill("2025-01-01")
    page.get_by_role("button", name="Show").click()
    expect(status).to_have_text("These dates cannot be shown: The range must be at most 366 days")
    expect(page.locator("#total-deposits")).to_have_text("—")
    page.locator("#date-from").fill("2026-02-30")
    page.get_by_role("button", name="Show").click()
    expect(status).to_contain_text("From must be a day written YYYY-MM-DD")
    assert not problems, problems


def test_amounts_keep_currency_and_cents_and_days_one_style(
    month: tuple[Server, World], browser: BrowserContext
) -> None:
    server, world = month
    page, problems = watched(browser)
    log_in_as(page, server, world, "R")
    show(page, NOV_FROM, NOV_TO)
    amounts = page.locator(
        "#me-balance, .totals:not(.people) .big, #top-players td.num, #products td.num,"
        " #settlement td.num:not(:nth-child(2))"
    ).all_inner_texts()
    assert len(amounts) > 20
    assert [a for a in amounts if not re.fullmatch(r"-?PHP \d{1,3}(,\d{3})*\.\d{2}", a)] == []
    # The charts' tooltips: the exact amount, with currency and cents; their days YYYY-MM-DD.
    days = days_of(world)
    busiest = max(range(len(days)), key=lambda d: days[d].deposits)
    label = page.evaluate(
        """(i) => {
            const chart = Chart.getChart('money-chart');
            const callbacks = chart.options.plugins.tooltip.callbacks;
            return [callbacks.title([{label: chart.data.labels[i]}]),
                    callbacks.label({dataset: chart.data.datasets[0], dataIndex: i})];
        }""",
        busiest,
    )
    assert label == [
        (NOV_FROM + timedelta(busiest)).isoformat(),
        f"Deposits: {money(days[busiest].deposits)}",
    ]
    ticks = page.evaluate("Chart.getChart('play-chart').scales.x.ticks.map((t) => t.label)")
    assert ticks and all(A_DAY.match(t) for t in ticks), ticks
    expect(page.locator("#date-from")).to_have_value("2026-11-01")
    for when in page.locator(
        "#unread-chats .who .small, #notifications-list .small"
    ).all_inner_texts():
        assert re.search(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}", when), when
    expect(page.locator("#range-note")).to_contain_text("Days in Asia/Manila")
    assert not problems, problems


def test_loading_waits_and_the_page_links_to_the_api_document(
    month: tuple[Server, World], browser: BrowserContext
) -> None:
    server, world = month
    page, problems = watched(browser)
    log_in_as(page, server, world, "R")
    held: list[Any] = []
    page.route("**/api/reports/daily", lambda route: held.append(route))
    page.get_by_role("button", name="Show").click()
    expect(page.locator("#range-note")).to_contain_text("Loading ")
    expect(page.get_by_role("button", name="Show")).to_be_disabled()
    expect(page.get_by_role("button", name="Last month")).to_be_disabled()
    expect(page.locator("#figures")).to_have_attribute("aria-busy", "true")
    held[0].continue_()
    page.unroute("**/api/reports/daily")
    expect(page.get_by_role("button", name="Show")).to_be_enabled()
    expect(page.locator("#range-note")).to_contain_text("compared with")
    expect(page.get_by_role("link", name="API docs")).to_have_attribute("href", "/docs")
    assert not problems, problems

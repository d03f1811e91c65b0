"""The agent dashboard (/agent) in a real browser (Debian's headless Chromium driven by
Playwright, tests/browser.py), after the scripted month of play (tests/agents/scripted_month.py):
an agent logs in, picks November, and sees the month's totals, the daily charts drawn from the
daily report (each chart's data is read back from Chart.js and compared with the figures the
script means), the top players by GGR, the settlement with its sub-agent, and an unread message.
The page loads nothing from another origin and no script error or CSP refusal happens.
Screenshot: .data/test-artifacts/agent-dashboard.png (and /tmp/agent-dashboard.png)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlsplit

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
    """As the page shows an amount of a 2-decimal currency (en-US grouping)."""
    return f"{Decimal(minor).scaleb(-2):,.2f}"


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
        "/agent/static/chart.umd.min.js",
        "/agent/static/dashboard.css",
        "/agent/static/dashboard.js",
        "/static/favicon.svg",
        "/static/pages.css",
    ]
    for path in linked:
        asset = httpx.get(f"{server.base_url}{path}", timeout=10)
        assert asset.status_code == 200 and asset.headers["x-content-type-options"] == "nosniff"
    # Our own files name no other origin (Chart.js, vendored as published, names its authors'
    # pages in comments; that nothing is fetched from elsewhere is the browser test's check).
    for name in ("dashboard.html", "dashboard.js", "dashboard.css"):
        text = (ROOT_DIR / "wallet" / "agents" / "dashboard_files" / name).read_text()
        assert not re.search(r"https?://", text), name


def test_an_agent_sees_the_month_as_charts_top_players_settlement_and_messages(
    month: tuple[Server, World], browser: BrowserContext
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

    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_role("heading", name="Log in")).to_be_visible()

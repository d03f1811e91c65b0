"""The reports after the scripted month of play (tests/agents/scripted_month.py says how it is
played): every figure is computed from the script alone (`Expected`), not from SQL, and each
report must equal it."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterator, Mapping
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import psycopg
import pytest

from tests.agents.conftest import GENEROUS, PASSWORD
from tests.agents.scripted_month import (
    BP,
    NOV,
    NOV_FROM,
    NOV_TO,
    QUIET_DAY,
    REBATE_BP,
    SURCHARGE_BP,
    Fig,
    World,
    commission,
    minor,
    play_month,
)  # fmt: skip
from tests.support import LoopThread, Server
from wallet.agents.commission import CommissionData
from wallet.agents.report_moves import SettlementReportData, TransfersReportData
from wallet.agents.reports import (
    AgentsReportData,
    DailyReportData,
    PlayersReportData,
    ProductsReportData,
    SummaryReportData,
)
from wallet.ledger.database import LedgerDB
from wallet.providers import ambslot as ambslot_adapter
from wallet.providers import igamingace as igamingace_adapter
from wallet.reporting.activity import SEAMLESS_CALLERS


@pytest.fixture(scope="module")
def manila(start_server: Callable[[Mapping[str, str]], Server]) -> Server:
    Server.extra_secrets.add(PASSWORD)
    return start_server({**GENEROUS, "OPERATOR_TIMEZONE": "Asia/Manila"})


@pytest.fixture(scope="module")
def world(manila: Server, ledger: LedgerDB, loop: LoopThread, db_url: str) -> Iterator[World]:
    with play_month(manila, ledger, loop, db_url) as played:
        yield played


def _m(value: Any) -> int:
    return minor(value)


def _assert_money(row: Mapping[str, Any], f: Fig, bp: int) -> None:
    assert (_m(row["bets"]), _m(row["wins"]), _m(row["ggr"])) == (f.bets, f.wins, f.ggr), row
    assert _m(row["commission"]) == commission(f.ggr, bp), row
    if "deposits" in row:
        assert (_m(row["deposits"]), _m(row["withdrawals"])) == (f.deposits, f.withdrawals), row


# ---- the tests ----


def test_the_studio_callers_are_the_adapters_callers() -> None:
    assert set(SEAMLESS_CALLERS) == {ambslot_adapter.CALLER, igamingace_adapter.CALLER}


def test_players_report_equals_the_script(world: World) -> None:
    data = world.ok("R", "/reports/players", NOV)
    PlayersReportData.model_validate(data)
    assert data["dateFrom"] == "2026/11/01" and data["timeZone"] == "Asia/Manila"
    names = world.subtree("R")
    assert data["total"] == len(names) == data["count"]
    by_user = {row["username"]: row for row in data["players"]}
    exp = world.expected
    active = exp.active(names, NOV_FROM, NOV_TO)
    for name in names:
        row = by_user[world.players[name]]
        _assert_money(row, exp.fig({name}, NOV_FROM, NOV_TO), BP["R"])
        assert row["active"] == (name in active)
    # the filters
    only = world.ok("R", "/reports/players", {**NOV, "onlyActive": True})
    assert {r["username"] for r in only["players"]} == {world.players[n] for n in active}
    assert world.players["b2"] not in {r["username"] for r in only["players"]}
    one = world.ok(
        "R", "/reports/players", {**NOV, "playerId": by_user[world.players["a1"]]["playerId"]}
    )
    assert [r["username"] for r in one["players"]] == [world.players["a1"]]
    part = world.players["x1"][2:8].upper()
    named = world.ok("R", "/reports/players", {**NOV, "playerName": part})
    assert [r["username"] for r in named["players"]] == [world.players["x1"]]
    page = world.ok("R", "/reports/players", {**NOV, "start": 2, "limit": 3})
    assert (page["count"], page["total"]) == (3, len(names))


@pytest.mark.parametrize(
    ("sort_by", "figure"),
    [("ggr", "ggr"), ("bets", "bets"), ("wins", "wins"), ("deposits", "deposits"),
     ("withdrawals", "withdrawals")],
)  # fmt: skip
def test_players_report_sorted_by_a_figure_puts_the_top_first(
    world: World, sort_by: str, figure: str
) -> None:
    exp, names = world.expected, world.subtree("R")
    by_player = {world.players[n]: exp.fig({n}, NOV_FROM, NOV_TO) for n in names}
    want = sorted(by_player, key=lambda user: -getattr(by_player[user], figure))
    top = world.ok("R", "/reports/players", {**NOV, "sortBy": sort_by, "limit": 3})
    got = [row["username"] for row in top["players"]]
    assert [getattr(by_player[user], figure) for user in got] == [
        getattr(by_player[user], figure) for user in want[:3]
    ]
    bad = world.call("R", "/reports/players", {**NOV, "sortBy": "username"})
    assert bad.status_code == 400 and "sortBy" in bad.json()["error"]["message"]


def test_agents_report_rolls_each_sub_agents_subtree_up(world: World) -> None:
    data = world.ok("R", "/reports/agents", NOV)
    AgentsReportData.model_validate(data)
    rows = {row["username"]: row for row in data["agents"]}
    assert set(rows) == {world.agents["A"].username, world.agents["B"].username}
    exp = world.expected
    for name in ("A", "B"):
        row, names = rows[world.agents[name].username], world.subtree(name)
        _assert_money(row, exp.fig(names, NOV_FROM, NOV_TO), BP[name])
        assert row["ftdCount"] == exp.ftd(names, NOV_FROM, NOV_TO)
        assert _m(row["commissionPercent"]) == BP[name]
    assert rows[world.agents["A"].username]["ftdCount"] == 2  # a1, x1 (a2 deposited in October)
    by_id = world.ok("R", "/reports/agents", {**NOV, "affiliateId": str(world.agents["B"].id)})
    assert [r["username"] for r in by_id["agents"]] == [world.agents["B"].username]
    by_name = world.ok("R", "/reports/agents", {**NOV, "username": world.agents["A"].username})
    assert by_name["total"] == 1


def test_daily_has_every_day_and_counts_late_rollbacks_on_their_own_day(world: World) -> None:
    data = world.ok("R", "/reports/daily", NOV)
    DailyReportData.model_validate(data)
    assert [row["date"] for row in data["days"]] == [
        (NOV_FROM + timedelta(days=n)).strftime("%Y/%m/%d") for n in range(30)
    ]
    names, exp = world.subtree("R"), world.expected
    for row in data["days"]:
        day = date.fromisoformat(row["date"].replace("/", "-"))
        _assert_money(row, exp.fig(names, day, day), BP["R"])
    quiet = next(r for r in data["days"] if r["date"] == QUIET_DAY.strftime("%Y/%m/%d"))
    assert all(_m(quiet[k]) == 0 for k in ("bets", "wins", "deposits", "withdrawals", "ggr"))
    # b1's bet of the 10th rolled back on the 12th: the 10th keeps it, the 12th gives it back
    day10, day12 = (next(r for r in data["days"] if r["date"] == f"2026/11/{d}") for d in (10, 12))
    assert _m(day10["bets"]) == 8_000 and _m(day12["bets"]) == -8_000
    # r1's bet of the 28th, rolled back on December 2nd: November keeps it, December has -3,300
    assert _m(next(r for r in data["days"] if r["date"] == "2026/11/28")["bets"]) == 3_300
    december = world.ok("R", "/reports/daily", {"dateFrom": "2026/12/01", "dateTo": "2026/12/02"})
    assert [_m(r["bets"]) for r in december["days"]] == [700, -3_300]


def test_days_are_the_operators_time_zone(world: World) -> None:
    # 2026-11-04 00:10 in Manila is the 3rd in UTC; 2026-12-01 00:30 Manila is November in UTC.
    day = world.ok("R", "/reports/daily", {"dateFrom": "2026/11/04", "dateTo": "2026/11/04"})
    assert _m(day["days"][0]["bets"]) == 7_000
    assert world.ok("R", "/reports/summary", {"dateFrom": "2026/12/01"})["dateTo"] == "2026/12/31"


def test_products_follow_the_game_map(world: World) -> None:
    data = world.ok("R", "/reports/products", NOV)
    ProductsReportData.model_validate(data)
    got = {row["product"]: row for row in data["products"]}
    want: dict[str, Fig] = defaultdict(Fig)
    for (product, day), f in world.expected.by_product.items():
        if NOV_FROM <= day <= NOV_TO:
            want[product].bets += f.bets
            want[product].wins += f.wins
    assert set(got) == set(want) == {"Slots", "Live Games", "Table Games"}
    for product, f in want.items():
        _assert_money(got[product], f, BP["R"])


def test_summary_totals_and_counts(world: World) -> None:
    data = world.ok("R", "/reports/summary", NOV)
    SummaryReportData.model_validate(data)
    names, exp = world.subtree("R"), world.expected
    _assert_money(data, exp.fig(names, NOV_FROM, NOV_TO), BP["R"])
    assert data["activePlayers"] == len(exp.active(names, NOV_FROM, NOV_TO))
    assert data["newPlayers"] == 4  # a1, x1, b1 on the 2nd, b2 on the 25th
    assert data["ftdCount"] == exp.ftd(names, NOV_FROM, NOV_TO) == 4  # r1 a1 x1 b1
    assert data["players"] == 6


def test_a_sub_agent_sees_only_its_own_subtree(world: World) -> None:
    data = world.ok("A", "/reports/players", NOV)
    assert {r["username"] for r in data["players"]} == {
        world.players[n] for n in ("a1", "a2", "x1")
    }
    _assert_money(
        world.ok("A", "/reports/summary", NOV),
        world.expected.fig(world.subtree("A"), NOV_FROM, NOV_TO),
        BP["A"],
    )
    b1_id = world.ok("R", "/reports/players", {**NOV, "playerName": world.players["b1"]})
    sibling = world.ok(
        "A", "/reports/players", {**NOV, "playerId": b1_id["players"][0]["playerId"]}
    )
    assert (sibling["total"], sibling["players"]) == (0, [])
    assert (
        world.ok("A", "/reports/agents", {**NOV, "username": world.agents["B"].username})["total"]
        == 0
    )
    assert world.ok("A1", "/reports/agents", NOV)["total"] == 0
    assert world.ok("A1", "/reports/summary", NOV)["players"] == 1


def test_transfers_and_settlement(world: World) -> None:
    data = world.ok("R", "/reports/transfers", NOV)
    TransfersReportData.model_validate(data)
    kinds = sorted((r["source"], r["type"], _m(r["amount"])) for r in data["transfers"])
    assert kinds == sorted(
        [
            ("raw", "agent_deposit", 900_000),
            ("raw", "agent_deposit", 300_000),
            ("raw", "deposit", 100_000),
            ("smart", "deposit", 30_000),
            ("raw", "withdraw", 20_000),
        ]
    )
    bypass = next(r for r in data["transfers"] if r["source"] == "smart")
    assert bypass["isBypass"] and bypass["txId"].startswith("ST-")
    assert _m(bypass["rebateAmount"]) == 30_000 * REBATE_BP // 10_000
    assert _m(bypass["surchargeAmount"]) == 30_000 * SURCHARGE_BP // 10_000
    received = world.ok("A", "/reports/transfers", NOV)
    assert ("raw", "agent_deposit", 900_000) in {
        (r["source"], r["type"], _m(r["amount"])) for r in received["transfers"]
    }
    owed = world.ok("R", "/reports/settlement", NOV)
    SettlementReportData.model_validate(owed)
    [line] = owed["settlement"]
    assert line["username"] == world.agents["A"].username and line["transactionCount"] == 1
    assert _m(line["rebateOwed"]) == 600 and _m(line["surchargeOwed"]) == 450
    assert _m(line["rebateOwedBalance"]) == 600 and _m(line["net"]) == -1_050
    [due] = world.ok("A", "/reports/settlement", NOV)["settlement"]
    assert due["username"] == world.agents["R"].username
    assert (_m(due["rebateDue"]), _m(due["surchargeDue"]), _m(due["rebateDueBalance"])) == (
        600,
        450,
        600,
    )
    october = world.ok("R", "/reports/settlement", {"dateFrom": "2026/10/01"})
    assert [(_m(r["rebateOwed"]), _m(r["rebateOwedBalance"])) for r in october["settlement"]] == [
        (0, 600)
    ]


PAGED = ("/reports/players", "/reports/agents", "/reports/transfers", "/reports/settlement")
ALL = (*PAGED, "/reports/daily", "/reports/products", "/reports/summary")


@pytest.mark.parametrize(
    ("body", "paths"),
    [
        ({"dateFrom": "2026/13/01"}, ALL),
        ({"dateFrom": "2026/11/31"}, ALL),
        ({"dateFrom": "yesterday"}, ALL),
        ({"dateFrom": "2026/11/30", "dateTo": "2026/11/01"}, ALL),
        ({"dateFrom": "2025/01/01", "dateTo": "2026/01/02"}, ALL),  # 367 days
        ({"dateTo": 20261101}, ALL),
        ({"limit": 101}, PAGED),
        ({"limit": 0}, PAGED),
        ({"start": -1}, PAGED),
        ({"onlyActive": "yes"}, ("/reports/players",)),
        ({"playerId": "12a"}, ("/reports/players",)),
        ({"affiliateId": "-3"}, ("/reports/agents",)),
    ],
)
def test_bad_ranges_are_400_in_the_envelope(
    world: World, body: dict[str, Any], paths: tuple[str, ...]
) -> None:
    for path in paths:
        answer = world.call("R", path, body)
        assert answer.status_code == 400, (path, body, answer.text)
        envelope = answer.json()
        assert envelope["success"] is False and envelope["error"]["code"] == "BAD_REQUEST"


def test_commission_get_set_and_its_notification(world: World, db_url: str) -> None:
    a1 = world.agents["A1"]
    got = world.ok("A", "/agent/commission", {"affiliateId": str(a1.id)})
    assert (got["percent"], got["previousPercent"], got["changed"]) == (0, None, False)
    done = world.ok(
        "A", "/agent/commission", {"agentTarget": a1.username, "percent": Decimal("1.25")}
    )
    CommissionData.model_validate(done)
    assert (done["percent"], done["previousPercent"], done["changed"]) == (Decimal("1.25"), 0, True)
    again = world.ok(
        "A", "/agent/commission", {"agentTarget": a1.username, "percent": Decimal("1.25")}
    )
    assert again["changed"] is False
    with psycopg.connect(db_url) as conn:
        rows = conn.execute(
            "SELECT title_key, variables FROM agent_notifications WHERE agent_id = %s"
            " AND title_key = 'commission.changed' ORDER BY id",
            (a1.id,),
        ).fetchall()
    assert rows == [
        (
            "commission.changed",
            {"oldPercent": 0, "newPercent": 1.25, "setBy": world.agents["A"].username},
        )
    ]
    mine = world.ok("A1", "/agent/commission")
    assert mine["percent"] == Decimal("1.25")
    x1 = world.expected.fig(world.subtree("A1"), NOV_FROM, NOV_TO)
    summary = world.ok("A1", "/reports/summary", NOV)
    assert _m(summary["commission"]) == commission(x1.ggr, 125)
    # refusals: the grandparent, a sibling, one's own, over-precise, out of range, a string
    refusals = [
        ("R", {"agentTarget": a1.username, "percent": 1}, 403),
        ("B", {"agentTarget": world.agents["A"].username}, 403),
        ("A", {"percent": 1}, 400),
        ("A", {"agentTarget": a1.username, "percent": Decimal("1.255")}, 400),
        ("A", {"agentTarget": a1.username, "percent": 101}, 400),
        ("A", {"agentTarget": a1.username, "percent": "2"}, 400),
        ("A", {"agentTarget": "nobody_here_at_all"}, 404),
    ]
    for who, body, status in refusals:
        answer = world.call(who, "/agent/commission", body)
        assert answer.status_code == status, (who, body, answer.text)
        assert answer.json()["success"] is False

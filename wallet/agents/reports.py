"""The reports: POST /reports/players, /reports/agents, /reports/daily, /reports/products,
/reports/summary (game activity and money moves of the caller's subtree: the caller's players
and those of every agent below it), /reports/transfers and /reports/settlement (the caller's
own transfers and bypass settlement). What counts is said in wallet/reporting/activity.py and
docs/agents.md, "Reports"; the date range in wallet/agents/report_window.py.

Decisions where the document leaves room:
- A report only ever sees the caller's subtree: a filter naming a player or agent outside it
  (an ancestor's, a sibling's) matches nothing (an empty page), never someone else's figures.
- commission = floor(ggr x rate / 10000) per row, at the rate of the agent the row belongs to:
  the caller's own rate (set by its parent) on players, daily, products and summary rows, each
  sub-agent's rate on its row of /reports/agents. Rows are rounded on their own, so the rows'
  commissions may add up to a little less than the summary's.
- Pagination (start, limit; count and total) on players, agents, transfers, settlement; daily
  answers every day of the range (at most 366) and products every product, count = total.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, Field
from starlette.requests import Request

from wallet.agents import fields
from wallet.agents.envelope import bad_request
from wallet.agents.gate import Call, Reply, endpoint
from wallet.agents.report_window import (
    PagedReportRequest,
    ReportRequest,
    range_header,
    slash,
    window_of,
)
from wallet.reporting import reports
from wallet.reporting.activity import Window
from wallet.reporting.commissions import commission_of
from wallet.reporting.reports import AgentFilter, Figures, PlayerFilter, commission_minor
from wallet.web.amounts import Amount

Money = Decimal  # a JSON number, exact in the currency's decimals


class ReportData(BaseModel):
    dateFrom: str = Field(description="First day of the range, YYYY/MM/DD")
    dateTo: str = Field(description="Last day of the range, YYYY/MM/DD")
    timeZone: str = Field(description="The operator's time zone the days are in")
    currency: str
    commissionPercent: Money = Field(description="The rate applied to this report's rows")


class GameFigures(BaseModel):
    bets: Money
    wins: Money
    ggr: Money = Field(description="bets - wins")
    commission: Money = Field(description="floor(ggr x commissionPercent / 100)")


class MoneyFigures(GameFigures):
    deposits: Money
    withdrawals: Money


def _header(call: Call, window: Window, commission_bp: int) -> dict[str, object]:
    return range_header(call, window) | {"commissionPercent": Amount(commission_bp, 2)}


def _game(figures: Figures, commission_bp: int, exponent: int) -> dict[str, object]:
    ggr = figures.ggr_minor
    return {
        "bets": Amount(figures.bet_minor, exponent),
        "wins": Amount(figures.win_minor, exponent),
        "ggr": Amount(ggr, exponent),
        "commission": Amount(commission_minor(ggr, commission_bp), exponent),
    }


def _money(figures: Figures, commission_bp: int, exponent: int) -> dict[str, object]:
    return {
        "deposits": Amount(figures.deposit_minor, exponent),
        "withdrawals": Amount(figures.withdraw_minor, exponent),
        **_game(figures, commission_bp, exponent),
    }


# ---- players ----


class PlayersReportRequest(PagedReportRequest):
    playerId: str | int | None = Field(
        default=None, description="Only this player (its id)", examples=["400959205"]
    )
    playerName: str | None = Field(
        default=None, max_length=64, description="Usernames containing this (any case)"
    )
    onlyActive: bool = Field(
        default=False, strict=True, description="Only players with game activity in the range"
    )
    sortBy: Literal["playerId", "ggr", "bets", "wins", "deposits", "withdrawals"] = Field(
        default="playerId",
        description="Row order: by player id, or by a figure, largest first (top players)",
    )


class PlayerReportRow(MoneyFigures):
    playerId: str
    username: str
    active: bool


class PlayersReportData(ReportData):
    players: list[PlayerReportRow]
    count: int
    total: int


def _id_of(value: str | int | None, name: str) -> int | None:
    """An id filter: digits (a string or a whole number); absent or empty, no filter."""
    text = None if value is None else str(value)
    if text is None or text == "":
        return None
    if not text.isascii() or not text.isdigit() or len(text) > 18:
        raise bad_request(f"{name} must be an id (digits)")
    return int(text)


@endpoint("reports_players")
async def players(request: Request, call: Call) -> Reply:
    wanted = fields.validated(call.body, PlayersReportRequest)
    window, db = window_of(call, wanted), call.ctx.read_db
    player_id = _id_of(wanted.playerId, "playerId")
    where = PlayerFilter(player_id, wanted.playerName or None, wanted.onlyActive, wanted.sortBy)
    total, rows = await reports.player_rows(db, window, where, wanted.start, wanted.limit)
    bp, exponent = await commission_of(db, call.agent.id), call.agent.exponent
    listed = [
        {
            "playerId": str(row.player_id),
            "username": row.username,
            **_money(row.figures, bp, exponent),
            "active": row.active,
        }
        for row in rows
    ]
    return Reply(
        _header(call, window, bp) | {"players": listed, "count": len(listed), "total": total}
    )


# ---- direct sub-agents ----


class AgentsReportRequest(PagedReportRequest):
    username: str | None = Field(default=None, max_length=64, description="Only this sub-agent")
    affiliateId: str | int | None = Field(
        default=None, description="Only this sub-agent (its id)", examples=["12"]
    )


class AgentReportRow(MoneyFigures):
    affiliateId: str
    username: str
    commissionPercent: Money
    ftdCount: int = Field(description="Players whose first deposit ever falls in the range")


class AgentsReportData(ReportData):
    agents: list[AgentReportRow]
    count: int
    total: int


@endpoint("reports_agents")
async def agents(request: Request, call: Call) -> Reply:
    wanted = fields.validated(call.body, AgentsReportRequest)
    window, db = window_of(call, wanted), call.ctx.read_db
    where = AgentFilter(wanted.username or None, _id_of(wanted.affiliateId, "affiliateId"))
    total, rows = await reports.agent_rows(db, window, where, wanted.start, wanted.limit)
    exponent = call.agent.exponent
    listed = [
        {
            "affiliateId": str(row.agent_id),
            "username": row.username,
            "commissionPercent": Amount(row.commission_bp, 2),
            **_money(row.figures, row.commission_bp, exponent),
            "ftdCount": row.ftd_count,
        }
        for row in rows
    ]
    bp = await commission_of(db, call.agent.id)
    return Reply(
        _header(call, window, bp) | {"agents": listed, "count": len(listed), "total": total}
    )


# ---- days, products, totals ----


class DailyReportRow(MoneyFigures):
    date: str = Field(description="YYYY/MM/DD")


class DailyReportData(ReportData):
    days: list[DailyReportRow]
    count: int
    total: int


@endpoint("reports_daily")
async def daily(request: Request, call: Call) -> Reply:
    wanted = fields.validated(call.body, ReportRequest)
    window, db = window_of(call, wanted), call.ctx.read_db
    by_day = await reports.daily(db, window)
    bp, exponent = await commission_of(db, call.agent.id), call.agent.exponent
    day, last = window.start.date(), (window.end - timedelta(days=1)).date()
    listed = []
    while day <= last:
        listed.append({"date": slash(day), **_money(by_day.get(day, Figures()), bp, exponent)})
        day += timedelta(days=1)
    return Reply(
        _header(call, window, bp) | {"days": listed, "count": len(listed), "total": len(listed)}
    )


class ProductReportRow(GameFigures):
    product: str


class ProductsReportData(ReportData):
    products: list[ProductReportRow]
    count: int
    total: int


@endpoint("reports_products")
async def products(request: Request, call: Call) -> Reply:
    wanted = fields.validated(call.body, ReportRequest)
    window, db = window_of(call, wanted), call.ctx.read_db
    rows = await reports.products(db, window)
    bp, exponent = await commission_of(db, call.agent.id), call.agent.exponent
    listed = [{"product": name, **_game(figures, bp, exponent)} for name, figures in rows]
    return Reply(
        _header(call, window, bp) | {"products": listed, "count": len(listed), "total": len(listed)}
    )


class SummaryReportData(ReportData, MoneyFigures):
    activePlayers: int = Field(description="Players with game activity in the range")
    newPlayers: int = Field(description="Players registered in the range")
    ftdCount: int = Field(description="Players whose first deposit ever falls in the range")
    players: int = Field(description="Every player of the subtree")


@endpoint("reports_summary")
async def summary(request: Request, call: Call) -> Reply:
    wanted = fields.validated(call.body, ReportRequest)
    window, db = window_of(call, wanted), call.ctx.read_db
    totals = await reports.summary(db, window)
    bp = await commission_of(db, call.agent.id)
    return Reply(
        _header(call, window, bp)
        | _money(totals.figures, bp, call.agent.exponent)
        | {
            "activePlayers": totals.active_players,
            "newPlayers": totals.new_players,
            "ftdCount": totals.ftd_count,
            "players": totals.players,
        }
    )

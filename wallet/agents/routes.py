"""The agent API's routing table, mounted at /api beside the cashier API's (their paths do not
collide): one `Operation` per endpoint, from which both the routes and the OpenAPI document
(wallet/web/openapi.py) are made. The fallback answers every other /api path and method with the
envelope's 404."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from wallet.agents import (
    auth,
    commission,
    directory,
    messaging,
    money,
    notifications,
    report_moves,
    report_window,
    reports,
    smart,
    webhooks,
)
from wallet.agents.envelope import ApiError, Code, failure
from wallet.agents.spec import API, BEARER, post
from wallet.web.openapi import Operation
from wallet.web.requestlog import note

ANY_METHOD = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]
FOUND = (403, 404)  # a player or agent outside the downline, or unknown
MOVE = (*FOUND, 409, 422)  # a money move: also the key's conflict, the shortfall


def operations() -> list[Operation]:
    """The agent API's endpoints (POST with a JSON body, except GET /health)."""
    d, m, s = directory, money, smart
    return [
        Operation(
            "POST", "/auth/login", auth.login, "Log in: a token for 4 h", "auth", API,
            request=auth.LoginRequest, data=auth.TokenData, errors=(401, 429),
        ),
        Operation(
            "POST", "/auth/refresh", auth.refresh, "A new token; the old one dies", "auth", API,
            data=auth.TokenData, security=((BEARER,),), errors=(401,),
        ),
        Operation(
            "POST", "/auth/logout", auth.logout, "Log out: the token dies", "auth", API,
            data=auth.LogoutData, security=((BEARER,),), errors=(401,),
        ),
        Operation("GET", "/health", auth.health, "Server and database health", "health", API,
                  data=auth.HealthData),
        post("/balance", d.balance, "Own wallet", "players & agents", data=d.BalanceData),
        post("/agents", d.agents, "Sub-agents", "players & agents", d.AgentsRequest, d.AgentsData),
        post("/agent/register", d.agent_register, "New sub-agent", "players & agents",
             d.AgentRegisterRequest, d.AgentData),
        post("/players", d.players, "Own and downline players", "players & agents",
             d.PlayersRequest, d.PlayersData),
        post("/player/register", d.player_register, "New player", "players & agents",
             d.PlayerRegisterRequest, d.PlayerData),
        post("/player/search", d.player_search, "Players by username", "players & agents",
             d.PlayerSearchRequest, d.PlayersData),
        post("/player/balance", d.player_balance_of, "A player's balance", "players & agents",
             d.PlayerBalanceRequest, d.PlayerBalanceData, FOUND),
        post("/deposit", m.deposit, "Agent -> player", "raw transfers",
             m.PlayerMoveRequest, m.PlayerMoveData, MOVE, idempotent=True),
        post("/withdraw", m.withdraw, "Player -> agent", "raw transfers",
             m.PlayerWithdrawRequest, m.PlayerMoveData, MOVE, idempotent=True),
        post("/agent/deposit", m.agent_deposit, "Agent -> sub-agent", "raw transfers",
             m.AgentMoveRequest, m.AgentMoveData, MOVE, idempotent=True),
        post("/agent/withdraw", m.agent_withdraw, "Sub-agent -> agent", "raw transfers",
             m.AgentMoveRequest, m.AgentMoveData, MOVE, idempotent=True),
        post("/transfer", s.transfer, "Smart transfer (bypass, rebate)", "smart transfer",
             s.TransferRequest, s.TransferData, MOVE, idempotent=True),
        post("/transfer/history", s.transfer_history, "Smart transfers", "smart transfer",
             s.TransferHistoryRequest, s.TransferHistoryData),
        post("/rebate", s.rebate, "Rebates (get, or set one)", "smart transfer",
             s.RebateRequest, s.RebateData, FOUND),
        post("/bypass", s.bypass, "Bypass policy (get or set)", "smart transfer",
             s.BypassRequest, s.BypassData),
        post("/agent/commission", commission.commission, "A sub-agent's commission (get or set)",
             "reports", commission.CommissionRequest, commission.CommissionData, FOUND),
        *_reports(),
        *_messaging(),
        *_webhooks(),
    ]  # fmt: skip


def _reports() -> list[Operation]:
    r, t, w = reports, report_moves, report_window
    return [
        post("/reports/players", r.players, "Per player", "reports",
             r.PlayersReportRequest, r.PlayersReportData),
        post("/reports/agents", r.agents, "Per sub-agent, its subtree rolled up", "reports",
             r.AgentsReportRequest, r.AgentsReportData),
        post("/reports/daily", r.daily, "Day by day", "reports",
             w.ReportRequest, r.DailyReportData),
        post("/reports/products", r.products, "By product type", "reports",
             w.ReportRequest, r.ProductsReportData),
        post("/reports/summary", r.summary, "The range's totals", "reports",
             w.ReportRequest, r.SummaryReportData),
        post("/reports/transfers", t.transfers, "Transfers of the range", "reports",
             w.PagedReportRequest, t.TransfersReportData),
        post("/reports/settlement", t.settlement, "Rebates and surcharges owed", "reports",
             w.PagedReportRequest, t.SettlementReportData),
    ]  # fmt: skip


def _messaging() -> list[Operation]:
    g, n = messaging, notifications
    return [
        post("/message/send", g.send, "Message an agent of your tree", "messaging",
             g.SendMessageRequest, g.SendMessageData, (*FOUND, 429)),
        post("/message/chats", g.chats, "One row per counterpart", "messaging",
             g.ChatsRequest, g.ChatsData),
        post("/message/chat", g.chat, "The messages with one agent (marks them read)",
             "messaging", g.ChatRequest, g.ChatData, FOUND),
        post("/message/recipients", g.recipients, "Whom you may write to", "messaging",
             g.RecipientsRequest, g.RecipientsData),
        post("/message/unread", g.unread, "Unread messages and notifications", "messaging",
             g.UnreadRequest, g.UnreadData),
        post("/notifications", n.notifications, "System notifications", "messaging",
             n.NotificationsRequest, n.NotificationsData),
    ]  # fmt: skip


def _webhooks() -> list[Operation]:
    w = webhooks
    return [
        post("/webhooks/register", w.webhooks_register, "Register a webhook (secret once)",
             "webhooks", w.WebhookRegisterRequest, w.WebhookRegisterData),
        post("/webhooks/list", w.webhooks_list, "Your webhooks", "webhooks",
             data=w.WebhookListData),
        post("/webhooks/delete", w.webhooks_delete, "Delete a webhook", "webhooks",
             w.WebhookDeleteRequest, w.WebhookDeleteData, FOUND),
    ]  # fmt: skip


def routes() -> list[BaseRoute]:
    return [operation.route() for operation in operations()]


async def not_found(request: Request) -> Response:
    note(request, caller="agent", operation="not_found", code=404)
    message = f"Endpoint not found: {request.method} {request.url.path}"
    return failure(request, ApiError(Code.NOT_FOUND, message[:200]))


def fallback() -> list[BaseRoute]:
    """After every /api route of both APIs: the envelope's 404 (unknown path, other method)."""
    return [Route("/{path:path}", not_found, methods=ANY_METHOD)]

"""The agent API's routing table, mounted at /api beside the cashier API's (their paths do not
collide). The last route answers every other /api path and method with the envelope's 404."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from wallet.agents import auth, commission, directory, money, report_transfers, reports, smart
from wallet.agents.envelope import ApiError, Code, failure
from wallet.web.requestlog import note

ANY_METHOD = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]


def routes() -> list[BaseRoute]:
    """The agent API's endpoints (POST with a JSON body, except GET /health)."""
    return [
        Route("/auth/login", auth.login, methods=["POST"]),
        Route("/auth/refresh", auth.refresh, methods=["POST"]),
        Route("/health", auth.health, methods=["GET"]),
        Route("/balance", directory.balance, methods=["POST"]),
        Route("/agents", directory.agents, methods=["POST"]),
        Route("/agent/register", directory.agent_register, methods=["POST"]),
        Route("/players", directory.players, methods=["POST"]),
        Route("/player/register", directory.player_register, methods=["POST"]),
        Route("/player/search", directory.player_search, methods=["POST"]),
        Route("/player/balance", directory.player_balance_of, methods=["POST"]),
        Route("/deposit", money.deposit, methods=["POST"]),
        Route("/withdraw", money.withdraw, methods=["POST"]),
        Route("/agent/deposit", money.agent_deposit, methods=["POST"]),
        Route("/agent/withdraw", money.agent_withdraw, methods=["POST"]),
        Route("/transfer", smart.transfer, methods=["POST"]),
        Route("/transfer/history", smart.transfer_history, methods=["POST"]),
        Route("/rebate", smart.rebate, methods=["POST"]),
        Route("/bypass", smart.bypass, methods=["POST"]),
        Route("/agent/commission", commission.commission, methods=["POST"]),
        Route("/reports/players", reports.players, methods=["POST"]),
        Route("/reports/agents", reports.agents, methods=["POST"]),
        Route("/reports/daily", reports.daily, methods=["POST"]),
        Route("/reports/products", reports.products, methods=["POST"]),
        Route("/reports/summary", reports.summary, methods=["POST"]),
        Route("/reports/transfers", report_transfers.transfers, methods=["POST"]),
        Route("/reports/settlement", report_transfers.settlement, methods=["POST"]),
    ]


async def not_found(request: Request) -> Response:
    note(request, caller="agent", operation="not_found", code=404)
    message = f"Endpoint not found: {request.method} {request.url.path}"
    return failure(request, ApiError(Code.NOT_FOUND, message[:200]))


def fallback() -> list[BaseRoute]:
    """After every /api route of both APIs: the envelope's 404 (unknown path, other method)."""
    return [Route("/{path:path}", not_found, methods=ANY_METHOD)]

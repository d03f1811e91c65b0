"""The ASGI app: the whole HTTP surface in one routing table, plus lifespan and middleware."""

from __future__ import annotations

import contextlib
import hmac
import ipaddress
from collections.abc import AsyncIterator

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.types import ASGIApp

from wallet.agents import dashboard as agent_dashboard
from wallet.agents import routes as agent_api
from wallet.cashier import console as cashier_console
from wallet.cashier import routes as cashier_api
from wallet.config import Settings, get_settings
from wallet.context import Context, context_of
from wallet.db import make_ledger_db, make_read_db, resolve_url
from wallet.directory.operators import operator_id
from wallet.ledger.currencies import currency_exponents
from wallet.providers import ambslot, igamingace
from wallet.transfer import routes as transfer_routes
from wallet.transfer.service import transfer_wallet
from wallet.web.direct import DirectRoutes, direct_routes
from wallet.web.docs import Published
from wallet.web.observability import configure_logging, metrics_payload
from wallet.web.openapi import Operation
from wallet.web.pages import shared_routes as shared_page_routes
from wallet.web.requestlog import RequestLogMiddleware
from wallet.webhooks.worker import webhook_delivery

# The studios' callbacks: served by the direct lane (wallet/web/direct.py), the hot path.
STUDIO_MOUNTS = ("/ambslot", "/igamingace")


async def health(request: Request) -> Response:
    ok = await context_of(request).db.ping()
    return JSONResponse({"status": "ok" if ok else "unavailable"}, status_code=200 if ok else 503)


def _metrics_allowed(request: Request, settings: Settings) -> bool:
    """METRICS_TOKEN set: its bearer token (compared in constant time); else a loopback peer."""
    token = settings.metrics_token.get_secret_value()
    if token:
        scheme, _, given = request.headers.get("authorization", "").partition(" ")
        return scheme.lower() == "bearer" and hmac.compare_digest(given.encode(), token.encode())
    try:
        return ipaddress.ip_address(request.client.host if request.client else "").is_loopback
    except ValueError:
        return False


async def metrics(request: Request) -> Response:
    if not _metrics_allowed(request, context_of(request).settings):
        headers = {"WWW-Authenticate": "Bearer"}
        return Response("metrics: not for this client\n", status_code=401, headers=headers)
    payload, content_type = metrics_payload()
    return Response(payload, media_type=content_type)


def api_operations() -> list[Operation]:
    """Every /api endpoint of both APIs: their routes and the OpenAPI document come from here."""
    return [*cashier_api.operations(), *agent_api.operations()]


def build_routes() -> list[BaseRoute]:
    published = Published(api_operations)
    return [
        Route("/health", health, methods=["GET"]),
        *published.routes(),
        Route("/metrics", metrics, methods=["GET"]),
        Mount("/ambslot", routes=ambslot.routes()),
        Mount("/igamingace", routes=igamingace.routes()),
        # One /api mount for both APIs (a second Mount would never be reached): the cashier
        # API's paths, the agent API's, the document, then the agent envelope's 404 for
        # anything else.
        Mount(
            "/api",
            routes=[
                *cashier_api.routes(),
                *agent_api.routes(),
                *published.api_routes(),
                *agent_api.fallback(),
            ],
        ),
        *shared_page_routes(),
        *cashier_console.routes(),
        *agent_dashboard.routes(),
        Mount("/transfer-wallet", routes=transfer_routes.routes()),
    ]


async def load_context(settings: Settings) -> Context:
    db = await make_ledger_db(resolve_url(settings), settings).open()
    replica = make_read_db(settings)  # DATABASE_READ_URL: reports and lists read there
    if replica is not None:
        await replica.open()
    # Reference data is read once per worker; it cannot be read while the database is down,
    # so startup waits for it (a worker that starts without it would answer nothing right).
    return Context(
        settings=settings,
        db=db,
        operator_id=await operator_id(db, settings.operator_code),
        currencies=await currency_exponents(db),
        replica=replica,
    )


def create_app(settings: Settings | None = None) -> Starlette:
    settings = settings or get_settings()
    configure_logging(settings.log_level)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        app.state.ctx = await load_context(settings)
        try:
            async with (
                transfer_wallet(app, app.state.ctx),
                webhook_delivery(app.state.ctx.db, settings),
            ):
                yield
        finally:
            await app.state.ctx.db.dispose()
            if app.state.ctx.replica is not None:
                await app.state.ctx.replica.dispose()

    return WalletApp(routes=build_routes(), lifespan=lifespan)


class WalletApp(Starlette):
    """Starlette, with the request log outermost and the studio callbacks' direct lane inside
    it: every request gets its log line and metrics, and a studio callback skips the rest."""

    def build_middleware_stack(self) -> ASGIApp:
        lane = direct_routes(self.routes, STUDIO_MOUNTS)
        return RequestLogMiddleware(DirectRoutes(super().build_middleware_stack(), lane))

"""Every cashier API request passes here before its endpoint, in this order:

1. rate limit, per key and client (login and the rest counted apart) -> 429 + Retry-After
2. the key (`key=` in the query) -> 403 "Invalid API key."
3. the client address against the key's networks -> 403
4. CORS: a browser Origin that is the key's domain gets the CORS headers on whatever is
   answered from here on (refusals included, so the page can show them)
5. protected endpoints: the Bearer token (signature, expiry, not revoked, a cashier of the
   key's shop, active) -> 403 "No permission"

Refusals and ledger outages become the document's error bodies here, the one place that maps
them; the endpoints raise `Refusal` and return successes.
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from starlette.requests import Request
from starlette.responses import Response

from wallet.access.api_keys import ApiKey, admit, find_key
from wallet.access.cashier_sessions import session_cashier
from wallet.access.digest import key_digest
from wallet.cashier import tokens
from wallet.cashier.answers import NO_PERMISSION, Refusal
from wallet.cashier.cors import cors_headers, origin_allowed, preflight_headers
from wallet.context import Context, context_of
from wallet.directory.cashiers import Cashier
from wallet.ledger.outcomes import LedgerUnavailable
from wallet.web.clients import client_host, host_allowed
from wallet.web.observability import get_logger
from wallet.web.requestlog import note

CALLER = "cashier"
KEY_MAX_CHARS = 256
RATE_LIMITED = "Too many API requests. Please retry later."
INVALID_KEY = "Invalid API key."
IP_REFUSED = "Access denied for this IP address."
UNAVAILABLE = "The service is temporarily unavailable. Please retry later."

_log = get_logger("wallet.cashier")


@dataclass(frozen=True, slots=True)
class Access:
    """An admitted request: its context, key (with the shop) and client address."""

    ctx: Context
    key: ApiKey
    client: str


@dataclass(frozen=True, slots=True)
class Session:
    """An admitted request of a logged-in cashier."""

    access: Access
    cashier: Cashier
    claims: tokens.Claims


Public = Callable[[Request, Access], Awaitable[Response]]
Protected = Callable[[Request, Session], Awaitable[Response]]
Endpoint = Callable[[Request], Awaitable[Response]]


def _client_allowed(host: str, key: ApiKey) -> bool:
    return not key.allowed_ips or host_allowed(host, key.allowed_ips)


async def _admit(request: Request, ctx: Context, limit_name: str, cors: dict[str, str]) -> Access:
    """Steps 1-4; `cors` is filled in as soon as the key is known."""
    key = request.query_params.get("key", "")[:KEY_MAX_CHARS]
    host = client_host(request)
    limit = (
        ctx.settings.api_login_rate_limit_per_minute
        if limit_name == "login"
        else ctx.settings.api_rate_limit_per_minute
    )
    bucket = f"{limit_name}:{key_digest(key).hex()[:32]}:{host}"
    admission = await admit(ctx.db, key, bucket, limit)
    origin = request.headers.get("origin", "")
    if admission.key is not None and origin_allowed(origin, admission.key.domain):
        cors.update(cors_headers(origin))
    if not admission.allowed:
        retry = admission.retry_after_s
        raise Refusal(
            429,
            RATE_LIMITED,
            extra={"retry_after": retry},
            headers={"Retry-After": str(retry)},
            reason="rate_limited",
        )
    if admission.key is None:
        raise Refusal(403, INVALID_KEY, reason="bad_key")
    note(request, shop_id=admission.key.shop.id, key_id=admission.key.id)
    if not _client_allowed(host, admission.key):
        raise Refusal(403, IP_REFUSED, reason="ip_refused")
    return Access(ctx, admission.key, host)


async def _session(request: Request, access: Access) -> Session:
    """Step 5."""
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer":
        raise Refusal(403, NO_PERMISSION, reason="no_token")
    claims = tokens.verify(await tokens.secret_of(request, access.ctx), token.strip())
    if claims is None:
        raise Refusal(403, NO_PERMISSION, reason="bad_token")
    if claims.shop_id != access.key.shop.id:
        raise Refusal(403, NO_PERMISSION, reason="token_of_another_shop")
    cashier = await session_cashier(access.ctx.db, claims.cashier_id, claims.jti, claims.epoch)
    if cashier is None:
        raise Refusal(403, NO_PERMISSION, reason="revoked_token")
    if cashier.status != "active" or cashier.shop_id != access.key.shop.id:
        raise Refusal(403, NO_PERMISSION, reason="cashier_not_active")
    note(request, cashier_id=cashier.id)
    return Session(access, cashier, claims)


async def _answer(
    request: Request, operation: str, limit_name: str, run: Callable[[Access], Awaitable[Response]]
) -> Response:
    note(request, caller=CALLER, operation=operation)
    cors: dict[str, str] = {}
    try:
        response = await run(await _admit(request, context_of(request), limit_name, cors))
    except Refusal as refusal:
        note(request, code=refusal.status, refusal=refusal.reason or refusal.message)
        response = refusal.response()
    except LedgerUnavailable as error:
        note(request, code=503, refusal=f"unavailable: {error}")
        response = Refusal(503, UNAVAILABLE).response()
    else:
        note(request, code=response.status_code)
    response.headers.update(cors)
    return response


def public(operation: str, limit_name: str = "api") -> Callable[[Public], Endpoint]:
    """An endpoint that needs a key but no token (login)."""

    def wrap(handler: Public) -> Endpoint:
        @functools.wraps(handler)
        async def endpoint(request: Request) -> Response:
            return await _answer(request, operation, limit_name, lambda a: handler(request, a))

        return endpoint

    return wrap


def protected(operation: str) -> Callable[[Protected], Endpoint]:
    """An endpoint of a logged-in cashier."""

    def wrap(handler: Protected) -> Endpoint:
        @functools.wraps(handler)
        async def endpoint(request: Request) -> Response:
            async def run(access: Access) -> Response:
                return await handler(request, await _session(request, access))

            return await _answer(request, operation, "api", run)

        return endpoint

    return wrap


async def preflight(request: Request) -> Response:
    """A browser's CORS preflight (OPTIONS): the CORS headers when its Origin is the key's
    domain, none otherwise. Not counted against the rate limit: a browser sends one before
    most calls."""
    note(request, caller=CALLER, operation="preflight")
    origin = request.headers.get("origin", "")
    key = request.query_params.get("key", "")[:KEY_MAX_CHARS]
    ctx = context_of(request)
    try:
        api_key = await find_key(ctx.db, key)
    except LedgerUnavailable:
        return Response(status_code=503)
    if api_key is None or not origin_allowed(origin, api_key.domain):
        note(request, code=204, refusal="origin_not_allowed")
        return Response(status_code=204)
    note(request, code=204)
    return Response(status_code=204, headers=preflight_headers(origin))

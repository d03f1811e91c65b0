"""Every agent API request passes here: the one place that turns refusals, outages and bugs into
the envelope's error answers (never a stack trace), and that authenticates the agent.

Authentication: `Authorization: Bearer tok_...` (a live token, wallet/directory/agents.py), or
`agentUsername` + `agentPassword` in the body. Wrong, expired or refreshed-away: 401 AUTH_ERROR.
Login attempts count per client address and minute in PostgreSQL (cashier_rate_hit, so every
worker and host shares the count): every /auth/login call, and every failed body credential;
over AGENT_LOGIN_RATE_LIMIT_PER_MINUTE: 429 RATE_LIMITED with Retry-After. And per account (the
username typed, known or not): LOGIN_FAILURES_MAX failed logins or body credentials lock its
logins for LOGIN_LOCKOUT_S, 429 RATE_LIMITED with Retry-After (wallet/access/login_lockout.py).
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from starlette.requests import Request
from starlette.responses import Response

from wallet.access.agent_tokens import password_hash_of, token_agent
from wallet.access.login_lockout import account_key, locked_for_s, login_failed, login_succeeded
from wallet.access.passwords import verify_password_async
from wallet.access.rate_limits import hit, hits_now
from wallet.agents import fields
from wallet.agents.envelope import ApiError, Code, failure, success
from wallet.context import Context, context_of
from wallet.directory.agents import Agent, find_agent
from wallet.ledger.outcomes import LedgerUnavailable
from wallet.web.clients import client_host
from wallet.web.observability import get_logger
from wallet.web.requestlog import note

CALLER = "agent"
BAD_CREDENTIALS = "Invalid credentials"
BAD_TOKEN = "Invalid or expired token"  # noqa: S105 (a message)
_log = get_logger("wallet.agents")


@dataclass(frozen=True, slots=True)
class Call:
    """An admitted request: its context, body and (for most endpoints) its agent."""

    ctx: Context
    body: fields.Body
    agent: Agent


@dataclass(frozen=True, slots=True)
class Reply:
    """What an endpoint answers: the data, and whether it replays an earlier move."""

    data: object
    idempotent: bool = False


Handler = Callable[[Request, Call], Awaitable[Reply]]
PublicHandler = Callable[[Request, Context, fields.Body], Awaitable[Reply]]
Endpoint = Callable[[Request], Awaitable[Response]]


def _login_bucket(request: Request) -> str:
    return f"agent_login:{client_host(request)}"


async def rate_hit(request: Request, ctx: Context) -> None:
    """Count one login attempt of this client; 429 past the limit."""
    counted = await hit(
        ctx.db, _login_bucket(request), ctx.settings.agent_login_rate_limit_per_minute
    )
    if not counted.allowed:
        raise ApiError(
            Code.RATE_LIMITED,
            "Too many login attempts; retry later",
            reason="rate_limited",
            headers={"Retry-After": str(counted.retry_after_s)},
        )


async def over_limit(request: Request, ctx: Context) -> bool:
    hits = await hits_now(ctx.db, _login_bucket(request))
    return hits >= ctx.settings.agent_login_rate_limit_per_minute


async def check_credentials(ctx: Context, username: str, password: str) -> Agent | None:
    """The active agent of these credentials, else None (a wrong username costs a hash too).
    A locked account is refused first (429, no hash); a failure counts against the account."""
    account = account_key("agent", ctx.operator_id, username)
    if locked_s := await locked_for_s(ctx.db, account):
        raise ApiError(
            Code.RATE_LIMITED,
            "Too many failed logins; retry later",
            reason="account_locked",
            headers={"Retry-After": str(locked_s)},
        )
    stored = await password_hash_of(ctx.db, ctx.operator_id, username)
    agent = None
    if await verify_password_async(stored, password):
        agent = await find_agent(ctx.db, ctx.operator_id, username=username)
    if agent is None or agent.status != "active":
        settings = ctx.settings
        await login_failed(ctx.db, account, settings.login_failures_max, settings.login_lockout_s)
        return None
    await login_succeeded(ctx.db, account)
    return agent


async def _authenticate(request: Request, ctx: Context, body: fields.Body) -> Agent:
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        agent = await token_agent(ctx.db, ctx.operator_id, token.strip())
        if agent is None or agent.status != "active":
            raise ApiError(Code.AUTH_ERROR, BAD_TOKEN, reason="bad_token")
        return agent
    username, password = body.get("agentUsername"), body.get("agentPassword")
    if not isinstance(username, str) or not isinstance(password, str) or not username:
        raise ApiError(Code.AUTH_ERROR, "Authentication required", reason="no_credentials")
    if await over_limit(request, ctx):
        await rate_hit(request, ctx)
    agent = await check_credentials(ctx, username[:64], password[: fields.PASSWORD_MAX])
    if agent is None:
        await rate_hit(request, ctx)
        raise ApiError(Code.AUTH_ERROR, BAD_CREDENTIALS, reason="bad_credentials")
    return agent


async def _answer(
    request: Request, operation: str, run: Callable[[], Awaitable[Reply]]
) -> Response:
    note(request, caller=CALLER, operation=operation)
    try:
        reply = await run()
    except ApiError as error:
        note(request, code=error.status, refusal=error.reason or error.code.value)
        return failure(request, error)
    except LedgerUnavailable as error:
        note(request, code=500, refusal=f"unavailable: {error}")
        return failure(request, ApiError(Code.SERVER_ERROR, "Service temporarily unavailable"))
    except Exception:  # a bug of ours: logged with its trace, answered without it
        _log.exception("agent_api_error", operation=operation)
        note(request, code=500, refusal="server_error")
        return failure(request, ApiError(Code.SERVER_ERROR, "Internal error"))
    note(request, code=200)
    return success(request, reply.data, idempotent=reply.idempotent)


async def _body(request: Request, ctx: Context) -> fields.Body:
    if request.method in ("GET", "HEAD"):
        return {}
    settings = ctx.settings
    return await fields.json_body(
        request, settings.request_body_max_bytes, settings.request_body_timeout_s
    )


def endpoint(operation: str) -> Callable[[Handler], Endpoint]:
    """An endpoint of an authenticated agent."""

    def wrap(handler: Handler) -> Endpoint:
        @functools.wraps(handler)
        async def run_endpoint(request: Request) -> Response:
            async def run() -> Reply:
                ctx = context_of(request)
                body = await _body(request, ctx)
                agent = await _authenticate(request, ctx, body)
                note(request, agent_id=agent.id)
                return await handler(request, Call(ctx, body, agent))

            return await _answer(request, operation, run)

        return run_endpoint

    return wrap


def public(operation: str) -> Callable[[PublicHandler], Endpoint]:
    """An endpoint without an agent (login, refresh, health)."""

    def wrap(handler: PublicHandler) -> Endpoint:
        @functools.wraps(handler)
        async def run_endpoint(request: Request) -> Response:
            async def run() -> Reply:
                ctx = context_of(request)
                return await handler(request, ctx, await _body(request, ctx))

            return await _answer(request, operation, run)

        return run_endpoint

    return wrap

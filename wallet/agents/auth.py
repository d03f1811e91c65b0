"""POST /auth/login, POST /auth/refresh, POST /auth/logout, GET /health."""

from __future__ import annotations

import secrets
import time
from datetime import UTC, datetime

from pydantic import BaseModel, Field
from starlette.requests import Request

from wallet.access.agent_tokens import (
    forget_expired_tokens,
    issue_token,
    refresh_token,
    revoke_token,
)
from wallet.agents import fields
from wallet.agents.envelope import ApiError, Code, iso_utc
from wallet.agents.gate import (
    BAD_CREDENTIALS,
    BAD_TOKEN,
    Reply,
    check_credentials,
    public,
    rate_hit,
)
from wallet.context import Context

STARTED = time.monotonic()
CLEANUP_ONE_IN = 100


class LoginRequest(fields.Strict):
    agentUsername: str = Field(min_length=1, max_length=64, examples=["agent_7"])
    agentPassword: str = Field(min_length=1, max_length=fields.PASSWORD_MAX)


class TokenData(BaseModel):
    token: str = Field(description="Bearer token, 4 h", examples=["tok_3q2..."])
    affiliateId: str = Field(examples=["42"])
    expiresAt: str = Field(examples=["2026-12-06T14:00:00Z"])
    ttlSeconds: int = Field(examples=[14400])


class LogoutData(BaseModel):
    loggedOut: bool = Field(examples=[True])


class HealthData(BaseModel):
    status: str = Field(examples=["ok"])
    database: str = Field(examples=["ok"])
    uptimeSeconds: int
    time: str = Field(examples=["2026-12-06T10:00:00Z"])


@public("login")
async def login(request: Request, ctx: Context, body: fields.Body) -> Reply:
    await rate_hit(request, ctx)
    wanted = fields.validated(body, LoginRequest)
    agent = await check_credentials(ctx, wanted.agentUsername, wanted.agentPassword)
    if agent is None:
        raise ApiError(Code.AUTH_ERROR, BAD_CREDENTIALS, reason="bad_credentials")
    ttl_s = ctx.settings.agent_token_ttl_s
    token, expires_at = await issue_token(ctx.db, agent.id, ttl_s)
    if secrets.randbelow(CLEANUP_ONE_IN) == 0:  # expired tokens go now and then, by index
        await forget_expired_tokens(ctx.db)
    return Reply(
        {
            "token": token,
            "affiliateId": str(agent.id),
            "expiresAt": iso_utc(expires_at),
            "ttlSeconds": ttl_s,
        }
    )


def _bearer(request: Request) -> str:
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise ApiError(Code.AUTH_ERROR, "Authentication required", reason="no_token")
    return token.strip()


@public("refresh")
async def refresh(request: Request, ctx: Context, body: fields.Body) -> Reply:
    """A new token for a live one of an active agent, which dies at once (4 h from now again)."""
    old = _bearer(request)
    ttl_s = ctx.settings.agent_token_ttl_s
    renewed = await refresh_token(ctx.db, old, ttl_s)
    if renewed is None:
        raise ApiError(Code.AUTH_ERROR, BAD_TOKEN, reason="bad_token")
    agent_id, token, expires_at = renewed
    return Reply(
        {
            "token": token,
            "affiliateId": str(agent_id),
            "expiresAt": iso_utc(expires_at),
            "ttlSeconds": ttl_s,
        }
    )


@public("logout")
async def logout(request: Request, ctx: Context, body: fields.Body) -> Reply:
    """The bearer token dies at once (on every worker and host: it is a row)."""
    if not await revoke_token(ctx.db, _bearer(request)):
        raise ApiError(Code.AUTH_ERROR, BAD_TOKEN, reason="bad_token")
    return Reply({"loggedOut": True})


@public("health")
async def health(request: Request, ctx: Context, body: fields.Body) -> Reply:
    """200 with the database reachable; 500 SERVER_ERROR when it is not."""
    if not await ctx.db.ping():
        raise ApiError(Code.SERVER_ERROR, "Database unavailable", reason="database_down")
    return Reply(
        {
            "status": "ok",
            "database": "ok",
            "uptimeSeconds": int(time.monotonic() - STARTED),
            "time": iso_utc(datetime.now(UTC)),
        }
    )

"""Login tokens: JWTs signed with HS256 (PyJWT), naming the cashier, its shop and a unique id
(jti) by which a logout revokes the token. Expiry: API_JWT_TTL_S (8 hours by default).

The signing secret is API_JWT_SECRET when set; otherwise one the server generated and keeps in
the database (wallet/access/signing_keys.py), so every worker, host and restart shares it.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import jwt
from starlette.requests import Request

from wallet.access.signing_keys import signing_secret
from wallet.context import Context
from wallet.directory.cashiers import Cashier

ALGORITHM = "HS256"
ISSUER = "wallet-cashier"
SIGNING_KEY_NAME = "cashier_jwt"
TOKEN_MAX_CHARS = 2048


@dataclass(frozen=True, slots=True)
class Claims:
    cashier_id: int
    shop_id: int
    jti: uuid.UUID
    expires_at: datetime
    issued_at: datetime  # the login: where a cashier's shift summary starts by default
    epoch: int  # the cashier's session epoch at login (a token without one: 0)


def issue(secret: bytes, cashier: Cashier, ttl_s: int) -> str:
    now = datetime.now(UTC)
    payload = {
        "iss": ISSUER,
        "sub": str(cashier.id),
        "shop": cashier.shop_id,
        "epoch": cashier.session_epoch,
        "jti": str(uuid.uuid4()),
        "iat": now,
        "exp": now + timedelta(seconds=ttl_s),
    }
    return jwt.encode(payload, secret, algorithm=ALGORITHM)


def verify(secret: bytes, token: str) -> Claims | None:
    """The claims of a well-signed, unexpired token of ours, else None."""
    if not token or len(token) > TOKEN_MAX_CHARS:
        return None
    try:
        payload = jwt.decode(
            token,
            secret,
            algorithms=[ALGORITHM],
            issuer=ISSUER,
            options={"require": ["exp", "iat", "sub", "jti", "iss"]},
        )
        return Claims(
            cashier_id=int(payload["sub"]),
            shop_id=int(payload["shop"]),
            jti=uuid.UUID(str(payload["jti"])),
            expires_at=datetime.fromtimestamp(int(payload["exp"]), UTC),
            issued_at=datetime.fromtimestamp(int(payload["iat"]), UTC),
            epoch=int(payload.get("epoch", 0)),
        )
    except (jwt.InvalidTokenError, KeyError, TypeError, ValueError):
        return None


async def secret_of(request: Request, ctx: Context) -> bytes:
    """The signing secret of this worker: configured, or read (once) from the database."""
    configured = ctx.settings.api_jwt_secret.get_secret_value()
    if configured:
        return configured.encode()
    cached: bytes | None = getattr(request.app.state, "cashier_jwt_secret", None)
    if cached is None:
        cached = await signing_secret(ctx.db, SIGNING_KEY_NAME)
        request.app.state.cashier_jwt_secret = cached
    return cached

"""POST /login, POST /logout, GET /cashier/me."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field
from starlette.requests import Request
from starlette.responses import Response

from wallet.access.cashier_sessions import revoke
from wallet.access.login_lockout import account_key, locked_for_s, login_failed, login_succeeded
from wallet.access.passwords import verify_password_async
from wallet.cashier import fields, tokens
from wallet.cashier.answers import Refusal, success
from wallet.cashier.fields import Figure
from wallet.cashier.gate import Access, Session, protected, public
from wallet.cashier.till import TillData, me_extra
from wallet.directory.cashiers import cashier_for_login
from wallet.directory.shops import shop_balance
from wallet.web.amounts import Amount

INVALID_CREDENTIALS = "Invalid credentials."
LOCKED = "Too many failed logins. Please retry later."


class CashierLoginRequest(BaseModel):
    username: fields.Text = Field(max_length=fields.TEXT_MAX, examples=["cashier_1"])
    password: fields.Text = Field(max_length=fields.TEXT_MAX)


class CashierLoginAnswer(BaseModel):
    success: Literal[True]
    message: str = Field(examples=["Authorization is successful."])
    token: str = Field(description="A JWT: Authorization: Bearer <token>")


class MessageAnswer(BaseModel):
    success: Literal[True]
    message: str


class CashierData(BaseModel):
    id: int
    username: str
    role: str = Field(examples=["cashier"])
    shop_id: int
    shop: str
    shop_balance: Figure


class MeData(BaseModel):
    cashier: CashierData
    logic_of_balance: str = Field(examples=["default"])
    # Beside the document's fields (wallet/cashier/till.py): what the console needs as a till.
    currency: str = Field(examples=["USD"])
    decimals: int = Field(description="The currency's decimals", examples=[2])
    time_zone: str = Field(description="The operator's (OPERATOR_TIMEZONE)", examples=["UTC"])
    logged_in_at: str = Field(
        description="This token's login, UTC", examples=["2026-12-07 08:00:00"]
    )
    till: TillData


class MeAnswer(BaseModel):
    success: Literal[True]
    data: MeData


async def _body(request: Request, access: Access) -> dict[str, object]:
    settings = access.ctx.settings
    return await fields.json_object(
        request, settings.request_body_max_bytes, settings.request_body_timeout_s
    )


def _locked(retry_after_s: int) -> Refusal:
    return Refusal(
        429,
        LOCKED,
        extra={"retry_after": retry_after_s},
        headers={"Retry-After": str(retry_after_s)},
        reason="account_locked",
    )


@public("login", limit_name="login")
async def login(request: Request, access: Access) -> Response:
    """Per key and client address, the gate's rate limit; per account (the username typed, known
    or not), a lockout after LOGIN_FAILURES_MAX failures (wallet/access/login_lockout.py)."""
    wanted = fields.validated(await _body(request, access), CashierLoginRequest)
    db, settings = access.ctx.db, access.ctx.settings
    account = account_key("cashier", access.key.shop.id, wanted.username)
    if locked_s := await locked_for_s(db, account):
        raise _locked(locked_s)
    found = await cashier_for_login(db, access.key.shop.id, wanted.username[:64])
    # A wrong username costs the same hash as a wrong password: its answer tells nothing.
    verified = await verify_password_async(found[1] if found else None, wanted.password)
    if found is None or not verified or found[0].status != "active":
        await login_failed(db, account, settings.login_failures_max, settings.login_lockout_s)
        raise Refusal(400, INVALID_CREDENTIALS, reason="bad_credentials")
    await login_succeeded(db, account)
    secret = await tokens.secret_of(request, access.ctx)
    token = tokens.issue(secret, found[0], access.ctx.settings.api_jwt_ttl_s)
    return success(message="Authorization is successful.", token=token)


@protected("logout")
async def logout(request: Request, session: Session) -> Response:
    await revoke(session.access.ctx.db, session.claims.jti, session.claims.expires_at)
    return success(message="Logout is successful.")


@protected("me")
async def me(request: Request, session: Session) -> Response:
    shop = session.access.key.shop
    balance = await shop_balance(session.access.ctx.db, shop)
    cashier = session.cashier
    return success(
        data={
            "cashier": {
                "id": cashier.id,
                "username": cashier.username,
                "role": cashier.role,
                "shop_id": shop.id,
                "shop": shop.name,
                "shop_balance": Amount(balance, shop.exponent),
            },
            "logic_of_balance": shop.mode,
            **await me_extra(session),
        }
    )

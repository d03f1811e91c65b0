"""What the OpenAPI document says of the cashier API as a whole: its own answer and error
shapes (answers.py), its key and token (gate.py) (wallet/web/openapi.py makes the document;
routes.py lists the operations)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from wallet.cashier.gate import KEY_MAX_CHARS
from wallet.web.idempotency import KEY_CHARS_MAX
from wallet.web.openapi import Api, Endpoint, Header, Operation, Schema

KEY = "cashierKey"
JWT = "cashierJwt"


class CashierFail(BaseModel):
    """Every cashier API error answer."""

    fail: Literal[True]
    message: str = Field(examples=["No permission"])
    retry_after: int | None = Field(None, description="429: seconds to wait")


def _whole_answer(data: Schema) -> Schema:
    return data  # a cashier answer's model is the whole body ({"success": true, ...})


API = Api(
    name="cashier",
    wrap=_whole_answer,
    error=CashierFail,
    statuses={
        400: "A field is wrong (the message is the document's), or a move cannot be made",
        403: 'The key is unknown ("Invalid API key."), the client address is not allowed, or '
        'the token is missing, wrong, expired or revoked ("No permission"), or the player is '
        "another shop's",
        404: 'No such player ("Wrong user")',
        409: "The Idempotency-Key was used for another request",
        429: "Too many requests for this key and client, or (login) too many failed logins of "
        "this username: Retry-After says when to try again",
        503: "The service is temporarily unavailable",
    },
    schemes={
        KEY: {
            "type": "apiKey",
            "in": "query",
            "name": "key",
            "description": f"The shop's API key (at most {KEY_MAX_CHARS} characters), on every "
            "request; its networks and its browser domain (CORS) apply",
        },
        JWT: {
            "type": "http",
            "scheme": "bearer",
            "bearerFormat": "JWT",
            "description": "POST /api/login answers it; POST /api/logout revokes it",
        },
    },
    always=(403, 429, 503),
)
IDEMPOTENCY = Header(
    "Idempotency-Key",
    "Same key and same request: the first answer again, nothing moved; another request: 409",
    KEY_CHARS_MAX,
)
USER = {"user": "A username of the shop, else a player id"}


def operation(
    method: str,
    path: str,
    handler: Endpoint,
    summary: str,
    answer: type[BaseModel],
    request: type[BaseModel] | None = None,
    query: type[BaseModel] | None = None,
    errors: tuple[int, ...] = (),
    idempotent: bool = False,
) -> Operation:
    """A cashier endpoint of a logged-in cashier: the key and the token."""
    return Operation(
        method,
        path,
        handler,
        summary,
        "cashier",
        API,
        request=request,
        query=query,
        data=answer,
        security=((KEY, JWT),),
        errors=errors,
        headers=(IDEMPOTENCY,) if idempotent else (),
        path_descriptions=USER,
    )

"""What the OpenAPI document says of the agent API as a whole: its envelope, errors and
authentication (wallet/web/openapi.py makes the document; routes.py lists the operations)."""

from __future__ import annotations

from pydantic import BaseModel, Field

from wallet.agents import fields
from wallet.agents.envelope import STATUS, ErrorAnswer, Meta
from wallet.web.openapi import Api, Endpoint, Header, Operation, Schema, ref

BEARER = "agentToken"
DESCRIPTIONS = {
    400: "BAD_REQUEST: the body or a field is wrong (the message names it)",
    401: "AUTH_ERROR: no, a wrong or an expired token or credentials",
    403: "FORBIDDEN: the player or agent is outside the caller's downline",
    404: "NOT_FOUND: no such player, agent or endpoint",
    409: "IDEMPOTENCY_CONFLICT: the key was used with another request",
    422: "INSUFFICIENT_BALANCE or BYPASS_BLOCKED: nothing moved",
    429: "RATE_LIMITED: too many login attempts from this client, or failed ones of this "
    "username (Retry-After says when to try again)",
    500: "SERVER_ERROR: an outage or a bug of ours (the requestId tells which)",
}
assert set(DESCRIPTIONS) == set(STATUS.values())  # every status the envelope answers


class BodyCredentials(BaseModel):
    """Instead of the bearer token, any agent endpoint's body may carry the credentials."""

    agentUsername: str | None = Field(None, max_length=64, description="Instead of a token")
    agentPassword: str | None = Field(None, max_length=fields.PASSWORD_MAX)


def _wrap(data: Schema) -> Schema:
    return {
        "type": "object",
        "required": ["success", "data", "error", "meta"],
        "properties": {
            "success": {"const": True},
            "data": data,
            "error": {"type": "null"},
            "meta": ref(Meta),
            "_idempotent": {"const": True, "description": "A replay: nothing moved this time"},
        },
    }


API = Api(
    name="agent",
    wrap=_wrap,
    error=ErrorAnswer,
    statuses=DESCRIPTIONS,
    schemes={
        BEARER: {
            "type": "http",
            "scheme": "bearer",
            "bearerFormat": "tok_...",
            "description": "POST /api/auth/login answers a token (4 h); or agentUsername and "
            "agentPassword in the body of any agent endpoint",
        }
    },
    always=(400, 500),
    body_credentials=BodyCredentials,
    models=(Meta,),
)
IDEMPOTENCY = Header(
    "X-Idempotency-Key",
    "Same as idempotencyKey in the body (both: they must agree)",
    fields.KEY_MAX,
)
GUARDED = ((BEARER,), ())  # the token, or (no scheme) the credentials in the body
AUTH_ERRORS = (401, 429)


def post(
    path: str,
    handler: Endpoint,
    summary: str,
    tag: str,
    request: type[BaseModel] | None = None,
    data: type[BaseModel] | None = None,
    errors: tuple[int, ...] = (),
    idempotent: bool = False,
) -> Operation:
    """An agent endpoint: POST, the token or body credentials, the envelope."""
    return Operation(
        "POST",
        path,
        handler,
        summary,
        tag,
        API,
        request=request,
        data=data,
        security=GUARDED,
        errors=(*AUTH_ERRORS, *errors),
        headers=(IDEMPOTENCY,) if idempotent else (),
    )

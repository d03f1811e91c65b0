"""The agent API's one answer shape, errors included:
{"success", "data", "error": {"code", "message"} | null, "meta": {"requestId", "timestamp"}}.

Amounts are exact JSON numbers in the agent's currency (wallet.cashier.answers.Amount: never a
float). requestId is the request's id, the one in its log line and X-Request-Id header.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, Field
from starlette.requests import Request
from starlette.responses import Response

from wallet.web.amounts import encode
from wallet.web.requestlog import request_id_of

MEDIA_TYPE = "application/json"


class Code(StrEnum):
    BAD_REQUEST = "BAD_REQUEST"
    AUTH_ERROR = "AUTH_ERROR"
    FORBIDDEN = "FORBIDDEN"
    NOT_FOUND = "NOT_FOUND"
    IDEMPOTENCY_CONFLICT = "IDEMPOTENCY_CONFLICT"
    INSUFFICIENT_BALANCE = "INSUFFICIENT_BALANCE"
    BYPASS_BLOCKED = "BYPASS_BLOCKED"
    RATE_LIMITED = "RATE_LIMITED"
    SERVER_ERROR = "SERVER_ERROR"


STATUS = {
    Code.BAD_REQUEST: 400,
    Code.AUTH_ERROR: 401,
    Code.FORBIDDEN: 403,
    Code.NOT_FOUND: 404,
    Code.IDEMPOTENCY_CONFLICT: 409,
    Code.INSUFFICIENT_BALANCE: 422,
    Code.BYPASS_BLOCKED: 422,
    Code.RATE_LIMITED: 429,
    Code.SERVER_ERROR: 500,
}


@dataclass
class ApiError(Exception):
    """An error answer: raised anywhere in an endpoint, answered by the gate."""

    code: Code
    message: str
    reason: str = ""  # for the log line only
    headers: dict[str, str] = field(default_factory=dict)

    @property
    def status(self) -> int:
        return STATUS[self.code]


class Meta(BaseModel):
    """Every answer's meta."""

    requestId: str = Field(description="This request's id (its log line, X-Request-Id)")
    timestamp: str = Field(examples=["2026-12-06T10:00:00Z"])


class ErrorBody(BaseModel):
    code: Code
    message: str = Field(examples=["amount must be greater than 0"])


class ErrorAnswer(BaseModel):
    """The envelope of every error answer."""

    success: Literal[False]
    data: None
    error: ErrorBody
    meta: Meta


def bad_request(message: str) -> ApiError:
    return ApiError(Code.BAD_REQUEST, message)


def iso_utc(moment: datetime) -> str:
    """Every time the agent API answers: UTC, to the second, `2026-12-06T10:00:00Z`."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _timestamp() -> str:
    return iso_utc(datetime.now(UTC))


def _body(request: Request, data: object, error: dict[str, str] | None, **top: object) -> bytes:
    envelope: dict[str, object] = {
        "success": error is None,
        "data": data,
        "error": error,
        "meta": {"requestId": request_id_of(request), "timestamp": _timestamp()},
        **top,
    }
    return encode(envelope).encode()


def success(request: Request, data: object, *, idempotent: bool = False) -> Response:
    """A success; a replayed move also carries `_idempotent: true` (in data and at the top)."""
    if idempotent:
        assert isinstance(data, dict)
        data = {**data, "_idempotent": True}
        body = _body(request, data, None, _idempotent=True)
    else:
        body = _body(request, data, None)
    return Response(body, status_code=200, media_type=MEDIA_TYPE)


def failure(request: Request, error: ApiError) -> Response:
    body = _body(request, None, {"code": error.code.value, "message": error.message})
    response = Response(body, status_code=error.status, media_type=MEDIA_TYPE)
    response.headers.update(error.headers)
    return response

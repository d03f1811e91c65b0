"""The document's answers: {"success": true, ...} and {"fail": true, "message": ...}, as JSON
whose amounts are exact decimal numbers in the shop's currency (never floats: web/amounts.py)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from starlette.responses import Response

from wallet.web.amounts import encode

MEDIA_TYPE = "application/json"


def answer(body: Mapping[str, object], status: int = 200) -> Response:
    return Response(encode(body).encode(), status_code=status, media_type=MEDIA_TYPE)


def success(**fields: object) -> Response:
    return answer({"success": True, **fields})


@dataclass
class Refusal(Exception):
    """An error answer: raised anywhere in an endpoint, answered by the gate."""

    status: int
    message: str
    extra: dict[str, object] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)
    reason: str = ""  # for the log line only, never for the client

    def response(self) -> Response:
        response = answer({"fail": True, "message": self.message, **self.extra}, self.status)
        response.headers.update(self.headers)
        return response


def bad_request(message: str) -> Refusal:
    return Refusal(400, message)


NO_PERMISSION = "No permission"
WRONG_USER = "Wrong user"

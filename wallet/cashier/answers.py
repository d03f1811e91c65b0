"""The document's answers: {"success": true, ...} and {"fail": true, "message": ...}, as JSON
whose amounts are exact decimal numbers in the shop's currency (never floats)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field

from starlette.responses import Response

from wallet.ledger.money import format_minor

MEDIA_TYPE = "application/json"


@dataclass(frozen=True, slots=True)
class Amount:
    """Minor units rendered as a JSON number: 2550 at exponent 2 -> 25.5, 2500 -> 25."""

    minor: int
    exponent: int

    def json(self) -> str:
        text = format_minor(self.minor, self.exponent)
        return text.rstrip("0").rstrip(".") if "." in text else text


def encode(value: object) -> str:
    """JSON text of dicts, lists, strings, ints, bools, None and Amounts."""
    if isinstance(value, Amount):
        return value.json()
    if value is None or isinstance(value, bool | int | str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, Mapping):
        items = (f"{json.dumps(str(k), ensure_ascii=False)}:{encode(v)}" for k, v in value.items())
        return "{" + ",".join(items) + "}"
    if isinstance(value, list | tuple):
        return "[" + ",".join(encode(item) for item in value) + "]"
    raise TypeError(f"no JSON for {type(value).__name__}")


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

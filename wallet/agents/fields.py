"""The request body and its fields. Every refusal is a 400 BAD_REQUEST naming the field.

Amounts are JSON numbers read exactly (the body's floats are parsed as Decimal, never float);
more decimals than the agent's currency has, zero, a negative number or a string is refused,
never rounded or coerced.
"""

from __future__ import annotations

import json
import re
from datetime import date
from decimal import Decimal
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError
from starlette.requests import Request

from wallet.agents.envelope import bad_request
from wallet.ledger.money import AmountError, parse_minor
from wallet.web.bodies import BodyTooLarge, read_capped

Body = dict[str, Any]
Model = TypeVar("Model", bound=BaseModel)
TEXT_MAX = 100
COMMENT_MAX = 500
EMAIL_MAX = 254
PASSWORD_MIN, PASSWORD_MAX = 6, 128
LIMIT_DEFAULT, LIMIT_MAX = 50, 100
START_MAX = 10_000_000
KEY_MAX = 128
USERNAME = re.compile(r"[A-Za-z0-9_.@-]{3,64}")
EMAIL = re.compile(r"[^@\s]{1,64}@[^@\s]{1,189}\.[^@\s]{1,63}")


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a number")


async def json_body(request: Request, max_bytes: int, timeout_s: float) -> Body:
    """The body as a JSON object; an empty body is an empty object."""
    try:
        raw = await read_capped(request, max_bytes, timeout_s)
    except BodyTooLarge as error:
        raise bad_request("Request body too large") from error
    except TimeoutError as error:
        raise bad_request("Request body not received in time") from error
    if not raw.strip():
        return {}
    try:
        body = json.loads(raw, parse_float=Decimal, parse_constant=_no_constant)
    except (ValueError, RecursionError) as error:
        raise bad_request("Request body must be a JSON object") from error
    if not isinstance(body, dict):
        raise bad_request("Request body must be a JSON object")
    return body


def optional_text(body: Body, name: str, max_chars: int = TEXT_MAX) -> str | None:
    value = body.get(name)
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise bad_request(f"{name} must be a string")
    if len(value) > max_chars:
        raise bad_request(f"{name} must be at most {max_chars} characters")
    return value


def required_text(body: Body, name: str, max_chars: int = TEXT_MAX) -> str:
    value = optional_text(body, name, max_chars)
    if value is None:
        raise bad_request(f"{name} is required")
    return value


def username(body: Body, name: str) -> str:
    value = required_text(body, name, 64)
    if not USERNAME.fullmatch(value):
        raise bad_request(f"{name} must be 3 to 64 of letters, digits, _ . @ -")
    return value


def password(body: Body, name: str = "password") -> str:
    value = required_text(body, name, PASSWORD_MAX)
    if len(value) < PASSWORD_MIN:
        raise bad_request(f"{name} must be at least {PASSWORD_MIN} characters")
    return value


def email(body: Body, name: str = "email") -> str:
    value = required_text(body, name, EMAIL_MAX)
    if not EMAIL.fullmatch(value):
        raise bad_request(f"{name} must be an email address")
    return value


def birth_date(body: Body, name: str = "birthDate") -> date | None:
    value = optional_text(body, name, 10)
    if value is None:
        return None
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    raise bad_request(f"{name} must be a date YYYY-MM-DD")


def amount_minor(body: Body, exponent: int, name: str = "amount") -> int:
    """A positive amount, exact in the currency's decimals."""
    value = body.get(name)
    if value is None:
        raise bad_request(f"{name} is required")
    if isinstance(value, bool) or not isinstance(value, int | Decimal):
        raise bad_request(f"{name} must be a number")
    try:
        minor = parse_minor(str(value), exponent)
    except AmountError as error:
        text = str(error)
        if text.startswith("more than"):
            raise bad_request(f"{name} must have at most {exponent} decimal places") from error
        if text == "negative amount":
            raise bad_request(f"{name} must be greater than 0") from error
        if text == "amount too large":
            raise bad_request(f"{name} is too large") from error
        raise bad_request(f"{name} must be a plain decimal number") from error
    if minor <= 0:
        raise bad_request(f"{name} must be greater than 0")
    return minor


def whole_number(body: Body, name: str, default: int, maximum: int) -> int:
    value = body.get(name)
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, int):
        raise bad_request(f"{name} must be a whole number")
    if not 0 <= value <= maximum:
        raise bad_request(f"{name} must be between 0 and {maximum}")
    return value


def page(body: Body) -> tuple[int, int]:
    """start (offset, default 0) and limit (default 50, 1..100)."""
    start = whole_number(body, "start", 0, START_MAX)
    limit = whole_number(body, "limit", LIMIT_DEFAULT, LIMIT_MAX)
    if limit < 1:
        raise bad_request(f"limit must be between 1 and {LIMIT_MAX}")
    return start, limit


def idempotency_key(request: Request, body: Body) -> str | None:
    """X-Idempotency-Key, or idempotencyKey in the body (both: they must agree)."""
    header = request.headers.get("x-idempotency-key")
    in_body = body.get("idempotencyKey")
    if in_body is not None and not isinstance(in_body, str):
        raise bad_request("idempotencyKey must be a string")
    if header is not None and in_body is not None and header != in_body:
        raise bad_request("X-Idempotency-Key and idempotencyKey differ")
    key = header if header is not None else in_body
    if key is None:
        return None
    if not 0 < len(key) <= KEY_MAX or not key.isascii() or not key.isprintable():
        raise bad_request(f"The idempotency key must be 1 to {KEY_MAX} printable characters")
    return key


def validated(body: Body, model: type[Model]) -> Model:
    """The body read through an endpoint's pydantic model (the model the OpenAPI document is
    made from): a refusal is a 400 naming the first field that failed."""
    try:
        return model.model_validate(body)
    except ValidationError as error:
        first = error.errors(include_url=False)[0]
        where = ".".join(str(part) for part in first["loc"]) or "body"
        raise bad_request(f"{where}: {first['msg']}"[:200]) from error

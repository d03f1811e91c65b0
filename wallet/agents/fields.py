"""The request body and the field types of the endpoints' pydantic models (`<X>Request`), which
are both the validation and the OpenAPI document's schemas. Every refusal is a 400 BAD_REQUEST
naming the field.

Amounts are JSON numbers read exactly (the body's floats are parsed as Decimal, never float):
a model declares them `PositiveAmount` (a number > 0, never a string or a bool); the handler,
which knows the currency, turns them into minor units with `minor_units`, refusing more decimals
than the currency has (never rounding).
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from typing import Annotated, Any, Literal, TypeVar

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    WithJsonSchema,
)
from pydantic_core import ErrorDetails, PydanticCustomError
from starlette.requests import Request

from wallet.agents.envelope import bad_request
from wallet.ledger.money import AmountError, AmountProblem, parse_minor
from wallet.web.amounts import minor_units as exact_minor_units
from wallet.web.amounts import plain_decimal
from wallet.web.exact_json import BadJson, JsonProblem, read_json_object
from wallet.web.idempotency import KEY_CHARS_MAX, BadIdempotencyKey, KeyProblem
from wallet.web.idempotency import idempotency_key as read_idempotency_key

Body = dict[str, Any]
Model = TypeVar("Model", bound=BaseModel)
RULE = "wallet_rule"  # the error type of our own rules: its message is said as it is
TEXT_MAX = 100
COMMENT_MAX = 500
EMAIL_MAX = 254
PASSWORD_MIN, PASSWORD_MAX = 6, 128
LIMIT_DEFAULT, LIMIT_MAX = 50, 100
START_MAX = 10_000_000
KEY_MAX = KEY_CHARS_MAX
USERNAME = r"^[A-Za-z0-9_.@-]{3,64}$"
EMAIL = r"^[^@\s]{1,64}@[^@\s]{1,189}\.[^@\s]{1,63}$"
ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
SLASH_OR_ISO_DATE = re.compile(r"\d{4}[-/]\d{2}[-/]\d{2}")
PERCENT_RULE = "must be 0 to 100 with at most 2 decimals"


# The agent API's words for each refusal of the edge toolkit (wallet/web/).
BODY_WORDS = {
    JsonProblem.TOO_LARGE: "Request body too large",
    JsonProblem.TOO_SLOW: "Request body not received in time",
    JsonProblem.NOT_JSON: "Request body must be a JSON object",
    JsonProblem.NOT_OBJECT: "Request body must be a JSON object",
    JsonProblem.DUPLICATE_KEY: "Request body must not name a field twice",
    JsonProblem.UNSTORABLE_TEXT: "Request body has a NUL character or an unpaired surrogate",
}
AMOUNT_WORDS = {
    AmountProblem.NOT_PLAIN: "{name} must be a plain decimal number",
    AmountProblem.NEGATIVE: "{name} must be greater than 0",
    AmountProblem.TOO_PRECISE: "{name} must have at most {exponent} decimal places",
    AmountProblem.TOO_LARGE: "{name} is too large",
}
KEY_WORDS = {
    KeyProblem.MALFORMED: f"The idempotency key must be 1 to {KEY_MAX} printable characters",
    KeyProblem.DIFFERS: "X-Idempotency-Key and idempotencyKey differ",
}


async def json_body(request: Request, max_bytes: int, timeout_s: float) -> Body:
    """The body as a JSON object (wallet/web/exact_json.py); an empty body is an empty object."""
    try:
        return await read_json_object(request, max_bytes, timeout_s)
    except BadJson as error:
        raise bad_request(BODY_WORDS[error.problem]) from error


def rule(message: str) -> PydanticCustomError:
    """A refusal of our own rules, said after the field's name ("amount must be a number")."""
    return PydanticCustomError(RULE, message)


def _blank_is_none(value: object) -> object:
    """An empty string is an absent optional field (as clients send them)."""
    return None if value == "" else value


def _number(value: object) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, int | Decimal):
        raise rule("must be a number")
    try:
        return plain_decimal(value)  # judged as written: 1E-2 is not 0.01 here
    except AmountError as error:
        raise rule("must be a plain decimal number") from error


def _iso_date(value: object) -> object:
    if value is None or value == "":
        return None
    if isinstance(value, str) and ISO_DATE.fullmatch(value):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    raise rule("must be a date YYYY-MM-DD")


def _any_date(value: object) -> object:
    if value is None or value == "":
        return None
    if isinstance(value, str) and SLASH_OR_ISO_DATE.fullmatch(value):
        try:
            return date.fromisoformat(value.replace("/", "-"))
        except ValueError:
            pass
    raise rule("must be a date YYYY-MM-DD or YYYY/MM/DD")


def _two_decimals(value: Decimal) -> Decimal:
    try:
        parse_minor(str(value), 2)
    except AmountError as error:
        raise rule(PERCENT_RULE) from error
    return value


def _digits_id(value: object) -> int:
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return value
    if isinstance(value, str) and value.isascii() and value.isdigit() and len(value) <= 19:
        return int(value)
    raise rule("must be a player id (digits)")


NUMBER_SCHEMA = {"type": "number"}
Figure = Annotated[Decimal, WithJsonSchema(NUMBER_SCHEMA)]  # an answer's amount: a JSON number
# The field types the models use; each documents itself in the OpenAPI document.
OptionalText = Annotated[str | None, BeforeValidator(_blank_is_none)]
PositiveAmount = Annotated[
    Decimal,
    BeforeValidator(_number),
    Field(gt=0),
    WithJsonSchema({"type": "number", "exclusiveMinimum": 0}),
]
Percent = Annotated[
    Decimal,
    BeforeValidator(_number),
    Field(ge=0, le=100),
    AfterValidator(_two_decimals),
    WithJsonSchema({"type": "number", "minimum": 0, "maximum": 100, "multipleOf": 0.01}),
]
IsoDate = Annotated[
    date | None,
    BeforeValidator(_iso_date),
    WithJsonSchema({"anyOf": [{"type": "string", "format": "date"}, {"type": "null"}]}),
]
ReportDate = Annotated[
    date | None,
    BeforeValidator(_any_date),
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "string", "pattern": r"^\d{4}[-/]\d{2}[-/]\d{2}$"},
                {"type": "null"},
            ]
        }
    ),
]
PlayerId = Annotated[
    int,
    BeforeValidator(_digits_id),
    WithJsonSchema(
        {"anyOf": [{"type": "integer", "minimum": 0}, {"type": "string", "pattern": "^[0-9]+$"}]}
    ),
]
Choice = BeforeValidator(_blank_is_none)  # for an optional Literal: "" is absent


class Strict(BaseModel):
    """The base of the endpoints' models: no coercion ("10" is not a number, 1 not a bool)."""

    model_config = ConfigDict(strict=True)


class PageRequest(Strict):
    """Pagination: start (offset) and limit."""

    start: int = Field(0, ge=0, le=START_MAX, description="Offset of the first row")
    limit: int = Field(LIMIT_DEFAULT, ge=1, le=LIMIT_MAX, description="Rows per page")


class KeyedRequest(Strict):
    """A money move's idempotency key in the body (or the X-Idempotency-Key header)."""

    idempotencyKey: OptionalText = Field(
        None,
        max_length=KEY_MAX,
        description="Same key and same request within 24 h: the first answer again, "
        "`_idempotent: true`, nothing moved; another request: 409",
        examples=["order-8812"],
    )


def text_field(description: str, max_chars: int = TEXT_MAX, **extra: Any) -> Any:
    return Field(None, max_length=max_chars, description=description, **extra)


USERNAME_FIELD: Any = Field(
    pattern=USERNAME, description="3 to 64 of letters, digits, _ . @ -", examples=["agent_7"]
)
EMAIL_FIELD: Any = Field(max_length=EMAIL_MAX, pattern=EMAIL, examples=["someone@example.com"])
PASSWORD_FIELD: Any = Field(min_length=PASSWORD_MIN, max_length=PASSWORD_MAX)
MONEY_TYPE = Literal["REAL", "CREDIT"]


def minor_units(value: Decimal, exponent: int, name: str = "amount") -> int:
    """An amount the model read, in the currency's minor units: exact, or a 400."""
    try:
        minor = exact_minor_units(value, exponent)
    except AmountError as error:
        words = AMOUNT_WORDS[error.problem].format(name=name, exponent=exponent)
        raise bad_request(words) from error
    if minor <= 0:
        raise bad_request(f"{name} must be greater than 0")
    return minor


def basis_points(percent: Decimal) -> int:
    """A percent the model read (0..100, at most 2 decimals) as basis points (2.5 -> 250)."""
    return parse_minor(str(percent), 2)


def idempotency_key(request: Request, in_body: str | None) -> str | None:
    """X-Idempotency-Key, or idempotencyKey in the body (both: they must agree)."""
    try:
        return read_idempotency_key(request, "x-idempotency-key", in_body)
    except BadIdempotencyKey as error:
        raise bad_request(KEY_WORDS[error.problem]) from error


def _message(error: ErrorDetails) -> str:
    where = ".".join(str(part) for part in error["loc"]) or "body"
    if error["type"] == "missing":
        return f"{where} is required"
    if error["type"] == RULE:
        return f"{where} {error['msg']}"
    return f"{where}: {error['msg']}"


def validated(body: Body, model: type[Model]) -> Model:
    """The body read through an endpoint's pydantic model (the model the OpenAPI document is
    made from): a refusal is a 400 naming the first field that failed."""
    try:
        return model.model_validate(body)
    except ValidationError as error:
        raise bad_request(_message(error.errors(include_url=False)[0])[:200]) from error

"""A request's JSON body and the document's field rules, each refusal a 400 with the message a
client of the document shows (Laravel's wording, which the document's own message follows).

Each endpoint reads its body (or query) through a pydantic model (`validated`), whose fields are
the types below: each runs the field's rule, so the first failing field's message is the
document's, and the model is the OpenAPI document's schema too.

Amounts are exact: a JSON number (or a numeric string) read as decimal text, never as a float,
and refused when it has more decimals than the shop's currency (never rounded): the model reads
the number (`Number`), the handler, which knows the currency, its minor units (`amount_minor`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Annotated, Any, TypeVar

from pydantic import BaseModel, BeforeValidator, ValidationError, ValidationInfo, WithJsonSchema
from pydantic_core import ErrorDetails, PydanticCustomError
from starlette.requests import Request

from wallet.cashier.answers import Refusal, bad_request
from wallet.ledger.money import AmountError, AmountProblem
from wallet.web.amounts import minor_units, plain_decimal
from wallet.web.bodies import storable
from wallet.web.exact_json import BadJson, JsonProblem, read_json_object

_TRUE = (True, 1, "1", "true")
_FALSE = (False, 0, "0", "false")
NAME_PATTERN = re.compile(r"[A-Za-z0-9_]{6,64}")
PASSWORD_MIN, PASSWORD_MAX = 6, 128
TEXT_MAX = 256
RULE = "cashier_rule"  # the error type of the document's rules: its message is said as it is
LABELS = {"first_name": "first name", "per_page": "per page"}
Model = TypeVar("Model", bound=BaseModel)


# The cashier API's words (Laravel's, as the document's) for each refusal of the edge toolkit.
BODY_WORDS = {
    JsonProblem.TOO_LARGE: "The request body is too large.",
    JsonProblem.TOO_SLOW: "The request body was not received in time.",
    JsonProblem.NOT_JSON: "The request body must be a JSON object.",
    JsonProblem.NOT_OBJECT: "The request body must be a JSON object.",
    JsonProblem.DUPLICATE_KEY: "The request body must not name a field twice.",
    JsonProblem.UNSTORABLE_TEXT: "The request body has a NUL character or an unpaired surrogate.",
}
AMOUNT_WORDS = {
    AmountProblem.NOT_PLAIN: "The {name} must be a number.",
    AmountProblem.NEGATIVE: "The {name} must be greater than 0.",
    AmountProblem.TOO_PRECISE: "The {name} must have at most {exponent} decimal places.",
    AmountProblem.TOO_LARGE: "The {name} is too large.",
}


async def json_object(request: Request, max_bytes: int, timeout_s: float) -> dict[str, Any]:
    """The body as a JSON object (wallet/web/exact_json.py); an empty body is an empty object."""
    try:
        return await read_json_object(request, max_bytes, timeout_s)
    except BadJson as error:
        reason = "body_too_large" if error.problem is JsonProblem.TOO_LARGE else ""
        raise Refusal(400, BODY_WORDS[error.problem], reason=reason) from error


def present(value: object) -> bool:
    return value is not None and value != ""


def amount_minor(value: Decimal, name: str, exponent: int) -> int:
    """The exact minor units of an amount field (>= 0; the caller says what is allowed)."""
    try:
        return minor_units(value, exponent)
    except AmountError as error:
        words = AMOUNT_WORDS[error.problem].format(name=name, exponent=exponent)
        raise bad_request(words) from error


def flag(value: object, name: str) -> bool:
    """A boolean field: true/false, 1/0, "1"/"0", "true"/"false"; absent is false."""
    if value is None:
        return False
    if value in _TRUE and not isinstance(value, Decimal):
        return True
    if value in _FALSE and not isinstance(value, Decimal):
        return False
    raise bad_request(f"The {name} field must be true or false.")


def text(value: object, name: str) -> str:
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str):
        raise bad_request(f"The {name} must be a string.")
    if len(value) > TEXT_MAX:
        raise bad_request(f"The {name} may not be greater than {TEXT_MAX} characters.")
    return value


def required_text(body: dict[str, Any], name: str) -> str:
    if not present(body.get(name)):
        raise bad_request(f"The {name} field is required.")
    return text(body[name], name)


def password(body: dict[str, Any]) -> str:
    value = required_text(body, "password")
    if len(value) < PASSWORD_MIN:
        raise bad_request(f"The password must be at least {PASSWORD_MIN} characters.")
    if len(value) > PASSWORD_MAX:
        raise bad_request(f"The password may not be greater than {PASSWORD_MAX} characters.")
    return value


def namerule(value: str, label: str) -> str:
    """A username or first_name: at least 6 of A-Z, a-z, 0-9, _ (at most 64)."""
    if len(value) < 6:
        raise bad_request(f"The {label} must be at least 6 characters.")
    if len(value) > 64:
        raise bad_request(f"The {label} may not be greater than 64 characters.")
    if not NAME_PATTERN.fullmatch(value):
        raise bad_request(f"The {label} may only contain letters, numbers, and underscores.")
    return value


def number(value: object, name: str) -> Decimal:
    """A JSON number, or a numeric string, as the Decimal it was written as."""
    if isinstance(value, int | Decimal | str) and not isinstance(value, bool):
        try:
            return plain_decimal(value)  # judged as written: an exponent is not a number here
        except AmountError:
            pass
    raise bad_request(f"The {name} must be a number.")


Check = Callable[[object, ValidationInfo], object]


def rule(check: Callable[[Any, str], Any], *, optional: bool = False) -> BeforeValidator:
    """A field's rule: check(value, label); the document's message when it refuses. An optional
    field absent or empty is None; a required one is "The x field is required."."""
    return BeforeValidator(rule_check(check, optional))


def rule_check(check: Callable[[Any, str], Any], optional: bool) -> Check:

    def run(value: object, info: ValidationInfo) -> object:
        label = LABELS.get(info.field_name or "", info.field_name or "")
        if not present(value):
            if optional:
                return None
            raise PydanticCustomError(RULE, f"The {label} field is required.")
        try:
            return check(value, label)
        except Refusal as refusal:
            raise PydanticCustomError(RULE, refusal.message) from refusal

    return run


def checked_password(value: object, label: str) -> str:
    return password({label: value})


def name(value: object, label: str) -> str:
    return namerule(text(value, label), label)


def _flag(value: object, info: ValidationInfo) -> bool:
    try:
        return flag(value, info.field_name or "")
    except Refusal as refusal:
        raise PydanticCustomError(RULE, refusal.message) from refusal


Text = Annotated[str, rule(text)]
Password = Annotated[str, rule(checked_password)]
Name = Annotated[str, rule(name)]
OptionalName = Annotated[str | None, rule(name, optional=True)]
Number = Annotated[Decimal, rule(number), WithJsonSchema({"type": "number"})]
OptionalNumber = Annotated[
    Decimal | None,
    rule(number, optional=True),
    WithJsonSchema({"anyOf": [{"type": "number"}, {"type": "null"}]}),
]
Figure = Annotated[Decimal, WithJsonSchema({"type": "number"})]  # an answer's amount
Flag = Annotated[
    bool,
    BeforeValidator(_flag),
    WithJsonSchema({"type": "boolean", "description": 'Also 1/0, "1"/"0", "true"/"false"'}),
]


def _message(error: ErrorDetails) -> str:
    if error["type"] == RULE:
        return str(error["msg"])
    name = str(error["loc"][0]) if error["loc"] else "request"
    label = LABELS.get(name, name)
    if error["type"] == "missing":
        return f"The {label} field is required."
    return f"The {label} is invalid."


def validated(
    values: Mapping[str, Any], model: type[Model], context: Mapping[str, object] | None = None
) -> Model:
    """A body (or a query) read through an endpoint's model: the first failing field's rule."""
    if not storable(dict(values)):
        raise bad_request("The request has a NUL character or an unpaired surrogate.")
    try:
        return model.model_validate(dict(values), context=context)
    except ValidationError as error:
        raise bad_request(_message(error.errors(include_url=False)[0])) from error

"""Amounts on the wire, both ways, never through a float: an answer's amount is an exact JSON
number (`Amount`, written by `encode`), and a request's amount is the text of the JSON number
as written (`amount_text`), which ledger.money.parse_minor turns into minor units or refuses
with an AmountError that says why (its `problem`)."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from wallet.ledger.money import AmountError, AmountProblem, format_minor, parse_minor
from wallet.web.exact_json import JsonNumber

PLAIN_NUMBER = re.compile(r"-?[0-9]+(\.[0-9]+)?")


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


def amount_text(value: object) -> str:
    """The text of a JSON number as it was written (an integer, or a JsonNumber's own text), so
    an exponent stays an exponent; a model's Decimal as its plain text. Anything else (a bool,
    a string) is AmountError NOT_PLAIN."""
    if isinstance(value, JsonNumber):
        return value.text
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    if isinstance(value, Decimal) and value.is_finite():
        return str(value)
    raise AmountError(AmountProblem.NOT_PLAIN, f"not a number: {type(value).__name__}")


def minor_units(value: object, exponent: int) -> int:
    """A request's amount in minor units, exactly: AmountError when it is not plain decimal
    notation, negative, has more decimals than the currency, or is too large."""
    return parse_minor(amount_text(value), exponent)


def plain_decimal(value: object) -> Decimal:
    """A JSON number (or a model's Decimal, or a numeric string) as the Decimal written, if it
    was written in plain decimal notation (a sign allowed): AmountError NOT_PLAIN otherwise."""
    text = value if isinstance(value, str) else amount_text(value)
    if not PLAIN_NUMBER.fullmatch(text):
        raise AmountError(AmountProblem.NOT_PLAIN, f"not a plain decimal: {text[:40]!r}")
    return Decimal(text)

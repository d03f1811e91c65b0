"""The one JSON reader of every interface: bounded in size and time, exact, strict.

- Numbers are never floats: an integer literal is an `int`, any other number a `JsonNumber`, a
  Decimal that also keeps its text as written (`1E-2` stays `1E-2`, so a rule that wants plain
  decimal notation can refuse it; as a Decimal alone it would print as 0.01).
- A key given twice in one object is refused (no "last one wins" on a money field).
- NaN, Infinity, invalid UTF-8, bad syntax and nesting deeper than the parser goes are refused.
- A string (key or value) with a NUL or a lone surrogate is refused: PostgreSQL text cannot hold
  either, so they are bad input here, never a database error later.

Every refusal is one exception, `BadJson`, whose `problem` says which rule: each interface maps
the problems to its own wording and status. Usage:

    body = loads_exact(raw)                              # bytes you already have
    fields = await read_json_object(request, max_bytes, timeout_s)   # a request's JSON object
"""

from __future__ import annotations

import json
from decimal import Decimal
from enum import StrEnum
from typing import Any

from starlette.requests import Request

from wallet.web.bodies import BodyTooLarge, read_capped, storable


class JsonProblem(StrEnum):
    TOO_LARGE = "too_large"  # over the size cap
    TOO_SLOW = "too_slow"  # not received within the time cap
    NOT_JSON = "not_json"  # syntax, encoding, NaN or Infinity, nesting too deep
    DUPLICATE_KEY = "duplicate_key"
    UNSTORABLE_TEXT = "unstorable_text"  # a NUL or a lone surrogate in a string
    NOT_OBJECT = "not_object"  # valid JSON, but the endpoint wants an object


class BadJson(ValueError):
    """A body refused by the reader; `problem` says why."""

    def __init__(self, problem: JsonProblem, detail: str = "") -> None:
        super().__init__(f"{problem.value}: {detail}" if detail else problem.value)
        self.problem = problem


class JsonNumber(Decimal):
    """A JSON number with a fraction or an exponent: its exact value, and `text` as written."""

    text: str

    def __new__(cls, text: str) -> JsonNumber:
        number = super().__new__(cls, text)
        number.text = text
        return number


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    found = dict(pairs)
    if len(found) != len(pairs):  # the rare case pays for finding which key it was
        keys = [key for key, _ in pairs]
        twice = next(key for index, key in enumerate(keys) if key in keys[:index])
        raise BadJson(JsonProblem.DUPLICATE_KEY, repr(twice[:40]))
    return found


def _no_constant(name: str) -> Any:
    raise BadJson(JsonProblem.NOT_JSON, f"{name} is not a number")


def loads_exact(raw: bytes | str) -> Any:
    """The parsed JSON value of raw, or BadJson."""
    try:
        value = json.loads(
            raw,
            parse_float=JsonNumber,
            parse_constant=_no_constant,
            object_pairs_hook=_no_duplicates,
        )
    except BadJson:
        raise
    except (ValueError, RecursionError) as error:  # syntax, encoding, depth
        raise BadJson(JsonProblem.NOT_JSON, type(error).__name__) from error
    if not storable(value):
        raise BadJson(JsonProblem.UNSTORABLE_TEXT)
    return value


async def _read(request: Request, max_bytes: int, timeout_s: float) -> bytes:
    try:
        return await read_capped(request, max_bytes, timeout_s)
    except BodyTooLarge as error:
        raise BadJson(JsonProblem.TOO_LARGE) from error
    except TimeoutError as error:
        raise BadJson(JsonProblem.TOO_SLOW) from error


async def read_json(request: Request, max_bytes: int, timeout_s: float) -> Any:
    """The request's body parsed by loads_exact, read within max_bytes and timeout_s."""
    return loads_exact(await _read(request, max_bytes, timeout_s))


async def read_json_object(request: Request, max_bytes: int, timeout_s: float) -> dict[str, Any]:
    """The request's body as a JSON object; an empty body (or only whitespace) is {}."""
    raw = await _read(request, max_bytes, timeout_s)
    if not raw.strip():
        return {}
    body = loads_exact(raw)
    if not isinstance(body, dict):
        raise BadJson(JsonProblem.NOT_OBJECT, type(body).__name__)
    return body

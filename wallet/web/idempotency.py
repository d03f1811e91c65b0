"""The client's idempotency key of a money move, one rule for every interface: 1 to
KEY_CHARS_MAX printable ASCII characters, in the interface's header or (where its document
allows) a body field; given in both, they must be the same. Scoping it by its owner and hashing
the request is the ledger's (ledger/idempotency.py)."""

from __future__ import annotations

from enum import StrEnum

from starlette.requests import Request

KEY_CHARS_MAX = 255


class KeyProblem(StrEnum):
    MALFORMED = "malformed"  # empty, too long, not printable ASCII, not a string
    DIFFERS = "differs"  # the header and the body name different keys


class BadIdempotencyKey(ValueError):
    def __init__(self, problem: KeyProblem) -> None:
        super().__init__(problem.value)
        self.problem = problem


def well_formed(key: object) -> bool:
    return (
        isinstance(key, str)
        and 0 < len(key) <= KEY_CHARS_MAX
        and key.isascii()
        and key.isprintable()
    )


def idempotency_key(request: Request, header: str, in_body: object = None) -> str | None:
    """The key of the header named `header`, or in_body (a body field's value, None: absent);
    None when neither was given; BadIdempotencyKey when it breaks the rule."""
    given = request.headers.get(header)
    if given is not None and in_body is not None and given != in_body:
        raise BadIdempotencyKey(KeyProblem.DIFFERS)
    key = given if given is not None else in_body
    if key is None:
        return None
    if not well_formed(key):
        raise BadIdempotencyKey(KeyProblem.MALFORMED)
    assert isinstance(key, str)
    return key

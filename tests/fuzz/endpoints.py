"""Every studio endpoint the fuzzers hit: a valid body to mutate, and how to read the code."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from loadtest.studios.ambslot import callback_fields


@dataclass(frozen=True, slots=True)
class Endpoint:
    path: str
    valid: Callable[[str], dict[str, object]]  # username -> a body the studio could send
    code_of: Callable[[Any], int]  # the answer's code; raises when the answer is malformed
    error_codes: frozenset[int]  # codes that must leave the balance untouched


def _amb_code(answer: Any) -> int:
    status = answer["status"]
    assert isinstance(status["code"], int) and isinstance(status["message"], str)
    assert answer["data"] is None or isinstance(answer["data"], dict)
    return int(status["code"])


def _amb(operation: str) -> Endpoint:
    def valid(username: str) -> dict[str, object]:
        if operation == "balance":
            return {"username": username, "agentId": "ambdemo"}
        extra: dict[str, Any] = {"amount_minor": 100}
        if operation == "settle":
            extra["bet_minor"] = 100
        return callback_fields(operation, username, secrets.token_hex(6), **extra)

    return Endpoint(
        f"/ambslot/{operation}",
        valid,
        _amb_code,
        frozenset({607, 800, 900, 908, 995, 997, 998, 999}),
    )


ENDPOINTS: list[Endpoint] = [_amb(op) for op in ("balance", "bet", "payout", "settle", "cancel")]

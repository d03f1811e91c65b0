"""Garbage at every studio endpoint (AMBSlot and iGamingAce, tests/fuzz/endpoints.py): random
JSON, wrong types, huge numbers, unicode, deep nesting, missing and extra fields, oversized
bodies; for a studio that signs its bodies, also garbage signed as the studio would sign it, so
it gets past the sign check. Always HTTP 200 with a well-formed answer in the studio's dialect,
never a stack trace, never "service not available" (the database is up), never money moved by
a refused request, and a success addressed to the fuzz player moves exactly what it asks."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.fuzz.endpoints import ANSWERS, CASES, ENDPOINTS, SIGNED_ENDPOINTS, Body, Endpoint
from tests.support import LoopThread
from wallet.directory.players import Player, find_player
from wallet.ledger.database import LedgerDB

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "60"))
FUZZ = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.integers(min_value=10**18, max_value=10**40),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=40),
    st.sampled_from(["", "0", "-1", "1e2", "12.345", "NaN", "Infinity", "١٢٣", "1_000", " 5"]),
)
json_values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)


def _balance(ledger: LedgerDB, loop: LoopThread, player: Player) -> int:
    current = loop.run(find_player(ledger, 1, player.username))
    assert current is not None
    return current.balance_minor


def _check(
    http: httpx.Client,
    endpoint: Endpoint,
    body: bytes,
    ledger: LedgerDB,
    loop: LoopThread,
    player: Player,
    *,
    case: str,
    sent: Body | None = None,
) -> int:
    """Send one body; the answer is HTTP 200, well formed, no trace, and a refusal (or a call
    whose effect is known) moved exactly what it should. Returns the answer's code."""
    CASES[endpoint.studio, case] += 1
    before = _balance(ledger, loop, player)
    response = http.post(endpoint.path, content=body, headers={"content-type": "application/json"})
    assert response.status_code == 200, (endpoint.path, body[:200], response.text[:300])
    assert "Traceback" not in response.text and 'File "' not in response.text
    code = endpoint.code_of(response.json())
    assert code != endpoint.failure_code, (endpoint.path, body[:300], response.text[:300])
    if code in endpoint.error_codes:
        assert _balance(ledger, loop, player) == before, (endpoint.path, body[:300], code)
    elif sent is not None and endpoint.delta_of is not None and _addressed_to(sent, player):
        expected = endpoint.delta_of(sent)
        if expected is not None:
            moved = _balance(ledger, loop, player) - before
            assert moved == expected, (endpoint.path, body[:300], code, moved)
    ANSWERS[endpoint.studio, code] += 1
    return code


def _addressed_to(sent: Body, player: Player) -> bool:
    return player.username in (sent.get("userID"), sent.get("username"))


def _break_one_field(body: Body, data: st.DataObject) -> None:
    """Drop a field, replace it with random JSON, or add a random field next to it."""
    field = data.draw(st.sampled_from([*sorted(body), "extra"]))
    action = data.draw(st.sampled_from(["drop", "replace", "add"]))
    if action == "drop":
        body.pop(field, None)
    else:
        body[field if action == "replace" else f"x{field}"] = data.draw(json_values)


@pytest.fixture(scope="module")
def fuzz_player(make_player_module: Callable[..., Player]) -> Player:
    return make_player_module(balance_minor=10_000_000)


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=str)
@FUZZ
@given(value=json_values)
def test_random_json(
    endpoint: Endpoint,
    value: Any,
    http: httpx.Client,
    ledger: LedgerDB,
    loop: LoopThread,
    fuzz_player: Player,
) -> None:
    _check(
        http, endpoint, json.dumps(value).encode(), ledger, loop, fuzz_player, case="random JSON"
    )


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=str)
@FUZZ
@given(data=st.data())
def test_valid_bodies_with_one_field_broken(
    endpoint: Endpoint,
    data: st.DataObject,
    http: httpx.Client,
    ledger: LedgerDB,
    loop: LoopThread,
    fuzz_player: Player,
) -> None:
    body = endpoint.valid(fuzz_player.username)
    _break_one_field(body, data)
    sent = endpoint.encode(body)
    _check(http, endpoint, sent, ledger, loop, fuzz_player, case="one field broken", sent=body)


@pytest.mark.parametrize("endpoint", SIGNED_ENDPOINTS, ids=str)
@FUZZ
@given(data=st.data())
def test_signed_bodies_with_one_field_broken(
    endpoint: Endpoint,
    data: st.DataObject,
    http: httpx.Client,
    ledger: LedgerDB,
    loop: LoopThread,
    fuzz_player: Player,
) -> None:
    """The same, signed again after the change: the garbage meets the checks behind the sign."""
    assert endpoint.signed is not None
    body = endpoint.valid(fuzz_player.username)
    _break_one_field(body, data)
    body = endpoint.signed(body)
    sent = endpoint.encode(body)
    _check(
        http, endpoint, sent, ledger, loop, fuzz_player, case="signed, one field broken", sent=body
    )


@pytest.mark.parametrize("endpoint", SIGNED_ENDPOINTS, ids=str)
@FUZZ
@given(data=st.data())
def test_signed_bodies_with_plausible_garbage(
    endpoint: Endpoint,
    data: st.DataObject,
    http: httpx.Client,
    ledger: LedgerDB,
    loop: LoopThread,
    fuzz_player: Player,
) -> None:
    """Up to three fields given values of the right type but any content (negative, huge or
    over-precise amounts, unknown users and ids, odd games), signed: most pass the parser and
    the sign, and reach the amount check, the player lookup and the ledger. What a success
    moves must be exactly what the body asks."""
    assert endpoint.signed is not None and endpoint.plausible
    body = endpoint.valid(fuzz_player.username)
    names = data.draw(
        st.lists(st.sampled_from(sorted(endpoint.plausible)), min_size=1, max_size=3, unique=True)
    )
    for name in names:
        body[name] = data.draw(endpoint.plausible[name], label=name)
    body = endpoint.signed(body)
    sent = endpoint.encode(body)
    _check(
        http, endpoint, sent, ledger, loop, fuzz_player, case="signed, plausible garbage", sent=body
    )


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=str)
@FUZZ
@given(raw=st.binary(max_size=300))
def test_raw_bytes(
    endpoint: Endpoint,
    raw: bytes,
    http: httpx.Client,
    ledger: LedgerDB,
    loop: LoopThread,
    fuzz_player: Player,
) -> None:
    _check(http, endpoint, raw, ledger, loop, fuzz_player, case="random bytes")


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=str)
@pytest.mark.parametrize(
    "body",
    [
        b"[" * 100_000 + b"]" * 100_000,  # nesting far past the parser's recursion limit
        b'{"a":' * 50_000 + b"1" + b"}" * 50_000,
        b'{"username": "' + b"x" * 70_000 + b'"}',  # past the 64 KiB cap
        json.dumps({"username": "\U0001f4b0" * 500, "amount": 10**400}).encode(),
        b"\xff\xfe\x00garbage",
    ],
)
def test_pathological_bodies(
    endpoint: Endpoint,
    body: bytes,
    http: httpx.Client,
    ledger: LedgerDB,
    loop: LoopThread,
    fuzz_player: Player,
) -> None:
    _check(http, endpoint, body, ledger, loop, fuzz_player, case="pathological")

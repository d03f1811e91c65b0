"""AMBSlot without a live database: 999 when it is down or our code fails, the outcome -> code
mapping, the exact answer bytes, and the signature."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from starlette.testclient import TestClient

from loadtest.studios.ambslot import callback_fields, encode, sign
from tests.support import offline_client
from wallet.ledger.database import LedgerDB
from wallet.ledger.outcomes import LedgerAnswer, LedgerUnavailable, Outcome
from wallet.providers import ambslot
from wallet.providers.ambslot import Operation, code_for, signature_ok
from wallet.providers.ambslot_wire import render

UNAVAILABLE = {"status": {"code": 999, "message": "Service not available"}, "data": None}


def bodies() -> dict[str, bytes]:
    """A well-formed call for each endpoint (the player need not exist: no ledger answers)."""
    round_id = secrets.token_hex(8)
    calls = {
        op: encode(callback_fields(op, "member", round_id, amount_minor=100, bet_minor=100))
        for op in ("bet", "payout", "settle", "cancel")
    }
    return {"balance": encode({"username": "member", "agentId": "ambdemo"}), **calls}


@pytest.fixture
def offline() -> Iterator[TestClient]:
    """The app over a database that is not there (a closed port), from a loopback address."""
    with offline_client(client=("127.0.0.1", 50000)) as client:
        yield client


@pytest.mark.parametrize("operation", [op.value for op in Operation])
def test_a_database_that_is_down_is_999(offline: TestClient, operation: str) -> None:
    response = offline.post(f"/ambslot/{operation}", content=bodies()[operation])
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    assert response.json() == UNAVAILABLE
    # The same app judges a bad request without the database: the 999 above was the database.
    assert offline.post(f"/ambslot/{operation}", content=b"[]").json()["status"]["code"] == 997


@pytest.mark.parametrize(
    "error", [RuntimeError("bug"), LedgerUnavailable("TimeoutError"), AssertionError("bug")]
)
@pytest.mark.parametrize("operation", [op.value for op in Operation])
def test_an_exception_in_our_code_is_999(
    offline: TestClient, monkeypatch: pytest.MonkeyPatch, operation: str, error: Exception
) -> None:
    async def fail(*args: Any) -> LedgerAnswer:
        raise error

    monkeypatch.setattr(ambslot, "game_call", fail)
    monkeypatch.setattr(ambslot, "player_balance", fail)
    response = offline.post(f"/ambslot/{operation}", content=bodies()[operation])
    assert response.status_code == 200
    assert response.json() == UNAVAILABLE


def test_a_ledger_answer_renders_through_the_endpoint(
    offline: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The endpoint renders only what the ledger answered (here a stub, no database)."""
    seen: list[Any] = []

    async def answer(db: LedgerDB, call: Any) -> LedgerAnswer:
        seen.append(call)
        return _answer(Outcome.NEW)

    monkeypatch.setattr(ambslot, "game_call", answer)
    response = offline.post("/ambslot/bet", content=bodies()["bet"])
    assert response.content == EXPECTED_SUCCESS.replace(b"member001", b"member")
    (call,) = seen
    assert (call.caller, call.operation, call.debit_minor, call.credit_minor) == (
        "ambslot",
        "bet",
        100,
        0,
    )
    assert call.currency == "THB" and call.amount_exponent == 2 and not call.close_round


# --- the outcome -> code mapping --------------------------------------------------------------

EXPECTED_CODES = {
    Outcome.NEW: 0,
    Outcome.REPLAY: 0,
    Outcome.TOMBSTONE: 0,
    Outcome.INSUFFICIENT: 800,
    Outcome.ROUND_EXISTS: 900,
    Outcome.NO_PLAYER: 908,
    Outcome.GAME_MISMATCH: 995,
    Outcome.CONFLICT: 997,
    Outcome.CURRENCY_MISMATCH: 997,
    Outcome.BAD_AMOUNT: 997,
    Outcome.ROUND_MISSING: 997,
    Outcome.ROUND_CLOSED: 997,
    Outcome.ROUND_CREDITED: 997,
    Outcome.BLOCKED: 607,
    # Outcomes AMBSlot's rules cannot produce: if one comes, it is our bug.
    Outcome.NOT_FOUND: 999,
    Outcome.TOMBSTONED: 999,
    Outcome.ALREADY_REVERSED: 999,
    Outcome.ALREADY_RESOLVED: 999,
    Outcome.NO_ACCOUNT: 999,
    Outcome.OK: 999,
}


def test_every_outcome_has_a_code() -> None:
    assert set(EXPECTED_CODES) | {Outcome.ROUND_CANCELLED} == set(Outcome)


@pytest.mark.parametrize("outcome", list(EXPECTED_CODES))
@pytest.mark.parametrize("operation", [Operation.BET, Operation.PAYOUT, Operation.SETTLE])
def test_outcome_codes_of_money_calls(operation: Operation, outcome: Outcome) -> None:
    assert code_for(operation, _answer(outcome)) == EXPECTED_CODES[outcome]


def test_a_cancelled_round_refuses_a_bet_607_and_a_payout_997() -> None:
    cancelled = _answer(Outcome.ROUND_CANCELLED)
    assert code_for(Operation.BET, cancelled) == 607
    assert code_for(Operation.SETTLE, cancelled) == 607
    assert code_for(Operation.PAYOUT, cancelled) == 997
    assert code_for(Operation.CANCEL, cancelled) == 997


def test_balance_codes() -> None:
    assert code_for(Operation.BALANCE, None) == 908
    assert code_for(Operation.BALANCE, _answer(Outcome.OK)) == 0
    assert code_for(Operation.BALANCE, _answer(Outcome.BLOCKED)) == 0


# --- the answer bytes -------------------------------------------------------------------------

AT = datetime(2019, 12, 1, 18, 1, 51, 686_999, tzinfo=UTC)
EXPECTED_SUCCESS = (
    b'{"status":{"code":0,"message":"Success"},"data":{"username":"member001",'
    b'"wallet":{"balance":100.50,"lastUpdate":"2019-12-01T18:01:51.686Z"},'
    b'"balance":{"before":150.50,"after":100.50},"refId":"42"}}'
)


def _answer(
    outcome: Outcome, at: datetime = AT, exponent: int | None = 2, **kw: Any
) -> LedgerAnswer:
    fields: dict[str, Any] = {
        "outcome": outcome,
        "tx_id": 42,
        "tx_kind": "debit",
        "balance_before_minor": 15_050,
        "balance_after_minor": 10_050,
        "currency": "THB",
        "exponent": exponent,
        "tx_at": at,
    }
    fields.update(kw)
    return LedgerAnswer(**fields)


def test_a_success_renders_the_contracts_shape_exactly() -> None:
    assert render(0, "member001", _answer(Outcome.NEW), moved=True) == EXPECTED_SUCCESS


def test_last_update_is_utc_with_milliseconds() -> None:
    bangkok = AT.astimezone(timezone(timedelta(hours=7)))
    assert render(0, "member001", _answer(Outcome.NEW, at=bangkok), moved=True) == (
        EXPECTED_SUCCESS
    )


def test_a_refusal_renders_username_and_wallet_only() -> None:
    answer = _answer(Outcome.INSUFFICIENT, balance_before_minor=5, balance_after_minor=5)
    assert render(800, "u1", answer, moved=True) == (
        b'{"status":{"code":800,"message":"Balance insufficient"},"data":{"username":"u1",'
        b'"wallet":{"balance":0.05,"lastUpdate":"2019-12-01T18:01:51.686Z"}}}'
    )


def test_an_unknown_player_renders_null_data() -> None:
    unknown = _answer(Outcome.NO_PLAYER, balance_after_minor=None, exponent=None)
    assert render(908, "ghost", unknown, moved=True) == (
        b'{"status":{"code":908,"message":"Invalid username or token"},"data":null}'
    )
    assert render(998, None, None, moved=False) == (
        b'{"status":{"code":998,"message":"Invalid agent id"},"data":null}'
    )


def test_a_balance_renders_without_movement_and_with_the_currencys_decimals() -> None:
    answer = _answer(Outcome.OK, balance_after_minor=5_000, exponent=0)
    assert render(0, "k", answer, moved=False) == (
        b'{"status":{"code":0,"message":"Success"},"data":{"username":"k",'
        b'"wallet":{"balance":5000,"lastUpdate":"2019-12-01T18:01:51.686Z"}}}'
    )


def test_a_debt_renders_as_a_negative_number_and_usernames_are_escaped() -> None:
    answer = _answer(Outcome.REPLAY, balance_before_minor=-150, balance_after_minor=-1)
    rendered = render(0, 'a"b', answer, moved=True)
    assert b'"username":"a\\"b"' in rendered
    assert b'"before":-1.50,"after":-0.01' in rendered


# --- the signature ----------------------------------------------------------------------------


def test_the_signature_agrees_with_the_studio_side_implementation() -> None:
    body = b'{"username":"member001","agentId":"ambdemo"}'
    assert signature_ok(body, "k3y", sign(body, "k3y"))
    assert len(sign(body, "k3y")) == 88  # base64 of 64 bytes
    assert not signature_ok(body, "k3y", sign(body, "k3y2"))
    assert not signature_ok(body + b" ", "k3y", sign(body, "k3y"))
    assert not signature_ok(body, "k3y", None)
    assert not signature_ok(body, "k3y", "")

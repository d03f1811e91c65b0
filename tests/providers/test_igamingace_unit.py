"""iGamingAce without a live database: the sign (the contract's test vector), code 1 when the
database is down or our code fails, the outcome -> code mapping, the ledger call each endpoint
makes, the signed-field configuration and the answer bytes."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from starlette.testclient import TestClient

from loadtest.studios.igamingace import callback_fields, compute_sign, encode, signed
from tests.support import offline_client
from wallet.config import IGAMINGACE_SIGNED_FIELDS_DEFAULT, Settings
from wallet.ledger.database import LedgerDB
from wallet.ledger.game import REVERSE_OPERATION, GameCall, Kind, Rule
from wallet.ledger.outcomes import LedgerAnswer, LedgerUnavailable, Outcome
from wallet.providers import igamingace, igamingace_wire
from wallet.providers import igamingace_sign as sign
from wallet.providers.igamingace import code_for, reply_for
from wallet.providers.igamingace_wire import Endpoint, Reply, balance_text, render

ENDPOINTS = [e.value for e in Endpoint]
GENERAL_ERROR = {"code": 1, "message": "General error"}

# The contract's test vector (protocols/igamingace.md, "Data Sign").
VECTOR_SECRET = "1234567890"
VECTOR_VALUES = [
    "Partner01",
    "Player01",
    "12.30",
    "474e1a293c2f4e7ab122c52d68423fcb",
    "ab9c15f2efdd46278e4a56b303127234",
]
VECTOR_SIGN = "475D834ACC3AB61D7DF4EA42751C6275387BC1787A098D2D0E091698D9BF2043"


def test_the_contracts_test_vector() -> None:
    assert sign.compute(VECTOR_SECRET, VECTOR_VALUES) == VECTOR_SIGN
    assert sign.verify(VECTOR_SECRET, VECTOR_VALUES, VECTOR_SIGN)
    assert compute_sign(VECTOR_SECRET, VECTOR_VALUES) == VECTOR_SIGN  # the simulator agrees


def test_an_amount_is_signed_with_exactly_two_decimals_however_it_was_written() -> None:
    fields = {"agentID": "Partner01", "userID": "Player01", "transactionID": VECTOR_VALUES[3]}
    fields["roundID"] = VECTOR_VALUES[4]
    names = IGAMINGACE_SIGNED_FIELDS_DEFAULT["Withdraw"]
    for written in ["12.3", "12.30"]:
        values = sign.signed_values(fields, names, {"amount": written})
        assert values == VECTOR_VALUES
        assert sign.verify(VECTOR_SECRET, values, VECTOR_SIGN)


def test_only_the_exact_uppercase_sign_is_accepted() -> None:
    assert not sign.verify(VECTOR_SECRET, VECTOR_VALUES, VECTOR_SIGN.lower())
    assert not sign.verify(VECTOR_SECRET, VECTOR_VALUES, VECTOR_SIGN[:-1])
    assert not sign.verify(VECTOR_SECRET, VECTOR_VALUES, VECTOR_SIGN + "0")
    assert not sign.verify(VECTOR_SECRET, VECTOR_VALUES, None)
    assert not sign.verify(VECTOR_SECRET, VECTOR_VALUES, 12)
    assert not sign.verify("123456789", VECTOR_VALUES, VECTOR_SIGN)
    assert not sign.verify(
        VECTOR_SECRET, [*VECTOR_VALUES[:2], "12.31", *VECTOR_VALUES[3:]], VECTOR_SIGN
    )


def test_values_that_are_not_text_sign_as_their_json_or_nothing() -> None:
    fields: dict[str, object] = {"gameID": 1566, "freeSpinID": None, "isBonusBuy": True}
    values = sign.signed_values(fields, ["gameID", "freeSpinID", "missing", "isBonusBuy"], {})
    assert values == ["1566", "", "", "true"]
    assert sign.signed_values({}, ["amount"], {"amount": "1e5"}) == ["1e5"]  # refused after
    assert sign.signed_values({}, ["amount"], {"amount": "-0.00"}) == ["-0.00"]  # refused after


# --- the app over a database that is not there -------------------------------------------------


@pytest.fixture
def offline() -> Iterator[TestClient]:
    with offline_client(Settings(database_url="postgresql://u@127.0.0.1:1/x")) as client:
        yield client


def bodies() -> dict[str, bytes]:
    """A well-formed, signed call for each endpoint (no ledger will answer it)."""
    calls = {
        "GetBalance": callback_fields("GetBalance", "member01"),
        "Withdraw": callback_fields("Withdraw", "member01", amount_minor=1230),
        "Deposit": callback_fields("Deposit", "member01", amount_minor=50, ref_id="t1"),
        "BetWin": callback_fields("BetWin", "member01", bet_minor=100, win_minor=250),
        "RollbackTransaction": callback_fields("RollbackTransaction", "member01", ref_id="t1"),
    }
    return {endpoint: encode(fields) for endpoint, fields in calls.items()}


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_a_database_that_is_down_is_1(offline: TestClient, endpoint: str) -> None:
    response = offline.post(f"/igamingace/{endpoint}", content=bodies()[endpoint])
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    assert response.json() == GENERAL_ERROR
    # The same app judges a bad request without the database: the 1 above was the database.
    assert offline.post(f"/igamingace/{endpoint}", content=b"[]").json()["code"] == 2


@pytest.mark.parametrize(
    "error", [RuntimeError("bug"), LedgerUnavailable("TimeoutError"), AssertionError("bug")]
)
@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_an_exception_in_our_code_is_1(
    offline: TestClient, monkeypatch: pytest.MonkeyPatch, endpoint: str, error: Exception
) -> None:
    async def fail(*args: Any) -> LedgerAnswer:
        raise error

    monkeypatch.setattr(igamingace, "game_call", fail)
    monkeypatch.setattr(igamingace, "player_balance", fail)
    response = offline.post(f"/igamingace/{endpoint}", content=bodies()[endpoint])
    assert response.status_code == 200
    assert response.content == b'{"code":1,"message":"General error"}'


def test_an_exception_while_parsing_is_1_too(
    offline: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    def fail(*args: Any) -> None:
        raise ZeroDivisionError

    monkeypatch.setattr(igamingace_wire, "parse", fail)
    assert offline.post("/igamingace/Withdraw", content=b"{}").json() == GENERAL_ERROR


# --- the ledger call of each endpoint -----------------------------------------------------------

AT = datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC)


def answer(outcome: Outcome, **kw: Any) -> LedgerAnswer:
    fields: dict[str, Any] = {
        "outcome": outcome,
        "tx_id": 42,
        "tx_kind": "debit",
        "balance_before_minor": 15_050,
        "balance_after_minor": 10_050,
        "currency": "THB",
        "exponent": 2,
        "tx_at": AT,
    }
    fields.update(kw)
    return LedgerAnswer(**fields)


@pytest.fixture
def recorded(offline: TestClient, monkeypatch: pytest.MonkeyPatch) -> list[GameCall]:
    seen: list[GameCall] = []

    async def record(db: LedgerDB, call: GameCall) -> LedgerAnswer:
        seen.append(call)
        return answer(Outcome.NEW)

    monkeypatch.setattr(igamingace, "game_call", record)
    return seen


def test_withdraw_is_a_debit_in_hundredths_keyed_by_its_transaction_id(
    offline: TestClient, recorded: list[GameCall]
) -> None:
    fields = callback_fields("Withdraw", "member01", amount_minor=1230, gameID="0042")
    response = offline.post("/igamingace/Withdraw", content=encode(fields))
    assert response.content == (
        b'{"code":0,"message":"Success","platformTransactionID":"42","balance":100.50}'
    )
    (call,) = recorded
    assert (call.caller, call.operation, call.kind) == ("igamingace", "Withdraw", Kind.DEBIT)
    assert (call.debit_minor, call.credit_minor) == (1230, 0)
    assert (call.amount_exponent, call.currency) == (2, None)
    assert call.external_id == fields["transactionID"]
    assert (call.round_id, call.game_id, call.ref_id) == (fields["roundID"], "42", None)
    assert call.rules == frozenset({Rule.REF_TOMBSTONES})
    assert (call.username, call.operator_id) == ("member01", 1)


def test_deposit_is_a_credit_that_keeps_its_bet_as_the_link(
    offline: TestClient, recorded: list[GameCall]
) -> None:
    fields = callback_fields("Deposit", "member01", amount_minor=700, ref_id="bet-1")
    assert offline.post("/igamingace/Deposit", content=encode(fields)).json()["code"] == 0
    (call,) = recorded
    assert (call.operation, call.kind, call.debit_minor, call.credit_minor) == (
        "Deposit",
        Kind.CREDIT,
        0,
        700,
    )
    assert call.ref_id == "bet-1" and call.external_id == fields["transactionID"]
    assert call.rules == frozenset({Rule.REF_TOMBSTONES})


def test_betwin_is_both_legs_in_one_call(offline: TestClient, recorded: list[GameCall]) -> None:
    fields = callback_fields("BetWin", "member01", bet_minor=100, win_minor=250)
    assert offline.post("/igamingace/BetWin", content=encode(fields)).json()["code"] == 0
    (call,) = recorded
    assert (call.operation, call.kind, call.debit_minor, call.credit_minor) == (
        "BetWin",
        Kind.DEBIT_CREDIT,
        100,
        250,
    )


def test_rollback_reverses_by_reference(offline: TestClient, recorded: list[GameCall]) -> None:
    fields = callback_fields("RollbackTransaction", "member01", ref_id="tx-9")
    offline.post("/igamingace/RollbackTransaction", content=encode(fields))
    (call,) = recorded
    assert (call.operation, call.kind) == (REVERSE_OPERATION, Kind.REVERSE)
    assert call.external_id == call.ref_id == "tx-9"
    assert call.ref_operations == ("Withdraw", "Deposit", "BetWin")
    assert call.rules == frozenset({Rule.REVERSE_BY_REF})
    assert call.debit_minor == call.credit_minor == 0


def test_the_request_hash_is_the_amount_not_its_spelling(
    offline: TestClient, recorded: list[GameCall]
) -> None:
    base = callback_fields("Withdraw", "member01", amount_minor=1230)
    for style in ["fixed", "short", "text"]:
        fields = callback_fields("Withdraw", "member01", amount_minor=1230, style=style)
        same = {**fields, "transactionID": base["transactionID"], "roundID": base["roundID"]}
        # freeSpinID and isBonusBuy move nothing, so they are not part of what was asked.
        same.update(freeSpinID="fs1", isBonusBuy=1)
        offline.post("/igamingace/Withdraw", content=encode(signed("Withdraw", same, "1234567890")))
    changed = {**base, "amount": "12.31"}
    offline.post("/igamingace/Withdraw", content=encode(signed("Withdraw", changed, "1234567890")))
    hashes = [call.request_hash for call in recorded]
    assert len(hashes) == 4 and len(set(hashes[:3])) == 1 and hashes[3] != hashes[0]


# --- the outcome -> code mapping ----------------------------------------------------------------

MONEY_CODES = {
    Outcome.NEW: 0,
    Outcome.REPLAY: 11,  # a conflict too, answered from the original (not by this mapping)
    Outcome.INSUFFICIENT: 6,
    Outcome.NO_PLAYER: 5,
    Outcome.BLOCKED: 5,
    Outcome.BAD_AMOUNT: 2,
    Outcome.TOMBSTONED: 9,
}
ROLLBACK_CODES = {
    Outcome.NEW: 0,
    Outcome.NOT_FOUND: 8,
    Outcome.ALREADY_REVERSED: 9,
    Outcome.NO_PLAYER: 5,
}


@pytest.mark.parametrize("outcome", list(Outcome))
@pytest.mark.parametrize("endpoint", [Endpoint.WITHDRAW, Endpoint.DEPOSIT, Endpoint.BET_WIN])
def test_outcome_codes_of_money_calls(endpoint: Endpoint, outcome: Outcome) -> None:
    # An outcome these rules cannot produce (rounds, reserves, reads) is our bug: 1.
    assert code_for(endpoint, answer(outcome)) == MONEY_CODES.get(outcome, 1)


@pytest.mark.parametrize("outcome", list(Outcome))
def test_outcome_codes_of_a_rollback(outcome: Outcome) -> None:
    if outcome in (Outcome.REPLAY, Outcome.CONFLICT):
        assert code_for(Endpoint.ROLLBACK, answer(outcome, tx_kind="reverse")) == 9
        assert code_for(Endpoint.ROLLBACK, answer(outcome, tx_kind="tombstone")) == 8
        assert code_for(Endpoint.ROLLBACK, answer(outcome, tx_kind="debit")) == 1
    else:
        assert code_for(Endpoint.ROLLBACK, answer(outcome)) == ROLLBACK_CODES.get(outcome, 1)


def test_balance_codes() -> None:
    assert code_for(Endpoint.GET_BALANCE, None) == 5
    assert code_for(Endpoint.GET_BALANCE, answer(Outcome.OK)) == 0
    assert code_for(Endpoint.GET_BALANCE, answer(Outcome.BLOCKED)) == 0


def test_replies_carry_the_id_only_with_0_and_11_and_a_blocked_player_says_so() -> None:
    assert reply_for(Endpoint.WITHDRAW, answer(Outcome.REPLAY)).platform_tx_id == "42"
    refused = reply_for(Endpoint.WITHDRAW, answer(Outcome.INSUFFICIENT))
    assert refused == Reply(6, balance_minor=10_050, exponent=2)
    blocked = reply_for(Endpoint.BET_WIN, answer(Outcome.BLOCKED))
    assert (blocked.code, blocked.message, blocked.platform_tx_id) == (5, "User is blocked", None)
    unknown = answer(Outcome.NO_PLAYER, tx_id=None, balance_after_minor=None, exponent=None)
    assert reply_for(Endpoint.DEPOSIT, unknown) == Reply(5)


# --- the answer bytes ---------------------------------------------------------------------------


def test_answers_render_in_the_contracts_order_with_two_decimals() -> None:
    assert render(Reply(0, platform_tx_id="7", balance_minor=1503, exponent=2)) == (
        b'{"code":0,"message":"Success","platformTransactionID":"7","balance":15.03}'
    )
    assert render(Reply(6, balance_minor=-150, exponent=2)) == (
        b'{"code":6,"message":"Insufficient funds","balance":-1.50}'
    )
    assert render(Reply(3)) == b'{"code":3,"message":"Invalid sign"}'
    assert render(Reply(5, message="User is blocked", balance_minor=0, exponent=2)) == (
        b'{"code":5,"message":"User is blocked","balance":0.00}'
    )


def test_balance_text_has_two_decimals_in_every_currency_and_never_rounds() -> None:
    assert balance_text(5000, 0) == "5000.00"
    assert balance_text(-1, 2) == "-0.01"
    assert balance_text(12345, 3) == "12.345"
    assert json.loads(balance_text(10_050, 2)) == 100.5


# --- configuration ------------------------------------------------------------------------------


def test_the_signed_fields_come_from_the_settings(
    monkeypatch: pytest.MonkeyPatch, recorded: list[GameCall]
) -> None:
    order = ["transactionID", "amount", "userID", "agentID"]
    monkeypatch.setenv("IGAMINGACE_SIGNED_FIELDS", json.dumps({"Withdraw": order}))
    settings = Settings(database_url="postgresql://u@127.0.0.1:1/x")
    assert settings.igamingace_signed_fields == {"Withdraw": order}
    with offline_client(settings) as client:
        _signed_fields_come_from(client)
    assert len(recorded) == 2


def _signed_fields_come_from(client: TestClient) -> None:
    contract_signed = callback_fields("Withdraw", "member01", amount_minor=1230, style="short")
    response = client.post("/igamingace/Withdraw", content=encode(contract_signed))
    assert response.json() == {"code": 3, "message": "Invalid sign"}
    values = [str(contract_signed["transactionID"]), "12.30", "member01", "Partner01"]
    resigned = {**contract_signed, "sign": compute_sign("1234567890", values)}
    assert client.post("/igamingace/Withdraw", content=encode(resigned)).json()["code"] == 0
    # An endpoint the setting leaves out keeps the contract's list.
    deposit = callback_fields("Deposit", "member01", amount_minor=100)
    assert client.post("/igamingace/Deposit", content=encode(deposit)).json()["code"] == 0


@pytest.mark.parametrize(
    "change", [{"igamingace_secret": ""}, {"igamingace_agent_id": ""}, {"igamingace_agent_id": "x"}]
)
def test_an_agent_without_id_or_secret_is_not_configured_4(change: dict[str, str]) -> None:
    settings = Settings(database_url="postgresql://u@127.0.0.1:1/x", **change)  # type: ignore[arg-type]
    with offline_client(settings) as client:
        for endpoint, body in bodies().items():
            response = client.post(f"/igamingace/{endpoint}", content=body)
            assert response.json() == {"code": 4, "message": "Invalid agent"}


def test_another_secret_makes_every_contract_signed_call_3() -> None:
    settings = Settings(database_url="postgresql://u@127.0.0.1:1/x", igamingace_secret="other")  # type: ignore[arg-type]
    with offline_client(settings) as client:
        for endpoint, body in bodies().items():
            assert client.post(f"/igamingace/{endpoint}", content=body).json()["code"] == 3

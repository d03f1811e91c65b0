"""iGamingAce garbage in: every malformed call gets HTTP 200 and code 2, and moves nothing.

Field-level garbage is signed (after the change) where the sign could be computed, so the 2
is for the field, not for the sign."""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from loadtest.studios.igamingace import Num, callback_fields, encode, post, signed
from tests.providers.test_igamingace_support import balance_minor, transactions
from tests.support import LoopThread
from wallet.directory.players import Player
from wallet.ledger.database import LedgerDB

OPENING_MINOR = 10_000
WRONG_INPUT = b'{"code":2,"message":"Wrong input parameters"}'
MISSING = object()  # a field left out of the request
ENDPOINTS = ["GetBalance", "Withdraw", "Deposit", "BetWin", "RollbackTransaction"]


@pytest.fixture
def player(make_player: Callable[..., Player]) -> Player:
    return make_player(balance_minor=OPENING_MINOR)


def assert_2_and_nothing_moved(
    response: httpx.Response, ledger: LedgerDB, loop: LoopThread, player: Player, ext: object
) -> None:
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    assert response.content == WRONG_INPUT
    assert balance_minor(ledger, loop, player.username) == OPENING_MINOR
    if isinstance(ext, str) and ext.isprintable():  # PostgreSQL text cannot even hold a NUL
        assert transactions(ledger, loop, ext) == []


RAW_BODIES: dict[str, bytes] = {
    "empty": b"",
    "not json": b"withdraw 25 please",
    "json array": b"[]",
    "array of an object": b'[{"agentID":"Partner01"}]',
    "json string": b'"Withdraw"',
    "json number": b"25",
    "json null": b"null",
    "truncated": b'{"agentID": "Partner01", "amount": 2',
    "invalid utf-8": b'{"agentID": "\xff\xfe"}',
    "NaN amount": b'{"agentID":"Partner01","userID":"junk0001","amount":NaN}',
    "Infinity amount": b'{"agentID":"Partner01","userID":"junk0001","amount":-Infinity}',
    "deeply nested": b"[" * 30_000 + b"]" * 30_000,  # under the cap: the parser refuses it
}


@pytest.mark.parametrize("name", list(RAW_BODIES))
@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_a_body_that_is_not_a_json_object_is_2(
    http: httpx.Client, endpoint: str, name: str
) -> None:
    assert post(http, endpoint, RAW_BODIES[name]).content == WRONG_INPUT


def test_a_body_over_64_kib_is_2_and_one_under_is_served(
    http: httpx.Client, ledger: LedgerDB, loop: LoopThread, player: Player
) -> None:
    big = callback_fields("Withdraw", player.username, amount_minor=100, padding="x" * 70_000)
    assert_2_and_nothing_moved(
        post(http, "Withdraw", big), ledger, loop, player, big["transactionID"]
    )

    def chunks() -> Iterator[bytes]:  # no content-length: the cap counts what arrives
        body = encode(big)
        for start in range(0, len(body), 8_192):
            yield body[start : start + 8_192]

    response = http.post("/igamingace/Withdraw", content=chunks())
    assert response.content == WRONG_INPUT
    fits = callback_fields("Deposit", player.username, amount_minor=0, padding="x" * 60_000)
    assert post(http, "Deposit", fits).json()["code"] == 0  # unknown fields are ignored


USER_IDS: dict[str, object] = {
    "3 characters": "abc",
    "49 characters": "a" * 49,
    "underscore": "junk_0001",
    "not ascii": "jünk0001",
    "space": "junk 0001",
    "empty": "",
    "a number": 12345678,
    "null": None,
}


@pytest.mark.parametrize("name", list(USER_IDS))
@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_a_bad_user_id_is_2(http: httpx.Client, endpoint: str, name: str) -> None:
    kw: dict[str, Any] = {"amount_minor": 100, "bet_minor": 1, "win_minor": 1, "ref_id": "x"}
    fields = callback_fields(endpoint, "junk0001", **kw, userID=USER_IDS[name])
    assert post(http, endpoint, fields).content == WRONG_INPUT


def test_user_ids_of_4_and_48_characters_are_read(
    http: httpx.Client, make_player: Callable[..., Player]
) -> None:
    for length in (4, 48):
        name = secrets.token_hex(24)[:length]
        assert post(http, "GetBalance", callback_fields("GetBalance", name)).json()["code"] == 5
        make_player(username=name, balance_minor=1)
        response = post(http, "GetBalance", callback_fields("GetBalance", name))
        assert response.content == b'{"code":0,"message":"Success","balance":0.01}'


AMOUNTS: dict[str, object] = {
    "3 decimals": Num("1.001"),
    "3 decimals, zeros": Num("1.000"),
    "3 decimals as text": "1.001",
    "negative": Num("-1.00"),
    "exponent": Num("1e2"),
    "huge exponent": Num("1e400"),
    "huge integer": 10**16,
    "huge text": "9" * 30,
    "text": "ten",
    "empty text": "",
    "padded text": " 1.00",
    "plus sign": "+1.00",
    "leading zeros": "01.00",
    "null": None,
    "true": True,
    "list": [1],
    "object": {"value": 1},
}


@pytest.mark.parametrize("name", list(AMOUNTS))
@pytest.mark.parametrize(
    ("endpoint", "field"),
    [
        ("Withdraw", "amount"),
        ("Deposit", "amount"),
        ("BetWin", "betAmount"),
        ("BetWin", "winAmount"),
    ],
)
def test_a_bad_amount_is_2_and_moves_nothing(
    http: httpx.Client,
    ledger: LedgerDB,
    loop: LoopThread,
    player: Player,
    endpoint: str,
    field: str,
    name: str,
) -> None:
    kw: dict[str, Any] = {"bet_minor": 100, "win_minor": 100, "amount_minor": 100}
    fields = callback_fields(endpoint, player.username, **kw)
    fields[field] = AMOUNTS[name]
    response = post(http, endpoint, signed(endpoint, fields, "1234567890"))
    assert_2_and_nothing_moved(response, ledger, loop, player, fields["transactionID"])


@pytest.mark.parametrize(
    ("endpoint", "field", "value"),
    [  # MISSING: the field left out
        ("Withdraw", "transactionID", MISSING),
        ("Withdraw", "transactionID", None),
        ("Withdraw", "transactionID", ""),
        ("Withdraw", "transactionID", 12345),
        ("Withdraw", "transactionID", "t" * 129),
        ("Withdraw", "transactionID", "tx\x00null"),
        ("Withdraw", "transactionID", "tx\nline"),
        ("BetWin", "transactionID", ["t1"]),
        ("Deposit", "roundID", MISSING),
        ("Deposit", "roundID", None),
        ("Deposit", "roundID", 7),
        ("Deposit", "refTransactionID", 5),
        ("Withdraw", "gameID", "abc"),
        ("Withdraw", "gameID", Num("1566.0")),
        ("Withdraw", "gameID", -1),
        ("Withdraw", "gameID", True),
        ("Withdraw", "gameID", None),
        ("Withdraw", "gameID", MISSING),
        ("Withdraw", "gameID", 2**63),
        ("Withdraw", "freeSpinID", 5),
        ("Deposit", "freeSpinID", False),
        ("Withdraw", "isBonusBuy", 2),
        ("Withdraw", "isBonusBuy", True),
        ("Withdraw", "isBonusBuy", "1"),
        ("Withdraw", "agentID", MISSING),
        ("Withdraw", "agentID", None),
        ("Withdraw", "agentID", 1),
        ("RollbackTransaction", "refTransactionID", MISSING),
        ("RollbackTransaction", "refTransactionID", None),
        ("RollbackTransaction", "refTransactionID", ""),
        ("RollbackTransaction", "refTransactionID", 42),
        ("GetBalance", "gameID", "x"),
    ],
)
def test_a_missing_or_ill_typed_field_is_2(
    http: httpx.Client,
    ledger: LedgerDB,
    loop: LoopThread,
    player: Player,
    endpoint: str,
    field: str,
    value: object,
) -> None:
    kw: dict[str, Any] = {"bet_minor": 100, "win_minor": 100, "amount_minor": 100, "ref_id": "r"}
    fields = callback_fields(endpoint, player.username, **kw)
    if value is MISSING:
        del fields[field]
    else:
        fields[field] = value
    response = post(http, endpoint, signed(endpoint, fields, "1234567890"))
    assert_2_and_nothing_moved(response, ledger, loop, player, fields.get("transactionID"))


def test_a_game_id_given_as_digits_is_the_same_game(
    http: httpx.Client, ledger: LedgerDB, loop: LoopThread, player: Player
) -> None:
    fields = callback_fields("Withdraw", player.username, amount_minor=100, gameID="1566")
    assert post(http, "Withdraw", fields).json()["code"] == 0
    # A repeat that writes the game as a number is the same call.
    again = {**fields, "gameID": 1566}
    assert post(http, "Withdraw", again).json()["code"] == 11
    assert balance_minor(ledger, loop, player.username) == OPENING_MINOR - 100

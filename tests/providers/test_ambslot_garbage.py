"""AMBSlot garbage in: every malformed call gets HTTP 200 and 997, and moves nothing."""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from loadtest.studios.ambslot import Num, callback_fields, encode, post
from tests.support import LoopThread
from wallet.directory.players import Player, find_player
from wallet.ledger.database import LedgerDB

OPENING_MINOR = 10_000
INVALID = {"code": 997, "message": "Invalid request data"}


@pytest.fixture
def player(make_player: Callable[..., Player]) -> Player:
    return make_player(balance_minor=OPENING_MINOR)


def assert_997_and_nothing_moved(
    response: httpx.Response, ledger: LedgerDB, loop: LoopThread, username: str, ext: str
) -> None:
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    assert response.json() == {"status": INVALID, "data": None}
    current = loop.run(find_player(ledger, 1, username))
    assert current is not None and current.balance_minor == OPENING_MINOR
    # This player's transactions only: other tests share the database, and an id as short as
    # "5" may well be some other call's.
    rows = loop.run(
        ledger.one(
            "SELECT count(*) FROM transactions WHERE external_id = %s AND account_id = %s",
            (ext, current.main_account_id),
        )
    )
    assert rows == (0,)


def _bet(player: Player, **change: Any) -> dict[str, Any]:
    fields = callback_fields("bet", player.username, secrets.token_hex(8), amount_minor=2_500)
    fields.update(change)
    return fields


RAW_BODIES: dict[str, bytes] = {
    "empty": b"",
    "not json": b"bet 25 please",
    "json array": b"[]",
    "json string": b'"bet"',
    "json number": b"25",
    "json null": b"null",
    "truncated": b'{"username": "x", "amount": 2',
    "invalid utf-8": b'{"username": "\xff\xfe"}',
    "deeply nested": b"[" * 30_000 + b"]" * 30_000,  # under the cap: the parser refuses it
}


@pytest.mark.parametrize("name", list(RAW_BODIES))
@pytest.mark.parametrize("operation", ["balance", "bet", "payout", "settle", "cancel"])
def test_a_body_that_is_not_a_json_object_is_997(
    http: httpx.Client, ledger: LedgerDB, loop: LoopThread, operation: str, name: str
) -> None:
    response = post(http, operation, RAW_BODIES[name])
    assert response.status_code == 200
    assert response.json() == {"status": INVALID, "data": None}


WRONG_FIELDS: dict[str, dict[str, Any]] = {
    "username a number": {"username": 123},
    "username empty": {"username": ""},
    "isEndRound a string": {"isEndRound": "true"},
    "isEndRound a number": {"isEndRound": 1},
    "featureBuy null": {"featureBuy": None},
    "amount a boolean": {"amount": True},
    "amount a list": {"amount": [25]},
    "amount an object": {"amount": {"value": 25}},
    "amount null": {"amount": None},
    "amount NaN": {"amount": Num("NaN")},
    "amount Infinity": {"amount": Num("Infinity")},
    "amount -Infinity": {"amount": Num("-Infinity")},
    "amount 1e2": {"amount": Num("1e2")},
    "amount 2.5E1": {"amount": Num("2.5E1")},
    "amount string 1e2": {"amount": "1e2"},
    "amount 3 decimals": {"amount": Num("25.001")},
    "amount 3 decimals of zeros": {"amount": Num("25.000")},
    "amount negative": {"amount": Num("-25")},
    "amount huge": {"amount": Num("1" + "0" * 20)},
    "amount string with a comma": {"amount": "25,00"},
    "amount string with a space": {"amount": " 25"},
    "amount string with a plus": {"amount": "+25"},
    "amount string hex": {"amount": "0x19"},
    "amount string empty": {"amount": ""},
    "turnover 1e2": {"turnover": Num("1e2")},
    "transactionId a number": {"transactionId": 5},
    "transactionId empty": {"transactionId": ""},
    "transactionId too long": {"transactionId": "t" * 129},
    "roundId a list": {"roundId": ["r"]},
    "currency a number": {"currency": 764},
    "currency unknown": {"currency": "XBT"},
    "timestamp a number": {"timestamp": 1576094248431},
    "unknown field": {"bonus": 1},
    "unknown field null": {"promo": None},
}


@pytest.mark.parametrize("name", list(WRONG_FIELDS))
def test_a_field_of_the_wrong_type_or_value_is_997_and_moves_nothing(
    http: httpx.Client, ledger: LedgerDB, loop: LoopThread, player: Player, name: str
) -> None:
    fields = _bet(player, **WRONG_FIELDS[name])
    response = post(http, "bet", fields)
    ext = str(fields["transactionId"])
    assert_997_and_nothing_moved(response, ledger, loop, player.username, ext)


REQUIRED = {
    "bet": [
        "username",
        "game",
        "gameId",
        "roundId",
        "amount",
        "currency",
        "transactionId",
        "timestamp",
        "isEndRound",
        "featureBuy",
    ],
    "payout": ["amount", "turnover", "isEndRound", "featureBuy", "currency"],
    "settle": ["bet", "winlose", "turnover", "amount"],
    "cancel": ["username", "game", "gameId", "roundId", "transactionId", "timestamp"],
}


@pytest.mark.parametrize(
    ("operation", "missing"), [(op, name) for op, names in REQUIRED.items() for name in names]
)
def test_a_missing_field_is_997_and_moves_nothing(
    http: httpx.Client,
    ledger: LedgerDB,
    loop: LoopThread,
    player: Player,
    operation: str,
    missing: str,
) -> None:
    round_id = secrets.token_hex(8)
    bet = callback_fields("bet", player.username, round_id, amount_minor=2_500)
    if operation in ("payout", "cancel"):  # a round to pay or cancel, so only the field fails
        assert post(http, "bet", bet).json()["status"]["code"] == 0
    kw: dict[str, Any] = {"amount_minor": 1_000, "bet_minor": 1_000, "isEndRound": False}
    fields = callback_fields(operation, player.username, round_id, **kw)
    del fields[missing]
    response = post(http, operation, fields)
    assert response.json() == {"status": INVALID, "data": None}
    current = loop.run(find_player(ledger, 1, player.username))
    expected = OPENING_MINOR - (2_500 if operation in ("payout", "cancel") else 0)
    assert current is not None and current.balance_minor == expected


def test_a_body_over_64_kib_is_997_and_moves_nothing(
    http: httpx.Client, ledger: LedgerDB, loop: LoopThread, player: Player
) -> None:
    fields = _bet(player)
    body = encode(fields)[:-1] + b" " * (70 * 1024) + b"}"  # valid JSON, only too large
    response = post(http, "bet", body)
    assert_997_and_nothing_moved(response, ledger, loop, player.username, fields["transactionId"])


def test_a_streamed_body_over_64_kib_without_a_length_is_997(
    http: httpx.Client, ledger: LedgerDB, loop: LoopThread, player: Player
) -> None:
    fields = _bet(player)
    body = encode(fields)[:-1] + b" " * (70 * 1024) + b"}"

    def chunks() -> Iterator[bytes]:
        for start in range(0, len(body), 4096):
            yield body[start : start + 4096]

    response = http.post("/ambslot/bet", content=chunks())
    assert "content-length" not in response.request.headers
    assert_997_and_nothing_moved(response, ledger, loop, player.username, fields["transactionId"])


def test_more_decimals_than_a_currency_without_decimals_allows_is_997(
    http: httpx.Client, ledger: LedgerDB, loop: LoopThread, make_player: Callable[..., Player]
) -> None:
    krw = make_player(currency="KRW", balance_minor=OPENING_MINOR)
    fields = _bet(krw, amount=Num("100.5"), currency="KRW")
    response = post(http, "bet", fields)
    assert_997_and_nothing_moved(response, ledger, loop, krw.username, fields["transactionId"])
    fields = _bet(krw, amount=Num("100"), currency="KRW")
    response = post(http, "bet", fields)
    assert response.json()["status"]["code"] == 0
    assert b'"before":10000,"after":9900}' in response.content


def test_a_body_well_below_the_cap_with_padding_is_still_fine(
    http: httpx.Client, ledger: LedgerDB, loop: LoopThread, player: Player
) -> None:
    fields = _bet(player)
    body = encode(fields)[:-1] + b" " * (60 * 1024) + b"}"
    assert post(http, "bet", body).json()["status"]["code"] == 0
    current = loop.run(find_player(ledger, 1, player.username))
    assert current is not None and current.balance_minor == OPENING_MINOR - 2_500

"""AMBSlot settings, each on a server of its own: agent id, key (signature), game list, IPs."""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterator, Mapping
from typing import Any

import httpx
import pytest

from loadtest.studios.ambslot import callback_fields, encode, post, sign
from tests.support import LoopThread, Server
from wallet.directory.players import Player, find_player
from wallet.ledger.database import LedgerDB

KEY = "amb-key-" + secrets.token_hex(8)
AGENT = "amb-prod-7"
OPENING_MINOR = 10_000
SIGNED_ENV = {"AMBSLOT_KEY": KEY, "AMBSLOT_GAME_IDS": "GH,XX", "AMBSLOT_AGENT_ID": AGENT}


@pytest.fixture(scope="module")
def signed_server(start_server: Callable[[Mapping[str, str]], Server]) -> Server:
    return start_server(SIGNED_ENV)


@pytest.fixture(scope="module")
def signed(signed_server: Server) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=signed_server.base_url, timeout=10) as client:
        yield client


@pytest.fixture(scope="module")
def far_away(start_server: Callable[[Mapping[str, str]], Server]) -> Iterator[httpx.Client]:
    """A server that accepts AMBSlot only from 10.0.0.0/8: the tests' loopback is refused."""
    server = start_server({"AMBSLOT_ALLOWED_IPS": "10.0.0.0/8"})
    with httpx.Client(base_url=server.base_url, timeout=10) as client:
        yield client


@pytest.fixture
def player(make_player: Callable[..., Player]) -> Player:
    return make_player(balance_minor=OPENING_MINOR)


def balance_minor(ledger: LedgerDB, loop: LoopThread, username: str) -> int:
    current = loop.run(find_player(ledger, 1, username))
    assert current is not None
    return current.balance_minor


def bet(player: Player, **change: Any) -> dict[str, Any]:
    fields = callback_fields(
        "bet", player.username, secrets.token_hex(8), agent_id=AGENT, amount_minor=2_500
    )
    fields.update(change)
    return fields


def code_and_data(response: httpx.Response) -> tuple[int, Any]:
    assert response.status_code == 200
    answer = response.json()
    return answer["status"]["code"], answer["data"]


# --- the key: x-amb-signature -----------------------------------------------------------------


def test_a_signed_call_is_served(
    signed: httpx.Client, ledger: LedgerDB, loop: LoopThread, player: Player
) -> None:
    assert code_and_data(post(signed, "bet", bet(player), key=KEY))[0] == 0
    balance = {"username": player.username, "agentId": AGENT}
    assert code_and_data(post(signed, "balance", balance, key=KEY))[0] == 0
    assert balance_minor(ledger, loop, player.username) == OPENING_MINOR - 2_500


def test_the_signature_is_pbkdf2_sha512_of_the_raw_body_salted_with_the_key(
    signed: httpx.Client, ledger: LedgerDB, loop: LoopThread, player: Player
) -> None:
    import base64
    import hashlib

    body = encode(bet(player))
    digest = hashlib.pbkdf2_hmac("sha512", body, KEY.encode(), 1000, 64)
    header = {"x-amb-signature": base64.b64encode(digest).decode()}
    assert code_and_data(post(signed, "bet", body, headers=header))[0] == 0
    assert balance_minor(ledger, loop, player.username) == OPENING_MINOR - 2_500


@pytest.mark.parametrize(
    "signature",
    [None, "", "not base64 at all", sign(b"{}", KEY), "WRONGKEY"],
    ids=["missing", "empty", "garbage", "of another body", "with another key"],
)
def test_a_call_without_its_signature_is_998_and_moves_nothing(
    signed: httpx.Client, ledger: LedgerDB, loop: LoopThread, player: Player, signature: str | None
) -> None:
    body = encode(bet(player))
    if signature == "WRONGKEY":
        signature = sign(body, KEY + "x")
    headers = {} if signature is None else {"x-amb-signature": signature}
    assert code_and_data(post(signed, "bet", body, headers=headers)) == (998, None)
    balance = {"username": player.username, "agentId": AGENT}
    assert code_and_data(post(signed, "balance", balance, headers=headers)) == (998, None)
    assert balance_minor(ledger, loop, player.username) == OPENING_MINOR


def test_a_body_changed_after_signing_is_998(
    signed: httpx.Client, ledger: LedgerDB, loop: LoopThread, player: Player
) -> None:
    body = encode(bet(player))
    headers = {"x-amb-signature": sign(body, KEY)}
    tampered = body.replace(b'"amount":25', b'"amount":0.25')
    assert tampered != body
    assert code_and_data(post(signed, "bet", tampered, headers=headers)) == (998, None)
    assert balance_minor(ledger, loop, player.username) == OPENING_MINOR


def test_the_log_carries_neither_the_key_nor_a_signature(
    signed: httpx.Client, signed_server: Server, ledger: LedgerDB, player: Player
) -> None:
    body = encode(bet(player))
    signature = sign(body, KEY)
    assert code_and_data(post(signed, "bet", body, headers={"x-amb-signature": signature}))[0] == 0
    assert code_and_data(post(signed, "bet", body, headers={"x-amb-signature": "abc"}))[0] == 998
    log = signed_server.settled_log()
    assert '"caller": "ambslot"' in log
    assert KEY not in log
    assert signature not in log and signature[:20] not in log


# --- the agent id -----------------------------------------------------------------------------


def test_the_configured_agent_id_is_the_only_one(
    signed: httpx.Client, ledger: LedgerDB, loop: LoopThread, player: Player
) -> None:
    assert code_and_data(post(signed, "bet", bet(player, agent="ambdemo"), key=KEY)) == (998, None)
    balance = {"username": player.username, "agentId": "ambdemo"}
    assert code_and_data(post(signed, "balance", balance, key=KEY)) == (998, None)
    assert balance_minor(ledger, loop, player.username) == OPENING_MINOR


# --- the game list ----------------------------------------------------------------------------


def test_a_game_id_outside_the_configured_list_is_995_and_moves_nothing(
    signed: httpx.Client, ledger: LedgerDB, loop: LoopThread, player: Player
) -> None:
    response = post(signed, "bet", bet(player, gameId="ZZ"), key=KEY)
    assert code_and_data(response) == (995, None)
    assert response.json()["status"]["message"] == "Invalid game id"
    assert balance_minor(ledger, loop, player.username) == OPENING_MINOR
    assert code_and_data(post(signed, "bet", bet(player, gameId="XX"), key=KEY))[0] == 0
    assert balance_minor(ledger, loop, player.username) == OPENING_MINOR - 2_500


def test_the_game_list_applies_to_every_money_callback(
    signed: httpx.Client, ledger: LedgerDB, loop: LoopThread, player: Player
) -> None:
    fields = bet(player)
    assert code_and_data(post(signed, "bet", fields, key=KEY))[0] == 0
    for operation in ("payout", "settle", "cancel"):
        other = callback_fields(
            operation,
            player.username,
            str(fields["roundId"]),
            agent_id=AGENT,
            game_id="ZZ",
            amount_minor=100,
            bet_minor=100,
        )
        assert code_and_data(post(signed, operation, other, key=KEY)) == (995, None)
    assert balance_minor(ledger, loop, player.username) == OPENING_MINOR - 2_500


# --- the IP allowlist -------------------------------------------------------------------------


@pytest.mark.parametrize("operation", ["balance", "bet", "payout", "settle", "cancel"])
def test_a_call_from_an_address_outside_the_allowlist_is_999_and_moves_nothing(
    far_away: httpx.Client, ledger: LedgerDB, loop: LoopThread, player: Player, operation: str
) -> None:
    fields: dict[str, Any] = callback_fields(
        operation, player.username, secrets.token_hex(8), amount_minor=100, bet_minor=100
    )
    if operation == "balance":
        fields = {"username": player.username, "agentId": "ambdemo"}
    response = post(far_away, operation, fields)
    assert code_and_data(response) == (999, None)
    assert response.json()["status"]["message"] == "Service not available"
    assert code_and_data(post(far_away, operation, b"garbage")) == (999, None)
    assert balance_minor(ledger, loop, player.username) == OPENING_MINOR
    ext = fields.get("transactionId", "none")
    rows = loop.run(ledger.one("SELECT count(*) FROM transactions WHERE external_id = %s", (ext,)))
    assert rows == (0,)


# --- the check order (ambslot.md: IP -> fields -> agent -> signature -> game -> player) -------


@pytest.mark.parametrize("operation", ["balance", "bet", "payout", "settle", "cancel"])
def test_each_check_answers_only_when_every_earlier_one_passed(
    signed: httpx.Client,
    far_away: httpx.Client,
    ledger: LedgerDB,
    loop: LoopThread,
    player: Player,
    operation: str,
) -> None:
    """A call with every fault at once, then one fault mended at a time: the code is always the
    first failing check's, in the contract's order."""
    agent_field = "agentId" if operation == "balance" else "agent"
    fields: dict[str, Any] = {"username": "nobody-" + secrets.token_hex(4), agent_field: AGENT}
    if operation != "balance":
        fields = callback_fields(
            operation,
            str(fields["username"]),
            secrets.token_hex(8),
            agent_id=AGENT,
            game_id="ZZ",
            amount_minor=100,
            bet_minor=100,
        )
    missing = {name: value for name, value in fields.items() if name != agent_field}
    wrong_agent = {**fields, agent_field: "not-ours"}
    steps: list[tuple[int, httpx.Client, Mapping[str, Any], str]] = [
        (999, far_away, missing, ""),  # the address first, whatever the body
        (997, signed, missing, ""),  # a missing field, even `agent`, before the agent
        (998, signed, wrong_agent, ""),  # the agent before the signature
        (998, signed, fields, ""),  # the right agent, no signature
    ]
    if operation != "balance":  # the game list before the player
        steps.append((995, signed, fields, KEY))
        fields = {**fields, "gameId": "GH"}
    steps.append((908, signed, fields, KEY))  # a player we do not know, last before the ledger
    for expected, client, body, key in steps:
        assert code_and_data(post(client, operation, body, key=key))[0] == expected, body
    # The player known: the ledger judges (payout: no bet on the round; cancel: a tombstone).
    code, moved_minor = {"bet": (0, -100), "payout": (997, 0), "settle": (0, 0)}.get(
        operation, (0, 0)
    )
    fields = {**fields, "username": player.username}
    assert code_and_data(post(signed, operation, fields, key=KEY))[0] == code
    assert balance_minor(ledger, loop, player.username) == OPENING_MINOR + moved_minor


def test_a_balance_of_a_username_alone_is_997(http: httpx.Client) -> None:
    """The contract's example: no agentId is a missing field (997), not a wrong agent (998)."""
    assert code_and_data(post(http, "balance", {"username": "x"})) == (997, None)
    assert code_and_data(post(http, "bet", {"username": "x"})) == (997, None)

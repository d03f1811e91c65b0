"""AMBSlot calls at the same time: the player's row lock serializes them, the key dedupes them."""

from __future__ import annotations

import secrets
import threading
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from typing import Any

import httpx
import pytest

from loadtest.studios.ambslot import callback_fields, encode, post
from tests.support import LoopThread
from wallet.directory.players import Player, find_player
from wallet.ledger.database import LedgerDB

ROUNDS_PER_BATCH = 10
BATCHES = 4


def balance_minor(ledger: LedgerDB, loop: LoopThread, username: str) -> int:
    player = loop.run(find_player(ledger, 1, username))
    assert player is not None
    return player.balance_minor


def minor(value: Any) -> int:
    return int(Decimal(value).scaleb(2))


def at_once(http: httpx.Client, calls: list[tuple[str, Any]]) -> list[httpx.Response]:
    """Send every call from its own thread, all released by one barrier."""
    barrier = threading.Barrier(len(calls))

    def send(item: tuple[str, Any]) -> httpx.Response:
        barrier.wait()
        return post(http, item[0], item[1])

    with ThreadPoolExecutor(len(calls)) as pool:
        return list(pool.map(send, calls))


def test_twenty_identical_bets_at_once_debit_once_and_answer_alike(
    http: httpx.Client, ledger: LedgerDB, loop: LoopThread, make_player: Callable[..., Player]
) -> None:
    player = make_player(balance_minor=10_000)
    body = encode(callback_fields("bet", player.username, secrets.token_hex(8), amount_minor=1_234))
    responses = at_once(http, [("bet", body)] * 20)
    assert {r.status_code for r in responses} == {200}
    assert len({r.content for r in responses}) == 1
    answer = responses[0].json(parse_float=Decimal)
    assert answer["status"]["code"] == 0
    assert minor(answer["data"]["balance"]["before"]) == 10_000
    assert minor(answer["data"]["balance"]["after"]) == 8_766
    assert balance_minor(ledger, loop, player.username) == 8_766
    ext = answer["data"]["refId"]
    rows = loop.run(ledger.one("SELECT count(*) FROM transactions WHERE id = %s", (int(ext),)))
    assert rows == (1,)


def _judge_race(bet: dict[str, Any], cancel: dict[str, Any], bet_minor: int) -> str:
    """Either the bet came first and the cancel refunded exactly it, or the cancel came first,
    left a tombstone, and the bet was refused: never a lost or a doubled amount."""
    assert cancel["status"]["code"] == 0
    refund = cancel["data"]["balance"]
    if bet["status"]["code"] == 0:
        taken = bet["data"]["balance"]
        assert minor(taken["before"]) - minor(taken["after"]) == bet_minor
        assert minor(refund["before"]) - minor(refund["after"]) == -bet_minor
        return "bet, then refunded"
    assert bet["status"] == {"code": 607, "message": "Bet failed"}
    assert refund["before"] == refund["after"]
    return "cancelled, then refused"


@pytest.mark.parametrize("first", ["bet", "cancel"])
def test_bet_and_cancel_of_a_round_racing_never_lose_or_double_an_amount(
    http: httpx.Client,
    ledger: LedgerDB,
    loop: LoopThread,
    make_player: Callable[..., Player],
    first: str,
) -> None:
    opening = 1_000_000
    player = make_player(balance_minor=opening)
    seen: Counter[str] = Counter()
    for _ in range(BATCHES):
        rounds = [(secrets.token_hex(8), 100 + i) for i in range(ROUNDS_PER_BATCH)]
        calls: list[tuple[str, Any]] = []
        for round_id, amount in rounds:
            bet = ("bet", callback_fields("bet", player.username, round_id, amount_minor=amount))
            cancel = ("cancel", callback_fields("cancel", player.username, round_id))
            calls += [bet, cancel] if first == "bet" else [cancel, bet]
        answers = [r.json(parse_float=Decimal) for r in at_once(http, calls)]
        for index, (_, amount) in enumerate(rounds):
            pair = answers[2 * index : 2 * index + 2]
            bet_answer, cancel_answer = pair if first == "bet" else pair[::-1]
            seen[_judge_race(bet_answer, cancel_answer, amount)] += 1
        assert balance_minor(ledger, loop, player.username) == opening
    assert sum(seen.values()) == BATCHES * ROUNDS_PER_BATCH


def test_two_players_bets_with_one_transaction_id_at_once_move_money_once(
    http: httpx.Client, ledger: LedgerDB, loop: LoopThread, make_player: Callable[..., Player]
) -> None:
    """The key (caller, operation, transactionId) is global while the lock is the player's: the
    first bet is served, the other is a conflict (997), also when both race to claim the key."""
    for _ in range(20):
        players = [make_player(balance_minor=10_000) for _ in range(2)]
        ext = secrets.token_hex(8)
        calls: list[tuple[str, Any]] = []
        for player in players:
            fields = callback_fields("bet", player.username, secrets.token_hex(8), amount_minor=100)
            calls.append(("bet", {**fields, "transactionId": ext}))
        codes = sorted(r.json()["status"]["code"] for r in at_once(http, calls))
        assert codes == [0, 997], codes
        balances = sorted(balance_minor(ledger, loop, p.username) for p in players)
        assert balances == [9_900, 10_000]

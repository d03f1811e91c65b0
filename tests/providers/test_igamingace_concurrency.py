"""iGamingAce calls at the same time: the player's row lock serializes them, the key dedupes
them, and a rollback racing its call never loses or doubles an amount."""

from __future__ import annotations

import secrets
import threading
from collections import Counter
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx

from loadtest.studios.igamingace import callback_fields, encode, post
from tests.providers.test_igamingace_support import answer_of, balance_minor, minor, transactions
from tests.support import LoopThread
from wallet.directory.players import Player
from wallet.ledger.database import LedgerDB

PAIRS_PER_BATCH = 10
BATCHES = 3


def at_once(http: httpx.Client, calls: list[tuple[str, Mapping[str, object] | bytes]]) -> list[Any]:
    """Send every call from its own thread, all released by one barrier; their answers."""
    barrier = threading.Barrier(len(calls))

    def send(item: tuple[str, Mapping[str, object] | bytes]) -> dict[str, Any]:
        barrier.wait()
        return answer_of(post(http, item[0], item[1]))

    with ThreadPoolExecutor(len(calls)) as pool:
        return list(pool.map(send, calls))


def test_thirty_copies_of_one_withdraw_at_once_debit_once(
    http: httpx.Client, ledger: LedgerDB, loop: LoopThread, make_player: Callable[..., Player]
) -> None:
    player = make_player(balance_minor=10_000)
    fields = callback_fields("Withdraw", player.username, amount_minor=1_234)
    answers = at_once(http, [("Withdraw", encode(fields))] * 30)
    assert Counter(a["code"] for a in answers) == {0: 1, 11: 29}
    assert len({a["platformTransactionID"] for a in answers}) == 1
    assert {minor(a["balance"]) for a in answers} == {8_766}  # right after the original
    assert balance_minor(ledger, loop, player.username) == 8_766
    assert len(transactions(ledger, loop, str(fields["transactionID"]))) == 1


def test_ten_copies_of_one_rollback_at_once_refund_once(
    http: httpx.Client, ledger: LedgerDB, loop: LoopThread, make_player: Callable[..., Player]
) -> None:
    player = make_player(balance_minor=10_000)
    bet = callback_fields("Withdraw", player.username, amount_minor=1_000)
    assert answer_of(post(http, "Withdraw", bet))["code"] == 0
    rollback = callback_fields(
        "RollbackTransaction", player.username, ref_id=str(bet["transactionID"])
    )
    answers = at_once(http, [("RollbackTransaction", encode(rollback))] * 10)
    assert Counter(a["code"] for a in answers) == {0: 1, 9: 9}
    assert {minor(a["balance"]) for a in answers} == {10_000}
    assert balance_minor(ledger, loop, player.username) == 10_000


def test_copies_of_a_rollback_of_an_unseen_call_are_all_8(
    http: httpx.Client, ledger: LedgerDB, loop: LoopThread, make_player: Callable[..., Player]
) -> None:
    player = make_player(balance_minor=10_000)
    ref = secrets.token_hex(8)
    rollback = callback_fields("RollbackTransaction", player.username, ref_id=ref)
    answers = at_once(http, [("RollbackTransaction", encode(rollback))] * 10)
    assert {a["code"] for a in answers} == {8}
    assert len(transactions(ledger, loop, ref)) == 1


def _judge_race(bet: dict[str, Any], rollback: dict[str, Any], opening: int, amount: int) -> str:
    """Either the bet came first and the rollback refunded exactly it, or the rollback came
    first, left a tombstone (8), and the bet was refused (9): never a lost or doubled amount."""
    if bet["code"] == 0:
        assert minor(bet["balance"]) == opening - amount
        assert rollback["code"] == 0 and minor(rollback["balance"]) == opening
        return "bet, then refunded"
    assert (bet["code"], rollback["code"]) == (9, 8), (bet, rollback)
    assert minor(bet["balance"]) == minor(rollback["balance"]) == opening
    return "rolled back, then refused"


def test_withdraws_and_their_rollbacks_racing_never_lose_or_double_an_amount(
    http: httpx.Client, ledger: LedgerDB, loop: LoopThread, make_player: Callable[..., Player]
) -> None:
    """One player per pair (the lock is the player's), all pairs released together."""
    seen: Counter[str] = Counter()
    opening = 10_000
    for _ in range(BATCHES):
        players = [make_player(balance_minor=opening) for _ in range(PAIRS_PER_BATCH)]
        calls: list[tuple[str, Mapping[str, object] | bytes]] = []
        for index, player in enumerate(players):
            bet = callback_fields("Withdraw", player.username, amount_minor=100 + index)
            rollback = callback_fields(
                "RollbackTransaction", player.username, ref_id=str(bet["transactionID"])
            )
            pair = [("Withdraw", bet), ("RollbackTransaction", rollback)]
            calls += pair if index % 2 else pair[::-1]
        answers = at_once(http, calls)
        for index, player in enumerate(players):
            first, second = answers[2 * index : 2 * index + 2]
            bet_answer, rollback_answer = (first, second) if index % 2 else (second, first)
            seen[_judge_race(bet_answer, rollback_answer, opening, 100 + index)] += 1
            assert balance_minor(ledger, loop, player.username) == opening
    assert sum(seen.values()) == BATCHES * PAIRS_PER_BATCH


def test_two_players_withdrawing_with_one_transaction_id_at_once_move_money_once(
    http: httpx.Client, ledger: LedgerDB, loop: LoopThread, make_player: Callable[..., Player]
) -> None:
    """The key (caller, operation, transactionID) is global while the lock is the player's: the
    first is served, the other is a repeat that names another user (11, the original's answer)."""
    for _ in range(10):
        players = [make_player(balance_minor=10_000) for _ in range(2)]
        ext = secrets.token_hex(8)
        calls: list[tuple[str, Mapping[str, object] | bytes]] = [
            (
                "Withdraw",
                callback_fields("Withdraw", p.username, amount_minor=100, transactionID=ext),
            )
            for p in players
        ]
        answers = sorted(at_once(http, calls), key=lambda a: a["code"])
        assert [a["code"] for a in answers] == [0, 11], answers
        assert answers[0]["platformTransactionID"] == answers[1]["platformTransactionID"]
        assert minor(answers[0]["balance"]) == minor(answers[1]["balance"]) == 9_900
        balances = sorted(balance_minor(ledger, loop, p.username) for p in players)
        assert balances == [9_900, 10_000]


def test_thirty_repeats_that_differ_at_once_debit_once_and_all_answer_the_original(
    http: httpx.Client, ledger: LedgerDB, loop: LoopThread, make_player: Callable[..., Player]
) -> None:
    """30 copies of one Withdraw at once, each with another roundID, amount or gameID: one is
    served (0), 29 answer 11 with its id and the balance right after it, and money moves once."""
    player = make_player(balance_minor=100_000)
    ext = secrets.token_hex(8)
    calls: list[tuple[str, Mapping[str, object] | bytes]] = []
    for index in range(30):
        change: dict[str, Any] = [
            {"round_id": f"round-{index}"},
            {"game_id": 1000 + index},
            {"amount_minor": 1_000 + index},
        ][index % 3]
        change.setdefault("amount_minor", 1_000)
        fields = callback_fields("Withdraw", player.username, transactionID=ext, **change)
        calls.append(("Withdraw", encode(fields)))
    answers = at_once(http, calls)
    assert Counter(a["code"] for a in answers) == {0: 1, 11: 29}, answers
    assert len({a["platformTransactionID"] for a in answers}) == 1
    (served,) = [index for index, a in enumerate(answers) if a["code"] == 0]
    taken = 1_000 + (served if served % 3 == 2 else 0)
    assert {minor(a["balance"]) for a in answers} == {100_000 - taken}
    assert balance_minor(ledger, loop, player.username) == 100_000 - taken
    assert len(transactions(ledger, loop, ext)) == 1

"""Concurrent calls on one player: the row lock serializes them, the key dedupes them."""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import Callable

from tests.support import LoopThread
from wallet.directory.players import Player, find_player
from wallet.ledger.database import LedgerDB
from wallet.ledger.game import GameCall, Kind, Rule, game_call
from wallet.ledger.idempotency import request_hash
from wallet.ledger.outcomes import LedgerAnswer, Outcome


def _debit(player: Player, ext: str, amount: int) -> GameCall:
    return GameCall(
        caller="concurrency",
        operation="debit",
        kind=Kind.DEBIT,
        external_id=ext,
        request_hash=request_hash({"id": ext, "amount": amount}),
        operator_id=1,
        username=player.username,
        amount_exponent=2,
        debit_minor=amount,
        rules=frozenset({Rule.REF_TOMBSTONES}),
    )


def _all_at_once(loop: LoopThread, ledger: LedgerDB, calls: list[GameCall]) -> list[LedgerAnswer]:
    async def run() -> list[LedgerAnswer]:
        return list(await asyncio.gather(*(game_call(ledger, c) for c in calls)))

    return loop.run(run())


def test_fifty_identical_requests_move_money_once(
    ledger: LedgerDB, loop: LoopThread, make_player: Callable[..., Player]
) -> None:
    player = make_player(balance_minor=100_000)
    call = _debit(player, secrets.token_hex(8), 1_234)
    answers = _all_at_once(loop, ledger, [call] * 50)
    outcomes = sorted(a.outcome for a in answers)
    assert outcomes.count(Outcome.NEW) == 1
    assert outcomes.count(Outcome.REPLAY) == 49
    assert {(a.tx_id, a.balance_before_minor, a.balance_after_minor) for a in answers} == {
        (answers[0].tx_id, 100_000, 98_766)
    }
    current = loop.run(find_player(ledger, 1, player.username))
    assert current is not None and current.balance_minor == 98_766


def test_twenty_debits_covered_ten_times_succeed_exactly_ten_times(
    ledger: LedgerDB, loop: LoopThread, make_player: Callable[..., Player]
) -> None:
    player = make_player(balance_minor=10_000)
    calls = [_debit(player, secrets.token_hex(8), 1_000) for _ in range(20)]
    answers = _all_at_once(loop, ledger, calls)
    assert sum(a.outcome == Outcome.NEW for a in answers) == 10
    assert sum(a.outcome == Outcome.INSUFFICIENT for a in answers) == 10
    afters = sorted(a.balance_after_minor or 0 for a in answers if a.outcome == Outcome.NEW)
    assert afters == list(range(0, 10_000, 1_000))
    current = loop.run(find_player(ledger, 1, player.username))
    assert current is not None and current.balance_minor == 0

"""Batched game calls: each call keeps its own outcome, in arrival order per player, and a
failing batch falls back to one statement per call."""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import Callable
from typing import Any

import pytest

from tests.support import LoopThread
from wallet.directory.players import Player, find_player
from wallet.ledger.batching import GameBatcher, call_alone
from wallet.ledger.database import LedgerDB
from wallet.ledger.game import GameCall, Kind, Rule
from wallet.ledger.idempotency import request_hash
from wallet.ledger.outcomes import LedgerAnswer, Outcome


def _call(player: Player, kind: Kind, ext: str, debit: int = 0, credit: int = 0) -> GameCall:
    return GameCall(
        caller="batching",
        operation=kind.value,
        kind=kind,
        external_id=ext,
        request_hash=request_hash({"id": ext, "d": debit, "c": credit}),
        operator_id=1,
        username=player.username,
        amount_exponent=2,
        debit_minor=debit,
        credit_minor=credit,
        rules=frozenset({Rule.REF_TOMBSTONES}),
    )


def _submit_together(
    loop: LoopThread, batcher: GameBatcher, calls: list[GameCall]
) -> list[LedgerAnswer]:
    async def run() -> list[LedgerAnswer]:
        return list(await asyncio.gather(*(batcher.submit(c) for c in calls)))

    return loop.run(run())


def test_one_batch_keeps_each_outcome_and_the_arrival_order_of_a_player(
    ledger: LedgerDB, loop: LoopThread, make_player: Callable[..., Player]
) -> None:
    rich, poor = make_player(balance_minor=1_000), make_player(balance_minor=100)
    calls = [
        _call(poor, Kind.DEBIT, secrets.token_hex(6), debit=150),  # refused: only 1.00 there
        _call(rich, Kind.DEBIT, secrets.token_hex(6), debit=300),
        _call(poor, Kind.CREDIT, secrets.token_hex(6), credit=100),
        _call(poor, Kind.DEBIT, secrets.token_hex(6), debit=150),  # now covered
        _call(rich, Kind.CREDIT, secrets.token_hex(6), credit=50),
    ]
    batcher = GameBatcher(ledger, pipelines=1)  # one pipeline: all five ride in one statement
    answers = _submit_together(loop, batcher, calls)
    assert [a.outcome for a in answers] == [
        Outcome.INSUFFICIENT,
        Outcome.NEW,
        Outcome.NEW,
        Outcome.NEW,
        Outcome.NEW,
    ]
    assert [a.balance_after_minor for a in answers] == [100, 700, 200, 50, 750]
    again = _submit_together(loop, batcher, calls[1:])
    assert [a.outcome for a in again] == [Outcome.REPLAY] * 4
    assert [a.tx_id for a in again] == [a.tx_id for a in answers[1:]]
    assert loop.run(find_player(ledger, 1, poor.username)).balance_minor == 50  # type: ignore[union-attr]


def test_a_failing_batch_falls_back_to_one_statement_per_call(
    ledger: LedgerDB,
    loop: LoopThread,
    make_player: Callable[..., Player],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    player = make_player(balance_minor=1_000)
    batcher = GameBatcher(ledger, pipelines=1)
    real_execute = batcher._execute
    poisoned = _call(player, Kind.DEBIT, "poison", debit=1)

    async def execute(calls: list[Any]) -> list[LedgerAnswer]:
        if poisoned in calls:  # stands for a call that makes the statement fail
            raise RuntimeError("statement failed")
        return await real_execute(calls)

    monkeypatch.setattr(batcher, "_execute", execute)
    good = [_call(player, Kind.DEBIT, secrets.token_hex(6), debit=100) for _ in range(3)]

    async def run() -> list[Any]:
        return list(
            await asyncio.gather(
                *(batcher.submit(c) for c in [*good, poisoned]), return_exceptions=True
            )
        )

    results = loop.run(run())
    assert [r.outcome for r in results[:3]] == [Outcome.NEW] * 3
    assert isinstance(results[3], RuntimeError)
    assert loop.run(find_player(ledger, 1, player.username)).balance_minor == 700  # type: ignore[union-attr]


def test_a_batch_agrees_with_the_same_calls_made_alone(
    ledger: LedgerDB, loop: LoopThread, make_player: Callable[..., Player]
) -> None:
    batched, alone = make_player(balance_minor=500), make_player(balance_minor=500)
    plan = [
        (Kind.DEBIT, 200, 0),
        (Kind.DEBIT, 400, 0),
        (Kind.CREDIT, 0, 90),
        (Kind.DEBIT_CREDIT, 350, 1_000),
        (Kind.DEBIT, 1, 0),
    ]
    ids = [secrets.token_hex(6) for _ in plan]
    together = _submit_together(
        loop,
        GameBatcher(ledger, pipelines=1),
        [_call(batched, k, "b" + i, d, c) for (k, d, c), i in zip(plan, ids, strict=True)],
    )
    one_by_one = [
        loop.run(call_alone(ledger, _call(alone, k, "a" + i, d, c)))
        for (k, d, c), i in zip(plan, ids, strict=True)
    ]
    assert [(a.outcome, a.balance_before_minor, a.balance_after_minor) for a in together] == [
        (a.outcome, a.balance_before_minor, a.balance_after_minor) for a in one_by_one
    ]


def _answered(answer: LedgerAnswer) -> tuple[object, ...]:
    """An answer as a caller sees it (its time aside: a batch's calls share their commit's)."""
    return (
        answer.outcome,
        answer.tx_kind,
        answer.balance_before_minor,
        answer.balance_after_minor,
        answer.currency,
        answer.exponent,
    )


def test_a_replay_and_a_conflict_in_the_batch_of_their_original_answer_as_if_sent_alone(
    ledger: LedgerDB, loop: LoopThread, make_player: Callable[..., Player]
) -> None:
    """One batch: an original, its replay, a conflict on its key (another body), another call of
    the same player between them; and the same sequence one call at a time for another player."""
    batched, alone = make_player(balance_minor=1_000), make_player(balance_minor=1_000)

    def plan(player: Player, tag: str) -> list[GameCall]:
        original = _call(player, Kind.DEBIT, f"{tag}o", debit=300)
        changed = _call(player, Kind.DEBIT, f"{tag}o", debit=301)  # same key, other request
        between = _call(player, Kind.CREDIT, f"{tag}b", credit=50)
        return [original, between, original, changed, _call(player, Kind.DEBIT, f"{tag}x", 900)]

    tag = secrets.token_hex(4)
    together = _submit_together(loop, GameBatcher(ledger, pipelines=1), plan(batched, "t" + tag))
    one_by_one = [loop.run(call_alone(ledger, c)) for c in plan(alone, "a" + tag)]
    assert [a.outcome for a in together] == [
        Outcome.NEW,
        Outcome.NEW,
        Outcome.REPLAY,
        Outcome.CONFLICT,
        Outcome.INSUFFICIENT,
    ]
    assert [_answered(a) for a in together] == [_answered(a) for a in one_by_one]
    assert together[2].tx_id == together[3].tx_id == together[0].tx_id  # the original's
    assert together[2].tx_at == together[0].tx_at
    assert loop.run(find_player(ledger, 1, batched.username)).balance_minor == 750  # type: ignore[union-attr]

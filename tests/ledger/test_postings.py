"""General transfers: bounds, idempotency, and legs that must balance per currency."""

from __future__ import annotations

import secrets
from collections.abc import Callable

import pytest
from psycopg.errors import RaiseException

from tests.support import LoopThread
from wallet.directory.players import Player, find_player
from wallet.ledger.database import LedgerDB
from wallet.ledger.idempotency import request_hash
from wallet.ledger.outcomes import Outcome
from wallet.ledger.postings import post, system_account


def _move(ledger: LedgerDB, loop: LoopThread, src: Player, dst: Player, amount: int, ext: str):  # type: ignore[no-untyped-def]
    return loop.run(
        post(
            ledger,
            caller="test",
            operation="move",
            external_id=ext,
            request_hash=request_hash({"src": src.id, "dst": dst.id, "amount": amount}),
            legs=[(src.main_account_id, -amount), (dst.main_account_id, amount)],
            key_account=src.main_account_id,
        )
    )


def test_transfer_moves_once_and_replays(
    ledger: LedgerDB, loop: LoopThread, make_player: Callable[..., Player]
) -> None:
    a, b = make_player(balance_minor=1_000), make_player()
    ext = secrets.token_hex(6)
    first = _move(ledger, loop, a, b, 300, ext)
    again = _move(ledger, loop, a, b, 300, ext)
    changed = _move(ledger, loop, a, b, 301, ext)
    assert (first.outcome, first.balance_before_minor, first.balance_after_minor) == (
        Outcome.NEW,
        1_000,
        700,
    )
    assert (again.outcome, again.tx_id, again.balance_after_minor) == (
        Outcome.REPLAY,
        first.tx_id,
        700,
    )
    assert changed.outcome == Outcome.CONFLICT
    assert loop.run(find_player(ledger, 1, b.username)).balance_minor == 300  # type: ignore[union-attr]


def test_transfer_beyond_the_lower_bound_moves_nothing(
    ledger: LedgerDB, loop: LoopThread, make_player: Callable[..., Player]
) -> None:
    a, b = make_player(balance_minor=100), make_player()
    answer = _move(ledger, loop, a, b, 101, secrets.token_hex(6))
    assert answer.outcome == Outcome.INSUFFICIENT
    assert loop.run(find_player(ledger, 1, a.username)).balance_minor == 100  # type: ignore[union-attr]


def test_legs_that_do_not_balance_per_currency_are_refused(
    ledger: LedgerDB, loop: LoopThread, make_player: Callable[..., Player]
) -> None:
    thb = make_player(currency="THB", balance_minor=500)
    usd_equity = loop.run(system_account(ledger, "equity", "USD"))
    with pytest.raises(RaiseException, match="sum to zero per currency"):
        loop.run(
            post(
                ledger,
                caller="test",
                operation="bad",
                external_id=secrets.token_hex(6),
                request_hash=b"x",
                legs=[(thb.main_account_id, -100), (usd_equity, 100)],
                key_account=thb.main_account_id,
            )
        )

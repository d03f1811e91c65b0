"""The ledger's shapes for the other interfaces: credit lines, liabilities, two-phase moves."""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import Callable

from tests.support import LoopThread
from wallet.directory.players import Player
from wallet.ledger.accounts import balance_of, open_account, set_lower_bound
from wallet.ledger.database import LedgerDB
from wallet.ledger.idempotency import request_hash
from wallet.ledger.outcomes import Outcome
from wallet.ledger.pending import confirm, release, reserve
from wallet.ledger.postings import post, system_account


def _agent_wallet(ledger: LedgerDB, loop: LoopThread, credit_line: int) -> int:
    agent_id = secrets.randbelow(10**9)
    return loop.run(
        open_account(
            ledger,
            owner_type="agent",
            owner_id=agent_id,
            purpose="main",
            currency="THB",
            lower_bound_minor=-credit_line,
        )
    )


def _pay(ledger: LedgerDB, loop: LoopThread, src: int, dst: int, amount: int):  # type: ignore[no-untyped-def]
    ext = secrets.token_hex(6)
    return loop.run(
        post(
            ledger,
            caller="test",
            operation="pay",
            external_id=ext,
            request_hash=request_hash({"ext": ext}),
            legs=[(src, -amount), (dst, amount)],
            key_account=src,
        )
    )


def test_a_credit_line_lets_an_agent_wallet_go_negative_down_to_the_line(
    ledger: LedgerDB, loop: LoopThread, make_player: Callable[..., Player]
) -> None:
    wallet = _agent_wallet(ledger, loop, credit_line=5_000)
    player = make_player()
    assert _pay(ledger, loop, wallet, player.main_account_id, 5_000).balance_after_minor == -5_000
    assert _pay(ledger, loop, wallet, player.main_account_id, 1).outcome == Outcome.INSUFFICIENT
    assert not loop.run(set_lower_bound(ledger, wallet, -4_000)), "balance already below"
    assert loop.run(set_lower_bound(ledger, wallet, -6_000))
    assert _pay(ledger, loop, wallet, player.main_account_id, 1).outcome == Outcome.NEW


def test_a_liability_accrues_without_bound_and_settles_by_transfer(
    ledger: LedgerDB, loop: LoopThread
) -> None:
    owed = loop.run(
        open_account(
            ledger,
            owner_type="agent",
            owner_id=secrets.randbelow(10**9),
            purpose="rebate_owed",
            currency="THB",
            lower_bound_minor=None,
        )
    )
    expense = loop.run(system_account(ledger, "rebate_expense", "THB"))
    assert _pay(ledger, loop, owed, expense, 700).outcome == Outcome.NEW  # we owe 7.00
    assert loop.run(balance_of(ledger, owed)) == -700
    assert _pay(ledger, loop, expense, owed, 700).outcome == Outcome.NEW  # settled
    assert loop.run(balance_of(ledger, owed)) == 0


def test_reserve_then_confirm_or_release_exactly_once(
    ledger: LedgerDB, loop: LoopThread, make_player: Callable[..., Player]
) -> None:
    player = make_player(balance_minor=10_000)
    pending = loop.run(
        open_account(
            ledger, owner_type="player", owner_id=player.id, purpose="pending_out", currency="THB"
        )
    )
    held = loop.run(
        open_account(
            ledger, owner_type="player", owner_id=player.id, purpose="held:studio", currency="THB"
        )
    )
    ext = secrets.token_hex(6)
    answer, first = loop.run(
        reserve(
            ledger,
            caller="studio",
            external_id=ext,
            source=player.main_account_id,
            pending=pending,
            amount_minor=4_000,
        )
    )
    assert answer.outcome == Outcome.NEW and first is not None
    assert loop.run(balance_of(ledger, pending)) == 4_000
    done = loop.run(confirm(ledger, caller="studio", external_id=ext, held=first, destination=held))
    assert done.outcome == Outcome.NEW
    assert loop.run(balance_of(ledger, held)) == 4_000
    late = loop.run(release(ledger, caller="studio", external_id=ext, held=first))
    assert late.outcome == Outcome.ALREADY_RESOLVED  # a confirmed reserve is never released

    ext2 = secrets.token_hex(6)
    _, second = loop.run(
        reserve(
            ledger,
            caller="studio",
            external_id=ext2,
            source=player.main_account_id,
            pending=pending,
            amount_minor=6_000,
        )
    )
    assert second is not None
    undone = loop.run(release(ledger, caller="studio", external_id=ext2, held=second))
    assert (undone.outcome, undone.balance_after_minor) == (Outcome.NEW, 6_000)
    assert loop.run(balance_of(ledger, pending)) == 0
    _, too_much = loop.run(
        reserve(
            ledger,
            caller="studio",
            external_id=secrets.token_hex(6),
            source=player.main_account_id,
            pending=pending,
            amount_minor=6_001,
        )
    )
    assert too_much is None


def test_concurrent_first_opens_of_one_account_all_get_it(
    ledger: LedgerDB, loop: LoopThread
) -> None:
    """The losers of the race to create an account find the winner's, not nothing."""

    async def race(owner_id: int) -> set[int]:
        opened = await asyncio.gather(
            *(
                open_account(
                    ledger, owner_type="agent", owner_id=owner_id, purpose="race", currency="THB"
                )
                for _ in range(12)
            )
        )
        return set(opened)

    for _ in range(5):
        owner_id = secrets.randbelow(2**40) + 2**41
        assert len(loop.run(race(owner_id))) == 1

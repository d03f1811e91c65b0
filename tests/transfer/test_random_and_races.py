"""Many moves against a faulty studio end reconciled to the cent; races never overdraw."""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Callable

from tests.support import LoopThread
from tests.transfer.conftest import StudioSim
from tests.transfer.test_behaviours import figures
from wallet.directory.players import Player
from wallet.ledger.database import LedgerDB
from wallet.transfer.client import StudioClient
from wallet.transfer.moves import Result, TransferRefused, transfer_in, transfer_out
from wallet.transfer.reconciler import reconcile

PLAYERS = 40
MOVES = 1000
START = 1000_00
FAULTS = {  # 20 % in all
    "fail": 0.04,
    "timeout_after": 0.03,
    "timeout_before": 0.03,
    "error_500": 0.03,
    "error_500_after": 0.03,
    "duplicate": 0.02,
    "slow": 0.02,
}


def test_a_thousand_random_moves_with_faults_end_reconciled(
    fresh_sim: StudioSim,
    make_client: Callable[..., StudioClient],
    make_player: Callable[..., Player],
    ledger: LedgerDB,
    loop: LoopThread,
) -> None:
    began = time.monotonic()
    client = make_client(fresh_sim, timeout_s=0.2)
    players = [make_player("THB", START) for _ in range(PLAYERS)]
    assert abs(sum(FAULTS.values()) - 0.2) < 1e-9
    fresh_sim.control(rates=FAULTS, seed=16, hang_s=0.3, slow_s=0.05)
    rng = random.Random(16)
    plan = [
        (rng.choice(players), rng.random() < 0.55, rng.randint(1, 300_00), rng.random() < 0.1)
        for _ in range(MOVES)
    ]
    outcomes: dict[str, int] = {}

    async def one(player: Player, out: bool, amount: int, everything: bool) -> None:
        try:
            if out:
                result: Result = await transfer_out(ledger, client, player, amount, None)
            else:
                result = await transfer_in(
                    ledger, client, player, None if everything else amount, None
                )
            key = f"{'out' if out else 'in'} {result.move.status}"
        except TransferRefused as error:
            key = f"refused {error.reason}"
        outcomes[key] = outcomes.get(key, 0) + 1

    async def run_all() -> None:
        gate = asyncio.Semaphore(30)

        async def gated(*args: object) -> None:
            async with gate:
                await one(*args)  # type: ignore[arg-type]

        await asyncio.gather(*(gated(*move) for move in plan))

    loop.run(run_all(), timeout=120)
    assert sum(outcomes.values()) == MOVES
    assert any(key.endswith("pending") for key in outcomes), outcomes  # the faults happened
    fresh_sim.control(clear=True)
    report = loop.run(reconcile(ledger, client, fix=True, wait_s=30), timeout=60)
    assert report.still_pending == 0, report.lines
    assert report.differences == 0, report.lines  # held equalled the studio's for everyone
    assert report.unknown_balances == 0, report.lines
    total = 0
    for player in players:
        main, pending, held = figures(ledger, loop, player)
        assert pending == 0
        assert held == fresh_sim.balance_minor(player.username)
        total += main + held
    assert total == PLAYERS * START  # no cent created or lost (and the audit runs after)
    assert time.monotonic() - began < 60, outcomes


def test_concurrent_moves_of_one_player_never_overdraw(
    fresh_sim: StudioSim,
    make_client: Callable[..., StudioClient],
    make_player: Callable[..., Player],
    ledger: LedgerDB,
    loop: LoopThread,
) -> None:
    """Bursts of concurrent moves of one player: one at a time gets through (the others are
    refused as busy, or insufficient, before anything moved); never below zero, anywhere."""
    client = make_client(fresh_sim)
    player = make_player("THB", 100_00)
    seen: list[str] = []

    async def burst(round_: int, out: bool) -> list[str]:
        async def one(n: int) -> str:
            key = f"{player.username}-{round_}-{n}"
            try:
                if out:
                    return (await transfer_out(ledger, client, player, 30_00, key)).move.status
                return (await transfer_in(ledger, client, player, 20_00, key)).move.status
            except TransferRefused as error:
                return error.reason

        same_key = [one(99) for _ in range(3)]  # one move, whoever wins the race
        return await asyncio.gather(*(one(n) for n in range(8)), *same_key)

    for round_ in range(12):
        statuses = loop.run(burst(round_, out=round_ < 6))
        seen += statuses
        assert set(statuses) <= {"done", "busy", "insufficient", "failed"}, statuses
        main, pending, held = figures(ledger, loop, player)
        assert main >= 0 and held >= 0 and pending == 0
        assert main + held == 100_00
        assert held == fresh_sim.balance_minor(player.username)
    assert "insufficient" in seen and "busy" in seen
    # Out until 10.00 was left (three moves of 30.00), back until the studio had 10.00 left.
    assert figures(ledger, loop, player) == (90_00, 0, 10_00)

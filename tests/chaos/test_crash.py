"""SIGKILL of a server under load, at random moments, five times; both studios (AMBSlot and
iGamingAce, for the same players) retry every call whose answer they did not see. Every intended
transaction lands exactly once."""

from __future__ import annotations

import os
import random
import signal
import time
from collections.abc import Callable

from tests.chaos.harness import (
    FIGURES,
    assert_every_studio_retried,
    assert_history_replayed,
    calls_figure,
    make_players,
    storm,
)
from tests.support import LoopThread, Server
from wallet.directory.players import Player
from wallet.ledger.database import LedgerDB

KILLS = int(os.environ.get("CHAOS_KILLS", "5"))


def test_sigkill_under_load_loses_and_doubles_nothing(
    db_url: str, ledger: LedgerDB, loop: LoopThread, make_player: Callable[..., Player]
) -> None:
    rng = random.Random(11)
    server = Server(db_url).start()
    players = make_players(make_player, 6)
    try:
        with storm(server.base_url, players) as running:
            for _ in range(KILLS):
                time.sleep(rng.uniform(0.3, 1.2))
                assert server.process is not None
                os.kill(server.process.pid, signal.SIGKILL)
                server.process.wait(10)
                server.start()
            time.sleep(0.5)
    finally:
        server.stop()
    assert running.rounds > 20 * KILLS // 5  # each studio played that many rounds
    assert_every_studio_retried(running)  # a kill hit calls in flight of both studios
    assert_history_replayed(ledger, loop, running)
    FIGURES.append(
        f"crash: {KILLS} SIGKILLs under load, {calls_figure(running)}, balances = intended history"
    )

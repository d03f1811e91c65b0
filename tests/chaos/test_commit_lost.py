"""The database commits, then the connection dies before our server sees the result. The studio
(AMBSlot or iGamingAce, both playing at once) gets "service not available", sends the same call
again, and the retry must replay the stored answer: never a second posting."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest

from tests.chaos.harness import (
    FIGURES,
    assert_every_studio_retried,
    assert_history_replayed,
    calls_figure,
    make_players,
    storm,
)
from tests.chaos.pgproxy import LossyPgProxy
from tests.support import LoopThread, Server
from wallet.directory.players import Player
from wallet.ledger.database import LedgerDB

LOSS = float(os.environ.get("CHAOS_REPLY_LOSS", "0.05"))
# Rounds played in all, at least half of them by each studio: as many transactions per player
# as when AMBSlot played them alone (the audit after the test grows with that number).
ROUNDS_MIN = int(os.environ.get("CHAOS_ROUNDS", "150"))


def test_a_reply_lost_after_commit_is_replayed_never_posted_twice(
    db_url: str, ledger: LedgerDB, loop: LoopThread, make_player: Callable[..., Player]
) -> None:
    parts = urlparse(db_url)
    socket_dir = parse_qs(parts.query).get("host", [""])[0]
    if not socket_dir.startswith("/"):
        pytest.skip("the proxy fronts the embedded PostgreSQL's unix socket")
    proxy = LossyPgProxy(Path(socket_dir) / ".s.PGSQL.5432", loss=0.0).start()
    through_proxy = f"postgresql://{parts.username}@127.0.0.1:{proxy.port}{parts.path}"
    server = Server(through_proxy).start()
    proxy.loss = LOSS  # armed once the server has migrated and started
    players = make_players(make_player, 4)
    try:
        with storm(server.base_url, players, seed=5) as running:
            while running.rounds < ROUNDS_MIN // 2 and not running.errors:
                running.stop.wait(0.2)
    finally:
        server.stop()
        proxy.stop()
    assert proxy.lost_replies > 0
    assert_every_studio_retried(running)
    assert_history_replayed(ledger, loop, running)
    FIGURES.append(
        f"commit lost: {proxy.lost_replies} database replies dropped after commit,"
        f" {calls_figure(running)}, no double post"
    )

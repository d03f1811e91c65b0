"""PostgreSQL stopped for seconds under load: the studios get "service not available" at once,
/health says 503, and when the database returns the server recovers by itself; the retried
calls settle exactly once."""

from __future__ import annotations

import os
import secrets
import shutil
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from loadtest.studios.ambslot import callback_fields, post
from tests.chaos.harness import (
    FIGURES,
    OPENING_MINOR,
    assert_history_replayed,
    calls_made,
    retried_calls,
    storm,
)
from tests.support import LoopThread, Server, make_ledger, throwaway_database
from wallet.config import ROOT_DIR
from wallet.db import embedded_url, stop_embedded
from wallet.ledger.audit import audit
from wallet.ledger.database import LedgerDB
from wallet.ledger.players import Player, create_player, find_player
from wallet.migrations import migrate

OUTAGE_S = float(os.environ.get("CHAOS_OUTAGE_S", "3"))
ANSWER_S_MAX = 1.0


@pytest.fixture
def own_cluster() -> Iterator[Path]:
    """A PostgreSQL of this test's own: stopping it must not disturb the rest of the suite."""
    if os.environ.get("DATABASE_URL"):
        pytest.skip("needs the embedded PostgreSQL, which this test stops and starts")
    path = ROOT_DIR / ".data" / f"outage-{os.getpid()}"
    shutil.rmtree(path, ignore_errors=True)
    yield path
    stop_embedded(path)
    shutil.rmtree(path, ignore_errors=True)


def _probe(client: httpx.Client, username: str) -> tuple[int, float]:
    fields = callback_fields("bet", username, secrets.token_hex(8), amount_minor=100)
    started = time.monotonic()
    code = post(client, "bet", fields).json()["status"]["code"]
    return code, time.monotonic() - started


def test_database_outage_answers_fast_and_recovers_without_restart(
    own_cluster: Path, loop: LoopThread
) -> None:
    with throwaway_database(own_cluster) as url:
        migrate(url)
        ledger: LedgerDB = make_ledger(url, loop, pool_size=4)
        players: list[Player] = [
            loop.run(create_player(ledger, 1, f"o{secrets.token_hex(5)}", "THB", OPENING_MINOR))
            for _ in range(5)
        ]
        prober, players = players[0], players[1:]  # probes stay out of the studios' history
        server = Server(url).start()
        client = httpx.Client(base_url=server.base_url, timeout=5)
        try:
            with storm(server.base_url, players) as running:
                time.sleep(1.0)
                stop_embedded(own_cluster)
                down_until = time.monotonic() + OUTAGE_S
                probes = []
                while time.monotonic() < down_until:
                    probes.append(_probe(client, prober.username))
                    health = client.get("/health")
                    assert health.status_code == 503
                    time.sleep(0.2)
                embedded_url(own_cluster)  # the database comes back; the server is not touched
                time.sleep(2.0)
            recovered = _probe(client, prober.username)
        finally:
            client.close()
            server.stop()
        assert probes and all(code == 999 for code, _ in probes), probes
        assert max(elapsed for _, elapsed in probes) < ANSWER_S_MAX, probes
        assert recovered[0] == 0, "the server did not recover by itself"
        assert retried_calls(running) > 0
        loop.run(ledger.pool.check())  # this test's own pool still holds pre-outage connections
        assert_history_replayed(ledger, loop, running)
        probed = loop.run(find_player(ledger, 1, prober.username))
        assert probed is not None and probed.balance_minor == OPENING_MINOR - 100  # one bet landed
        report = loop.run(audit(ledger))
        assert report.ok, report.violations[:20]
        FIGURES.append(
            f"outage: PostgreSQL down {OUTAGE_S:g}s under load, {len(probes)} probes answered 999"
            f" in at most {max(e for _, e in probes) * 1000:.0f} ms, {calls_made(running)} calls"
            f" ({retried_calls(running)} retried), recovered without restart"
        )
        loop.run(ledger.dispose())

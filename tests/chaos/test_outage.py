"""PostgreSQL stopped for seconds under load (AMBSlot and iGamingAce playing at once): both
studios get "service not available" at once (999 and 1), /health says 503, and when the
database returns the server recovers by itself; the retried calls settle exactly once."""

from __future__ import annotations

import os
import secrets
import shutil
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import httpx
import pytest

from loadtest.studios import ambslot, igamingace
from tests.chaos.harness import (
    FIGURES,
    OPENING_MINOR,
    PATIENT_ACE,
    assert_every_studio_retried,
    assert_history_replayed,
    calls_figure,
    storm,
)
from tests.support import LoopThread, Server, make_ledger, throwaway_database
from wallet.config import ROOT_DIR
from wallet.db import embedded_url, stop_embedded
from wallet.directory.players import Player, create_player, find_player
from wallet.ledger.audit import audit
from wallet.ledger.database import LedgerDB
from wallet.migrations import migrate

OUTAGE_S = float(os.environ.get("CHAOS_OUTAGE_S", "3"))
ANSWER_S_MAX = 1.0
# Four studio threads, as many as when only AMBSlot played here: two players, each played by
# both studios, iGamingAce sending one copy of each call. (Calls queued behind a failed batch
# once waited out a second DB_POOL_TIMEOUT_S; since wallet/ledger/database.py waits 50 ms after
# a failure, the probes answer in tens of ms, but the storm's size is kept as it was.)
STUDIO_PLAYERS = 2
ACE = replace(PATIENT_ACE, copies_max=1)


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


PROBE_MINOR = 100  # each probe is a bet of 1.00 with a new id, sent once


def _probe(client: httpx.Client, username: str) -> tuple[int, float]:
    """An AMBSlot bet: its code and how long the answer took."""
    fields = ambslot.callback_fields(
        "bet", username, secrets.token_hex(8), amount_minor=PROBE_MINOR
    )
    started = time.monotonic()
    code = ambslot.post(client, "bet", fields).json()["status"]["code"]
    return code, time.monotonic() - started


def _probe_ace(client: httpx.Client, username: str) -> tuple[int, float]:
    """An iGamingAce Withdraw: its code and how long the answer took."""
    fields = igamingace.callback_fields("Withdraw", username, amount_minor=PROBE_MINOR)
    started = time.monotonic()
    code = igamingace.post(client, "Withdraw", fields).json()["code"]
    return code, time.monotonic() - started


def test_database_outage_answers_fast_and_recovers_without_restart(
    own_cluster: Path, loop: LoopThread
) -> None:
    with throwaway_database(own_cluster) as url:
        migrate(url)
        ledger: LedgerDB = make_ledger(url, loop, pool_size=4)
        players: list[Player] = [
            loop.run(create_player(ledger, 1, f"o{secrets.token_hex(5)}", "THB", OPENING_MINOR))
            for _ in range(1 + STUDIO_PLAYERS)
        ]
        prober, players = players[0], players[1:]  # probes stay out of the studios' history
        server = Server(url).start()
        client = httpx.Client(base_url=server.base_url, timeout=5)
        try:
            with storm(server.base_url, players, ace=ACE) as running:
                time.sleep(1.0)
                stop_embedded(own_cluster)
                down_until = time.monotonic() + OUTAGE_S
                probes, ace_probes = [], []
                while time.monotonic() < down_until:
                    probes.append(_probe(client, prober.username))
                    ace_probes.append(_probe_ace(client, prober.username))
                    health = client.get("/health")
                    assert health.status_code == 503
                    time.sleep(0.2)
                embedded_url(own_cluster)  # the database comes back; the server is not touched
                time.sleep(2.0)
            recovered = _probe(client, prober.username)
            ace_recovered = _probe_ace(client, prober.username)
        finally:
            client.close()
            server.stop()
        assert probes and all(code == 999 for code, _ in probes), probes
        assert ace_probes and all(code == 1 for code, _ in ace_probes), ace_probes
        assert max(elapsed for _, elapsed in probes + ace_probes) < ANSWER_S_MAX, probes
        assert recovered[0] == 0, "the server did not recover by itself (AMBSlot)"
        assert ace_recovered[0] == 0, "the server did not recover by itself (iGamingAce)"
        assert_every_studio_retried(running)
        loop.run(ledger.pool.check())  # this test's own pool still holds pre-outage connections
        assert_history_replayed(ledger, loop, running)
        probed = loop.run(find_player(ledger, 1, prober.username))
        # One probe of each studio landed: the two after the outage.
        assert probed is not None and probed.balance_minor == OPENING_MINOR - 2 * PROBE_MINOR
        report = loop.run(audit(ledger))
        assert report.ok, report.violations[:20]
        slowest_ms = max(e for _, e in probes + ace_probes) * 1000
        FIGURES.append(
            f"outage: PostgreSQL down {OUTAGE_S:g}s under load, {len(probes)} AMBSlot probes"
            f" answered 999 and {len(ace_probes)} iGamingAce probes 1, in at most"
            f" {slowest_ms:.0f} ms, {calls_figure(running)}, recovered without restart"
        )
        loop.run(ledger.dispose())

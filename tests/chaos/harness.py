"""Shared by the chaos tests: studios that keep playing while something breaks, and the check
that every balance ends where a plain replay of the studios' intended history ends."""

from __future__ import annotations

import random
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import httpx

from loadtest.studios.ambslot import AmbSlotStudio, StudioSettings
from tests.support import LoopThread
from wallet.ledger.database import LedgerDB
from wallet.ledger.players import Player, find_player

# Figures of this run, printed at the end of the test session (conftest.py) for the README.
FIGURES: list[str] = []

OPENING_MINOR = 10_000_000  # 100,000.00: no round of these tests can run a player dry
# A studio that retries for long: ~60 tries over more than a minute covers a restart or an
# outage of several seconds (iGamingAce itself retries 50 times).
PATIENT = StudioSettings(attempts_max=60, backoff_s=0.05, bet_minor_max=2_000)


@dataclass
class Storm:
    """Studio threads playing rounds for their players until told to stop."""

    studio: AmbSlotStudio
    players: list[Player]
    stop: threading.Event = field(default_factory=threading.Event)
    errors: list[BaseException] = field(default_factory=list)
    rounds: int = 0

    def _play(self, player: Player) -> None:
        try:
            while not self.stop.is_set():
                self.studio.play(player.username)
                self.rounds += 1
        except BaseException as error:  # a studio thread must not die silently
            self.errors.append(error)


@contextmanager
def storm(base_url: str, players: list[Player], seed: int = 1) -> Iterator[Storm]:
    client = httpx.Client(base_url=base_url, timeout=httpx.Timeout(3.0))
    running = Storm(AmbSlotStudio(client, PATIENT, random.Random(seed)), players)
    threads = [threading.Thread(target=running._play, args=(p,), daemon=True) for p in players]
    for thread in threads:
        thread.start()
    try:
        yield running
    finally:
        running.stop.set()
        for thread in threads:
            thread.join(120)
        client.close()
    assert not running.errors, running.errors[:3]


def assert_history_replayed(
    ledger: LedgerDB, loop: LoopThread, running: Storm, opening_minor: int = OPENING_MINOR
) -> None:
    """Every call was answered in the end, and each balance equals the intended history."""
    unanswered = [r for r in running.studio.rounds if not r.answered]
    assert not unanswered, f"{len(unanswered)} rounds never got every answer"
    for player in running.players:
        current = loop.run(find_player(ledger, 1, player.username))
        assert current is not None
        intended = running.studio.intended_balance(player.username, opening_minor)
        if current.balance_minor != intended:
            rounds = [
                (r.kind, [(c.operation, c.code, c.attempts, c.delta_minor) for c in r.calls])
                for r in running.studio.rounds
                if r.username == player.username
            ]
            raise AssertionError(
                f"{player.username}: ledger {current.balance_minor} != intended {intended}"
                f" (off by {current.balance_minor - intended}); rounds: {rounds}"
            )


def calls_made(running: Storm) -> int:
    return sum(len(r.calls) for r in running.studio.rounds)


def retried_calls(running: Storm) -> int:
    """Calls the studio had to send more than once: proof that something did break."""
    return sum(c.attempts > 1 for r in running.studio.rounds for c in r.calls)


def make_players(make_player: Callable[..., Player], count: int) -> list[Player]:
    return [make_player(balance_minor=OPENING_MINOR) for _ in range(count)]

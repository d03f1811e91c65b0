"""Shared by the chaos tests: studios that keep playing while something breaks, and the check
that every balance ends where a plain replay of the studios' intended history ends.

Both studio simulators play at once, for the same players, against the same server: AMBSlot
retries a call until it gets an answer other than 999, iGamingAce until it gets one other than
1 (both "service not available"), always with the same bytes. A player's intended balance is
the opening balance plus what each studio's history meant to move.
"""

from __future__ import annotations

import random
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Generic, TypeVar

import httpx

from loadtest.studios import igamingace
from loadtest.studios.ambslot import AmbSlotStudio, StudioSettings
from loadtest.studios.igamingace import IGamingAceStudio
from tests.support import LoopThread
from wallet.directory.players import Player, find_player
from wallet.ledger.database import LedgerDB

# Figures of this run, printed at the end of the test session (conftest.py) for the README.
FIGURES: list[str] = []

OPENING_MINOR = 10_000_000  # 100,000.00: no round of these tests can run a player dry
# A studio that retries for long: ~60 tries over more than a minute covers a restart or an
# outage of several seconds (iGamingAce itself retries 50 times).
PATIENT = StudioSettings(attempts_max=60, backoff_s=0.05, bet_minor_max=2_000)
# The same patience for iGamingAce; besides, some calls go out as two copies at once and some
# once more after their round (and its rollback) is over, as a studio that lost track does.
PATIENT_ACE = igamingace.StudioSettings(
    attempts_max=60, backoff_s=0.05, bet_minor_max=2_000, copies_max=2, late_resend=0.1
)
TIMEOUT = httpx.Timeout(3.0)
S = TypeVar("S", AmbSlotStudio, IGamingAceStudio)


class Studio(Generic[S]):
    """A studio simulator seen by the storm: it plays rounds and keeps their history. What
    differs between studios (what counts as a retry, a fault, a line of history) is below."""

    name: str

    def __init__(self, studio: S) -> None:
        self.studio = studio
        self.client: httpx.Client = studio.client

    def play(self, username: str) -> None:
        self.studio.play(username)

    def rounds(self) -> int:
        return len(self.studio.rounds)

    def net_minor(self, username: str) -> int:  # what its history meant to move
        return self.studio.intended_balance(username, 0)

    def calls(self) -> int:
        return sum(len(r.calls) for r in self.studio.rounds)

    def retried(self) -> int:  # calls sent more than once because of no or a 999/1 answer
        raise NotImplementedError

    def faults(self) -> list[str]:  # calls never settled, answers that disagree
        raise NotImplementedError

    def history(self, username: str) -> list[object]:  # for the message of a failure
        raise NotImplementedError


class AmbSlot(Studio[AmbSlotStudio]):
    name = "AMBSlot"

    def __init__(self, base_url: str, seed: int) -> None:
        client = httpx.Client(base_url=base_url, timeout=TIMEOUT)
        super().__init__(AmbSlotStudio(client, PATIENT, random.Random(seed)))

    def retried(self) -> int:
        return sum(c.attempts > 1 for r in self.studio.rounds for c in r.calls)

    def faults(self) -> list[str]:
        return [
            f"AMBSlot {c.operation} {c.transaction_id}: {c.code} after {c.attempts} tries"
            for r in self.studio.rounds
            for c in r.calls
            if c.code in (None, 999)
        ]

    def history(self, username: str) -> list[object]:
        return [
            (r.kind, [(c.operation, c.code, c.attempts, c.delta_minor) for c in r.calls])
            for r in self.studio.rounds
            if r.username == username
        ]


class IGamingAce(Studio[IGamingAceStudio]):
    name = "iGamingAce"

    def __init__(
        self, base_url: str, seed: int, settings: igamingace.StudioSettings = PATIENT_ACE
    ) -> None:
        client = httpx.Client(base_url=base_url, timeout=TIMEOUT)
        super().__init__(IGamingAceStudio(client, settings, random.Random(seed)))

    def retried(self) -> int:
        # attempts counts every try of every sending (copies, late resends): more tries than
        # sendings means some sending had to be retried.
        return sum(c.attempts > len(c.answers) for r in self.studio.rounds for c in r.calls)

    def faults(self) -> list[str]:
        faults = []
        for rnd in self.studio.rounds:
            for call in rnd.calls:
                what = f"iGamingAce {call.endpoint} {call.transaction_id}"
                if any(code in (None, 1) for code in call.codes):
                    faults.append(f"{what}: {call.codes} after {call.attempts} tries")
                # Every answer saying the call happened (0, or 11 for a repeat) names the same
                # transaction and the balance right after it, whatever broke in between.
                done = [a for a in call.answers if a is not None and a.get("code") in (0, 11)]
                told = {(a.get("platformTransactionID"), str(a.get("balance"))) for a in done}
                if len(told) > 1:
                    faults.append(f"{what}: answers disagree {done}")
        return faults

    def history(self, username: str) -> list[object]:
        return [
            (r.kind, [(c.endpoint, c.codes, c.attempts, c.delta_minor) for c in r.calls])
            for r in self.studio.rounds
            if r.username == username
        ]


@dataclass
class Storm:
    """Studio threads, one per studio and player, playing rounds until told to stop."""

    studios: list[Studio]
    players: list[Player]
    stop: threading.Event = field(default_factory=threading.Event)
    errors: list[BaseException] = field(default_factory=list)

    @property
    def rounds(self) -> int:
        """Rounds of the studio that played fewest: each studio played at least this many."""
        return min(studio.rounds() for studio in self.studios)

    def _play(self, studio: Studio, player: Player) -> None:
        try:
            while not self.stop.is_set():
                studio.play(player.username)
        except BaseException as error:  # a studio thread must not die silently
            self.errors.append(error)


@contextmanager
def storm(
    base_url: str,
    players: list[Player],
    seed: int = 1,
    ace: igamingace.StudioSettings = PATIENT_ACE,
) -> Iterator[Storm]:
    """Both studios playing for every player at once, until the block ends."""
    studios: list[Studio] = [AmbSlot(base_url, seed), IGamingAce(base_url, seed + 1000, ace)]
    running = Storm(studios, players)
    threads = [
        threading.Thread(target=running._play, args=(studio, player), daemon=True)
        for studio in running.studios
        for player in players
    ]
    for thread in threads:
        thread.start()
    try:
        yield running
    finally:
        running.stop.set()
        for thread in threads:
            thread.join(120)
        for studio in running.studios:
            studio.client.close()
    assert not running.errors, running.errors[:3]


def assert_history_replayed(
    ledger: LedgerDB, loop: LoopThread, running: Storm, opening_minor: int = OPENING_MINOR
) -> None:
    """Every call was answered in the end, and each balance equals the intended history."""
    faults = [fault for studio in running.studios for fault in studio.faults()]
    assert not faults, f"{len(faults)} calls never settled or settled two ways: {faults[:5]}"
    for player in running.players:
        current = loop.run(find_player(ledger, 1, player.username))
        assert current is not None
        intended = opening_minor + sum(s.net_minor(player.username) for s in running.studios)
        if current.balance_minor != intended:
            histories = {s.name: s.history(player.username) for s in running.studios}
            raise AssertionError(
                f"{player.username}: ledger {current.balance_minor} != intended {intended}"
                f" (off by {current.balance_minor - intended}); rounds: {histories}"
            )


def assert_every_studio_retried(running: Storm) -> None:
    """Proof that something did break under each studio's calls."""
    quiet = [studio.name for studio in running.studios if studio.retried() == 0]
    assert not quiet, f"no call of {quiet} had to be retried"


def calls_made(running: Storm) -> int:
    return sum(studio.calls() for studio in running.studios)


def retried_calls(running: Storm) -> int:
    """Calls the studios had to send more than once: proof that something did break."""
    return sum(studio.retried() for studio in running.studios)


def calls_figure(running: Storm) -> str:
    """The calls of each studio, for FIGURES: "AMBSlot 1200 calls (15 retried) + ..."."""
    return " + ".join(
        f"{studio.name} {studio.calls()} calls ({studio.retried()} retried)"
        for studio in running.studios
    )


def make_players(make_player: Callable[..., Player], count: int) -> list[Player]:
    return [make_player(balance_minor=OPENING_MINOR) for _ in range(count)]

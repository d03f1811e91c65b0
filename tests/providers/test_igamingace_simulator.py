"""The simulated iGamingAce studio in a retry storm: each call sent up to five times, copies
at the same moment, some again after the round (and its rollback) was over, rollbacks racing
their calls. The ledger must end exactly where a plain replay of the intended history ends."""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from typing import Any

import httpx

from loadtest.studios.igamingace import (
    ROLLBACK,
    ROUND_KINDS,
    Call,
    IGamingAceStudio,
    Round,
    StudioSettings,
)
from tests.providers.test_igamingace_support import balance_minor
from tests.support import LoopThread, Server
from wallet.directory.players import Player
from wallet.ledger.database import LedgerDB

OPENING_MINOR = 500_000  # far above what 32 rounds of bets up to 50.00 can lose: no 6
PLAYERS = 4
ROUNDS = 32  # about 59 calls per player: over 200 in all
STORM = StudioSettings(copies_max=4, late_resend=0.3)  # each call sent 1 to 5 times


def minor(value: Any) -> int:
    """Minor units of a balance the studio read (deliver parses JSON numbers as floats; their
    shortest repr is the decimal text we wrote)."""
    return int(Decimal(str(value)).scaleb(2))


def play_all(studio: IGamingAceStudio, players: list[Player], rounds: int) -> None:
    def play(player: Player) -> None:
        for index in range(rounds):
            # Every kind at least once per player, then at random.
            studio.play(player.username, ROUND_KINDS[index] if index < len(ROUND_KINDS) else None)

    with ThreadPoolExecutor(len(players)) as pool:
        list(pool.map(play, players))


def once_then(codes: list[int | None], first: int, repeat: int) -> bool:
    """One answer `first`, every other `repeat` (the copies and resends of one call)."""
    return sorted(codes, key=str) == sorted([first] + [repeat] * (len(codes) - 1), key=str)


def check_round(rnd: Round) -> str:
    """Each call's answers fit the round; returns how each rollback went."""
    outcomes = []
    for call in rnd.calls:
        if call.endpoint == ROLLBACK:
            continue
        target_of = [c for c in rnd.calls if c.endpoint == ROLLBACK]
        rollback = next((c for c in target_of if c.transaction_id == call.transaction_id), None)
        if rollback is None:
            assert once_then(call.codes, 0, 11), (rnd.kind, call.endpoint, call.codes)
        elif once_then(call.codes, 0, 11):
            assert once_then(rollback.codes, 0, 9), (rnd.kind, rollback.codes)
            outcomes.append("rolled back")
        else:
            assert set(call.codes) == {9} and set(rollback.codes) == {8}, (rnd.kind, call.codes)
            outcomes.append("overtaken")
        check_answers_agree(call)
    if rnd.kind == "orphan_rollback":
        assert outcomes == ["overtaken"]
    elif rnd.kind.startswith("rollback_"):
        assert outcomes == ["rolled back"]
    return ",".join(outcomes) or "plain"


def check_answers_agree(call: Call) -> None:
    """Every answer that says the call happened names the same transaction and balance."""
    done = [a for a in call.answers if a is not None and a["code"] in (0, 11)]
    assert len({a["platformTransactionID"] for a in done}) <= 1, done
    assert len({minor(a["balance"]) for a in done}) <= 1, done


def plain_replay(rounds: list[Round], opening_minor: int) -> int:
    """The studio's intent, whatever the answers: every money call, except those rolled back."""
    total = opening_minor
    for rnd in rounds:
        rolled_back = {c.transaction_id for c in rnd.calls if c.endpoint == ROLLBACK}
        total += sum(
            c.delta_minor
            for c in rnd.calls
            if c.endpoint != ROLLBACK and c.transaction_id not in rolled_back
        )
    return total


def test_a_retry_storm_ends_at_the_intended_balances(
    server: Server, ledger: LedgerDB, loop: LoopThread, make_player: Callable[..., Player]
) -> None:
    players = [make_player(balance_minor=OPENING_MINOR) for _ in range(PLAYERS)]
    with httpx.Client(base_url=server.base_url, timeout=10) as client:
        studio = IGamingAceStudio(client, STORM, rng=random.Random(5))
        play_all(studio, players, ROUNDS)
        balances = [studio.balance(p.username) for p in players]

    calls = [c for r in studio.rounds for c in r.calls]
    assert len(calls) >= 200
    sends = Counter(len(c.answers) for c in calls)
    assert max(sends) == 5 and sends[1] > 0, sends
    assert any(c.late_sends for r in studio.rounds for c in r.calls if r.rolled_back(c))
    assert {r.kind for r in studio.rounds} == set(ROUND_KINDS)
    assert all(r.answered for r in studio.rounds)
    races = Counter(check_round(r) for r in studio.rounds if r.kind == "racing_rollback")
    assert sum(races.values()) >= PLAYERS, races
    for rnd in studio.rounds:
        check_round(rnd)
    for player, answer in zip(players, balances, strict=True):
        own = [r for r in studio.rounds if r.username == player.username]
        intended = plain_replay(own, OPENING_MINOR)
        assert studio.intended_balance(player.username, OPENING_MINOR) == intended
        assert balance_minor(ledger, loop, player.username) == intended
        assert answer is not None and answer["code"] == 0
        assert minor(answer["balance"]) == intended


def test_a_studio_with_its_own_agent_and_secret_is_served(
    start_server: Callable[[Mapping[str, str]], Server],
    ledger: LedgerDB,
    loop: LoopThread,
    make_player: Callable[..., Player],
) -> None:
    server = start_server({"IGAMINGACE_AGENT_ID": "ace-prod", "IGAMINGACE_SECRET": "s3cr3t-k3y"})
    players = [make_player(balance_minor=OPENING_MINOR) for _ in range(2)]
    settings = StudioSettings(agent_id="ace-prod", secret="s3cr3t-k3y")
    with httpx.Client(base_url=server.base_url, timeout=10) as client:
        studio = IGamingAceStudio(client, settings, rng=random.Random(3))
        play_all(studio, players, 10)
        # The demo agent and secret are not this server's.
        stranger = IGamingAceStudio(client, StudioSettings(agent_id="ace-prod"))
        assert (stranger.balance(players[0].username) or {}).get("code") == 3
    for rnd in studio.rounds:
        check_round(rnd)
    for player in players:
        intended = studio.intended_balance(player.username, OPENING_MINOR)
        assert balance_minor(ledger, loop, player.username) == intended

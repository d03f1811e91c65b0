"""The simulated AMBSlot studio plays many rounds over a network that loses calls and answers;
the ledger must end exactly where a plain replay of the studio's intended history ends."""

from __future__ import annotations

import random
import secrets
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from typing import Any

import httpx

from loadtest.studios.ambslot import (
    ROUND_KINDS,
    AmbSlotStudio,
    LossyTransport,
    Round,
    StudioSettings,
)
from tests.support import LoopThread, Server
from wallet.directory.players import Player, find_player
from wallet.ledger.database import LedgerDB

OPENING_MINOR = 200_000  # far above what 25 rounds of bets up to 50.00 can lose: no 800s
PLAYERS = 5
ROUNDS = 25

# What each kind of round must be answered, call by call (no insufficient balance here).
EXPECTED_CODES = {
    "settle": [0],
    "cancel": [0, 0],
    "orphan_cancel": [0, 607],
}


def minor(value: Any) -> int:
    """Minor units of a balance the studio read (deliver parses JSON numbers as floats; their
    shortest repr is the decimal text we wrote)."""
    return int(Decimal(str(value)).scaleb(2))


def balance_minor(ledger: LedgerDB, loop: LoopThread, username: str) -> int:
    player = loop.run(find_player(ledger, 1, username))
    assert player is not None
    return player.balance_minor


def play_all(studio: AmbSlotStudio, players: list[Player], rounds: int) -> None:
    def play(player: Player) -> None:
        for _ in range(rounds):
            studio.play(player.username)

    with ThreadPoolExecutor(len(players)) as pool:
        list(pool.map(play, players))


def check_round_codes(rnd: Round) -> None:
    codes = [c.code for c in rnd.calls]
    if rnd.kind == "spins":
        assert codes == [0] * len(codes) and 1 <= len(codes) <= 4, codes
    else:
        assert codes == EXPECTED_CODES[rnd.kind], (rnd.kind, codes)


def check_answer_chain(rounds: list[Round], opening_minor: int) -> int:
    """Each answer that moved money starts where the previous one ended and moves what the call
    meant to move (a replayed answer too: it is the original's)."""
    running = opening_minor
    for rnd in rounds:
        for call in rnd.calls:
            assert call.answer is not None
            data = call.answer["data"]
            if call.code != 0:
                assert minor(data["wallet"]["balance"]) == running
                continue
            before, after = minor(data["balance"]["before"]), minor(data["balance"]["after"])
            assert before == running, (rnd.kind, call)
            assert after - before == call.delta_minor, (rnd.kind, call)
            running = after
    return running


def test_many_rounds_over_a_lossy_network_end_at_the_intended_balances(
    server: Server, ledger: LedgerDB, loop: LoopThread, make_player: Callable[..., Player]
) -> None:
    players = [make_player(balance_minor=OPENING_MINOR) for _ in range(PLAYERS)]
    transport = LossyTransport(0.2, random.Random(7))
    with httpx.Client(base_url=server.base_url, transport=transport, timeout=10) as client:
        studio = AmbSlotStudio(client, rng=random.Random(11))
        play_all(studio, players, ROUNDS)
        balances = [studio.balance(p.username) for p in players]

    assert transport.lost_answers > 0 and transport.lost_requests > 0
    assert any(call.attempts > 1 for rnd in studio.rounds for call in rnd.calls)
    assert {rnd.kind for rnd in studio.rounds} == set(ROUND_KINDS)
    assert all(rnd.answered for rnd in studio.rounds)
    for player, answer in zip(players, balances, strict=True):
        own = [rnd for rnd in studio.rounds if rnd.username == player.username]
        assert len(own) == ROUNDS
        for rnd in own:
            check_round_codes(rnd)
        intended = studio.intended_balance(player.username, OPENING_MINOR)
        assert check_answer_chain(own, OPENING_MINOR) == intended
        assert balance_minor(ledger, loop, player.username) == intended
        assert answer is not None and minor(answer["data"]["wallet"]["balance"]) == intended


def test_a_studio_that_signs_its_calls_is_served(
    start_server: Callable[[Mapping[str, str]], Server],
    ledger: LedgerDB,
    loop: LoopThread,
    make_player: Callable[..., Player],
) -> None:
    key = secrets.token_hex(16)
    server = start_server({"AMBSLOT_KEY": key, "AMBSLOT_AGENT_ID": "amb-signed"})
    players = [make_player(balance_minor=OPENING_MINOR) for _ in range(2)]
    settings = StudioSettings(agent_id="amb-signed", key=key, game_ids=("GH", "PG"))
    with httpx.Client(base_url=server.base_url, timeout=10) as client:
        studio = AmbSlotStudio(client, settings, rng=random.Random(3))
        play_all(studio, players, 8)
    for player in players:
        own = [rnd for rnd in studio.rounds if rnd.username == player.username]
        for rnd in own:
            check_round_codes(rnd)
        intended = studio.intended_balance(player.username, OPENING_MINOR)
        assert balance_minor(ledger, loop, player.username) == intended

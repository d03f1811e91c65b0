"""Each simulator behaviour against the two-phase moves: a definite answer settles the move, an
unknown one leaves the money pending until the reconciler gets a final state from the studio."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

import pytest
from pydantic import ValidationError

from tests.support import LoopThread, free_port
from tests.transfer.conftest import STUDIO, StudioSim
from wallet.config import Settings
from wallet.directory.players import Player, find_player, set_status
from wallet.ledger.accounts import balance_of
from wallet.ledger.database import LedgerDB
from wallet.moves.transfer_wallet import find_move, move_accounts
from wallet.transfer.client import StudioClient
from wallet.transfer.moves import TransferRefused, grace_s, transfer_in, transfer_out
from wallet.transfer.reconciler import background_round, reconcile

START = 100_00
AMOUNT = 30_00


def figures(ledger: LedgerDB, loop: LoopThread, player: Player) -> tuple[int, int, int]:
    """(main, pending_out, held) of the player, minor units."""
    accounts = loop.run(move_accounts(ledger, player.id, player.currency, STUDIO))
    return (
        loop.run(balance_of(ledger, accounts.main)),
        loop.run(balance_of(ledger, accounts.pending)),
        loop.run(balance_of(ledger, accounts.held)),
    )


def reconciled(ledger: LedgerDB, loop: LoopThread, client: StudioClient) -> None:
    report = loop.run(reconcile(ledger, client, fix=True, wait_s=10))
    assert report.clean, report.lines


# behaviour -> (status the caller sees, whether the studio applied it in the end)
OUT_CASES = {
    "ok": ("done", True),
    "fail": ("failed", False),
    "timeout_after": ("pending", True),
    "timeout_before": ("pending", True),  # the reconciler resends it under its own id
    "error_500": ("pending", True),
    "error_500_after": ("pending", True),
    "duplicate": ("done", True),
    "slow": ("done", True),
}


@pytest.mark.parametrize("behaviour", list(OUT_CASES))
def test_transfer_out(
    behaviour: str,
    fresh_sim: StudioSim,
    make_client: Callable[..., StudioClient],
    make_player: Callable[..., Player],
    ledger: LedgerDB,
    loop: LoopThread,
) -> None:
    client = make_client(fresh_sim)
    player = make_player("THB", START)
    fresh_sim.control(next=[behaviour])
    result = loop.run(transfer_out(ledger, client, player, AMOUNT, None))
    status, applied = OUT_CASES[behaviour]
    assert result.move.status == status
    if status == "pending":  # the money waits in pending_out: neither lost nor delivered
        assert figures(ledger, loop, player) == (START - AMOUNT, AMOUNT, 0)
    reconciled(ledger, loop, client)
    studio = fresh_sim.balance_minor(player.username)
    assert studio == (AMOUNT if applied else 0)
    assert figures(ledger, loop, player) == (START - studio, 0, studio)
    again = loop.run(transfer_out(ledger, client, player, AMOUNT, None))  # the studio works on
    assert again.move.status == "done"


IN_CASES = {
    "ok": ("done", True),
    "fail": ("failed", False),
    "timeout_after": ("pending", True),
    "timeout_before": ("pending", True),
    "error_500": ("pending", True),
    "error_500_after": ("pending", True),
    "duplicate": ("done", True),
    "slow": ("done", True),
}


@pytest.mark.parametrize("behaviour", list(IN_CASES))
@pytest.mark.parametrize("amount", [10_00, None], ids=["amount", "all"])
def test_transfer_in(
    behaviour: str,
    amount: int | None,
    fresh_sim: StudioSim,
    make_client: Callable[..., StudioClient],
    make_player: Callable[..., Player],
    ledger: LedgerDB,
    loop: LoopThread,
) -> None:
    client = make_client(fresh_sim)
    player = make_player("THB", START)
    assert loop.run(transfer_out(ledger, client, player, AMOUNT, None)).move.status == "done"
    fresh_sim.control(next=[behaviour])
    result = loop.run(transfer_in(ledger, client, player, amount, None))
    status, applied = IN_CASES[behaviour]
    assert result.move.status == status
    if status != "done":  # the player is credited only once the studio confirms
        assert figures(ledger, loop, player) == (START - AMOUNT, 0, AMOUNT)
    reconciled(ledger, loop, client)
    taken = (AMOUNT if amount is None else amount) if applied else 0
    assert fresh_sim.balance_minor(player.username) == AMOUNT - taken
    assert figures(ledger, loop, player) == (START - AMOUNT + taken, 0, AMOUNT - taken)


def test_definite_refusals_move_nothing(
    fresh_sim: StudioSim,
    make_client: Callable[..., StudioClient],
    make_player: Callable[..., Player],
    ledger: LedgerDB,
    loop: LoopThread,
) -> None:
    client = make_client(fresh_sim)
    player = make_player("THB", START)
    with pytest.raises(TransferRefused, match="insufficient"):
        loop.run(transfer_out(ledger, client, player, START + 1, None))
    assert loop.run(transfer_out(ledger, client, player, AMOUNT, None)).move.status == "done"
    # More than the studio holds: 202 code 102, a definite failure; nothing credited.
    result = loop.run(transfer_in(ledger, client, player, AMOUNT + 1, None))
    assert result.move.status == "failed"
    assert "code 102" in (result.move.detail or "")
    fresh_sim.control(block=[player.username])  # code 9, blocked user
    assert loop.run(transfer_out(ledger, client, player, 1, None)).move.status == "failed"
    assert figures(ledger, loop, player) == (START - AMOUNT, 0, AMOUNT)
    krw = make_player("EUR", 100)
    with pytest.raises(TransferRefused, match="does not take EUR"):
        loop.run(transfer_out(ledger, client, krw, 1, None))


def test_idempotency_key_finds_its_move(
    fresh_sim: StudioSim,
    make_client: Callable[..., StudioClient],
    make_player: Callable[..., Player],
    ledger: LedgerDB,
    loop: LoopThread,
) -> None:
    client = make_client(fresh_sim)
    player = make_player("THB", START)
    fresh_sim.control(next=["timeout_after"])
    first = loop.run(transfer_out(ledger, client, player, AMOUNT, "lobby-1"))
    assert first.move.status == "pending"
    # The lobby resends: the same move is sent again under its own id and settles; no second.
    second = loop.run(transfer_out(ledger, client, player, AMOUNT, "lobby-1"))
    assert second.replay and second.move.txn_id == first.move.txn_id
    assert second.move.status == "done"
    with pytest.raises(TransferRefused, match="conflict"):
        loop.run(transfer_out(ledger, client, player, AMOUNT + 1, "lobby-1"))
    assert fresh_sim.balance_minor(player.username) == AMOUNT
    assert figures(ledger, loop, player) == (START - AMOUNT, 0, AMOUNT)


def test_client_retries_resend_under_the_same_id(
    fresh_sim: StudioSim,
    make_client: Callable[..., StudioClient],
    make_player: Callable[..., Player],
    ledger: LedgerDB,
    loop: LoopThread,
) -> None:
    client = make_client(fresh_sim, retries=3)
    player = make_player("THB", START)
    fresh_sim.control(next=["error_500_after", "timeout_after", "error_500"])
    result = loop.run(transfer_out(ledger, client, player, AMOUNT, None))
    assert result.move.status == "done"  # the resends got the original answer
    state = fresh_sim.state()
    assert state["transactions"][result.move.txn_id] == {"type": "deposit", "applied": True}
    assert fresh_sim.balance_minor(player.username) == AMOUNT


def test_reconcile_reports_without_fix_and_books_with_it(
    fresh_sim: StudioSim,
    make_client: Callable[..., StudioClient],
    make_player: Callable[..., Player],
    ledger: LedgerDB,
    loop: LoopThread,
) -> None:
    client = make_client(fresh_sim)
    player = make_player("THB", START)
    fresh_sim.control(next=["timeout_after"])
    loop.run(transfer_out(ledger, client, player, AMOUNT, None))
    report = loop.run(reconcile(ledger, client, fix=False, wait_s=0))
    assert report.still_pending == 1 and any("would be done" in x for x in report.lines)
    assert figures(ledger, loop, player) == (START - AMOUNT, AMOUNT, 0)  # changed nothing
    reconciled(ledger, loop, client)
    # The player won 5.00 at the studio: a difference, reported, then booked with --fix.
    fresh_sim.control()  # no-op; the win is a deposit of the studio's own
    loop.run(client.deposit(player.username, "THB", 5_00, 2, "studio-win-1"))
    report = loop.run(reconcile(ledger, client, fix=False, wait_s=0))
    assert report.differences == 1
    assert any("held 30.00 studio 35.00 (5.00)" in x for x in report.lines)
    report = loop.run(reconcile(ledger, client, fix=True, wait_s=0))
    assert report.differences == 1  # found and booked
    assert figures(ledger, loop, player) == (START - AMOUNT, 0, AMOUNT + 5_00)
    reconciled(ledger, loop, client)  # and now nothing differs
    result = loop.run(transfer_in(ledger, client, player, None, None))
    assert result.move.amount_minor == AMOUNT + 5_00
    found = loop.run(find_player(ledger, 1, player.username))
    assert found is not None and found.balance_minor == START + 5_00


def test_reconciler_backs_off_until_check_transaction_answers(
    fresh_sim: StudioSim,
    make_client: Callable[..., StudioClient],
    make_player: Callable[..., Player],
    ledger: LedgerDB,
    loop: LoopThread,
) -> None:
    client = make_client(fresh_sim)
    player = make_player("THB", START)
    fresh_sim.control(next=["timeout_after"])
    move = loop.run(transfer_out(ledger, client, player, AMOUNT, None)).move
    assert move.status == "pending"
    # Check Transaction itself fails: no final state, so nothing moves, however often we ask.
    fresh_sim.control(check_next=["error_500", "error_500"])
    report = loop.run(reconcile(ledger, client, fix=True, wait_s=0))
    assert report.still_pending == 1
    assert figures(ledger, loop, player) == (START - AMOUNT, AMOUNT, 0)
    # A timeout, then a 500, then the state: the reconciler keeps asking, with backoff.
    fresh_sim.control(check_next=["error_500", "timeout_before", "error_500"])
    began = time.monotonic()
    reconciled(ledger, loop, client)
    assert time.monotonic() - began >= 0.05 + 0.1 + 0.2  # three pauses, doubling
    found = loop.run(find_move(ledger, move.txn_id))
    assert found is not None and found.status == "done" and found.checks >= 4
    assert figures(ledger, loop, player) == (START - AMOUNT, 0, AMOUNT)


def test_concurrent_reconcilers_settle_each_move_once(
    fresh_sim: StudioSim,
    make_client: Callable[..., StudioClient],
    make_player: Callable[..., Player],
    ledger: LedgerDB,
    loop: LoopThread,
) -> None:
    """Two `wallet reconcile --fix` and two servers' background rounds at once, over moves the
    studio applied and moves it never saw (each resent under its own id)."""
    client = make_client(fresh_sim)
    players = [make_player("THB", START) for _ in range(12)]
    fresh_sim.control(next=["timeout_after", "error_500"] * 6)

    async def start_all() -> None:
        await asyncio.gather(*(transfer_out(ledger, client, p, AMOUNT, None) for p in players))

    loop.run(start_all())
    assert all(figures(ledger, loop, p)[1] == AMOUNT for p in players)
    time.sleep(grace_s(client))  # the background rounds take due moves only

    async def race() -> None:
        clients = {STUDIO: client}
        await asyncio.gather(
            reconcile(ledger, client, fix=True, wait_s=10),
            reconcile(ledger, client, fix=True, wait_s=10),
            background_round(ledger, clients, compare=True),
            background_round(ledger, clients, compare=False),
        )

    loop.run(race())
    reconciled(ledger, loop, client)
    for player in players:
        assert figures(ledger, loop, player) == (START - AMOUNT, 0, AMOUNT)
        assert fresh_sim.balance_minor(player.username) == AMOUNT


def test_a_studio_that_does_not_answer_or_refuses_us_moves_nothing(
    fresh_sim: StudioSim,
    make_client: Callable[..., StudioClient],
    make_player: Callable[..., Player],
    ledger: LedgerDB,
    loop: LoopThread,
) -> None:
    down = make_client(fresh_sim, base_url=f"http://127.0.0.1:{free_port()}")
    player = make_player("THB", START)
    with pytest.raises(TransferRefused, match="studio unavailable"):
        loop.run(transfer_out(ledger, down, player, AMOUNT, None))
    wrong_key = make_client(fresh_sim, key="another key")  # the studio answers 202 code 3
    with pytest.raises(TransferRefused, match="studio refused account init: code 3"):
        loop.run(transfer_out(ledger, wrong_key, player, AMOUNT, None))
    wrong_agent = make_client(fresh_sim, agent="someone")  # 202 code 6
    with pytest.raises(TransferRefused, match="code 6 invalid agent"):
        loop.run(transfer_in(ledger, wrong_agent, player, None, None))
    found = loop.run(find_player(ledger, 1, player.username))
    assert found is not None and found.balance_minor == START


def test_a_blocked_player_can_bring_money_home_only(
    fresh_sim: StudioSim,
    make_client: Callable[..., StudioClient],
    make_player: Callable[..., Player],
    ledger: LedgerDB,
    loop: LoopThread,
) -> None:
    client = make_client(fresh_sim)
    player = make_player("THB", START)
    assert loop.run(transfer_out(ledger, client, player, AMOUNT, None)).move.status == "done"
    assert loop.run(set_status(ledger, 1, player.username, "blocked"))
    blocked = loop.run(find_player(ledger, 1, player.username))
    assert blocked is not None
    with pytest.raises(TransferRefused, match="blocked"):
        loop.run(transfer_out(ledger, client, blocked, 1, None))
    assert loop.run(transfer_in(ledger, client, blocked, None, None)).move.status == "done"
    assert figures(ledger, loop, player) == (START, 0, 0)


def test_studio_names_are_checked_by_the_settings() -> None:
    studio = {"base_url": "http://127.0.0.1:1", "agent": "a", "codec": "plain"}
    assert Settings(transfer_studios={"demo-1": studio}).transfer_studios["demo-1"].agent == "a"
    with pytest.raises(ValidationError, match="bad studio name"):
        Settings(transfer_studios={"Demo Studio": studio})
    with pytest.raises(ValidationError):
        Settings(transfer_studios={"demo": {**studio, "codec": "rot13"}})

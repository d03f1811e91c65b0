"""Moving a player's money to a studio and back (protocols/transfer.md, "Our rules").

Out: the reserve (main -> pending_out) and the move's row are one database transaction; then
the studio's Account Deposit; then pending_out -> held on success, back to main on a definite
failure. In: the row first (no money), then Account Withdraw; the player is credited only on the
studio's success. An unknown answer leaves the move pending for the reconciler: no guess ever
moves money, and a move is only ever resent under its own transaction id.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass

from wallet.directory.players import Player
from wallet.ledger.database import LedgerDB
from wallet.moves import transfer_wallet as ledger
from wallet.moves.transfer_wallet import Move
from wallet.transfer.client import Answer, StudioClient, Verdict

TXN_PREFIX = "tw"


class TransferRefused(Exception):
    """Refused before anything moved: a bad request, insufficient balance, a reused key."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def txn_id_for(studio: str, idempotency_key: str | None) -> str:
    """Our transaction id: derived from the caller's idempotency key (a resend finds its move),
    or random. Never reused for another move."""
    if idempotency_key is None:
        return f"{TXN_PREFIX}{secrets.token_hex(15)}"
    digest = hashlib.sha256(f"{studio}\0{idempotency_key}".encode()).hexdigest()
    return f"{TXN_PREFIX}{digest[:30]}"


@dataclass(frozen=True, slots=True)
class Result:
    move: Move
    replay: bool  # the idempotency key's earlier move


def grace_s(client: StudioClient) -> float:
    """How long a move's own caller may still be waiting for the studio's answer."""
    studio = client.studio
    return studio.timeout_s * (studio.retries + 1) + studio.backoff_max_s * studio.retries + 1


async def transfer_out(
    db: LedgerDB, client: StudioClient, player: Player, amount_minor: int, key: str | None
) -> Result:
    if amount_minor <= 0:
        raise TransferRefused("amount must be positive")
    return await _start(db, client, player, "out", amount_minor, key)


async def transfer_in(
    db: LedgerDB, client: StudioClient, player: Player, amount_minor: int | None, key: str | None
) -> Result:
    """amount_minor None: all of the player's balance at the studio."""
    if amount_minor is not None and amount_minor <= 0:
        raise TransferRefused("amount must be positive")
    return await _start(db, client, player, "in", amount_minor, key)


async def _start(
    db: LedgerDB,
    client: StudioClient,
    player: Player,
    direction: str,
    amount_minor: int | None,
    key: str | None,
) -> Result:
    if player.currency not in client.studio.currencies:
        raise TransferRefused(f"studio {client.name} does not take {player.currency}")
    if player.status != "active" and direction == "out":  # a blocked player's money may come home
        raise TransferRefused("player blocked")
    txn_id = txn_id_for(client.name, key)
    if await ledger.find_move(db, txn_id) is None:  # first time: the studio's account first
        init = await client.init(player.username, player.currency)
        if init.verdict == Verdict.FAILED:  # nothing moved yet: a refusal either way
            raise TransferRefused(f"studio refused account init: code {init.code} {init.detail}")
        if init.verdict != Verdict.OK:
            raise TransferRefused(f"studio unavailable: account init {init.detail}")
    accounts = await ledger.move_accounts(db, player.id, player.currency, client.name)
    outcome = await ledger.begin(
        db,
        txn_id=txn_id,
        studio=client.name,
        player_id=player.id,
        currency=player.currency,
        direction=direction,
        amount_minor=amount_minor,
        accounts=accounts,
        grace_s=grace_s(client),
    )
    if outcome not in ("new", "replay"):
        raise TransferRefused(outcome)
    move = await ledger.find_move(db, txn_id)
    assert move is not None
    if move.status == "pending":  # new, or a replay whose studio answer was unknown so far
        move = await drive(db, client, move, accounts)
    return Result(move, replay=outcome == "replay")


async def drive(
    db: LedgerDB, client: StudioClient, move: Move, accounts: ledger.MoveAccounts
) -> Move:
    """Send the move (again, under its own transaction id) and settle on a definite answer."""
    if move.direction == "out":
        assert move.amount_minor is not None
        answer = await client.deposit(
            move.username, move.currency, move.amount_minor, move.exponent, move.txn_id
        )
    else:
        answer = await client.withdraw(
            move.username, move.currency, move.amount_minor, move.exponent, move.txn_id
        )
    await apply_answer(db, client, move, accounts, answer)
    found = await ledger.find_move(db, move.txn_id)
    assert found is not None
    return found


async def apply_answer(
    db: LedgerDB,
    client: StudioClient,
    move: Move,
    accounts: ledger.MoveAccounts,
    answer: Answer,
    *,
    backoff_s: float | None = None,
) -> str:
    """Settle the move on a definite answer to its deposit or withdrawal (or a Check
    Transaction's final state); leave it pending on anything else. Returns its status."""
    if answer.verdict == Verdict.FAILED:
        return await ledger.settle(
            db, move, accounts, success=False, amount_minor=None, detail=_detail(answer)
        )
    if answer.verdict == Verdict.OK:
        amount = answer.amount_minor("amount", move.exponent)
        if move.amount_minor is not None and amount is not None and amount != move.amount_minor:
            # The studio says it moved another amount: not an answer we can book on a guess.
            await ledger.defer(db, move.txn_id, f"amount {amount} differs", backoff_s or 60.0)
            return "pending"
        if move.direction == "in" and move.amount_minor is None and amount is None:
            await ledger.defer(db, move.txn_id, "no amount in the answer", backoff_s or 60.0)
            return "pending"
        return await ledger.settle(
            db,
            move,
            accounts,
            success=True,
            amount_minor=move.amount_minor if move.amount_minor is not None else amount,
            detail=_detail(answer),
        )
    await ledger.defer(db, move.txn_id, _detail(answer), backoff_s or grace_s(client))
    return "pending"


def _detail(answer: Answer) -> str:
    code = "-" if answer.code is None else str(answer.code)
    http = "-" if answer.http_status is None else str(answer.http_status)
    return f"{answer.verdict} http {http} code {code}: {answer.detail}"

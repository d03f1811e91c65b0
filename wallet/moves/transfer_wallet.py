"""Transfer-wallet moves in the ledger (protocols/transfer.md, "Our rules"; revision 0008).

A player's money at a studio is the account 'held:<studio>'; money on its way out waits in
'pending_out'. What the player won or lost at the studio is booked against the system account
'transfer:<studio>'. Each move's begin and settle is one SQL function, so its row and its money
change in one database transaction (schema/functions/transfer_move_*.sql).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from wallet.ledger.accounts import open_account
from wallet.ledger.database import Queries, named_call
from wallet.ledger.idempotency import request_hash
from wallet.ledger.outcomes import LedgerAnswer
from wallet.ledger.postings import post, system_account

PENDING_OUT = "pending_out"
CLAIM_LEASE_S = 60.0  # a claimed pending move is skipped by other reconcilers this long


def held_purpose(studio: str) -> str:
    return f"held:{studio}"


def result_purpose(studio: str) -> str:
    return f"transfer:{studio}"


@dataclass(frozen=True, slots=True)
class MoveAccounts:
    main: int
    pending: int
    held: int
    result: int  # system: the studio's result against our players


@dataclass(frozen=True, slots=True)
class Move:
    txn_id: str
    studio: str
    player_id: int
    username: str
    direction: str  # out | in
    currency: str
    exponent: int
    amount_minor: int | None  # None: "in, all" before the studio answered
    status: str  # pending | done | failed
    checks: int
    detail: str | None
    created_at: datetime
    resolved_at: datetime | None


_MOVE_COLUMNS = """m.txn_id, m.studio, m.player_id, p.username, m.direction, m.currency,
    c.exponent, m.amount_minor, m.status, m.checks, m.detail, m.created_at, m.resolved_at"""
_MOVE_TABLES = """transfer_moves m JOIN players p ON p.id = m.player_id
    JOIN currencies c ON c.code = m.currency"""


def _move(row: tuple[object, ...]) -> Move:
    values = list(row)
    values[5] = str(values[5]).strip()
    return Move(*values)  # type: ignore[arg-type]


async def move_accounts(db: Queries, player_id: int, currency: str, studio: str) -> MoveAccounts:
    """The player's accounts a move touches (opened on first use; main exists already)."""
    ids = []
    for purpose in ("main", PENDING_OUT, held_purpose(studio)):
        ids.append(
            await open_account(
                db, owner_type="player", owner_id=player_id, purpose=purpose, currency=currency
            )
        )
    result = await system_account(db, result_purpose(studio), currency)
    return MoveAccounts(ids[0], ids[1], ids[2], result)


def move_hash(studio: str, player_id: int, direction: str, amount_minor: int | None) -> bytes:
    return request_hash(
        {"studio": studio, "player": player_id, "direction": direction, "amount": amount_minor}
    )


async def begin(
    db: Queries,
    *,
    txn_id: str,
    studio: str,
    player_id: int,
    currency: str,
    direction: str,
    amount_minor: int | None,
    accounts: MoveAccounts,
    grace_s: float,
) -> str:
    """new | replay | conflict | insufficient | ...: see transfer_move_begin.sql. A pending move
    is left to the reconcilers for grace_s (its caller is still waiting for the studio)."""
    assert direction in ("out", "in")
    assert direction == "in" or (amount_minor is not None and amount_minor > 0)
    args = {
        "txn_id": txn_id,
        "studio": studio,
        "player_id": player_id,
        "direction": direction,
        "currency": currency,
        "amount": amount_minor,
        "request_hash": move_hash(studio, player_id, direction, amount_minor),
        "main": accounts.main,
        "pending": accounts.pending,
        "grace_s": grace_s,
    }
    row = await db.one(f"SELECT {named_call('transfer_move_begin', args)}", args)
    assert row is not None
    return str(row[0])


async def settle(
    db: Queries,
    move: Move,
    accounts: MoveAccounts,
    *,
    success: bool,
    amount_minor: int | None,
    detail: str,
) -> str:
    """done | failed (the move's status afterwards, whoever settled it) | not_found."""
    assert not (success and move.direction == "in" and amount_minor is None)
    args = {
        "txn_id": move.txn_id,
        "success": success,
        "amount": amount_minor,
        "detail": detail[:200],
        "main": accounts.main,
        "pending": accounts.pending,
        "held": accounts.held,
        "result": accounts.result,
    }
    row = await db.one(f"SELECT {named_call('transfer_move_settle', args)}", args)
    assert row is not None
    return str(row[0])


async def defer(db: Queries, txn_id: str, detail: str, backoff_s: float) -> None:
    """The answer was unknown again: look again after backoff_s."""
    await db.all(
        "UPDATE transfer_moves SET checks = checks + 1, detail = %s,"
        " next_check_at = now() + make_interval(secs => %s)"
        " WHERE txn_id = %s AND status = 'pending'",
        (detail[:200], backoff_s, txn_id),
    )


async def find_move(db: Queries, txn_id: str) -> Move | None:
    row = await db.one(f"SELECT {_MOVE_COLUMNS} FROM {_MOVE_TABLES} WHERE m.txn_id = %s", (txn_id,))
    return None if row is None else _move(row)


async def pending_moves(db: Queries, studio: str, limit: int = 1000) -> list[Move]:
    rows = await db.all(
        f"SELECT {_MOVE_COLUMNS} FROM {_MOVE_TABLES}"
        " WHERE m.studio = %s AND m.status = 'pending' ORDER BY m.created_at LIMIT %s",
        (studio, limit),
    )
    return [_move(row) for row in rows]


async def claim_due(db: Queries, studio: str, limit: int = 100) -> list[Move]:
    """Pending moves due for a check, claimed for CLAIM_LEASE_S: several workers and hosts each
    take others (SKIP LOCKED), and a reconciler that dies lets its claim run out."""
    rows = await db.all(
        f"""
        WITH due AS (
            SELECT txn_id FROM transfer_moves
             WHERE studio = %s AND status = 'pending' AND next_check_at <= now()
             ORDER BY next_check_at LIMIT %s FOR UPDATE SKIP LOCKED),
        claimed AS (
            UPDATE transfer_moves t
               SET next_check_at = now() + make_interval(secs => %s)
              FROM due WHERE t.txn_id = due.txn_id RETURNING t.txn_id)
        SELECT {_MOVE_COLUMNS} FROM {_MOVE_TABLES} JOIN claimed USING (txn_id)
        """,
        (studio, limit, CLAIM_LEASE_S),
    )
    return [_move(row) for row in rows]


async def pending_ages(db: Queries) -> list[tuple[str, float]]:
    """(studio, age in seconds) of every pending move, for the metrics."""
    rows = await db.all(
        "SELECT studio, extract(epoch FROM now() - created_at)::float8"
        " FROM transfer_moves WHERE status = 'pending'"
    )
    return [(str(studio), float(age)) for studio, age in rows]


@dataclass(frozen=True, slots=True)
class Held:
    player_id: int
    username: str
    currency: str
    exponent: int
    held_minor: int
    pending: int  # the player's moves with this studio still pending


async def held_balances(db: Queries, studio: str) -> list[Held]:
    """Every player with a held account at the studio, with its balance."""
    rows = await db.all(
        """
        SELECT p.id, p.username, a.currency, c.exponent, a.balance_minor,
               (SELECT count(*) FROM transfer_moves m
                 WHERE m.player_id = p.id AND m.studio = %s AND m.status = 'pending')
          FROM accounts a JOIN players p ON p.id = a.owner_id
          JOIN currencies c ON c.code = a.currency
         WHERE a.owner_type = 'player' AND a.purpose = %s ORDER BY p.id
        """,
        (studio, held_purpose(studio)),
    )
    return [
        Held(int(pid), str(name), str(cur).strip(), int(exp), int(bal), int(n))
        for pid, name, cur, exp, bal, n in rows
    ]


async def adjust_held(
    db: Queries, studio: str, held: Held, studio_minor: int, accounts: MoveAccounts
) -> LedgerAnswer:
    """Book what the player won (studio above held) or lost (below) at the studio, so held
    equals the studio's balance. Keyed on the figures: the same difference books once."""
    delta = studio_minor - held.held_minor
    assert delta != 0
    postings = await _held_postings(db, accounts.held)
    return await post(
        db,
        caller=f"transfer:{studio}",
        operation="adjust",
        external_id=f"{held.player_id}:{held.held_minor}:{studio_minor}:{postings}",
        request_hash=request_hash({"player": held.player_id, "delta": delta}),
        legs=[(accounts.result, -delta), (accounts.held, delta)],
        key_account=accounts.held,
    )


async def _held_postings(db: Queries, account_id: int) -> int:
    row = await db.one("SELECT count(*) FROM postings WHERE account_id = %s", (account_id,))
    assert row is not None
    return int(row[0])

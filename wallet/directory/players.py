"""Players: creation (with an optional opening balance from operator equity) and look-up."""

from __future__ import annotations

from dataclasses import dataclass

from wallet.ledger.database import LedgerDB, Queries
from wallet.ledger.outcomes import LedgerAnswer, Outcome
from wallet.ledger.postings import opening_balance


@dataclass(frozen=True, slots=True)
class Player:
    id: int
    username: str
    currency: str
    exponent: int
    status: str
    main_account_id: int
    balance_minor: int  # main + debt


class PlayerExists(Exception):
    pass


async def find_player(db: Queries, operator_id: int, username: str) -> Player | None:
    row = await db.one(
        """
        SELECT p.id, p.username, p.currency, c.exponent, p.status, m.id,
               m.balance_minor + d.balance_minor
          FROM players p
          JOIN currencies c ON c.code = p.currency
          JOIN accounts m ON m.owner_type = 'player' AND m.owner_id = p.id
                         AND m.purpose = 'main' AND m.currency = p.currency
          JOIN accounts d ON d.owner_type = 'player' AND d.owner_id = p.id
                         AND d.purpose = 'debt' AND d.currency = p.currency
         WHERE p.operator_id = %s AND p.username = %s
        """,
        (operator_id, username),
    )
    if row is None:
        return None
    pid, name, currency, exponent, status, main_id, balance = row
    return Player(pid, name, currency.strip(), exponent, status, main_id, balance)


async def create_player(
    db: LedgerDB, operator_id: int, username: str, currency: str, opening_minor: int = 0
) -> Player:
    """A player and its accounts, and an opening balance from operator equity: one unit of
    work, so a player exists funded as asked or not at all."""
    assert opening_minor >= 0
    async with db.transaction() as tx:
        if await find_player(tx, operator_id, username) is not None:
            raise PlayerExists(username)
        await tx.one("SELECT wallet_create_player(%s, %s, %s)", (operator_id, username, currency))
        player = await find_player(tx, operator_id, username)
        assert player is not None
        if opening_minor:
            answer = await open_balance(tx, player, opening_minor)
            assert answer.outcome == Outcome.NEW, answer
            player = await find_player(tx, operator_id, username)
            assert player is not None
    return player


async def open_balance(db: Queries, player: Player, amount_minor: int) -> LedgerAnswer:
    return await opening_balance(
        db,
        owner_type="player",
        owner_id=player.id,
        account=player.main_account_id,
        currency=player.currency,
        amount_minor=amount_minor,
    )


async def set_status(db: Queries, operator_id: int, username: str, status: str) -> bool:
    assert status in ("active", "blocked")
    rows = await db.all(
        "UPDATE players SET status = %s WHERE operator_id = %s AND username = %s RETURNING id",
        (status, operator_id, username),
    )
    return bool(rows)

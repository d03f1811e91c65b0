"""Accounts beyond a player's main one: sub-balances, shop and agent wallets, liabilities.

An account's lower bound is what it may not go below: 0 for a player's money, minus the credit
line for an agent or shop wallet, none (NULL) for a liability or an equity account.
"""

from __future__ import annotations

from wallet.ledger.database import Queries

OWNER_TYPES = ("player", "shop", "agent", "system")


async def open_account(
    db: Queries,
    *,
    owner_type: str,
    owner_id: int,
    purpose: str,
    currency: str,
    lower_bound_minor: int | None = 0,
) -> int:
    """The id of the account, created with a zero balance if it does not exist yet."""
    assert owner_type in OWNER_TYPES
    for _ in range(2):
        # Two first uses at once: the loser's INSERT waits for the winner's commit and then
        # inserts nothing, while its SELECT still reads the statement's earlier snapshot, so
        # it finds no row. Asked again, the row is there.
        found = await _open_or_find(db, owner_type, owner_id, purpose, currency, lower_bound_minor)
        if found is not None:
            return found
    raise LookupError(f"account {owner_type}:{owner_id}:{purpose}:{currency} not found")


async def _open_or_find(
    db: Queries,
    owner_type: str,
    owner_id: int,
    purpose: str,
    currency: str,
    lower_bound_minor: int | None,
) -> int | None:
    row = await db.one(
        """
        WITH made AS (
            INSERT INTO accounts (owner_type, owner_id, purpose, currency, balance_minor,
                                  lower_bound_minor)
            VALUES (%s, %s, %s, %s, 0, %s)
            ON CONFLICT (owner_type, owner_id, purpose, currency) DO NOTHING
            RETURNING id)
        SELECT id FROM made
        UNION ALL
        SELECT id FROM accounts
         WHERE owner_type = %s AND owner_id = %s AND purpose = %s AND currency = %s
        LIMIT 1
        """,
        (
            owner_type,
            owner_id,
            purpose,
            currency,
            lower_bound_minor,
            owner_type,
            owner_id,
            purpose,
            currency,
        ),
    )
    return None if row is None else int(row[0])


async def set_lower_bound(db: Queries, account_id: int, lower_bound_minor: int | None) -> bool:
    """Change a credit line. Refused (False) when the balance is already below the new bound."""
    rows = await db.all(
        "UPDATE accounts SET lower_bound_minor = %s WHERE id = %s"
        " AND balance_minor IS NOT NULL AND (%s::bigint IS NULL OR balance_minor >= %s::bigint)"
        " RETURNING id",
        (lower_bound_minor, account_id, lower_bound_minor, lower_bound_minor),
    )
    return bool(rows)


async def balance_of(db: Queries, account_id: int) -> int:
    """The running balance, or for a hot system account the sum of its postings."""
    row = await db.one(
        "SELECT coalesce(a.balance_minor,"
        " (SELECT coalesce(sum(amount_minor), 0) FROM postings WHERE account_id = a.id))"
        " FROM accounts a WHERE a.id = %s",
        (account_id,),
    )
    if row is None:
        raise LookupError(f"no account {account_id}")
    return int(row[0])

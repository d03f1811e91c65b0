"""General money moves between accounts: one statement that locks, dedupes, checks and posts."""

from __future__ import annotations

from collections.abc import Sequence

from wallet.ledger.database import LedgerDB
from wallet.ledger.outcomes import LedgerAnswer

_TRANSFER_SQL = "SELECT * FROM ledger_transfer(%s, %s, %s, %s, %s, %s, %s, %s, %s, %s)"


async def transfer(
    db: LedgerDB,
    *,
    caller: str,
    operation: str,
    external_id: str,
    request_hash: bytes,
    legs: Sequence[tuple[int, int]],
    key_account: int,
    kind: str = "transfer",
    reverses: int | None = None,
    resolves: int | None = None,
) -> LedgerAnswer:
    """Post legs (account id, signed minor amount) that sum to zero per currency.

    The answer's balances are those of key_account. A leg that would take a bounded account
    below its lower bound makes the whole transfer INSUFFICIENT and moves nothing.
    """
    assert legs, "a transfer has legs"
    assert all(amount != 0 for _, amount in legs), "a leg moves something"
    row = await db.one(
        _TRANSFER_SQL,
        (
            caller,
            operation,
            external_id,
            request_hash,
            kind,
            [account for account, _ in legs],
            [amount for _, amount in legs],
            key_account,
            reverses,
            resolves,
        ),
    )
    assert row is not None
    return LedgerAnswer.from_row(row)


async def system_account(db: LedgerDB, purpose: str, currency: str) -> int:
    row = await db.one("SELECT ledger_system_account(%s, %s)", (purpose, currency))
    assert row is not None
    return int(row[0])

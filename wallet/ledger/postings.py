"""Postings: legs (account, signed amount) that sum to zero posted as one ledger transaction, by
one statement that locks, dedupes, checks and posts (schema/functions/ledger_transfer.sql);
the system accounts they may name, and opening balances from operator equity."""

from __future__ import annotations

from collections.abc import Sequence

from wallet.ledger.database import Queries, named_call
from wallet.ledger.idempotency import request_hash
from wallet.ledger.outcomes import LedgerAnswer

EQUITY_PURPOSE = "equity"  # the operator's equity: where opening balances come from


async def post(
    db: Queries,
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
    args = {
        "caller": caller,
        "operation": operation,
        "external_id": external_id,
        "request_hash": request_hash,
        "kind": kind,
        "accounts": [account for account, _ in legs],
        "amounts": [amount for _, amount in legs],
        "key_account": key_account,
        "reverses": reverses,
        "resolves": resolves,
    }
    row = await db.one(f"SELECT * FROM {named_call('ledger_transfer', args)}", args)
    assert row is not None
    return LedgerAnswer.from_row(row)


async def system_account(db: Queries, purpose: str, currency: str) -> int:
    row = await db.one("SELECT ledger_system_account(%s, %s)", (purpose, currency))
    assert row is not None
    return int(row[0])


async def opening_balance(
    db: Queries, *, owner_type: str, owner_id: int, account: int, currency: str, amount_minor: int
) -> LedgerAnswer:
    """An opening balance (a player's, a shop's float, an agent's wallet) from operator equity:
    one per owner, keyed `owner_type:owner_id`."""
    assert amount_minor > 0
    equity = await system_account(db, EQUITY_PURPOSE, currency)
    return await post(
        db,
        caller="operator",
        operation="opening_balance",
        external_id=f"{owner_type}:{owner_id}",
        request_hash=request_hash({owner_type: owner_id, "amount_minor": amount_minor}),
        legs=[(equity, -amount_minor), (account, amount_minor)],
        key_account=account,
    )

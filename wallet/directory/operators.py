"""The operator a server runs for (OPERATOR_CODE): every player, shop and agent is one of its."""

from __future__ import annotations

from wallet.ledger.database import Queries


async def operator_id(db: Queries, code: str) -> int:
    row = await db.one("SELECT id FROM operators WHERE code = %s", (code,))
    if row is None:
        raise LookupError(f"unknown operator {code!r}")
    return int(row[0])

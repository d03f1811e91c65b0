"""Reference data the edges need before they call the ledger: currencies and operators."""

from __future__ import annotations

from wallet.ledger.database import LedgerDB


async def currency_exponents(db: LedgerDB) -> dict[str, int]:
    rows = await db.all("SELECT code, exponent FROM currencies")
    return {str(code).strip(): int(exponent) for code, exponent in rows}


async def operator_id(db: LedgerDB, code: str) -> int:
    row = await db.one("SELECT id FROM operators WHERE code = %s", (code,))
    if row is None:
        raise LookupError(f"unknown operator {code!r}")
    return int(row[0])

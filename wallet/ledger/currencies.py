"""Each currency's exponent (minor units per major unit: 10^exponent), from its one table."""

from __future__ import annotations

from wallet.ledger.database import Queries


async def currency_exponents(db: Queries) -> dict[str, int]:
    rows = await db.all("SELECT code, exponent FROM currencies")
    return {str(code).strip(): int(exponent) for code, exponent in rows}

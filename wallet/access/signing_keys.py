"""Secrets the server generates for itself and keeps in the database (revision 0007), so every
worker and host, and the next start, use the same one."""

from __future__ import annotations

import secrets

from wallet.ledger.database import Queries

SECRET_BYTES = 32


async def signing_secret(db: Queries, name: str) -> bytes:
    """The secret of that name, generated on first use (the first writer wins any race)."""
    row = await db.one(
        "WITH made AS (INSERT INTO signing_keys (name, secret) VALUES (%s, %s)"
        " ON CONFLICT (name) DO NOTHING RETURNING secret)"
        " SELECT secret FROM made UNION ALL SELECT secret FROM signing_keys WHERE name = %s"
        " LIMIT 1",
        (name, secrets.token_bytes(SECRET_BYTES), name),
    )
    if row is None:  # another worker's insert committed after this statement's snapshot
        row = await db.one("SELECT secret FROM signing_keys WHERE name = %s", (name,))
    assert row is not None
    return bytes(row[0])

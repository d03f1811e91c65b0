"""Keys of the operator's lobby (revision 0008): 32 random bytes shown once, kept as SHA-256."""

from __future__ import annotations

from wallet.access.digest import key_digest
from wallet.ledger.database import Queries


class OperatorKeyExists(Exception):
    pass


async def create_operator_key(db: Queries, name: str, key: str) -> int:
    row = await db.one(
        "INSERT INTO operator_keys (name, key_sha256) VALUES (%s, %s)"
        " ON CONFLICT (name) DO NOTHING RETURNING id",
        (name, key_digest(key)),
    )
    if row is None:
        raise OperatorKeyExists(name)
    return int(row[0])


async def find_operator_key(db: Queries, key: str) -> str | None:
    """The key's name, or None (no such key, or revoked)."""
    row = await db.one(
        "SELECT name FROM operator_keys WHERE key_sha256 = %s AND revoked_at IS NULL",
        (key_digest(key),),
    )
    return None if row is None else str(row[0])

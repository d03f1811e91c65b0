"""Keys of the operator's lobby (revision 0008): 32 random bytes shown once, kept as SHA-256."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

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


@dataclass(frozen=True, slots=True)
class OperatorKeyLine:
    """A lobby key as `wallet operator-key list` shows it (never the key itself)."""

    id: int
    name: str
    created_at: datetime
    revoked_at: datetime | None


async def list_operator_keys(db: Queries, limit: int) -> list[OperatorKeyLine]:
    rows = await db.all(
        "SELECT id, name, created_at, revoked_at FROM operator_keys ORDER BY id LIMIT %s",
        (limit,),
    )
    return [OperatorKeyLine(int(i), str(n), c, r) for i, n, c, r in rows]


async def revoke_operator_key(db: Queries, name: str) -> OperatorKeyLine | None:
    """Revokes the key of that name at once; None: no such key (revoked already: as it was)."""
    row = await db.one(
        "UPDATE operator_keys SET revoked_at = coalesce(revoked_at, now()) WHERE name = %s"
        " RETURNING id, name, created_at, revoked_at",
        (name,),
    )
    return None if row is None else OperatorKeyLine(int(row[0]), str(row[1]), row[2], row[3])

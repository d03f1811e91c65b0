"""A logged-in cashier's token, as the database knows it: who it is, and whether it was revoked.

Revocation is a row per logged-out token (revoked_tokens, by its jti) until the token would
have expired anyway; every worker and host reads the same table, so a logout holds everywhere
at once. All of a cashier's tokens die together when its session epoch moves on (blocked, a new
password): the token carries the epoch it was issued in.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from wallet.directory.cashiers import Cashier
from wallet.ledger.database import Queries


async def session_cashier(
    db: Queries, cashier_id: int, jti: uuid.UUID, epoch: int
) -> Cashier | None:
    """The cashier a token names, unless the token was revoked, issued in an earlier session
    epoch (or the cashier is gone)."""
    row = await db.one(
        "SELECT c.id, c.shop_id, c.username, c.role, c.status, c.session_epoch FROM cashiers c"
        " WHERE c.id = %s AND c.session_epoch = %s"
        "   AND NOT EXISTS (SELECT 1 FROM revoked_tokens WHERE jti = %s)",
        (cashier_id, epoch, jti),
    )
    if row is None:
        return None
    cid, shop_id, username, role, status, epoch = row
    return Cashier(int(cid), int(shop_id), str(username), str(role), str(status), int(epoch))


async def revoke(db: Queries, jti: uuid.UUID, expires_at: datetime) -> None:
    """Revoke a token at once; rows of tokens expired by now go at the same time."""
    await db.one(
        "WITH gone AS (DELETE FROM revoked_tokens WHERE expires_at < now())"
        " INSERT INTO revoked_tokens (jti, expires_at) VALUES (%s, %s)"
        " ON CONFLICT (jti) DO NOTHING",
        (jti, expires_at),
    )

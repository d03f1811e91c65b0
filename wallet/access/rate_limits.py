"""Rate limits counted in PostgreSQL (rate_limits, schema/functions/cashier_rate_hit.sql): a
bucket's hits per minute, shared by every worker and host."""

from __future__ import annotations

from dataclasses import dataclass

from wallet.ledger.database import Queries


@dataclass(frozen=True, slots=True)
class Hit:
    allowed: bool  # within the limit
    retry_after_s: int  # when not allowed: seconds until the window ends


async def hit(db: Queries, bucket: str, per_minute: int) -> Hit:
    """Count one hit in bucket's current minute."""
    row = await db.one("SELECT allowed, retry_after_s FROM cashier_rate_hit(%s, %s)",
                       (bucket, per_minute))  # fmt: skip
    assert row is not None
    return Hit(bool(row[0]), int(row[1]))


async def hits_now(db: Queries, bucket: str) -> int:
    """The hits bucket counted in the current minute (none counted by asking)."""
    row = await db.one(
        "SELECT hits FROM rate_limits WHERE bucket = %s"
        " AND window_start = date_trunc('minute', clock_timestamp())",
        (bucket,),
    )
    return 0 if row is None else int(row[0])

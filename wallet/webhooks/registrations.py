"""Agents' webhook registrations (revision 0011): where to send which events, and the sealed
secret that signs them (wallet/webhooks/secret_box.py seals and opens it; this module only
stores the sealed bytes and never answers them)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from wallet.ledger.database import Queries

EVENTS = ("transfer.completed", "transfer.failed", "bypass.blocked")
URL_CHARS_MAX = 2048  # as schema/sql/0011_webhooks.sql checks


@dataclass(frozen=True, slots=True)
class Registration:
    id: int
    url: str
    events: tuple[str, ...]
    created_at: datetime


async def register(
    db: Queries, agent_id: int, url: str, events: list[str], sealed: bytes, limit: int
) -> Registration | None:
    """The new registration; None when the agent already has `limit` live ones."""
    assert events and set(events) <= set(EVENTS) and len(url) <= URL_CHARS_MAX
    row = await db.one(
        "SELECT id, created_at FROM webhook_register(%s, %s, %s, %s, %s)",
        (agent_id, url, events, sealed, limit),
    )
    if row is None:
        return None
    return Registration(int(row[0]), url, tuple(events), row[1])


async def registrations_of(db: Queries, agent_id: int) -> list[Registration]:
    """The agent's live registrations, oldest first (without their secrets)."""
    rows = await db.all(
        "SELECT id, url, events, created_at FROM webhook_registrations"
        " WHERE agent_id = %s AND deleted_at IS NULL ORDER BY id",
        (agent_id,),
    )
    return [Registration(int(i), str(u), tuple(e), at) for i, u, e, at in rows]


async def delete_registration(db: Queries, agent_id: int, registration_id: int) -> bool:
    """Ends one of the agent's live registrations and cancels its pending deliveries (kept,
    with their attempts, for the record). False: no such live registration of this agent."""
    row = await db.one(
        "WITH gone AS (UPDATE webhook_registrations SET deleted_at = now()"
        "  WHERE id = %s AND agent_id = %s AND deleted_at IS NULL RETURNING id),"
        " cancelled AS (UPDATE webhook_deliveries SET status = 'cancelled', finished_at = now()"
        "  WHERE registration_id IN (SELECT id FROM gone) AND status = 'pending' RETURNING id)"
        " SELECT (SELECT count(*) FROM gone), (SELECT count(*) FROM cancelled)",
        (registration_id, agent_id),
    )
    assert row is not None
    return int(row[0]) == 1

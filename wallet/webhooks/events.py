"""The outbox's events: written by the statement's caller in the money's own unit of work, so an
event exists exactly when its transfer (or its refusal) committed. The body is rendered by the
interface that answered the request, from the same view as its answer, and kept as the exact
text to sign and send; each registration that asked for the event gets a delivery."""

from __future__ import annotations

from collections.abc import Sequence

from wallet.ledger.database import Queries

_RECORD = """
WITH event AS (
    INSERT INTO webhook_events (id, agent_id, type, dedupe_key, body)
    VALUES (%(id)s, %(agent)s, %(type)s, %(dedupe)s, %(body)s)
    ON CONFLICT (dedupe_key) DO NOTHING
    RETURNING id)
INSERT INTO webhook_deliveries (event_id, registration_id)
SELECT event.id, r.id FROM event, webhook_registrations r
 WHERE r.agent_id = %(agent)s AND r.deleted_at IS NULL AND %(type)s = ANY (r.events)
"""


async def wanted(db: Queries, agent_id: int, events: Sequence[str]) -> list[str]:
    """Those of `events` that a live registration of the agent asked for (one index probe when
    none did: then nothing is rendered)."""
    rows = await db.all(
        "SELECT DISTINCT unnest(events) FROM webhook_registrations"
        " WHERE agent_id = %s AND deleted_at IS NULL AND events && %s::text[]",
        (agent_id, list(events)),
    )
    asked = {str(row[0]) for row in rows}
    return [event for event in events if event in asked]


async def record(
    db: Queries, agent_id: int, event_id: str, event: str, dedupe_key: str, body: str
) -> None:
    """The event and its deliveries; an event of a dedupe_key written before (the repeat of a
    refused request) writes nothing."""
    await db.all(
        _RECORD,
        {"id": event_id, "agent": agent_id, "type": event, "dedupe": dedupe_key, "body": body},
    )

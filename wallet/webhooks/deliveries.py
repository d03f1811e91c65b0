"""The webhook outbox's deliveries (revision 0011): claimed by the delivery worker in one short
statement (webhook_claim: SKIP LOCKED, leased), results recorded per attempt (webhook_record).
The events themselves are written by agent_smart_transfer, in the money's transaction."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from wallet.ledger.database import Queries, named_call


@dataclass(frozen=True, slots=True)
class Limits:
    """When a delivery is given up: after attempts_max attempts or once age_max_s old."""

    attempts_max: int
    age_max_s: float


@dataclass(frozen=True, slots=True)
class Claimed:
    """One delivery this worker holds until lease end: its attempt, the exact body, where."""

    delivery_id: int
    attempt: int
    attempt_id: int
    event_id: str
    event_type: str
    body: str
    registration_id: int
    agent_id: int
    url: str
    secret_sealed: bytes


@dataclass(frozen=True, slots=True)
class Result:
    """What one attempt got: a status code (any answer) or an error (no answer)."""

    status_code: int | None
    error: str | None
    duration_ms: int

    @property
    def ok(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


async def claim(db: Queries, limit: int, lease_s: float, limits: Limits) -> list[Claimed]:
    rows = await db.all(
        "SELECT * FROM webhook_claim(%s, %s, %s, %s)",
        (limit, lease_s, limits.attempts_max, limits.age_max_s),
    )
    return [
        Claimed(int(d), int(n), int(a), str(e), str(t), str(b), int(r), int(g), str(u), bytes(s))
        for d, n, a, e, t, b, r, g, u, s in rows
    ]


async def record(
    db: Queries, claimed: Claimed, result: Result, retry_s: float, limits: Limits
) -> str | None:
    """Records the attempt; the delivery's status after it (None: the lease was lost first)."""
    args = {
        "attempt_id": claimed.attempt_id,
        "delivery_id": claimed.delivery_id,
        "attempt": claimed.attempt,
        "status_code": result.status_code,
        "error": result.error,
        "duration_ms": result.duration_ms,
        "ok": result.ok,
        "retry_s": retry_s,
        "attempts_max": limits.attempts_max,
        "age_max_s": limits.age_max_s,
    }
    row = await db.one(f"SELECT {named_call('webhook_record', args)}", args)
    return None if row is None or row[0] is None else str(row[0])


@dataclass(frozen=True, slots=True)
class DeliveryLine:
    """One delivery as the operator's `wallet webhooks deliveries` shows it."""

    delivery_id: int
    event_id: str
    event_type: str
    webhook_id: int
    agent: str
    status: str
    attempts: int
    last_status_code: int | None
    last_error: str | None
    last_duration_ms: int | None
    next_attempt_at: datetime
    created_at: datetime


async def recent_deliveries(
    db: Queries, agent_username: str | None, status: str | None, limit: int
) -> list[DeliveryLine]:
    """The newest deliveries (of one agent, in one status), with their last attempt's result."""
    rows = await db.all(
        """
        SELECT d.id, e.id, e.type, w.id, g.username, d.status, d.attempts,
               a.status_code, a.error, a.duration_ms, d.next_attempt_at, d.created_at
          FROM webhook_deliveries d
          JOIN webhook_events e ON e.id = d.event_id
          JOIN webhook_registrations w ON w.id = d.registration_id
          JOIN agents g ON g.id = w.agent_id
          LEFT JOIN LATERAL (SELECT status_code, error, duration_ms FROM webhook_attempts
                              WHERE delivery_id = d.id ORDER BY attempt DESC LIMIT 1) a ON true
         WHERE (%s::text IS NULL OR g.username = %s) AND (%s::text IS NULL OR d.status = %s)
         ORDER BY d.id DESC LIMIT %s
        """,
        (agent_username, agent_username, status, status, limit),
    )
    return [DeliveryLine(*row) for row in rows]

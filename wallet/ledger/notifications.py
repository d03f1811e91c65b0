"""An agent's notifications (agent_notifications, revisions 0010 and 0013): written by the
statement of each event (schema/functions/agent_notify*.sql, smart_transfers.set_rebate), read
and marked read here.

Read rule: listing marks nothing unless asked (mark_read), and then exactly the rows of the
page answered, in the statement that reads them; each row's `read` is its state before this
read, so a client can still tell which ones were new.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from wallet.ledger.database import LedgerDB

# The page, and (when asked) its unread rows marked read, in one statement: the SELECT sees the
# rows as they were before the UPDATE of the same statement.
_PAGE = """
WITH page AS (
    SELECT id, title_key, variables, created_at, read_at FROM agent_notifications
     WHERE agent_id = %s AND (read_at IS NULL OR NOT %s)
     ORDER BY id DESC OFFSET %s LIMIT %s),
marked AS (
    UPDATE agent_notifications n SET read_at = now() FROM page
     WHERE %s AND n.id = page.id AND n.read_at IS NULL
    RETURNING n.id)
SELECT id, title_key, variables::text, created_at, read_at IS NOT NULL,
       (SELECT count(*) FROM marked)
  FROM page ORDER BY id DESC
"""


@dataclass(frozen=True, slots=True)
class Notification:
    id: int
    title_key: str
    variables: dict[str, object]  # JSON: numbers with decimals are Decimal, never float
    created_at: datetime
    read: bool  # before this read


@dataclass(frozen=True, slots=True)
class NotificationPage:
    rows: list[Notification]
    total: int  # matching the filter, before this read's marking
    unread: int  # after this read's marking


async def unread_notifications(db: LedgerDB, agent_id: int) -> int:
    row = await db.one(
        "SELECT count(*) FROM agent_notifications WHERE agent_id = %s AND read_at IS NULL",
        (agent_id,),
    )
    assert row is not None
    return int(row[0])


async def notifications_of(
    db: LedgerDB, agent_id: int, start: int, limit: int, *, unread_only: bool, mark_read: bool
) -> NotificationPage:
    """The agent's notifications, newest first."""
    counts = await db.one(
        "SELECT count(*), count(*) FILTER (WHERE read_at IS NULL) FROM agent_notifications"
        " WHERE agent_id = %s",
        (agent_id,),
    )
    assert counts is not None
    total, unread = int(counts[0]), int(counts[1])
    rows = await db.all(_PAGE, (agent_id, unread_only, start, limit, mark_read))
    marked = int(rows[0][5]) if rows else 0
    page = [
        Notification(int(i), str(key), json.loads(text, parse_float=Decimal), at, bool(read))
        for i, key, text, at, read, _ in rows
    ]
    return NotificationPage(page, unread if unread_only else total, max(unread - marked, 0))

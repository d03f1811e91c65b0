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

from wallet.ledger.database import Listing, Queries, paged

# The page, and (when asked) its unread rows marked read, in one statement with the counts: the
# SELECT sees the rows as they were before the UPDATE of the same statement.
_PAGE = Listing(
    "agent_notifications WHERE agent_id = %(me)s AND (read_at IS NULL OR NOT %(unread_only)s)",
    "id, title_key, variables::text, created_at, read_at IS NOT NULL",
    "id DESC",
    counts=(
        "(SELECT count(*) FROM agent_notifications WHERE agent_id = %(me)s AND read_at IS NULL)",
        "(SELECT count(*) FROM marked)",
    ),
    before="""shown AS (
    SELECT id FROM agent_notifications
     WHERE agent_id = %(me)s AND (read_at IS NULL OR NOT %(unread_only)s)
     ORDER BY id DESC OFFSET %(page_start)s LIMIT %(page_limit)s),
marked AS (
    UPDATE agent_notifications n SET read_at = now() FROM shown
     WHERE %(mark)s AND n.id = shown.id AND n.read_at IS NULL
    RETURNING n.id)""",
)


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


async def unread_notifications(db: Queries, agent_id: int) -> int:
    row = await db.one(
        "SELECT count(*) FROM agent_notifications WHERE agent_id = %s AND read_at IS NULL",
        (agent_id,),
    )
    assert row is not None
    return int(row[0])


async def notifications_of(
    db: Queries, agent_id: int, start: int, limit: int, *, unread_only: bool, mark_read: bool
) -> NotificationPage:
    """The agent's notifications, newest first."""
    params = {"me": agent_id, "unread_only": unread_only, "mark": mark_read}
    page = await paged(db, _PAGE, params, start, limit)
    unread, marked = int(page.counts[0]), int(page.counts[1])
    rows = [
        Notification(int(i), str(key), json.loads(text, parse_float=Decimal), at, bool(read))
        for i, key, text, at, read in page.rows
    ]
    return NotificationPage(rows, page.total, max(unread - marked, 0))

"""Messages between agents of one tree (agent_messages, agent_chats: revision 0013).

Who may write to whom is the caller's decision (wallet/agents/messaging.py: an agent's
ancestors and descendants); here a message is stored with both sides' chat rows in one
statement, and chats are read and marked read.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from wallet.access.rate_limits import hit
from wallet.directory.agents import Agent
from wallet.ledger.database import Listing, Queries, contains, paged

MESSAGE_CHARS_MAX = 3000  # the document's limit, in characters (agent_messages' CHECK too)
UNREAD_CHATS_MAX = 100  # per-chat unread counts answered at most (the total counts them all)
_MESSAGE_COLUMNS = "id, sender_id, recipient_id, body, created_at, read_at"

# The message and both sides' chat rows, in one statement. The chat rows are written in
# agent id order, so two agents writing to each other at once lock them in the same order.
_SEND = f"""
WITH m AS (
    INSERT INTO agent_messages (sender_id, recipient_id, body) VALUES (%s, %s, %s)
    RETURNING {_MESSAGE_COLUMNS}),
chats AS (
    INSERT INTO agent_chats AS c (agent_id, counterpart_id, last_message_id)
    SELECT side.agent_id, side.counterpart_id, side.message_id FROM (
        SELECT sender_id AS agent_id, recipient_id AS counterpart_id, id AS message_id FROM m
        UNION ALL
        SELECT recipient_id, sender_id, id FROM m) side
     ORDER BY side.agent_id
    ON CONFLICT (agent_id, counterpart_id) DO UPDATE
       SET last_message_id = greatest(c.last_message_id, excluded.last_message_id))
SELECT {_MESSAGE_COLUMNS} FROM m
"""

# One chat's page, newest first; the counterpart's unread messages to the reader are marked
# read in the same statement (whose SELECT sees the rows as they were before it).
_CHAT = Listing(
    "agent_messages WHERE least(sender_id, recipient_id) = %(low)s"
    " AND greatest(sender_id, recipient_id) = %(high)s",
    "id, sender_id, recipient_id, body, created_at,"
    " CASE WHEN recipient_id = %(me)s THEN coalesce(read_at, now()) ELSE read_at END",
    "id DESC",
    counts=("(SELECT count(*) FROM marked)",),
    before="marked AS (UPDATE agent_messages SET read_at = now()"
    " WHERE recipient_id = %(me)s AND sender_id = %(other)s AND read_at IS NULL RETURNING id)",
)

_CHATS = Listing(
    """agent_chats c
  JOIN agents a ON a.id = c.counterpart_id
  JOIN agent_messages m ON m.id = c.last_message_id
 WHERE c.agent_id = %(me)s""",
    """c.counterpart_id, a.username, a.path, m.id, m.sender_id, m.recipient_id, m.body,
       m.created_at, m.read_at,
       (SELECT count(*) FROM agent_messages u
         WHERE u.recipient_id = c.agent_id AND u.sender_id = c.counterpart_id
           AND u.read_at IS NULL)""",
    "c.last_message_id DESC",
)

# Whom an agent may write to: upline nearest first, then downline by depth and id.
_RECIPIENTS = Listing(
    """agents a
 WHERE a.operator_id = %(operator)s AND a.id <> %(me)s
   AND (a.id = ANY (%(path)s::bigint[]) OR a.path @> ARRAY[%(me)s]::bigint[])
   AND a.username ILIKE %(name)s""",
    "a.id, a.username, a.id = ANY (%(path)s::bigint[]) AS upline",
    "a.id = ANY (%(path)s::bigint[]) DESC,"
    " CASE WHEN a.id = ANY (%(path)s::bigint[]) THEN -cardinality(a.path)"
    " ELSE cardinality(a.path) END, a.id",
)


@dataclass(frozen=True, slots=True)
class Message:
    id: int
    sender_id: int
    recipient_id: int
    body: str
    created_at: datetime
    read_at: datetime | None


def _message(row: tuple[object, ...]) -> Message:
    mid, sender, recipient, body, at, read_at = row
    return Message(int(mid), int(sender), int(recipient), str(body), at, read_at)  # type: ignore[call-overload, arg-type]


def relation(me: Agent, other_path: tuple[int, ...]) -> str | None:
    """'upline' (an ancestor of mine), 'downline' (a descendant), else None (not my tree)."""
    if other_path and other_path[-1] in me.path[:-1]:
        return "upline"
    if me.id in other_path[:-1]:
        return "downline"
    return None


async def message_allowed(db: Queries, agent: Agent, per_minute: int) -> tuple[bool, int]:
    """Counts one message of this agent in its minute (shared by every worker and host):
    whether it is within per_minute, and the seconds to wait when not."""
    counted = await hit(db, f"agent_message:{agent.id}", per_minute)
    return counted.allowed, counted.retry_after_s


async def send_message(db: Queries, sender: Agent, recipient: Agent, body: str) -> Message:
    assert sender.id != recipient.id and 0 < len(body) <= MESSAGE_CHARS_MAX
    row = await db.one(_SEND, (sender.id, recipient.id, body))
    assert row is not None
    return _message(row)


@dataclass(frozen=True, slots=True)
class ChatLine:
    counterpart_id: int
    username: str
    path: tuple[int, ...]
    last: Message
    unread: int


async def chats_of(db: Queries, agent: Agent, start: int, limit: int) -> tuple[int, list[ChatLine]]:
    """The agent's chats, the one with the newest message first."""
    page = await paged(db, _CHATS, {"me": agent.id}, start, limit)
    lines = [
        ChatLine(int(r[0]), str(r[1]), tuple(int(x) for x in r[2]), _message(r[3:9]), int(r[9]))
        for r in page.rows
    ]
    return page.total, lines


@dataclass(frozen=True, slots=True)
class ChatPage:
    messages: list[Message]  # newest first; `read_at` as after this read
    total: int
    marked_read: int


async def read_chat(db: Queries, agent: Agent, other: Agent, start: int, limit: int) -> ChatPage:
    """A page of the chat with `other`, newest first; marks other's messages to agent read."""
    low, high = min(agent.id, other.id), max(agent.id, other.id)
    params = {"me": agent.id, "other": other.id, "low": low, "high": high}
    page = await paged(db, _CHAT, params, start, limit)
    return ChatPage([_message(row) for row in page.rows], page.total, int(page.counts[0]))


@dataclass(frozen=True, slots=True)
class Recipient:
    agent_id: int
    username: str
    relation: str


async def recipients_of(
    db: Queries, agent: Agent, username: str, start: int, limit: int
) -> tuple[int, list[Recipient]]:
    """Whom the agent may write to: its ancestors and descendants (`username`: a part of it)."""
    params = {
        "path": list(agent.path),
        "operator": agent.operator_id,
        "me": agent.id,
        "name": contains(username),
    }
    page = await paged(db, _RECIPIENTS, params, start, limit)
    lines = [Recipient(int(i), str(n), "upline" if up else "downline") for i, n, up in page.rows]
    return page.total, lines


@dataclass(frozen=True, slots=True)
class UnreadChat:
    counterpart_id: int
    username: str
    unread: int


async def unread_messages(db: Queries, agent: Agent) -> tuple[int, int, list[UnreadChat]]:
    """Unread messages to the agent: in all, in how many chats, and per chat (the chats with the
    newest unread first, at most UNREAD_CHATS_MAX)."""
    totals = await db.one(
        "SELECT count(*), count(DISTINCT sender_id) FROM agent_messages"
        " WHERE recipient_id = %s AND read_at IS NULL",
        (agent.id,),
    )
    rows = await db.all(
        "SELECT u.sender_id, a.username, count(*) FROM agent_messages u"
        " JOIN agents a ON a.id = u.sender_id"
        " WHERE u.recipient_id = %s AND u.read_at IS NULL"
        " GROUP BY u.sender_id, a.username ORDER BY max(u.id) DESC LIMIT %s",
        (agent.id, UNREAD_CHATS_MAX),
    )
    assert totals is not None
    chats = [UnreadChat(int(i), str(n), int(c)) for i, n, c in rows]
    return int(totals[0]), int(totals[1]), chats

"""System notifications: POST /notifications (wallet/messaging/notifications.py reads them; each is
written by the statement of its event, schema/functions/agent_notify*.sql).

Read rule: a listing marks nothing unless the body says `markRead: true`; then the rows of the
page answered are marked read (in the statement that reads them) and each row's `read` is its
state before this request, so a client still sees which ones were new. `unreadOnly: true` lists
only unread ones. Newest first; start / limit like every list; `total` counts the rows the
filter matches, `unread` the agent's unread notifications after this request.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from pydantic import BaseModel, Field
from starlette.requests import Request

from wallet.agents import fields
from wallet.agents.envelope import iso_utc
from wallet.agents.gate import Call, Reply, endpoint
from wallet.agents.messaging import ANSWER
from wallet.messaging.notifications import Notification, notifications_of
from wallet.web.amounts import Amount


class NotificationsRequest(fields.PageRequest):
    unreadOnly: bool = Field(default=False, description="Only notifications not read yet")
    markRead: bool = Field(default=False, description="Mark the answered page read")


class NotificationRow(BaseModel):
    model_config = ANSWER
    id: str
    titleKey: str = Field(examples=["transfer.alert", "bypass.first", "balance.credited"])
    variables: dict[str, Any] = Field(description="The event's context (docs/agents.md lists them)")
    createdAt: str
    read: bool = Field(description="Whether it was read before this request")


class NotificationsData(BaseModel):
    model_config = ANSWER
    notifications: list[NotificationRow]
    count: int
    total: int
    unread: int


def _exact(value: object) -> object:
    """A JSON value with its decimal numbers as exact numbers (never floats) for the answer."""
    if isinstance(value, Decimal):
        exponent = max(-int(value.as_tuple().exponent), 0)
        return Amount(int(value.scaleb(exponent)), exponent)
    if isinstance(value, dict):
        return {key: _exact(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_exact(item) for item in value]
    return value


def notification_view(note: Notification) -> dict[str, object]:
    return {
        "id": str(note.id),
        "titleKey": note.title_key,
        "variables": _exact(note.variables),
        "createdAt": iso_utc(note.created_at),
        "read": note.read,
    }


@endpoint("notifications")
async def notifications(request: Request, call: Call) -> Reply:
    wanted = fields.validated(call.body, NotificationsRequest)
    page = await notifications_of(
        call.ctx.db,
        call.agent.id,
        wanted.start,
        wanted.limit,
        unread_only=wanted.unreadOnly,
        mark_read=wanted.markRead,
    )
    rows = [notification_view(note) for note in page.rows]
    return Reply({"notifications": rows, "count": len(rows), "total": page.total,
                  "unread": page.unread})  # fmt: skip

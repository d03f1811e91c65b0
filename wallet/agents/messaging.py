"""Messaging between agents: POST /message/send, /message/chats, /message/chat,
/message/recipients, /message/unread (wallet/messaging/messages.py stores and reads).

Decisions where the document leaves room:
- "One's own tree": an agent writes to its ancestors (upline) and its descendants (downline),
  at any depth. Anyone else of the operator (a sibling, a cousin, another tree) is 403
  FORBIDDEN; an id the operator does not have is 404 NOT_FOUND; oneself is 400.
- A message is 1..3000 characters (Unicode code points, not bytes), not only whitespace, no
  NUL; stored as sent. Each agent sends at most AGENT_MESSAGE_RATE_LIMIT_PER_MINUTE messages a
  minute (429 RATE_LIMITED with Retry-After), counted in PostgreSQL across workers and hosts.
- /message/chat pages newest first and marks every unread message of the counterpart to the
  reader read (not only the page's); /message/chats and /message/recipients page like the other
  lists (start, limit: default 50, at most 100; count and total).
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, field_validator
from starlette.requests import Request

from wallet.agents import fields
from wallet.agents.envelope import ApiError, Code, bad_request, iso_utc
from wallet.agents.gate import Call, Reply, endpoint
from wallet.directory.agents import Agent, find_agent
from wallet.messaging.messages import (
    MESSAGE_CHARS_MAX,
    Message,
    chats_of,
    message_allowed,
    read_chat,
    recipients_of,
    relation,
    send_message,
    unread_messages,
)
from wallet.messaging.notifications import unread_notifications

ID_MAX = 2**63 - 1
# An answer's model names every field it has: a test validating a real answer catches drift.
ANSWER = ConfigDict(extra="forbid")


def _id_text(value: object) -> object:
    """An affiliate id may come as the answers show it (a string of digits) or as a number."""
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return value


AffiliateId = Annotated[
    str,
    BeforeValidator(_id_text),
    Field(pattern=r"^[0-9]{1,19}$", description="An agent's affiliateId", examples=["460346"]),
]


class SendMessageRequest(BaseModel):
    model_config = ConfigDict(strict=True)
    toAffiliateId: AffiliateId
    message: str = Field(
        min_length=1,
        max_length=MESSAGE_CHARS_MAX,
        description="1 to 3000 characters (not bytes), not only whitespace",
        examples=["Your OTP is 482913"],
    )

    @field_validator("message")
    @classmethod
    def _text(cls, value: str) -> str:
        # A NUL or a lone surrogate never gets here: the body reader refuses it (bodies.storable).
        if not value.strip():
            raise ValueError("must not be empty or only whitespace")
        return value


class MessageRow(BaseModel):
    model_config = ANSWER
    id: str
    fromAffiliateId: str
    toAffiliateId: str
    message: str
    createdAt: str
    read: bool = Field(description="Whether the recipient has read it")
    readAt: str | None


SendMessageData = MessageRow


class ChatsRequest(fields.PageRequest):
    pass


Relation = Literal["upline", "downline"]


class ChatRow(BaseModel):
    model_config = ANSWER
    affiliateId: str
    username: str
    relation: Relation | None = Field(description="The counterpart's place in your tree")
    lastMessage: MessageRow
    lastMessageAt: str
    unread: int = Field(description="The counterpart's messages to you not read yet")


class ChatsData(BaseModel):
    model_config = ANSWER
    chats: list[ChatRow]
    count: int
    total: int


class ChatRequest(fields.PageRequest):
    affiliateId: AffiliateId


class ChatData(BaseModel):
    model_config = ANSWER
    affiliateId: str
    username: str
    relation: Relation
    messages: list[MessageRow] = Field(description="Newest first")
    count: int
    total: int
    markedRead: int = Field(description="The counterpart's messages this read marked read")


class RecipientsRequest(fields.PageRequest):
    username: str | None = Field(default=None, max_length=64, description="A part of the name")


class RecipientRow(BaseModel):
    model_config = ANSWER
    affiliateId: str
    username: str
    relation: Relation


class RecipientsData(BaseModel):
    model_config = ANSWER
    recipients: list[RecipientRow]
    count: int
    total: int


class UnreadRequest(BaseModel):
    model_config = ConfigDict(strict=True)


class UnreadChatRow(BaseModel):
    model_config = ANSWER
    affiliateId: str
    username: str
    unread: int


class UnreadData(BaseModel):
    model_config = ANSWER
    unreadMessages: int
    unreadChats: int
    chats: list[UnreadChatRow] = Field(description="Newest unread first, at most 100")
    unreadNotifications: int


def message_view(message: Message) -> dict[str, object]:
    return {
        "id": str(message.id),
        "fromAffiliateId": str(message.sender_id),
        "toAffiliateId": str(message.recipient_id),
        "message": message.body,
        "createdAt": iso_utc(message.created_at),
        "read": message.read_at is not None,
        "readAt": None if message.read_at is None else iso_utc(message.read_at),
    }


async def _counterpart(call: Call, affiliate_id: str) -> tuple[Agent, str]:
    """An agent of the caller's tree and its relation: 404 unknown, 403 outside, 400 oneself."""
    number = int(affiliate_id)
    found = None
    if number <= ID_MAX:
        found = await find_agent(call.ctx.db, call.agent.operator_id, agent_id=number)
    if found is None:
        raise ApiError(Code.NOT_FOUND, "Agent not found", reason="unknown_agent")
    if found.id == call.agent.id:
        raise bad_request("You cannot message yourself")
    place = relation(call.agent, found.path)
    if place is None:
        message = "You may message only your upline and downline agents"
        raise ApiError(Code.FORBIDDEN, message, reason="outside_tree")
    return found, place


@endpoint("message_send")
async def send(request: Request, call: Call) -> Reply:
    wanted = fields.validated(call.body, SendMessageRequest)
    recipient, _ = await _counterpart(call, wanted.toAffiliateId)
    limit = call.ctx.settings.agent_message_rate_limit_per_minute
    allowed, retry_after_s = await message_allowed(call.ctx.db, call.agent, limit)
    if not allowed:
        raise ApiError(
            Code.RATE_LIMITED,
            f"At most {limit} messages a minute; retry later",
            reason="message_rate",
            headers={"Retry-After": str(retry_after_s)},
        )
    message = await send_message(call.ctx.db, call.agent, recipient, wanted.message)
    return Reply(message_view(message))


@endpoint("message_chats")
async def chats(request: Request, call: Call) -> Reply:
    page = fields.validated(call.body, ChatsRequest)
    total, lines = await chats_of(call.ctx.read_db, call.agent, page.start, page.limit)
    rows = [
        {
            "affiliateId": str(line.counterpart_id),
            "username": line.username,
            "relation": relation(call.agent, line.path),
            "lastMessage": message_view(line.last),
            "lastMessageAt": iso_utc(line.last.created_at),
            "unread": line.unread,
        }
        for line in lines
    ]
    return Reply({"chats": rows, "count": len(rows), "total": total})


@endpoint("message_chat")
async def chat(request: Request, call: Call) -> Reply:
    wanted = fields.validated(call.body, ChatRequest)
    other, place = await _counterpart(call, wanted.affiliateId)
    page = await read_chat(call.ctx.db, call.agent, other, wanted.start, wanted.limit)
    messages = [message_view(message) for message in page.messages]
    return Reply(
        {
            "affiliateId": str(other.id),
            "username": other.username,
            "relation": place,
            "messages": messages,
            "count": len(messages),
            "total": page.total,
            "markedRead": page.marked_read,
        }
    )


@endpoint("message_recipients")
async def recipients(request: Request, call: Call) -> Reply:
    wanted = fields.validated(call.body, RecipientsRequest)
    total, lines = await recipients_of(
        call.ctx.read_db, call.agent, wanted.username or "", wanted.start, wanted.limit
    )
    rows = [
        {"affiliateId": str(line.agent_id), "username": line.username, "relation": line.relation}
        for line in lines
    ]
    return Reply({"recipients": rows, "count": len(rows), "total": total})


@endpoint("message_unread")
async def unread(request: Request, call: Call) -> Reply:
    fields.validated(call.body, UnreadRequest)
    db = call.ctx.read_db
    total, chat_count, lines = await unread_messages(db, call.agent)
    return Reply(
        {
            "unreadMessages": total,
            "unreadChats": chat_count,
            "chats": [
                {"affiliateId": str(c.counterpart_id), "username": c.username, "unread": c.unread}
                for c in lines
            ],
            "unreadNotifications": await unread_notifications(db, call.agent.id),
        }
    )

"""Webhook registrations: POST /webhooks/register, /webhooks/list, /webhooks/delete
(wallet/webhooks/registrations.py stores them; wallet/webhooks/worker.py delivers).

Decisions where the document leaves room:
- Per agent: an agent sees and deletes only its own registrations, and gets the events of the
  smart transfers it makes (completed, failed, and its bypasses that the policy blocked).
- The secret (whsec_ + 64 hex) is answered by register only; list never shows it. Lost: delete
  and register again.
- url: https (http with WEBHOOK_ALLOW_HTTP), a host, no user:password part (it would be listed
  back), at most 2048 characters, and a destination wallet/webhooks/destinations.py allows: a
  public address by default (loopback, private, link-local, this machine's: 400), private ones
  too with WEBHOOK_ALLOW_PRIVATE. Names are resolved when delivering, not here: each delivery
  checks what the name resolves to then and connects to that address.
- At most WEBHOOK_REGISTRATIONS_MAX live registrations per agent (400 past it).
"""

from __future__ import annotations

from typing import Literal
from urllib.parse import urlsplit

import httpx
from pydantic import BaseModel, ConfigDict, Field, field_validator
from starlette.requests import Request

from wallet.agents import fields
from wallet.agents.envelope import ApiError, Code, bad_request, iso_utc
from wallet.agents.gate import Call, Reply, endpoint
from wallet.web.requestlog import note
from wallet.webhooks.destinations import DestinationRefused, check_url, policy_of
from wallet.webhooks.registrations import (
    URL_CHARS_MAX,
    Registration,
    delete_registration,
    register,
    registrations_of,
)
from wallet.webhooks.secret_box import new_secret, secret_box

Event = Literal["transfer.completed", "transfer.failed", "bypass.blocked"]
WEBHOOK_ID = r"^[0-9]{1,18}$"


def _check_url(url: str) -> str:
    if any(c.isspace() or ord(c) < 32 or ord(c) == 127 for c in url):
        raise ValueError("url must not contain spaces or control characters")
    try:
        parts = urlsplit(url)
        port = parts.port  # a bad port raises
    except ValueError as error:
        raise ValueError("url is not a valid URL") from error
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError("url must be an http or https URL with a host")
    if parts.username is not None or parts.password is not None:
        raise ValueError("url must not carry a user name or password")
    assert port is None or 0 <= port <= 65535
    try:
        httpx.URL(url)  # what the delivery worker will send to
    except httpx.InvalidURL as error:
        raise ValueError("url is not a valid URL") from error
    return url


class WebhookRegisterRequest(BaseModel):
    model_config = ConfigDict(strict=True)
    url: str = Field(
        min_length=1,
        max_length=URL_CHARS_MAX,
        description="Where deliveries are POSTed (http or https).",
        examples=["https://yourapp.com/webhook/747"],
    )
    events: list[Event] = Field(
        min_length=1,
        max_length=10,
        description="The events to receive.",
        examples=[["transfer.completed", "transfer.failed"]],
    )

    @field_validator("url")
    @classmethod
    def _url(cls, url: str) -> str:
        return _check_url(url)


class WebhookDeleteRequest(BaseModel):
    model_config = ConfigDict(strict=True)
    webhookId: str = Field(
        pattern=WEBHOOK_ID, description="The registration's id, as register answered it."
    )


class WebhookData(BaseModel):
    webhookId: str = Field(description="Sent as X-Webhook-Id with every delivery.")
    url: str
    events: list[Event]
    createdAt: str


class WebhookRegisterData(WebhookData):
    secret: str = Field(description="The HMAC-SHA256 key of X-Webhook-Signature; shown once.")


class WebhookListData(BaseModel):
    webhooks: list[WebhookData]
    count: int


class WebhookDeleteData(BaseModel):
    webhookId: str
    deleted: bool


def _view(registration: Registration) -> dict[str, object]:
    return {
        "webhookId": str(registration.id),
        "url": registration.url,
        "events": list(registration.events),
        "createdAt": iso_utc(registration.created_at),
    }


@endpoint("webhooks_register")
async def webhooks_register(request: Request, call: Call) -> Reply:
    wanted = fields.validated(call.body, WebhookRegisterRequest)
    events: list[str] = list(dict.fromkeys(wanted.events))  # once each, in the given order
    ctx, agent = call.ctx, call.agent
    try:
        check_url(wanted.url, policy_of(ctx.settings))
    except DestinationRefused as refused:
        raise bad_request(f"url refused: {refused}") from refused
    secret = new_secret()
    sealed = (await secret_box(ctx.db, ctx.settings)).seal(agent.id, secret)
    limit = ctx.settings.webhook_registrations_max
    made = await register(ctx.db, agent.id, wanted.url, events, sealed, limit)
    if made is None:
        raise bad_request(f"At most {limit} webhooks per agent; delete one first")
    note(request, webhook_id=made.id)
    return Reply({**_view(made), "secret": secret})


@endpoint("webhooks_list")
async def webhooks_list(request: Request, call: Call) -> Reply:
    found = await registrations_of(call.ctx.db, call.agent.id)
    return Reply({"webhooks": [_view(r) for r in found], "count": len(found)})


@endpoint("webhooks_delete")
async def webhooks_delete(request: Request, call: Call) -> Reply:
    wanted = fields.validated(call.body, WebhookDeleteRequest)
    if not await delete_registration(call.ctx.db, call.agent.id, int(wanted.webhookId)):
        raise ApiError(Code.NOT_FOUND, "Webhook not found", reason="no_webhook")
    return Reply({"webhookId": wanted.webhookId, "deleted": True})

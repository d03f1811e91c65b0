"""Players & agents: POST /balance, /agents, /agent/register, /players, /player/register,
/player/search, /player/balance."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime

from starlette.requests import Request

from wallet.agents import fields
from wallet.agents.envelope import ApiError, Code, bad_request
from wallet.agents.gate import Call, Reply, endpoint
from wallet.agents.lookup import player_by_id
from wallet.cashier.answers import Amount
from wallet.cashier.passwords import hash_password_async
from wallet.ledger.agent_players import (
    AgentPlayer,
    NewPlayer,
    create_agent_player,
    list_players,
    player_balance,
)
from wallet.ledger.agents import Agent, AgentExists, create_agent, list_subagents, wallet_of

SEARCH_LIMIT = 100


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def agent_view(agent: Agent) -> dict[str, object]:
    return {
        "affiliateId": str(agent.id),
        "username": agent.username,
        "email": agent.email,
        "firstName": agent.first_name,
        "lastName": agent.last_name,
        "currency": agent.currency,
        "status": agent.status,
        "parentAffiliateId": None if agent.parent_id is None else str(agent.parent_id),
        "registerDate": _iso(agent.created_at),
    }


def player_view(player: AgentPlayer) -> dict[str, object]:
    return {
        "playerId": str(player.id),
        "username": player.username,
        "firstname": player.first_name,
        "lastname": player.last_name,
        "affiliateId": None if player.agent_id is None else str(player.agent_id),
        "currency": player.currency,
        "registerDate": _iso(player.created_at),
        "phoneNumber": player.mobile,
        "status": player.status,
    }


@endpoint("balance")
async def balance(request: Request, call: Call) -> Reply:
    agent = call.agent
    wallet = await wallet_of(call.ctx.db, agent)

    def amount(minor: int) -> Amount:
        return Amount(minor, agent.exponent)

    return Reply(
        {
            "affiliateId": str(agent.id),
            "username": agent.username,
            "balance": amount(wallet.balance),
            "credit": amount(wallet.credit_unused),
            "creditLine": amount(wallet.credit_line),
            "totalAvailable": amount(wallet.total_available),
            "bonus": amount(wallet.bonus),
            "frozenBalance": amount(wallet.frozen),
            "currency": agent.currency,
        }
    )


@endpoint("agents")
async def agents(request: Request, call: Call) -> Reply:
    start, limit = fields.page(call.body)
    name = fields.optional_text(call.body, "username", 64) or ""
    total, found = await list_subagents(call.ctx.db, call.agent, name, start, limit)
    return Reply({"agents": [agent_view(a) for a in found], "count": len(found), "total": total})


@endpoint("agent_register")
async def agent_register(request: Request, call: Call) -> Reply:
    body, parent = call.body, call.agent
    email = fields.email(body)
    username = fields.username(body, "username")
    password = fields.password(body)
    first_name = fields.optional_text(body, "firstName")
    last_name = fields.optional_text(body, "lastName")
    currency = fields.optional_text(body, "currency", 3) or parent.currency
    if currency != parent.currency:
        raise bad_request(f"currency must be your own ({parent.currency})")
    try:
        made = await create_agent(
            call.ctx.db,
            parent.operator_id,
            username,
            await hash_password_async(password),
            currency,
            parent=parent,
            email=email,
            first_name=first_name,
            last_name=last_name,
        )
    except AgentExists as error:
        raise bad_request("username is already taken") from error
    return Reply(agent_view(made))


@endpoint("players")
async def players(request: Request, call: Call) -> Reply:
    start, limit = fields.page(call.body)
    total, found = await list_players(call.ctx.db, call.agent, "", start, limit)
    return Reply({"players": [player_view(p) for p in found], "count": len(found), "total": total})


@endpoint("player_search")
async def player_search(request: Request, call: Call) -> Reply:
    name = fields.required_text(call.body, "playerUsername", 64)
    total, found = await list_players(call.ctx.db, call.agent, name, 0, SEARCH_LIMIT)
    return Reply({"players": [player_view(p) for p in found], "count": len(found), "total": total})


@endpoint("player_balance")
async def player_balance_of(request: Request, call: Call) -> Reply:
    player = await player_by_id(call)
    minor = await player_balance(call.ctx.db, player)
    return Reply(
        {
            "playerId": str(player.id),
            "username": player.username,
            "balance": Amount(minor, player.exponent),
            "currency": player.currency,
        }
    )


@endpoint("player_register")
async def player_register(request: Request, call: Call) -> Reply:
    body = call.body
    email = fields.email(body)
    username = fields.username(body, "username")
    password = fields.password(body)
    new = NewPlayer(
        username=username,
        email=email,
        password_hash="",
        first_name=fields.optional_text(body, "firstName"),
        last_name=fields.optional_text(body, "lastName"),
        middle_name=fields.optional_text(body, "middleName"),
        mobile=fields.optional_text(body, "mobile", 32),
        country=fields.optional_text(body, "country", 64),
        birth_date=fields.birth_date(body),
    )
    new = dataclasses.replace(new, password_hash=await hash_password_async(password))
    made = await create_agent_player(call.ctx.db, call.agent, new)
    if made is None:
        raise ApiError(Code.BAD_REQUEST, "username is already taken", reason="username_taken")
    return Reply(player_view(made))

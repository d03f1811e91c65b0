"""Players & agents: POST /balance, /agents, /agent/register, /players, /player/register,
/player/search, /player/balance."""

from __future__ import annotations

from pydantic import BaseModel, Field
from starlette.requests import Request

from wallet.access.passwords import hash_password_async
from wallet.agents import fields
from wallet.agents.envelope import ApiError, Code, bad_request, iso_utc
from wallet.agents.fields import EMAIL_FIELD, PASSWORD_FIELD, USERNAME_FIELD, text_field
from wallet.agents.gate import Call, Reply, endpoint
from wallet.agents.lookup import player_by_id
from wallet.directory.agent_players import (
    AgentPlayer,
    NewPlayer,
    create_agent_player,
    list_agent_players,
    player_balance,
)
from wallet.directory.agents import Agent, AgentExists, create_agent, list_subagents, wallet_of
from wallet.web.amounts import Amount

SEARCH_LIMIT = 100


class AgentsRequest(fields.PageRequest):
    username: fields.OptionalText = text_field("Only sub-agents whose username contains this", 64)


class AgentRegisterRequest(fields.Strict):
    email: str = EMAIL_FIELD
    username: str = USERNAME_FIELD
    password: str = PASSWORD_FIELD
    firstName: fields.OptionalText = text_field("First name")
    lastName: fields.OptionalText = text_field("Last name")
    currency: fields.OptionalText = text_field("Your own currency (the default)", 3)


class PlayersRequest(fields.PageRequest):
    pass


class PlayerRegisterRequest(fields.Strict):
    email: str = EMAIL_FIELD
    username: str = USERNAME_FIELD
    password: str = PASSWORD_FIELD
    firstName: fields.OptionalText = text_field("First name")
    lastName: fields.OptionalText = text_field("Last name")
    middleName: fields.OptionalText = text_field("Middle name")
    mobile: fields.OptionalText = text_field("Phone number", 32)
    country: fields.OptionalText = text_field("Country", 64)
    birthDate: fields.IsoDate = Field(None, description="YYYY-MM-DD")


class PlayerSearchRequest(fields.Strict):
    playerUsername: str = Field(
        min_length=1, max_length=64, description="Part of a username, in your downline"
    )


class PlayerBalanceRequest(fields.Strict):
    playerId: fields.PlayerId = Field(description="The player's id (a number or its digits)")


class BalanceData(BaseModel):
    affiliateId: str
    username: str
    balance: fields.Figure
    credit: fields.Figure = Field(description="Credit line not used yet")
    creditLine: fields.Figure
    totalAvailable: fields.Figure = Field(description="balance + credit")
    bonus: fields.Figure
    frozenBalance: fields.Figure
    currency: str = Field(examples=["PHP"])
    decimals: int = Field(
        description="The currency's decimals (beside the document: pages write cents by it)",
        examples=[2],
    )


class AgentData(BaseModel):
    affiliateId: str
    username: str
    email: str | None
    firstName: str | None
    lastName: str | None
    currency: str
    status: str = Field(examples=["active"])
    parentAffiliateId: str | None
    registerDate: str = Field(examples=["2026-12-06T10:00:00Z"])


class AgentsData(BaseModel):
    agents: list[AgentData]
    count: int
    total: int


class PlayerData(BaseModel):
    playerId: str
    username: str
    firstname: str | None
    lastname: str | None
    affiliateId: str | None
    currency: str
    registerDate: str
    phoneNumber: str | None
    status: str


class PlayersData(BaseModel):
    players: list[PlayerData]
    count: int
    total: int


class PlayerBalanceData(BaseModel):
    playerId: str
    username: str
    balance: fields.Figure
    currency: str


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
        "registerDate": iso_utc(agent.created_at),
    }


def player_view(player: AgentPlayer) -> dict[str, object]:
    return {
        "playerId": str(player.id),
        "username": player.username,
        "firstname": player.first_name,
        "lastname": player.last_name,
        "affiliateId": None if player.agent_id is None else str(player.agent_id),
        "currency": player.currency,
        "registerDate": iso_utc(player.created_at),
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
            "decimals": agent.exponent,
        }
    )


@endpoint("agents")
async def agents(request: Request, call: Call) -> Reply:
    wanted = fields.validated(call.body, AgentsRequest)
    name, start, limit = wanted.username or "", wanted.start, wanted.limit
    total, found = await list_subagents(call.ctx.read_db, call.agent, name, start, limit)
    return Reply({"agents": [agent_view(a) for a in found], "count": len(found), "total": total})


@endpoint("agent_register")
async def agent_register(request: Request, call: Call) -> Reply:
    wanted, parent = fields.validated(call.body, AgentRegisterRequest), call.agent
    currency = wanted.currency or parent.currency
    if currency != parent.currency:
        raise bad_request(f"currency must be your own ({parent.currency})")
    try:
        made = await create_agent(
            call.ctx.db,
            parent.operator_id,
            wanted.username,
            await hash_password_async(wanted.password),
            currency,
            parent=parent,
            email=wanted.email,
            first_name=wanted.firstName,
            last_name=wanted.lastName,
        )
    except AgentExists as error:
        raise bad_request("username is already taken") from error
    return Reply(agent_view(made))


@endpoint("players")
async def players(request: Request, call: Call) -> Reply:
    page = fields.validated(call.body, PlayersRequest)
    db = call.ctx.read_db
    total, found = await list_agent_players(db, call.agent, "", page.start, page.limit)
    return Reply({"players": [player_view(p) for p in found], "count": len(found), "total": total})


@endpoint("player_search")
async def player_search(request: Request, call: Call) -> Reply:
    name = fields.validated(call.body, PlayerSearchRequest).playerUsername
    total, found = await list_agent_players(call.ctx.read_db, call.agent, name, 0, SEARCH_LIMIT)
    return Reply({"players": [player_view(p) for p in found], "count": len(found), "total": total})


@endpoint("player_balance")
async def player_balance_of(request: Request, call: Call) -> Reply:
    wanted = fields.validated(call.body, PlayerBalanceRequest)
    player = await player_by_id(call, wanted.playerId)
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
    wanted = fields.validated(call.body, PlayerRegisterRequest)
    new = NewPlayer(
        username=wanted.username,
        email=wanted.email,
        password_hash=await hash_password_async(wanted.password),
        first_name=wanted.firstName,
        last_name=wanted.lastName,
        middle_name=wanted.middleName,
        mobile=wanted.mobile,
        country=wanted.country,
        birth_date=wanted.birthDate,
    )
    made = await create_agent_player(call.ctx.db, call.agent, new)
    if made is None:
        raise ApiError(Code.BAD_REQUEST, "username is already taken", reason="username_taken")
    return Reply(player_view(made))

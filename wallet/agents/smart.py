"""The smart transfer: POST /transfer, /transfer/history, /rebate, /bypass
(wallet/moves/smart.py does the money, in one statement per transfer).

Decisions where the document leaves room:
- Ownership: the player's owning agent. The caller's own player: a plain transfer. A player of
  an agent below the caller: a bypass (counted, tiered, maybe surcharged or blocked, and on a
  deposit a rebate the caller owes the owner at the rate the caller set for it). Anyone else's:
  403 FORBIDDEN.
- A blocked bypass: 422 BYPASS_BLOCKED, nothing moved. rebate and bypassInfo are null when they
  do not apply. panelTransactionId is our ledger transaction's id.
- Percents are numbers with at most 2 decimals (stored as basis points); the rebate and the
  surcharge are rounded down to the currency's minor unit.
"""

from __future__ import annotations

from typing import Annotated, Literal, TypeVar, get_args

from pydantic import BaseModel, Field
from starlette.requests import Request

from wallet.agents import fields
from wallet.agents.envelope import ApiError, Code, bad_request
from wallet.agents.fields import (
    Choice,
    Figure,
    OptionalText,
    Percent,
    PositiveAmount,
    ReportDate,
    text_field,
)
from wallet.agents.gate import Call, Reply, endpoint
from wallet.agents.lookup import player_by_username, sub_agent
from wallet.agents.money import CONFLICT, short
from wallet.agents.smart_views import Key, TransferFacts, percent, transfer_view, write_events
from wallet.directory.agent_players import AgentPlayer, player_balance
from wallet.directory.agents import Agent, find_agent, wallet_of
from wallet.ledger.idempotency import ScopedKey
from wallet.ledger.outcomes import LedgerAnswer, Outcome
from wallet.moves.smart import (
    PAYMENT_METHODS,
    TYPES,
    HistoryFilter,
    Policy,
    SmartRequest,
    history,
    policy_of,
    rebates_of,
    set_policy,
    set_rebate,
    smart_record,
    smart_transfer,
)
from wallet.web.amounts import Amount
from wallet.web.requestlog import note

T = TypeVar("T")
REFERENCE_MAX = 128
COUNT_MAX = 1_000_000
TRANSFER_TYPE = Literal["deposit", "withdraw"]
PAYMENT_METHOD = Literal["gcash", "bank", "crypto", "manual"]
assert get_args(TRANSFER_TYPE) == TYPES and get_args(PAYMENT_METHOD) == PAYMENT_METHODS
USERNAME = Field(None, max_length=64)


class TransferRequest(fields.KeyedRequest):
    """A deposit to or a withdrawal from a player of the caller's downline."""

    playerUsername: str = Field(min_length=1, max_length=64, examples=["player_1"])
    type: TRANSFER_TYPE
    amount: PositiveAmount = Field(
        description="In your currency, at most its decimals", examples=[100]
    )
    paymentMethod: Annotated[PAYMENT_METHOD | None, Choice] = None
    paymentReference: OptionalText = text_field("The payment's reference", REFERENCE_MAX)
    comment: OptionalText = text_field("Free text, kept with the transfer", fields.COMMENT_MAX)


class TransferHistoryRequest(fields.PageRequest):
    playerUsername: OptionalText = USERNAME
    type: Annotated[TRANSFER_TYPE | None, Choice] = None
    dateFrom: ReportDate = Field(None, description="YYYY-MM-DD or YYYY/MM/DD (inclusive)")
    dateTo: ReportDate = Field(None, description="YYYY-MM-DD or YYYY/MM/DD (inclusive)")
    bypassOnly: bool | None = None
    owningAgent: OptionalText = USERNAME


class RebateRequest(fields.Strict):
    """No action: the rebates and the settlement; action "set": a sub-agent's rate first."""

    action: Annotated[Literal["set"] | None, Choice] = None
    subAgentUsername: OptionalText = Field(None, max_length=64, description='With action "set"')
    rebatePercent: Percent | None = Field(None, description='With action "set"')


class BypassRequest(fields.Strict):
    """No action: the policy; action "set": the fields given change, the others stay."""

    action: Annotated[Literal["set"] | None, Choice] = None
    maxFreeBypassesPerWindow: int | None = Field(None, ge=0, le=COUNT_MAX)
    windowHours: int | None = Field(None, ge=1, le=8760)
    surchargePercent: Percent | None = None
    blockAfter: int | None = Field(None, ge=0, le=COUNT_MAX)
    notifyOwningAgent: bool | None = None


class OwningAgent(BaseModel):
    id: str
    username: str


class RebateInfo(BaseModel):
    percent: Figure
    amount: Figure
    owedTo: str


class BypassInfo(BaseModel):
    count: int
    tier: str
    surchargePercent: Figure
    surchargeAmount: Figure


class TransferRecord(BaseModel):
    txId: str = Field(examples=["ST-20261206-000001"])
    type: str
    playerUsername: str
    amount: Figure
    isBypass: bool
    owningAgent: OwningAgent
    rebate: RebateInfo | None
    bypassInfo: BypassInfo | None
    paymentMethod: str | None
    paymentReference: str | None
    comment: str | None
    panelTransactionId: str
    createdAt: str


class TransferData(TransferRecord):
    agentBalanceBefore: Figure
    agentBalanceAfter: Figure
    playerBalanceBefore: Figure
    playerBalanceAfter: Figure


class TransferHistoryData(BaseModel):
    transfers: list[TransferRecord]
    count: int
    total: int


class RebateLine(BaseModel):
    username: str
    affiliateId: str
    rebatePercent: Figure


class SettlementLine(BaseModel):
    username: str
    totalRebateOwed: Figure
    transactionCount: int


class RebateData(BaseModel):
    rebates: list[RebateLine]
    settlement: list[SettlementLine]


class BypassData(BaseModel):
    maxFreeBypassesPerWindow: int
    windowHours: int
    surchargePercent: Figure
    blockAfter: int
    notifyOwningAgent: bool


def _wanted(body: TransferRequest, exponent: int) -> SmartRequest:
    return SmartRequest(
        type=body.type,
        amount_minor=fields.minor_units(body.amount, exponent),
        payment_method=body.paymentMethod,
        payment_reference=body.paymentReference,
        comment=body.comment,
    )


def _key(
    request: Request, body: TransferRequest, agent: Agent, player_id: int, wanted: SmartRequest
) -> Key:
    client_key = fields.idempotency_key(request, body.idempotencyKey)
    request_fields = {
        "kind": "transfer",
        "player": player_id,
        "type": wanted.type,
        "amount": wanted.amount_minor,
        "paymentMethod": wanted.payment_method,
        "paymentReference": wanted.payment_reference,
        "comment": wanted.comment,
    }
    return Key(ScopedKey.of(agent.id, client_key, request_fields), client_key)


async def _refused(call: Call, player: AgentPlayer, owner: Agent, answer: LedgerAnswer,
                   amount_minor: int, deposit: bool) -> ApiError:  # fmt: skip
    """The error of a transfer that did not happen (its events are written already)."""
    if answer.outcome == Outcome.CONFLICT:
        return ApiError(Code.IDEMPOTENCY_CONFLICT, CONFLICT, reason="conflict")
    if answer.outcome == Outcome.BLOCKED:
        message = f"Bypass limit reached: the player must contact their agent {owner.username}"
        return ApiError(Code.BYPASS_BLOCKED, message, reason="bypass_blocked")
    assert answer.outcome == Outcome.INSUFFICIENT, answer
    db, agent = call.ctx.db, call.agent
    have = (
        (await wallet_of(db, agent)).total_available
        if deposit
        else await player_balance(db, player)
    )
    return short(amount_minor, have, agent.exponent)


@endpoint("transfer")
async def transfer(request: Request, call: Call) -> Reply:
    agent, db = call.agent, call.ctx.db
    body = fields.validated(call.body, TransferRequest)
    wanted = _wanted(body, agent.exponent)
    player = await player_by_username(call, body.playerUsername)
    assert player.agent_id is not None  # owned: player_by_username checked the subtree
    owner = await find_agent(db, agent.operator_id, agent_id=player.agent_id)
    assert owner is not None
    key = _key(request, body, agent, player.id, wanted)
    note(request, external_id=key.scoped.external_id)
    policy = await policy_of(db, agent)
    # The money, its record, its notifications and its webhook events: one unit of work.
    async with db.transaction() as tx:
        answer = await smart_transfer(tx, agent, player, owner, wanted, key.scoped, policy)
        view = None
        if answer.outcome in (Outcome.NEW, Outcome.REPLAY):
            assert answer.tx_id is not None
            view = transfer_view(
                await smart_record(tx, answer.tx_id, agent, player), agent.exponent
            )
        facts = TransferFacts(agent, player, owner, wanted, key, policy)
        await write_events(tx, facts, answer, view)
    note(request, outcome=answer.outcome.value)
    if view is None:
        raise await _refused(call, player, owner, answer, wanted.amount_minor,
                             wanted.type == "deposit")  # fmt: skip
    return Reply(view, idempotent=answer.outcome == Outcome.REPLAY)


@endpoint("transfer_history")
async def transfer_history(request: Request, call: Call) -> Reply:
    body = fields.validated(call.body, TransferHistoryRequest)
    where = HistoryFilter(
        player_username=body.playerUsername,
        type=body.type,
        date_from=body.dateFrom,
        date_to=body.dateTo,
        bypass_only=bool(body.bypassOnly),
        owning_agent=body.owningAgent,
    )
    total, records = await history(call.ctx.read_db, call.agent, where, body.start, body.limit)
    exponent = call.agent.exponent
    return Reply(
        {
            "transfers": [transfer_view(r, exponent, balances=False) for r in records],
            "count": len(records),
            "total": total,
        }
    )


@endpoint("rebate")
async def rebate(request: Request, call: Call) -> Reply:
    agent, db = call.agent, call.ctx.db
    wanted = fields.validated(call.body, RebateRequest)
    if wanted.action == "set":
        if wanted.subAgentUsername is None:
            raise bad_request("subAgentUsername is required")
        sub = await sub_agent(call, wanted.subAgentUsername)
        if wanted.rebatePercent is None:
            raise bad_request("rebatePercent is required")
        await set_rebate(db, agent, sub, fields.basis_points(wanted.rebatePercent))
    lines = await rebates_of(db, agent)
    return Reply(
        {
            "rebates": [
                {
                    "username": line.username,
                    "affiliateId": str(line.sub_agent_id),
                    "rebatePercent": percent(line.percent_bp or 0),
                }
                for line in lines
                if line.percent_bp is not None
            ],
            "settlement": [
                {
                    "username": line.username,
                    "totalRebateOwed": Amount(line.owed_minor, agent.exponent),
                    "transactionCount": line.transaction_count,
                }
                for line in lines
                if line.transaction_count
            ],
        }
    )


def _given(value: T | None, default: T) -> T:
    return default if value is None else value


def _policy_view(policy: Policy) -> dict[str, object]:
    return {
        "maxFreeBypassesPerWindow": policy.max_free,
        "windowHours": policy.window_hours,
        "surchargePercent": percent(policy.surcharge_bp),
        "blockAfter": policy.block_after,
        "notifyOwningAgent": policy.notify,
    }


@endpoint("bypass")
async def bypass(request: Request, call: Call) -> Reply:
    agent, db = call.agent, call.ctx.db
    wanted = fields.validated(call.body, BypassRequest)
    policy = await policy_of(db, agent)
    if wanted.action == "set":
        surcharge = wanted.surchargePercent
        surcharge_bp = policy.surcharge_bp if surcharge is None else fields.basis_points(surcharge)
        policy = Policy(
            max_free=_given(wanted.maxFreeBypassesPerWindow, policy.max_free),
            window_hours=_given(wanted.windowHours, policy.window_hours),
            surcharge_bp=surcharge_bp,
            block_after=_given(wanted.blockAfter, policy.block_after),
            notify=_given(wanted.notifyOwningAgent, policy.notify),
        )
        if policy.block_after < policy.max_free:
            raise bad_request("blockAfter must be at least maxFreeBypassesPerWindow")
        await set_policy(db, agent, policy)
    return Reply(_policy_view(policy))

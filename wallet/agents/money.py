"""Raw transfers: POST /deposit, /withdraw (agent <-> its own or a descendant's player) and
/agent/deposit, /agent/withdraw (agent <-> a sub-agent, moneyType REAL or CREDIT). Each is one
ledger transaction (wallet/moves/agent.py).

Idempotency: X-Idempotency-Key or idempotencyKey in the body. The same key with the same request
(the endpoint, whom, the exact amount, moneyType and comment; not the credentials) answers the
original's answer, rebuilt from its postings, with `_idempotent: true`, and moves nothing; with
another request 409 IDEMPOTENCY_CONFLICT. Concurrent copies move money once (the ledger's key).
Keys are kept for good (the document promises 24 h): a late retry replays too, never pays twice.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

from pydantic import BaseModel, Field, model_validator
from starlette.requests import Request

from wallet.agents import fields
from wallet.agents.envelope import ApiError, Code, bad_request, iso_utc
from wallet.agents.fields import Choice, Figure, OptionalText, PositiveAmount, text_field
from wallet.agents.gate import Call, Reply, endpoint
from wallet.agents.lookup import player_by_username, sub_agent
from wallet.directory.agent_players import AgentPlayer, player_balance, visible_around
from wallet.directory.agents import Agent, wallet_of
from wallet.ledger.database import LedgerDB
from wallet.ledger.idempotency import ScopedKey
from wallet.ledger.money import format_minor
from wallet.ledger.outcomes import LedgerAnswer, Outcome
from wallet.moves import agent as agent_money
from wallet.moves.agent import Kind, MoveRecord, move_record
from wallet.web.amounts import Amount
from wallet.web.requestlog import note

CONFLICT = "Idempotency key already used with a different request"
WITHDRAW_ALL_TRIES = 3  # a withdraw of everything judged on a balance a bet changed: again
COMMENT = text_field("Free text, kept with the move", fields.COMMENT_MAX)
AMOUNT = Field(description="In your currency, at most its decimals", examples=[100, 25.5])


class PlayerMoveRequest(fields.KeyedRequest):
    """POST /deposit (agent -> player) and /withdraw (player -> agent)."""

    playerUsername: str = Field(min_length=1, max_length=64, examples=["player_1"])
    amount: PositiveAmount = AMOUNT
    comment: OptionalText = COMMENT


class PlayerWithdrawRequest(fields.KeyedRequest):
    """POST /withdraw (player -> agent): an amount, or (beside the document) all: true for the
    player's whole balance; the answer's `amount` is then what it took."""

    playerUsername: str = Field(min_length=1, max_length=64, examples=["player_1"])
    amount: PositiveAmount | None = Field(
        None,
        description="In your currency, at most its decimals; required unless all",
        examples=[100],
    )
    all: bool = Field(False, description="Withdraw the player's whole balance")
    comment: OptionalText = COMMENT

    @model_validator(mode="after")
    def _amount_or_all(self) -> PlayerWithdrawRequest:
        if (self.amount is None) != self.all:
            raise ValueError("give either amount or all: true")
        return self


class AgentMoveRequest(fields.KeyedRequest):
    """POST /agent/deposit (agent -> sub-agent) and /agent/withdraw (sub-agent -> agent)."""

    agentTarget: str = Field(min_length=1, max_length=64, description="A sub-agent's username")
    amount: PositiveAmount = AMOUNT
    moneyType: Annotated[fields.MONEY_TYPE | None, Choice] = Field(
        None, description="REAL (the default) moves balance, CREDIT moves credit line"
    )
    comment: OptionalText = COMMENT


class PlayerMoveData(BaseModel):
    transactionId: str
    type: str = Field(examples=["deposit"])
    playerUsername: str
    playerId: str
    amount: Figure
    comment: str | None
    agentBalanceBefore: Figure
    agentBalanceAfter: Figure
    playerBalanceBefore: Figure
    playerBalanceAfter: Figure
    createdAt: str


class AgentMoveData(BaseModel):
    transactionId: str
    type: str = Field(examples=["agent_deposit"])
    agentTarget: str
    targetAffiliateId: str
    moneyType: str
    amount: Figure
    comment: str | None
    agentBalanceBefore: Figure
    agentBalanceAfter: Figure
    targetBalanceBefore: Figure | None = Field(None, description="moneyType REAL")
    targetBalanceAfter: Figure | None = Field(None, description="moneyType REAL")
    targetCreditLineBefore: Figure | None = Field(None, description="moneyType CREDIT")
    targetCreditLineAfter: Figure | None = Field(None, description="moneyType CREDIT")
    createdAt: str


def _amount_text(minor: int, exponent: int) -> str:
    """The document's message form: "Need 100 but have 14" (no trailing zeros)."""
    text = format_minor(minor, exponent)
    return text.rstrip("0").rstrip(".") if "." in text else text


def short(need: int, have: int, exponent: int) -> ApiError:
    message = f"Need {_amount_text(need, exponent)} but have {_amount_text(max(have, 0), exponent)}"
    return ApiError(Code.INSUFFICIENT_BALANCE, message, reason="insufficient")


async def _record(db: LedgerDB, answer: LedgerAnswer) -> MoveRecord:
    assert answer.tx_id is not None
    record = await move_record(db, answer.tx_id)
    assert record is not None, answer
    return record


def _refused(answer: LedgerAnswer) -> None:
    if answer.outcome == Outcome.CONFLICT:
        raise ApiError(Code.IDEMPOTENCY_CONFLICT, CONFLICT, reason="conflict")


def _agent_figures(agent: Agent, record: MoveRecord, main_now: int) -> dict[str, Amount]:
    before, after = record.around(agent.main_account_id, main_now)
    return {
        "agentBalanceBefore": Amount(max(before, 0), agent.exponent),
        "agentBalanceAfter": Amount(max(after, 0), agent.exponent),
    }


async def _player_move(request: Request, call: Call, kind: Kind) -> Reply:
    wanted: PlayerMoveRequest | PlayerWithdrawRequest = (
        fields.validated(call.body, PlayerWithdrawRequest)
        if kind == Kind.WITHDRAW
        else fields.validated(call.body, PlayerMoveRequest)
    )
    key_text = fields.idempotency_key(request, wanted.idempotencyKey)
    agent, db, comment = call.agent, call.ctx.db, wanted.comment
    take_all = isinstance(wanted, PlayerWithdrawRequest) and wanted.all
    amount = 0 if take_all else fields.minor_units(_given(wanted.amount), agent.exponent)
    player = await player_by_username(call, wanted.playerUsername)
    if player.currency != agent.currency:
        raise bad_request("The player's currency is not yours")
    request_fields = {
        "kind": kind.value,
        "player": player.id,
        "amount": "all" if take_all else amount,
        "comment": comment,
    }
    key = ScopedKey.of(agent.id, key_text, request_fields)
    note(request, external_id=key.external_id)
    if take_all:
        answer, amount = await _withdraw_all(db, agent, player, key, comment)
    else:
        answer = await agent_money.player_move(db, agent, player, kind, amount, key, comment)
    note(request, outcome=answer.outcome.value)
    _refused(answer)
    if answer.outcome == Outcome.INSUFFICIENT:
        if kind == Kind.DEPOSIT:
            raise short(amount, (await wallet_of(db, agent)).total_available, agent.exponent)
        raise short(amount, await player_balance(db, player), player.exponent)
    assert answer.outcome in (Outcome.NEW, Outcome.REPLAY), answer
    return Reply(
        await _player_view(db, agent, player, await _record(db, answer)),
        idempotent=answer.outcome == Outcome.REPLAY,
    )


def _given(amount: Decimal | None) -> Decimal:
    assert amount is not None  # the model wants it unless all
    return amount


async def _withdraw_all(
    db: LedgerDB, agent: Agent, player: AgentPlayer, key: ScopedKey, comment: str | None
) -> tuple[LedgerAnswer, int]:
    """Withdraw the player's whole balance (as the studios see it): the move of the amount read
    just before; a bet that changed it meanwhile makes the ledger refuse, and it is read again.
    A replay answers the original (what it took then), whatever the balance is now."""
    prior = await agent_money.prior_answer(db, key)
    if prior is not None:
        return prior, 0
    for _ in range(WITHDRAW_ALL_TRIES):
        amount = await player_balance(db, player)
        if amount <= 0:
            raise ApiError(
                Code.INSUFFICIENT_BALANCE, "Nothing to withdraw: the balance is 0", reason="nothing"
            )
        answer = await agent_money.player_move(
            db, agent, player, Kind.WITHDRAW, amount, key, comment
        )
        if answer.outcome != Outcome.INSUFFICIENT:
            break
    return answer, amount


async def _player_view(
    db: LedgerDB, agent: Agent, player: AgentPlayer, record: MoveRecord
) -> dict[str, object]:
    wallet = await wallet_of(db, agent)
    sign = 1 if record.kind == Kind.DEPOSIT else -1
    before, after = visible_around(record.balances, player, sign * record.amount_minor)
    return {
        "transactionId": str(record.tx_id),
        "type": record.kind,
        "playerUsername": player.username,
        "playerId": str(player.id),
        "amount": Amount(record.amount_minor, agent.exponent),
        "comment": record.comment,
        **_agent_figures(agent, record, wallet.main),
        "playerBalanceBefore": Amount(before, player.exponent),
        "playerBalanceAfter": Amount(after, player.exponent),
        "createdAt": iso_utc(record.created_at),
    }


@endpoint("deposit")
async def deposit(request: Request, call: Call) -> Reply:
    return await _player_move(request, call, Kind.DEPOSIT)


@endpoint("withdraw")
async def withdraw(request: Request, call: Call) -> Reply:
    return await _player_move(request, call, Kind.WITHDRAW)


async def _agent_short(db: LedgerDB, agent: Agent, target: Agent, kind: Kind, money: str) -> int:
    """What the side that pays holds, for the refusal's message."""
    if kind == Kind.AGENT_DEPOSIT:
        return (await wallet_of(db, agent)).total_available
    target_wallet = await wallet_of(db, target)
    return target_wallet.balance if money == "REAL" else target_wallet.credit_unused


async def _agent_move(request: Request, call: Call, kind: Kind) -> Reply:
    wanted = fields.validated(call.body, AgentMoveRequest)
    key_text = fields.idempotency_key(request, wanted.idempotencyKey)
    agent, db, comment = call.agent, call.ctx.db, wanted.comment
    amount = fields.minor_units(wanted.amount, agent.exponent)
    money = wanted.moneyType or "REAL"
    target = await sub_agent(call, wanted.agentTarget)
    request_fields = {
        "kind": kind.value,
        "target": target.id,
        "amount": amount,
        "moneyType": money,
        "comment": comment,
    }
    key = ScopedKey.of(agent.id, key_text, request_fields)
    note(request, external_id=key.external_id)
    answer = await agent_money.agent_move(db, agent, target, kind, money, amount, key, comment)
    note(request, outcome=answer.outcome.value)
    _refused(answer)
    if answer.outcome == Outcome.INSUFFICIENT:
        have = await _agent_short(db, agent, target, kind, money)
        raise short(amount, have, agent.exponent)
    assert answer.outcome in (Outcome.NEW, Outcome.REPLAY), answer
    record = await _record(db, answer)
    mine = await wallet_of(db, agent)
    # Only figures of accounts the move posted to: a replay rebuilds them exactly.
    if record.money_type == "REAL":
        before, after = record.around(target.main_account_id, 0)
        figures = {"targetBalanceBefore": max(before, 0), "targetBalanceAfter": max(after, 0)}
    else:
        before, after = record.around(target.credit_account_id, 0)
        figures = {"targetCreditLineBefore": before, "targetCreditLineAfter": after}
    data = {
        "transactionId": str(record.tx_id),
        "type": record.kind,
        "agentTarget": target.username,
        "targetAffiliateId": str(target.id),
        "moneyType": record.money_type,
        "amount": Amount(record.amount_minor, agent.exponent),
        "comment": record.comment,
        **_agent_figures(agent, record, mine.main),
        **{name: Amount(minor, agent.exponent) for name, minor in figures.items()},
        "createdAt": iso_utc(record.created_at),
    }
    return Reply(data, idempotent=answer.outcome == Outcome.REPLAY)


@endpoint("agent_deposit")
async def agent_deposit(request: Request, call: Call) -> Reply:
    return await _agent_move(request, call, Kind.AGENT_DEPOSIT)


@endpoint("agent_withdraw")
async def agent_withdraw(request: Request, call: Call) -> Reply:
    return await _agent_move(request, call, Kind.AGENT_WITHDRAW)

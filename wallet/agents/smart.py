"""The smart transfer: POST /transfer, /transfer/history, /rebate, /bypass
(wallet/ledger/smart_transfers.py does the money, in one statement per transfer).

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

import re
from datetime import date
from decimal import Decimal

from starlette.requests import Request

from wallet.agents import fields
from wallet.agents.envelope import ApiError, Code, bad_request
from wallet.agents.gate import Call, Reply, endpoint
from wallet.agents.lookup import player_by_username, sub_agent
from wallet.agents.money import CONFLICT, short
from wallet.cashier.answers import Amount
from wallet.ledger.agent_players import player_balance
from wallet.ledger.agents import find_agent, wallet_of
from wallet.ledger.idempotency import ScopedKey
from wallet.ledger.money import AmountError, parse_minor
from wallet.ledger.outcomes import Outcome
from wallet.ledger.smart_transfers import (
    PAYMENT_METHODS,
    TYPES,
    HistoryFilter,
    Policy,
    SmartRecord,
    SmartRequest,
    history,
    policy_of,
    rebates_of,
    set_policy,
    set_rebate,
    smart_record,
    smart_transfer,
)
from wallet.web.requestlog import note

REFERENCE_MAX = 128
COUNT_MAX = 1_000_000
DATE = re.compile(r"\d{4}[-/]\d{2}[-/]\d{2}")


def _percent_bp(body: fields.Body, name: str) -> int:
    """A percent 0..100 with at most 2 decimals, as basis points (2.5 -> 250)."""
    value = body.get(name)
    if value is None:
        raise bad_request(f"{name} is required")
    if isinstance(value, bool) or not isinstance(value, int | Decimal):
        raise bad_request(f"{name} must be a number")
    try:
        bp = parse_minor(str(value), 2)
    except AmountError as error:
        raise bad_request(f"{name} must be 0 to 100 with at most 2 decimals") from error
    if bp > 10_000:
        raise bad_request(f"{name} must be 0 to 100 with at most 2 decimals")
    return bp


def _percent(bp: int) -> Amount:
    return Amount(bp, 2)


def _choice(body: fields.Body, name: str, choices: tuple[str, ...], required: bool) -> str | None:
    value = body.get(name)
    if value is None or value == "":
        if required:
            raise bad_request(f"{name} is required")
        return None
    if value not in choices:
        raise bad_request(f"{name} must be one of {', '.join(choices)}")
    return str(value)


def transfer_view(record: SmartRecord, exponent: int, balances: bool = True) -> dict[str, object]:
    def amount(minor: int) -> Amount:
        return Amount(minor, exponent)

    view: dict[str, object] = {
        "txId": record.st_id,
        "type": record.type,
        "playerUsername": record.player_username,
        "amount": amount(record.amount_minor),
        "isBypass": record.is_bypass,
        "owningAgent": {"id": str(record.owner_agent_id), "username": record.owner_username},
        "rebate": {
            "percent": _percent(record.rebate_bp),
            "amount": amount(record.rebate_minor),
            "owedTo": record.owner_username,
        }
        if record.rebate_minor
        else None,
        "bypassInfo": {
            "count": record.bypass_count,
            "tier": record.tier,
            "surchargePercent": _percent(record.surcharge_bp),
            "surchargeAmount": amount(record.surcharge_minor),
        }
        if record.is_bypass
        else None,
        "paymentMethod": record.payment_method,
        "paymentReference": record.payment_reference,
        "comment": record.comment,
        "panelTransactionId": str(record.tx_id),
    }
    if balances:
        view |= {
            "agentBalanceBefore": amount(max(record.agent_before, 0)),
            "agentBalanceAfter": amount(max(record.agent_after, 0)),
            "playerBalanceBefore": amount(record.player_before),
            "playerBalanceAfter": amount(record.player_after),
        }
    view["createdAt"] = record.created_at.strftime("%Y-%m-%dT%H:%M:%SZ")
    return view


def _request(call: Call) -> SmartRequest:
    body = call.body
    kind = _choice(body, "type", TYPES, required=True)
    assert kind is not None
    return SmartRequest(
        type=kind,
        amount_minor=fields.amount_minor(body, call.agent.exponent),
        payment_method=_choice(body, "paymentMethod", PAYMENT_METHODS, required=False),
        payment_reference=fields.optional_text(body, "paymentReference", REFERENCE_MAX),
        comment=fields.optional_text(body, "comment", fields.COMMENT_MAX),
    )


@endpoint("transfer")
async def transfer(request: Request, call: Call) -> Reply:
    agent, db = call.agent, call.ctx.db
    key_text = fields.idempotency_key(request, call.body)
    wanted = _request(call)
    player = await player_by_username(call)
    assert player.agent_id is not None  # owned: player_by_username checked the subtree
    owner = await find_agent(db, agent.operator_id, agent_id=player.agent_id)
    assert owner is not None
    request_fields = {
        "kind": "transfer",
        "player": player.id,
        "type": wanted.type,
        "amount": wanted.amount_minor,
        "paymentMethod": wanted.payment_method,
        "paymentReference": wanted.payment_reference,
        "comment": wanted.comment,
    }
    key = ScopedKey.of(agent.id, key_text, request_fields)
    note(request, external_id=key.external_id)
    answer = await smart_transfer(db, agent, player, owner, wanted, key, await policy_of(db, agent))
    note(request, outcome=answer.outcome.value)
    if answer.outcome == Outcome.CONFLICT:
        raise ApiError(Code.IDEMPOTENCY_CONFLICT, CONFLICT, reason="conflict")
    if answer.outcome == Outcome.BLOCKED:
        message = f"Bypass limit reached: the player must contact their agent {owner.username}"
        raise ApiError(Code.BYPASS_BLOCKED, message, reason="bypass_blocked")
    if answer.outcome == Outcome.INSUFFICIENT:
        if wanted.type == "deposit":
            have = (await wallet_of(db, agent)).total_available
        else:
            have = await player_balance(db, player)
        raise short(wanted.amount_minor, have, agent.exponent)
    assert answer.outcome in (Outcome.NEW, Outcome.REPLAY) and answer.tx_id is not None, answer
    record = await smart_record(db, answer.tx_id, agent, player)
    return Reply(transfer_view(record, agent.exponent), idempotent=answer.outcome == Outcome.REPLAY)


def _date(body: fields.Body, name: str) -> date | None:
    value = fields.optional_text(body, name, 10)
    if value is None:
        return None
    if DATE.fullmatch(value):
        try:
            return date.fromisoformat(value.replace("/", "-"))
        except ValueError:
            pass
    raise bad_request(f"{name} must be a date YYYY-MM-DD or YYYY/MM/DD")


def _flag(body: fields.Body, name: str) -> bool:
    value = body.get(name)
    if value is None:
        return False
    if not isinstance(value, bool):
        raise bad_request(f"{name} must be true or false")
    return value


@endpoint("transfer_history")
async def transfer_history(request: Request, call: Call) -> Reply:
    body = call.body
    start, limit = fields.page(body)
    where = HistoryFilter(
        player_username=fields.optional_text(body, "playerUsername", 64),
        type=_choice(body, "type", TYPES, required=False),
        date_from=_date(body, "dateFrom"),
        date_to=_date(body, "dateTo"),
        bypass_only=_flag(body, "bypassOnly"),
        owning_agent=fields.optional_text(body, "owningAgent", 64),
    )
    total, records = await history(call.ctx.db, call.agent, where, start, limit)
    exponent = call.agent.exponent
    return Reply(
        {
            "transfers": [transfer_view(r, exponent, balances=False) for r in records],
            "count": len(records),
            "total": total,
        }
    )


def _action(body: fields.Body) -> bool:
    """Whether the request sets (action "set") rather than gets (no action)."""
    action = body.get("action")
    if action is None or action == "":
        return False
    if action != "set":
        raise bad_request('action must be "set" or absent')
    return True


@endpoint("rebate")
async def rebate(request: Request, call: Call) -> Reply:
    agent, db = call.agent, call.ctx.db
    if _action(call.body):
        sub = await sub_agent(call, "subAgentUsername")
        await set_rebate(db, agent, sub, _percent_bp(call.body, "rebatePercent"))
    lines = await rebates_of(db, agent)
    return Reply(
        {
            "rebates": [
                {
                    "username": line.username,
                    "affiliateId": str(line.sub_agent_id),
                    "rebatePercent": _percent(line.percent_bp or 0),
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


def _count(body: fields.Body, name: str, default: int, low: int, high: int) -> int:
    value = body.get(name)
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise bad_request(f"{name} must be a whole number from {low} to {high}")
    return value


def _policy_view(policy: Policy) -> dict[str, object]:
    return {
        "maxFreeBypassesPerWindow": policy.max_free,
        "windowHours": policy.window_hours,
        "surchargePercent": _percent(policy.surcharge_bp),
        "blockAfter": policy.block_after,
        "notifyOwningAgent": policy.notify,
    }


@endpoint("bypass")
async def bypass(request: Request, call: Call) -> Reply:
    agent, db, body = call.agent, call.ctx.db, call.body
    policy = await policy_of(db, agent)
    if _action(body):
        notify = body.get("notifyOwningAgent", policy.notify)
        if not isinstance(notify, bool):
            raise bad_request("notifyOwningAgent must be true or false")
        policy = Policy(
            max_free=_count(body, "maxFreeBypassesPerWindow", policy.max_free, 0, COUNT_MAX),
            window_hours=_count(body, "windowHours", policy.window_hours, 1, 8760),
            surcharge_bp=_percent_bp(body, "surchargePercent")
            if "surchargePercent" in body
            else policy.surcharge_bp,
            block_after=_count(body, "blockAfter", policy.block_after, 0, COUNT_MAX),
            notify=notify,
        )
        if policy.block_after < policy.max_free:
            raise bad_request("blockAfter must be at least maxFreeBypassesPerWindow")
        await set_policy(db, agent, policy)
    return Reply(_policy_view(policy))

"""What the agent API shows of a smart transfer, rendered once for every place it goes: the
/transfer answer, a /transfer/history row, and the data of its webhook events (written here in
the transfer's own unit of work, so an event exists exactly when what it tells committed)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

from wallet.agents.envelope import iso_utc
from wallet.directory.agent_players import AgentPlayer
from wallet.directory.agents import Agent
from wallet.ledger.database import Queries
from wallet.ledger.idempotency import ScopedKey
from wallet.ledger.outcomes import LedgerAnswer, Outcome
from wallet.moves.smart import Policy, SmartRecord, SmartRequest
from wallet.web.amounts import Amount, encode
from wallet.webhooks import events

# The view's fields that an event's data carries too (not the comment, balances or time).
EVENT_FIELDS = (
    "txId", "panelTransactionId", "type", "amount", "playerUsername", "isBypass", "owningAgent",
    "bypassInfo", "rebate", "paymentMethod", "paymentReference",
)  # fmt: skip
# The events of each outcome, and the refusal's reason they carry.
OUTCOME_EVENTS = {
    Outcome.NEW: (("transfer.completed",), None),
    Outcome.INSUFFICIENT: (("transfer.failed",), "INSUFFICIENT_BALANCE"),
    Outcome.BLOCKED: (("bypass.blocked", "transfer.failed"), "BYPASS_BLOCKED"),
}


@dataclass(frozen=True, slots=True)
class Key:
    scoped: ScopedKey
    client_key: str | None  # as the client sent it (None: it sent none)


@dataclass(frozen=True, slots=True)
class TransferFacts:
    """What a transfer was asked to do, by whom, for whom."""

    agent: Agent
    player: AgentPlayer
    owner: Agent
    wanted: SmartRequest
    key: Key
    policy: Policy


def percent(bp: int) -> Amount:
    return Amount(bp, 2)


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
            "percent": percent(record.rebate_bp),
            "amount": amount(record.rebate_minor),
            "owedTo": record.owner_username,
        }
        if record.rebate_minor
        else None,
        "bypassInfo": {
            "count": record.bypass_count,
            "tier": record.tier,
            "surchargePercent": percent(record.surcharge_bp),
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
    view["createdAt"] = iso_utc(record.created_at)
    return view


def _refused_view(facts: TransferFacts, bypass_count: int | None) -> dict[str, object]:
    """The view of a transfer that did not happen: no ids, no rebate; a blocked bypass's count."""
    owner = facts.owner
    return {
        "txId": None,
        "panelTransactionId": None,
        "type": facts.wanted.type,
        "amount": Amount(facts.wanted.amount_minor, facts.agent.exponent),
        "playerUsername": facts.player.username,
        "isBypass": owner.id != facts.agent.id,
        "owningAgent": {"id": str(owner.id), "username": owner.username},
        "bypassInfo": None if bypass_count is None else {"count": bypass_count, "tier": "blocked"},
        "rebate": None,
        "paymentMethod": facts.wanted.payment_method,
        "paymentReference": facts.wanted.payment_reference,
    }


def event_data(
    view: dict[str, object], facts: TransferFacts, reason: str | None
) -> dict[str, object]:
    agent = facts.agent
    return {
        **{name: view[name] for name in EVENT_FIELDS},
        "status": "completed" if reason is None else "failed",
        "reason": reason,
        "currency": agent.currency,
        "agent": {"id": str(agent.id), "username": agent.username},
        "idempotencyKey": facts.key.client_key,
    }


async def write_events(
    tx: Queries, facts: TransferFacts, answer: LedgerAnswer, view: dict[str, object] | None
) -> None:
    """The webhook events of this outcome that the agent's registrations asked for (a replay
    or a conflict has none; a refusal's repeat finds its events written already)."""
    kinds, reason = OUTCOME_EVENTS.get(answer.outcome, ((), None))
    asked = await events.wanted(tx, facts.agent.id, kinds) if kinds else []
    if not asked:
        return
    if view is None:
        count = None
        if answer.outcome == Outcome.BLOCKED:
            row = await tx.one(
                "SELECT agent_bypass_count(%s, %s)", (facts.owner.id, facts.policy.window_hours)
            )
            count = None if row is None else int(row[0])
        view = _refused_view(facts, count)
    data = event_data(view, facts, reason)
    scoped = facts.key.scoped
    for event in asked:
        event_id = "evt_" + uuid.uuid4().hex
        body = {"eventId": event_id, "event": event, "createdAt": iso_utc(datetime.now(UTC)),
                "data": data}  # fmt: skip
        dedupe = f"{scoped.external_id}|{event}|{scoped.request_hash.hex()}"
        await events.record(tx, facts.agent.id, event_id, event, dedupe, encode(body))

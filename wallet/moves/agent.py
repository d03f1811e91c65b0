"""An agent's raw money moves, each one ledger transaction (agent_transfer, which posts through
ledger_transfer) with its record in agent_moves:

- deposit / withdraw: agent main <-> the player's main (the agent's own player or one below it).
  A deposit may spend the agent's credit (main's lower bound is minus its credit line).
- agent_deposit / agent_withdraw REAL: agent main <-> the sub-agent's main; a withdraw takes
  only the sub-agent's balance (main stays >= 0), never its credit.
- agent_deposit / agent_withdraw CREDIT: agent main <-> the sub-agent's credit account, and the
  sub-agent's credit line (main's lower bound) moves by as much in the same transaction; a
  withdraw takes back only credit the sub-agent has not used.

Idempotency: one key space per agent for all four (caller 'agent', operation 'move', external id
"<agent id>:key:<client key>", or a fresh one when the client sent none), with a hash of the
request that includes the endpoint: the same key on another endpoint or with another body is a
conflict. A move keys on the player's main account (the hot path's lock) or the sub-agent's main.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from wallet.directory.agent_players import AgentPlayer
from wallet.directory.agents import Agent
from wallet.ledger.database import Queries, named_call
from wallet.ledger.idempotency import ScopedKey
from wallet.ledger.outcomes import LedgerAnswer, Outcome

CALLER = "agent"
OPERATION = "move"


class Kind(StrEnum):
    DEPOSIT = "deposit"
    WITHDRAW = "withdraw"
    AGENT_DEPOSIT = "agent_deposit"
    AGENT_WITHDRAW = "agent_withdraw"


MONEY_TYPES = ("REAL", "CREDIT")


@dataclass(frozen=True, slots=True)
class Leg:
    account_id: int
    amount_minor: int


@dataclass(frozen=True, slots=True)
class _Plan:
    legs: list[Leg]
    key_account: int
    floor_account: int | None = None
    floor_minor: int | None = None
    line_account: int | None = None
    line_delta: int = 0


async def _run(
    db: Queries,
    agent: Agent,
    key: ScopedKey,
    plan: _Plan,
    *,
    kind: Kind,
    money_type: str,
    player_id: int | None,
    target_agent_id: int | None,
    amount_minor: int,
    comment: str | None,
) -> LedgerAnswer:
    args = {
        "operation": OPERATION,
        "external_id": key.external_id,
        "request_hash": key.request_hash,
        "accounts": [leg.account_id for leg in plan.legs],
        "amounts": [leg.amount_minor for leg in plan.legs],
        "key_account": plan.key_account,
        "floor_account": plan.floor_account,
        "floor_minor": plan.floor_minor,
        "line_account": plan.line_account,
        "line_delta": plan.line_delta,
        "agent_id": agent.id,
        "kind": kind.value,
        "money_type": money_type,
        "player_id": player_id,
        "target_agent_id": target_agent_id,
        "amount_minor": amount_minor,
        "comment": comment,
    }
    row = await db.one(f"SELECT * FROM {named_call('agent_transfer', args)}", args)
    assert row is not None
    return LedgerAnswer.from_row(row)


async def player_move(
    db: Queries,
    agent: Agent,
    player: AgentPlayer,
    kind: Kind,
    amount_minor: int,
    key: ScopedKey,
    comment: str | None,
) -> LedgerAnswer:
    assert kind in (Kind.DEPOSIT, Kind.WITHDRAW) and amount_minor > 0
    sign = 1 if kind == Kind.DEPOSIT else -1
    plan = _Plan(
        [
            Leg(agent.main_account_id, -sign * amount_minor),
            Leg(player.main_account_id, sign * amount_minor),
        ],
        key_account=player.main_account_id,
    )
    return await _run(
        db,
        agent,
        key,
        plan,
        kind=kind,
        money_type="REAL",
        player_id=player.id,
        target_agent_id=None,
        amount_minor=amount_minor,
        comment=comment,
    )


def _agent_plan(agent: Agent, target: Agent, kind: Kind, money_type: str, amount: int) -> _Plan:
    sign = 1 if kind == Kind.AGENT_DEPOSIT else -1
    if money_type == "REAL":
        return _Plan(
            [
                Leg(agent.main_account_id, -sign * amount),
                Leg(target.main_account_id, sign * amount),
            ],
            key_account=target.main_account_id,
            floor_account=target.main_account_id if sign < 0 else None,
            floor_minor=0 if sign < 0 else None,
        )
    return _Plan(
        [Leg(agent.main_account_id, -sign * amount), Leg(target.credit_account_id, sign * amount)],
        key_account=target.main_account_id,
        line_account=target.main_account_id,
        line_delta=sign * amount,
    )


async def agent_move(
    db: Queries,
    agent: Agent,
    target: Agent,
    kind: Kind,
    money_type: str,
    amount_minor: int,
    key: ScopedKey,
    comment: str | None,
) -> LedgerAnswer:
    assert kind in (Kind.AGENT_DEPOSIT, Kind.AGENT_WITHDRAW) and amount_minor > 0
    assert money_type in MONEY_TYPES and target.id != agent.id
    return await _run(
        db,
        agent,
        key,
        _agent_plan(agent, target, kind, money_type, amount_minor),
        kind=kind,
        money_type=money_type,
        player_id=None,
        target_agent_id=target.id,
        amount_minor=amount_minor,
        comment=comment,
    )


async def prior_answer(db: Queries, key: ScopedKey) -> LedgerAnswer | None:
    """What an earlier move under this key decides before any balance is read (a withdraw of
    everything asks the balance first): a replay of the same request, a conflict of another, or
    None when the key is new. agent_transfer decides the same under its locks."""
    row = await db.one(
        "SELECT id, request_hash FROM transactions"
        " WHERE caller = %s AND operation = %s AND external_id = %s",
        (CALLER, OPERATION, key.external_id),
    )
    if row is None:
        return None
    replay = bytes(row[1]) == key.request_hash
    outcome = Outcome.REPLAY if replay else Outcome.CONFLICT
    return LedgerAnswer(
        outcome, int(row[0]) if replay else None, None, None, None, None, None, None
    )


@dataclass(frozen=True, slots=True)
class MoveRecord:
    """A move as it happened: its record and each posted account's balance before and after."""

    tx_id: int
    kind: str
    money_type: str
    player_id: int | None
    target_agent_id: int | None
    amount_minor: int
    comment: str | None
    created_at: datetime
    balances: dict[int, tuple[int, int]]  # account id -> (before, after)

    def around(self, account_id: int, now_minor: int) -> tuple[int, int]:
        """Before and after on an account; one the move did not post to kept now_minor."""
        return self.balances.get(account_id, (now_minor, now_minor))


async def move_record(db: Queries, tx_id: int) -> MoveRecord | None:
    row = await db.one(
        "SELECT kind, money_type, player_id, target_agent_id, amount_minor, comment, created_at"
        " FROM agent_moves WHERE tx_id = %s",
        (tx_id,),
    )
    if row is None:
        return None
    postings = await db.all(
        "SELECT account_id, amount_minor, balance_after_minor FROM postings"
        " WHERE transaction_id = %s",
        (tx_id,),
    )
    balances = {
        int(account): (int(after) - int(amount), int(after)) for account, amount, after in postings
    }
    kind, money_type, player_id, target_id, amount, comment, created_at = row
    return MoveRecord(
        tx_id, kind, money_type, player_id, target_id, int(amount), comment, created_at, balances
    )


def settled(answer: LedgerAnswer) -> bool:
    return answer.outcome in (Outcome.NEW, Outcome.REPLAY)

"""Smart transfers (revision 0010): agent <-> player with ownership, bypass policy and rebates,
each one statement (agent_smart_transfer, which posts through ledger_transfer).

- A bypass is the caller moving money for a player of one of its sub-agents (any level). The
  owner's bypasses are counted over the caller's policy window: the first max_free are free, the
  next up to block_after carry a surcharge (recorded for settlement, not moved), the rest are
  blocked (nothing moves).
- A bypass deposit accrues the caller's rebate rate for the owning agent: the caller's liability
  account 'rebate_owed:<owner>' against the owner's 'rebate_due:<caller>'.
- Idempotency: the raw transfers' key space (wallet/moves/agent.py: caller 'agent',
  operation 'move', external id "<agent id>:key:<client key>"), so a key used on /deposit and
  again on /transfer is a conflict, never a second move.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from wallet.directory.agent_players import AgentPlayer, visible_around
from wallet.directory.agents import Agent
from wallet.ledger.database import Listing, Queries, named_call, paged
from wallet.ledger.idempotency import ScopedKey
from wallet.ledger.outcomes import LedgerAnswer

OPERATION = "move"  # agent_money.OPERATION: one key space for every agent move
TYPES = ("deposit", "withdraw")
PAYMENT_METHODS = ("gcash", "bank", "crypto", "manual")
BP_DIVISOR = 10_000


@dataclass(frozen=True, slots=True)
class Policy:
    max_free: int = 5
    window_hours: int = 24
    surcharge_bp: int = 150
    block_after: int = 15
    notify: bool = True


DEFAULT_POLICY = Policy()


async def policy_of(db: Queries, agent: Agent) -> Policy:
    row = await db.one(
        "SELECT max_free, window_hours, surcharge_bp, block_after, notify"
        " FROM agent_bypass_policies WHERE agent_id = %s",
        (agent.id,),
    )
    if row is None:
        return DEFAULT_POLICY
    return Policy(int(row[0]), int(row[1]), int(row[2]), int(row[3]), bool(row[4]))


async def set_policy(db: Queries, agent: Agent, policy: Policy) -> None:
    await db.all(
        "INSERT INTO agent_bypass_policies AS p (agent_id, max_free, window_hours, surcharge_bp,"
        " block_after, notify) VALUES (%s, %s, %s, %s, %s, %s)"
        " ON CONFLICT (agent_id) DO UPDATE SET max_free = excluded.max_free,"
        " window_hours = excluded.window_hours, surcharge_bp = excluded.surcharge_bp,"
        " block_after = excluded.block_after, notify = excluded.notify, updated_at = now()",
        (
            agent.id,
            policy.max_free,
            policy.window_hours,
            policy.surcharge_bp,
            policy.block_after,
            policy.notify,
        ),
    )


# One statement: the rate, and when it changed (a first rate, or another one) the sub-agent's
# rebate.changed notification, committed together. The upsert's WHERE compares under the row's
# lock, so of two concurrent sets to one rate only the first notifies; "previous" is the rate
# the statement's snapshot saw.
_SET_REBATE = """
WITH old_rate AS (
    SELECT percent_bp FROM agent_rebates WHERE agent_id = %s AND sub_agent_id = %s),
new_rate AS (
    INSERT INTO agent_rebates AS r (agent_id, sub_agent_id, percent_bp)
    VALUES (%s, %s, %s)
    ON CONFLICT (agent_id, sub_agent_id) DO UPDATE SET percent_bp = excluded.percent_bp,
        updated_at = now()
     WHERE r.percent_bp <> excluded.percent_bp
    RETURNING percent_bp)
SELECT agent_notify(%s, 'rebate.changed', jsonb_strip_nulls(jsonb_build_object(
           'byAgentId', %s::text, 'byAgentUsername', %s::text,
           'rebateBp', n.percent_bp, 'rebatePercent', agent_money_text(n.percent_bp, 2),
           'previousBp', o.percent_bp, 'previousPercent', agent_money_text(o.percent_bp, 2))),
           NULL)
  FROM new_rate n LEFT JOIN old_rate o ON true
"""


async def set_rebate(db: Queries, agent: Agent, sub: Agent, percent_bp: int) -> None:
    """The rate `agent` pays `sub` (basis points); a change tells the sub-agent."""
    a, s = agent.id, sub.id
    await db.all(_SET_REBATE, (a, s, a, s, percent_bp, s, a, agent.username))


@dataclass(frozen=True, slots=True)
class RebateLine:
    sub_agent_id: int
    username: str
    percent_bp: int | None  # None: no rate set (only owed from before)
    owed_minor: int
    transaction_count: int


async def rebates_of(db: Queries, agent: Agent) -> list[RebateLine]:
    """Each sub-agent with a rate or an owed rebate: the rate and what the agent owes it."""
    rows = await db.all(
        """
        WITH owed AS (
            SELECT split_part(a.purpose, ':', 2)::bigint AS sub_id, -a.balance_minor AS owed,
                   (SELECT count(*) FROM postings p WHERE p.account_id = a.id) AS n
              FROM accounts a
             WHERE a.owner_type = 'agent' AND a.owner_id = %s AND a.purpose LIKE 'rebate_owed:%%')
        SELECT s.id, s.username, r.percent_bp, coalesce(o.owed, 0), coalesce(o.n, 0)
          FROM agents s
          LEFT JOIN agent_rebates r ON r.agent_id = %s AND r.sub_agent_id = s.id
          LEFT JOIN owed o ON o.sub_id = s.id
         WHERE r.sub_agent_id IS NOT NULL OR o.sub_id IS NOT NULL
         ORDER BY s.id
        """,
        (agent.id, agent.id),
    )
    return [
        RebateLine(int(sid), str(name), None if bp is None else int(bp), int(owed), int(n))
        for sid, name, bp, owed, n in rows
    ]


@dataclass(frozen=True, slots=True)
class SmartRequest:
    type: str
    amount_minor: int
    payment_method: str | None
    payment_reference: str | None
    comment: str | None


async def smart_transfer(
    db: Queries,
    agent: Agent,
    player: AgentPlayer,
    owner: Agent,
    request: SmartRequest,
    key: ScopedKey,
    policy: Policy,
) -> LedgerAnswer:
    assert request.type in TYPES and request.amount_minor > 0
    args = {
        "external_id": key.external_id,
        "request_hash": key.request_hash,
        "agent_id": agent.id,
        "agent_main": agent.main_account_id,
        "player_id": player.id,
        "player_main": player.main_account_id,
        "owner_id": owner.id,
        "type": request.type,
        "amount_minor": request.amount_minor,
        "max_free": policy.max_free,
        "block_after": policy.block_after,
        "window_hours": policy.window_hours,
        "surcharge_bp": policy.surcharge_bp,
        "notify": policy.notify,
        "method": request.payment_method,
        "reference": request.payment_reference,
        "comment": request.comment,
    }
    row = await db.one(f"SELECT * FROM {named_call('agent_smart_transfer', args)}", args)
    assert row is not None
    return LedgerAnswer.from_row(row)


@dataclass(frozen=True, slots=True)
class SmartRecord:
    tx_id: int
    st_id: str
    agent_id: int
    player_id: int
    player_username: str
    owner_agent_id: int
    owner_username: str
    type: str
    amount_minor: int
    is_bypass: bool
    bypass_count: int | None
    tier: str | None
    surcharge_bp: int
    surcharge_minor: int
    rebate_bp: int
    rebate_minor: int
    payment_method: str | None
    payment_reference: str | None
    comment: str | None
    created_at: datetime
    agent_before: int = 0
    agent_after: int = 0
    player_before: int = 0
    player_after: int = 0


_RECORD_COLUMNS = """s.tx_id, s.st_id, s.agent_id, s.player_id, p.username, s.owner_agent_id,
       o.username, s.type, s.amount_minor, s.is_bypass, s.bypass_count, s.tier, s.surcharge_bp,
       s.surcharge_minor, s.rebate_bp, s.rebate_minor, s.payment_method, s.payment_reference,
       s.comment, s.created_at"""
_RECORD_TABLES = """smart_transfers s JOIN players p ON p.id = s.player_id
  JOIN agents o ON o.id = s.owner_agent_id"""


def _record(row: tuple[object, ...]) -> SmartRecord:
    return SmartRecord(*row)  # type: ignore[arg-type]


async def smart_record(db: Queries, tx_id: int, agent: Agent, player: AgentPlayer) -> SmartRecord:
    """The record with the agent's and the player's main balances around the transfer."""
    row = await db.one(
        f"SELECT {_RECORD_COLUMNS} FROM {_RECORD_TABLES} WHERE s.tx_id = %s", (tx_id,)
    )
    assert row is not None, tx_id
    postings = await db.all(
        "SELECT account_id, amount_minor, balance_after_minor FROM postings"
        " WHERE transaction_id = %s AND account_id = ANY (%s)",
        (tx_id, [agent.main_account_id, *player.balance_accounts]),
    )
    around = {int(a): (int(after) - int(amount), int(after)) for a, amount, after in postings}
    record = _record(row)
    agent_before, agent_after = around[agent.main_account_id]
    sign = 1 if record.type == "deposit" else -1
    player_before, player_after = visible_around(around, player, sign * record.amount_minor)
    return dataclasses.replace(
        record,
        agent_before=agent_before,
        agent_after=agent_after,
        player_before=player_before,
        player_after=player_after,
    )


@dataclass(frozen=True, slots=True)
class HistoryFilter:
    player_username: str | None = None
    type: str | None = None
    date_from: date | None = None
    date_to: date | None = None  # inclusive
    bypass_only: bool = False
    owning_agent: str | None = None


async def history(
    db: Queries, agent: Agent, where: HistoryFilter, start: int, limit: int
) -> tuple[int, list[SmartRecord]]:
    """The agent's smart transfers, newest first (each filter None: not applied)."""
    listing = Listing(
        f"""{_RECORD_TABLES}
         WHERE s.agent_id = %(me)s
           AND (%(player)s::text IS NULL OR p.username = %(player)s::text)
           AND (%(type)s::text IS NULL OR s.type = %(type)s::text)
           AND (%(start)s::date IS NULL
                OR s.created_at >= %(start)s::date::timestamp AT TIME ZONE 'UTC')
           AND (%(end)s::date IS NULL
                OR s.created_at < %(end)s::date::timestamp AT TIME ZONE 'UTC')
           AND (s.is_bypass OR NOT %(bypass_only)s)
           AND (%(owner)s::text IS NULL OR o.username = %(owner)s::text)""",
        _RECORD_COLUMNS,
        "s.tx_id DESC",
    )
    params = {
        "me": agent.id,
        "player": where.player_username,
        "type": where.type,
        "start": where.date_from,
        "end": None if where.date_to is None else where.date_to + timedelta(days=1),
        "bypass_only": where.bypass_only,
        "owner": where.owning_agent,
    }
    page = await paged(db, listing, params, start, limit)
    return page.total, [_record(row) for row in page.rows]

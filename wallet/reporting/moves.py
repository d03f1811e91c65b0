"""An agent's own transfers in a range (raw and smart), and its settlement with each counterpart
(rebates and surcharges of bypass transfers), for the reports.

- Transfers: the raw moves the agent made (deposit/withdraw to players, agent_deposit/
  agent_withdraw to sub-agents), the raw moves its parent made to it, and its smart transfers;
  newest first.
- Settlement: per counterpart agent, over the range's bypass smart transfers: the rebates the
  agent accrued to it (its bypass deposits to the counterpart's players: rebate_owed) and the
  counterpart's to the agent (rebate_due); the surcharges recorded on the agent's bypasses of
  the counterpart's players (surcharge_owed) and on the counterpart's bypasses of the agent's
  players (surcharge_due). Beside them, the balances now (all time) of the ledger's rebate
  accounts between the two: what the agent owes (-'rebate_owed:<counterpart>') and is owed
  ('rebate_due:<counterpart>').
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from wallet.ledger.database import Queries
from wallet.reporting.activity import Window


@dataclass(frozen=True, slots=True)
class TransferRow:
    tx_id: int
    st_id: str | None  # smart transfers only
    source: str  # "raw" | "smart"
    type: str  # deposit, withdraw, agent_deposit, agent_withdraw
    money_type: str  # REAL | CREDIT
    agent_username: str  # who moved the money
    player_username: str | None
    target_agent_username: str | None
    amount_minor: int
    is_bypass: bool
    rebate_minor: int
    surcharge_minor: int
    comment: str | None
    created_at: datetime


TRANSFERS = """
WITH listed AS (
    SELECT m.tx_id, NULL::text AS st_id, 'raw' AS source, m.kind AS type, m.money_type,
           a.username AS agent_username, p.username AS player_username,
           t.username AS target_username, m.amount_minor, false AS is_bypass,
           0::bigint AS rebate_minor, 0::bigint AS surcharge_minor, m.comment, m.created_at
      FROM agent_moves m
      JOIN agents a ON a.id = m.agent_id
      LEFT JOIN players p ON p.id = m.player_id
      LEFT JOIN agents t ON t.id = m.target_agent_id
     WHERE (m.agent_id = %(me)s OR m.target_agent_id = %(me)s)
       AND m.created_at >= %(start)s AND m.created_at < %(end)s
    UNION ALL
    SELECT x.tx_id, x.st_id, 'smart', x.type, 'REAL', a.username, p.username, NULL,
           x.amount_minor, x.is_bypass, x.rebate_minor, x.surcharge_minor, x.comment,
           x.created_at
      FROM smart_transfers x
      JOIN agents a ON a.id = x.agent_id
      JOIN players p ON p.id = x.player_id
     WHERE x.agent_id = %(me)s AND x.created_at >= %(start)s AND x.created_at < %(end)s
)
SELECT t.total, l.*
  FROM (SELECT count(*) AS total FROM listed) t
  LEFT JOIN LATERAL (SELECT * FROM listed ORDER BY created_at DESC, tx_id DESC
                     OFFSET %(offset)s LIMIT %(limit)s) l ON true"""


async def transfer_rows(
    db: Queries, window: Window, start: int, limit: int
) -> tuple[int, list[TransferRow]]:
    named = {
        "me": window.root,
        "start": window.start,
        "end": window.end,
        "offset": start,
        "limit": limit,
    }
    rows = await db.all(TRANSFERS, named)
    total = int(rows[0][0]) if rows else 0
    return total, [TransferRow(*row[1:]) for row in rows if row[1] is not None]


@dataclass(frozen=True, slots=True)
class SettlementRow:
    agent_id: int
    username: str
    rebate_owed_minor: int
    rebate_due_minor: int
    surcharge_owed_minor: int
    surcharge_due_minor: int
    transaction_count: int
    rebate_owed_balance_minor: int
    rebate_due_balance_minor: int


SETTLEMENT = """
WITH x AS (
    SELECT CASE WHEN s.agent_id = %(me)s THEN s.owner_agent_id ELSE s.agent_id END AS other,
           s.agent_id = %(me)s AS mine, s.rebate_minor, s.surcharge_minor
      FROM smart_transfers s
     WHERE s.is_bypass AND (s.agent_id = %(me)s OR s.owner_agent_id = %(me)s)
       AND s.created_at >= %(start)s AND s.created_at < %(end)s
),
ranged AS (
    SELECT other, sum(rebate_minor) FILTER (WHERE mine) AS rebate_owed,
           sum(rebate_minor) FILTER (WHERE NOT mine) AS rebate_due,
           sum(surcharge_minor) FILTER (WHERE mine) AS surcharge_owed,
           sum(surcharge_minor) FILTER (WHERE NOT mine) AS surcharge_due, count(*) AS n
      FROM x GROUP BY other
),
balances AS (
    SELECT split_part(purpose, ':', 2)::bigint AS other,
           sum(-balance_minor) FILTER (WHERE purpose LIKE 'rebate\\_owed:%%') AS owed,
           sum(balance_minor) FILTER (WHERE purpose LIKE 'rebate\\_due:%%') AS due
      FROM accounts
     WHERE owner_type = 'agent' AND owner_id = %(me)s
       AND (purpose LIKE 'rebate\\_owed:%%' OR purpose LIKE 'rebate\\_due:%%')
     GROUP BY 1
),
listed AS (
    SELECT a.id, a.username, coalesce(r.rebate_owed, 0) AS rebate_owed,
           coalesce(r.rebate_due, 0) AS rebate_due, coalesce(r.surcharge_owed, 0) AS s_owed,
           coalesce(r.surcharge_due, 0) AS s_due, coalesce(r.n, 0) AS n,
           coalesce(b.owed, 0) AS owed, coalesce(b.due, 0) AS due
      FROM ranged r
      FULL JOIN balances b ON b.other = r.other
      JOIN agents a ON a.id = coalesce(r.other, b.other)
     WHERE coalesce(r.n, 0) > 0 OR coalesce(b.owed, 0) <> 0 OR coalesce(b.due, 0) <> 0
)
SELECT t.total, l.*
  FROM (SELECT count(*) AS total FROM listed) t
  LEFT JOIN LATERAL (SELECT * FROM listed ORDER BY id
                     OFFSET %(offset)s LIMIT %(limit)s) l ON true"""


async def settlement_rows(
    db: Queries, window: Window, start: int, limit: int
) -> tuple[int, list[SettlementRow]]:
    named = {
        "me": window.root,
        "start": window.start,
        "end": window.end,
        "offset": start,
        "limit": limit,
    }
    rows = await db.all(SETTLEMENT, named)
    total = int(rows[0][0]) if rows else 0
    return total, [
        SettlementRow(int(row[1]), str(row[2]), *(int(v) for v in row[3:10]))
        for row in rows
        if row[1] is not None
    ]

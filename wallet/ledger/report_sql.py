"""The SQL the agent reports share: an agent's subtree of players, their game activity net of
rollbacks, and their deposits and withdrawals, all within one range of time.

- Scope: every player owned by the agent or by an agent below it (agents.path holds the agent's
  id), in the agent's currency (a tree has one currency: a sub-agent takes its parent's).
- Games: the rows the seamless studios' callbacks posted on the player's main account
  (transactions.account_id). A bet is a row's debit_minor, a win its credit_minor (debit,
  credit, debit_credit). A reverse (a rollback, a cancel) undoes its original: it counts minus
  the original's bet and win, on the reverse's own day (a late rollback lowers the day it came
  on, never rewrites a day already reported), under the original's studio and game. A tombstone
  moved nothing and counts nothing.
- Moves: the agent platform's deposits to and withdrawals from the player (agent_moves kinds
  deposit/withdraw, smart_transfers), whoever made them (the owner, or an agent above it in a
  bypass).

Named parameters (%(name)s) are turned into positional ones by `positional`, because LedgerDB
passes a sequence: root, operator, currency, start, end, zone, callers.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

# The seamless studios whose callbacks are game activity (wallet/providers/*.CALLER; a test
# checks they agree). Transfer-wallet studios and the cashier are not.
SEAMLESS_CALLERS = ("ambslot", "igamingace")

SCOPE = """
scope AS MATERIALIZED (
    SELECT ap.player_id, a.path, m.id AS main_id, p.created_at AS registered_at
      FROM agents a
      JOIN agent_players ap ON ap.agent_id = a.id
      JOIN players p ON p.id = ap.player_id
      JOIN accounts m ON m.owner_type = 'player' AND m.owner_id = p.id AND m.purpose = 'main'
                     AND m.currency = p.currency
     WHERE a.path @> ARRAY[%(root)s]::bigint[] AND a.operator_id = %(operator)s
       AND p.currency = %(currency)s
)"""

# Both branches read transactions_game_activity (revision 0012) only: an index-only scan per
# player over the range. A reverse looks its original up by primary key, one at a time (they
# are few; OFFSET 0 keeps the planner from joining all originals at once).
GAMES = """
games AS (
    SELECT s.player_id, s.path, t.created_at, t.caller, t.game_id,
           t.debit_minor AS bet_minor, t.credit_minor AS win_minor
      FROM scope s
      JOIN transactions t ON t.account_id = s.main_id
     WHERE t.created_at >= %(start)s AND t.created_at < %(end)s
       AND t.kind IN ('debit', 'credit', 'debit_credit') AND t.caller = ANY (%(callers)s)
    UNION ALL
    SELECT s.player_id, s.path, t.created_at, o.caller, o.game_id,
           -o.debit_minor, -o.credit_minor
      FROM scope s
      JOIN transactions t ON t.account_id = s.main_id
     CROSS JOIN LATERAL (SELECT caller, game_id, debit_minor, credit_minor FROM transactions
                          WHERE id = t.reverses_id OFFSET 0) o
     WHERE t.created_at >= %(start)s AND t.created_at < %(end)s
       AND t.kind = 'reverse' AND t.caller = ANY (%(callers)s)
)"""

MOVES = """
moves AS (
    SELECT s.player_id, s.path, m.created_at,
           CASE WHEN m.kind = 'deposit' THEN m.amount_minor ELSE 0 END AS deposit_minor,
           CASE WHEN m.kind = 'withdraw' THEN m.amount_minor ELSE 0 END AS withdraw_minor
      FROM scope s
      JOIN agent_moves m ON m.player_id = s.player_id
     WHERE m.created_at >= %(start)s AND m.created_at < %(end)s
       AND m.kind IN ('deposit', 'withdraw')
    UNION ALL
    SELECT s.player_id, s.path, x.created_at,
           CASE WHEN x.type = 'deposit' THEN x.amount_minor ELSE 0 END,
           CASE WHEN x.type = 'withdraw' THEN x.amount_minor ELSE 0 END
      FROM scope s
      JOIN smart_transfers x ON x.player_id = s.player_id
     WHERE x.created_at >= %(start)s AND x.created_at < %(end)s
)"""

# Players whose first deposit ever (either kind of move) falls in the range.
FIRST_DEPOSITS = """
first_deposits AS (
    SELECT player_id, path
      FROM (SELECT s.player_id, s.path,
                   least((SELECT min(m.created_at) FROM agent_moves m
                           WHERE m.player_id = s.player_id AND m.kind = 'deposit'),
                         (SELECT min(x.created_at) FROM smart_transfers x
                           WHERE x.player_id = s.player_id AND x.type = 'deposit')) AS first_at
              FROM scope s) f
     WHERE first_at >= %(start)s AND first_at < %(end)s
)"""


def figures_by(key: str) -> str:
    """Bets, wins, deposits and withdrawals grouped by `key` (an expression over the columns
    player_id, path and created_at of games and moves), as the CTE `figures` (k, bet_minor,
    win_minor, deposit_minor, withdraw_minor, game_rows)."""
    return f"""
g AS (SELECT {key} AS k, sum(bet_minor) AS bet_minor, sum(win_minor) AS win_minor,
             count(*) AS game_rows
        FROM games GROUP BY 1),
mv AS (SELECT {key} AS k, sum(deposit_minor) AS deposit_minor,
              sum(withdraw_minor) AS withdraw_minor
         FROM moves GROUP BY 1),
figures AS (
    SELECT coalesce(g.k, mv.k) AS k, coalesce(g.bet_minor, 0) AS bet_minor,
           coalesce(g.win_minor, 0) AS win_minor, coalesce(mv.deposit_minor, 0) AS deposit_minor,
           coalesce(mv.withdraw_minor, 0) AS withdraw_minor, coalesce(g.game_rows, 0) AS game_rows
      FROM g FULL JOIN mv ON mv.k = g.k
)"""


DAY = "(created_at AT TIME ZONE %(zone)s)::date"
# The direct sub-agent of the root whose subtree holds the row's player.
CHILD = "path[array_position(path, %(root)s::bigint) + 1]"


@dataclass(frozen=True, slots=True)
class Window:
    """Whose activity and when: the root agent's subtree, [start, end) in the operator's zone."""

    root: int
    operator_id: int
    currency: str
    start: datetime  # aware, inclusive
    end: datetime  # aware, exclusive
    zone: str

    def params(self) -> dict[str, object]:
        return {
            "root": self.root,
            "operator": self.operator_id,
            "currency": self.currency,
            "start": self.start,
            "end": self.end,
            "zone": self.zone,
            "callers": list(SEAMLESS_CALLERS),
        }


_NAMED = re.compile(r"%\((\w+)\)s")


def positional(sql: str, named: Mapping[str, object]) -> tuple[str, Sequence[object]]:
    """The statement with %s placeholders and its arguments in their order."""
    args: list[object] = []

    def take(match: re.Match[str]) -> str:
        args.append(named[match.group(1)])
        return "%s"

    return _NAMED.sub(take, sql), args

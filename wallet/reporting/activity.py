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

The statements take named parameters (%(name)s, passed to psycopg as a mapping): root,
operator, currency, start, end, zone, callers (Window.params) and each report's own.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

# The seamless studios whose callbacks are game activity (wallet/providers/*.CALLER; a test
# checks they agree). Transfer-wallet studios and the cashier are not.
SEAMLESS_CALLERS = ("ambslot", "igamingace")

# Driven from the subtree's agents (agents_path) through each one's players
# (agent_players_agent) to each player's main account in the tree's currency, by key: the work
# is the subtree's size, never a scan of every player and account of the operator (OFFSET 0
# keeps the planner from hashing whole tables on a guess of the subtree's size). `child` is the
# direct sub-agent of the root whose subtree holds the player (NULL for the root's own players).
SCOPE = """
scope AS MATERIALIZED (
    SELECT ap.player_id, a.path[array_position(a.path, %(root)s::bigint) + 1] AS child,
           m.id AS main_id
      FROM agents a
     CROSS JOIN LATERAL (SELECT player_id FROM agent_players WHERE agent_id = a.id OFFSET 0) ap
     CROSS JOIN LATERAL (
           SELECT id FROM accounts
            WHERE owner_type = 'player' AND owner_id = ap.player_id AND purpose = 'main'
              AND currency = %(currency)s
           OFFSET 0) m
     WHERE a.path @> ARRAY[%(root)s]::bigint[] AND a.operator_id = %(operator)s
)"""

# Per player of the scope, one range scan of transactions_game_activity (revision 0012): an
# index-only scan of just that player's rows of the range, whatever the size of the rest of the
# ledger (OFFSET 0 keeps it a per-player scan; joined, the planner would rather read the whole
# range of every account and hash it, 10 times the rows). A reverse takes its original's
# figures by primary key, in sub-selects a CASE runs for reverse rows only (a join would cost
# every row a step). The daily report reads it row by row; the others sum inside the scans.
GAMES = """
games AS (
    SELECT s.player_id, s.child, t.created_at,
           CASE WHEN t.kind <> 'reverse' THEN t.debit_minor
                ELSE -(SELECT o.debit_minor FROM transactions o WHERE o.id = t.reverses_id) END
             AS bet_minor,
           CASE WHEN t.kind <> 'reverse' THEN t.credit_minor
                ELSE -(SELECT o.credit_minor FROM transactions o WHERE o.id = t.reverses_id) END
             AS win_minor
      FROM scope s
     CROSS JOIN LATERAL (
           SELECT created_at, caller, kind, game_id, debit_minor, credit_minor, reverses_id
             FROM transactions
            WHERE account_id = s.main_id
              AND created_at >= %(start)s AND created_at < %(end)s
              AND kind IN ('debit', 'credit', 'debit_credit', 'reverse')
              AND caller = ANY (%(callers)s)
           OFFSET 0) t
)"""

# Per player too (agent_moves_player, smart_transfers_player): the moves of the subtree, not a
# scan of every agent's.
MOVES = """
moves AS (
    SELECT s.player_id, s.child, m.created_at,
           CASE WHEN m.kind = 'deposit' THEN m.amount_minor ELSE 0 END AS deposit_minor,
           CASE WHEN m.kind = 'withdraw' THEN m.amount_minor ELSE 0 END AS withdraw_minor
      FROM scope s
     CROSS JOIN LATERAL (
           SELECT created_at, kind, amount_minor FROM agent_moves
            WHERE player_id = s.player_id
              AND created_at >= %(start)s AND created_at < %(end)s
              AND kind IN ('deposit', 'withdraw')
           OFFSET 0) m
    UNION ALL
    SELECT s.player_id, s.child, x.created_at,
           CASE WHEN x.type = 'deposit' THEN x.amount_minor ELSE 0 END,
           CASE WHEN x.type = 'withdraw' THEN x.amount_minor ELSE 0 END
      FROM scope s
     CROSS JOIN LATERAL (
           SELECT created_at, type, amount_minor FROM smart_transfers
            WHERE player_id = s.player_id
              AND created_at >= %(start)s AND created_at < %(end)s
           OFFSET 0) x
)"""

# One row per player of the scope with its figures of the range, each summed inside its own
# per-player scans (the aggregate lateral subqueries): the players, agents and summary reports
# group 10,000 rows, not sort or hash the 300,000 game rows behind them.
REVERSED_BET = "(SELECT o.debit_minor FROM transactions o WHERE o.id = t.reverses_id)"
REVERSED_WIN = "(SELECT o.credit_minor FROM transactions o WHERE o.id = t.reverses_id)"
PER_PLAYER = f"""
per_player AS (
    SELECT s.player_id, s.child, g.bet_minor, g.win_minor, g.game_rows,
           m.deposit_minor, m.withdraw_minor
      FROM scope s
     CROSS JOIN LATERAL (
           SELECT coalesce(sum(CASE WHEN t.kind <> 'reverse' THEN t.debit_minor
                                    ELSE -{REVERSED_BET} END), 0) AS bet_minor,
                  coalesce(sum(CASE WHEN t.kind <> 'reverse' THEN t.credit_minor
                                    ELSE -{REVERSED_WIN} END), 0) AS win_minor,
                  count(*) AS game_rows
             FROM transactions t
            WHERE t.account_id = s.main_id
              AND t.created_at >= %(start)s AND t.created_at < %(end)s
              AND t.kind IN ('debit', 'credit', 'debit_credit', 'reverse')
              AND t.caller = ANY (%(callers)s)) g
     CROSS JOIN LATERAL (
           SELECT coalesce(sum(amount_minor) FILTER (WHERE kind = 'deposit'), 0) AS deposit_minor,
                  coalesce(sum(amount_minor) FILTER (WHERE kind = 'withdraw'), 0)
                    AS withdraw_minor
             FROM (SELECT kind, amount_minor FROM agent_moves
                    WHERE player_id = s.player_id
                      AND created_at >= %(start)s AND created_at < %(end)s
                      AND kind IN ('deposit', 'withdraw')
                   UNION ALL
                   SELECT type, amount_minor FROM smart_transfers
                    WHERE player_id = s.player_id
                      AND created_at >= %(start)s AND created_at < %(end)s) u) m
)"""

# Players whose first deposit ever (either kind of move) falls in the range.
FIRST_DEPOSITS = """
first_deposits AS (
    SELECT player_id, child
      FROM (SELECT s.player_id, s.child,
                   least((SELECT min(m.created_at) FROM agent_moves m
                           WHERE m.player_id = s.player_id AND m.kind = 'deposit'),
                         (SELECT min(x.created_at) FROM smart_transfers x
                           WHERE x.player_id = s.player_id AND x.type = 'deposit')) AS first_at
              FROM scope s) f
     WHERE first_at >= %(start)s AND first_at < %(end)s
)"""


def figures_by(key: str) -> str:
    """Bets, wins, deposits and withdrawals grouped by `key` (an expression over the columns
    player_id, child and created_at of games and moves), as the CTE `figures` (k, bet_minor,
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

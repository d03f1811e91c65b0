"""Agent reports of game activity and money moves (wallet/reporting/activity.py says what counts):
per player, per direct sub-agent (its subtree rolled up), per day, per product, and the range's
totals. Figures are integer minor units; commission is computed by `commission_minor`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from wallet.ledger.database import Queries, contains
from wallet.reporting.activity import (
    DAY,
    FIRST_DEPOSITS,
    GAMES,
    MOVES,
    PER_PLAYER,
    REVERSED_BET,
    REVERSED_WIN,
    SCOPE,
    Window,
    figures_by,
)

BP_DIVISOR = 10_000
OTHER_PRODUCT = "Other"


def commission_minor(ggr_minor: int, commission_bp: int) -> int:
    """The commission on a GGR: rounded down (toward minus infinity) to the minor unit, so a
    fraction of a cent always stays with the operator; a negative GGR gives a negative
    commission (the agent's share of its players' net winnings)."""
    assert 0 <= commission_bp <= BP_DIVISOR
    return ggr_minor * commission_bp // BP_DIVISOR


@dataclass(frozen=True, slots=True)
class Figures:
    bet_minor: int = 0
    win_minor: int = 0
    deposit_minor: int = 0
    withdraw_minor: int = 0

    @property
    def ggr_minor(self) -> int:
        return self.bet_minor - self.win_minor


def _figures(row: tuple[object, ...]) -> Figures:
    return Figures(*(int(value or 0) for value in row))  # type: ignore[call-overload]


async def _rows(db: Queries, sql: str, named: dict[str, object]) -> list[tuple[object, ...]]:
    return await db.all(sql, named)


# ---- players ----


# How a players' report may be ordered: by id, or by a figure, largest first (the top players).
PLAYER_ORDERS = ("playerId", "ggr", "bets", "wins", "deposits", "withdrawals")


@dataclass(frozen=True, slots=True)
class PlayerFilter:
    player_id: int | None = None
    player_name: str | None = None  # a partial match of the username
    only_active: bool = False  # players with game activity in the range
    order: str = "playerId"  # one of PLAYER_ORDERS


@dataclass(frozen=True, slots=True)
class PlayerRow:
    player_id: int
    username: str
    figures: Figures
    active: bool


PLAYERS = f"""
WITH {SCOPE}, {PER_PLAYER},
listed AS (
    SELECT f.player_id, p.username, f.bet_minor, f.win_minor, f.deposit_minor,
           f.withdraw_minor, f.game_rows > 0 AS active
      FROM per_player f
      JOIN players p ON p.id = f.player_id
     WHERE (%(player)s::bigint IS NULL OR f.player_id = %(player)s::bigint)
       AND (%(name)s::text IS NULL OR p.username ILIKE %(name)s::text)
       AND (NOT %(only_active)s::boolean OR f.game_rows > 0)
)
SELECT t.total, l.player_id, l.username, l.bet_minor, l.win_minor, l.deposit_minor,
       l.withdraw_minor, l.active
  FROM (SELECT count(*) AS total FROM listed) t
  LEFT JOIN LATERAL (
        SELECT * FROM listed
         ORDER BY CASE %(order)s::text
                  WHEN 'ggr' THEN coalesce(bet_minor, 0) - coalesce(win_minor, 0)
                  WHEN 'bets' THEN coalesce(bet_minor, 0)
                  WHEN 'wins' THEN coalesce(win_minor, 0)
                  WHEN 'deposits' THEN coalesce(deposit_minor, 0)
                  WHEN 'withdrawals' THEN coalesce(withdraw_minor, 0) END DESC NULLS LAST,
                  player_id
        OFFSET %(offset)s LIMIT %(limit)s) l ON true"""


async def player_rows(
    db: Queries, window: Window, where: PlayerFilter, start: int, limit: int
) -> tuple[int, list[PlayerRow]]:
    """The subtree's players in the filter's order (a page of them) and how many match."""
    assert where.order in PLAYER_ORDERS, where.order
    name = None if where.player_name is None else contains(where.player_name)
    named = window.params() | {
        "player": where.player_id,
        "name": name,
        "only_active": where.only_active,
        "order": where.order,
        "offset": start,
        "limit": limit,
    }
    rows = await _rows(db, PLAYERS, named)
    total = int(rows[0][0]) if rows else 0  # type: ignore[call-overload]
    return total, [
        PlayerRow(int(pid), str(username), _figures(row[3:7]), bool(row[7]))  # type: ignore[call-overload]
        for row in rows
        if (pid := row[1]) is not None and (username := row[2]) is not None
    ]


# ---- direct sub-agents ----


@dataclass(frozen=True, slots=True)
class AgentFilter:
    username: str | None = None  # exact
    affiliate_id: int | None = None


@dataclass(frozen=True, slots=True)
class AgentRow:
    agent_id: int
    username: str
    commission_bp: int
    figures: Figures
    ftd_count: int


AGENTS = f"""
WITH {SCOPE}, {PER_PLAYER}, {FIRST_DEPOSITS},
figures AS (SELECT child AS k, sum(bet_minor) AS bet_minor, sum(win_minor) AS win_minor,
                   sum(deposit_minor) AS deposit_minor, sum(withdraw_minor) AS withdraw_minor
              FROM per_player GROUP BY child),
ftd AS (SELECT child AS k, count(*) AS n FROM first_deposits GROUP BY 1),
listed AS (
    SELECT a.id, a.username, a.commission_bp, f.bet_minor, f.win_minor, f.deposit_minor,
           f.withdraw_minor, coalesce(ftd.n, 0) AS ftd_count
      FROM agents a
      LEFT JOIN figures f ON f.k = a.id
      LEFT JOIN ftd ON ftd.k = a.id
     WHERE a.parent_id = %(root)s
       AND (%(username)s::text IS NULL OR a.username = %(username)s::text)
       AND (%(affiliate)s::bigint IS NULL OR a.id = %(affiliate)s::bigint)
)
SELECT t.total, l.id, l.username, l.commission_bp, l.bet_minor, l.win_minor, l.deposit_minor,
       l.withdraw_minor, l.ftd_count
  FROM (SELECT count(*) AS total FROM listed) t
  LEFT JOIN LATERAL (SELECT * FROM listed ORDER BY id
                     OFFSET %(offset)s LIMIT %(limit)s) l ON true"""


async def agent_rows(
    db: Queries, window: Window, where: AgentFilter, start: int, limit: int
) -> tuple[int, list[AgentRow]]:
    """The root's direct sub-agents by id (a page), each with its whole subtree's figures."""
    named = window.params() | {
        "username": where.username,
        "affiliate": where.affiliate_id,
        "offset": start,
        "limit": limit,
    }
    rows = await _rows(db, AGENTS, named)
    total = int(rows[0][0]) if rows else 0  # type: ignore[call-overload]
    return (
        total,
        [
            AgentRow(
                int(aid),  # type: ignore[call-overload]
                str(row[2]),
                int(row[3]),  # type: ignore[call-overload]
                _figures(row[4:8]),
                int(row[8]),  # type: ignore[call-overload]
            )
            for row in rows
            if (aid := row[1]) is not None
        ],
    )


# ---- days, products, totals ----

DAILY = f"""
WITH {SCOPE}, {GAMES}, {MOVES}, {figures_by(DAY)}
SELECT k, bet_minor, win_minor, deposit_minor, withdraw_minor FROM figures"""


async def daily(db: Queries, window: Window) -> dict[date, Figures]:
    """The figures of each day that had any (the caller fills the quiet days with zeros)."""
    rows = await _rows(db, DAILY, window.params())
    return {row[0]: _figures(row[1:5]) for row in rows}  # type: ignore[misc]


# Each player's rows summed per studio and game inside its own scan (a few rows a player), then
# per game and per product.
PRODUCTS = f"""
WITH {SCOPE},
by_game AS (
    SELECT x.caller, x.game_id, sum(x.bet_minor) AS bet_minor, sum(x.win_minor) AS win_minor
      FROM scope s
     CROSS JOIN LATERAL (
           SELECT CASE WHEN t.kind <> 'reverse' THEN t.caller
                       ELSE (SELECT o.caller FROM transactions o WHERE o.id = t.reverses_id)
                  END AS caller,
                  coalesce(CASE WHEN t.kind <> 'reverse' THEN t.game_id
                                ELSE (SELECT o.game_id FROM transactions o
                                       WHERE o.id = t.reverses_id) END, '') AS game_id,
                  sum(CASE WHEN t.kind <> 'reverse' THEN t.debit_minor
                           ELSE -{REVERSED_BET} END) AS bet_minor,
                  sum(CASE WHEN t.kind <> 'reverse' THEN t.credit_minor
                           ELSE -{REVERSED_WIN} END) AS win_minor
             FROM transactions t
            WHERE t.account_id = s.main_id
              AND t.created_at >= %(start)s AND t.created_at < %(end)s
              AND t.kind IN ('debit', 'credit', 'debit_credit', 'reverse')
              AND t.caller = ANY (%(callers)s)
            GROUP BY 1, 2) x
     GROUP BY 1, 2
)
SELECT coalesce(e.product, d.product, %(other)s) AS product, sum(g.bet_minor),
       sum(g.win_minor)
  FROM by_game g
  LEFT JOIN game_products e ON e.caller = g.caller AND e.game_id = g.game_id
  LEFT JOIN game_products d ON d.caller = g.caller AND d.game_id = ''
 GROUP BY 1 ORDER BY 1"""


async def products(db: Queries, window: Window) -> list[tuple[str, Figures]]:
    """Bets and wins per product (game_products), by product name."""
    rows = await _rows(db, PRODUCTS, window.params() | {"other": OTHER_PRODUCT})
    return [(str(row[0]), _figures(row[1:3])) for row in rows]


@dataclass(frozen=True, slots=True)
class Summary:
    figures: Figures
    active_players: int  # players with game activity in the range
    new_players: int  # players registered in the range
    ftd_count: int  # players whose first deposit ever is in the range
    players: int  # every player of the subtree


SUMMARY = f"""
WITH {SCOPE}, {PER_PLAYER}, {FIRST_DEPOSITS}
SELECT sum(bet_minor), sum(win_minor), sum(deposit_minor), sum(withdraw_minor),
       count(*) FILTER (WHERE game_rows > 0),
       (SELECT count(*) FROM scope s JOIN players p ON p.id = s.player_id
         WHERE p.created_at >= %(start)s AND p.created_at < %(end)s),
       (SELECT count(*) FROM first_deposits), count(*)
  FROM per_player"""


async def summary(db: Queries, window: Window) -> Summary:
    rows = await _rows(db, SUMMARY, window.params())
    row = rows[0]
    counts = [int(value) for value in row[4:8]]  # type: ignore[call-overload]
    return Summary(_figures(row[0:4]), *counts)

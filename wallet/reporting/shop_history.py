"""What a till needs to read back from the ledger about a shop's money moves: what one move moved
(its receipt), a player's recent transactions, and a cashier's shift. Every figure here is a sum
of postings; nothing is stored beside them but the move's author (cashier_moves, revision 0017,
written by cashier_transfer with the move).

A shop player's accounts split into its money and its bonuses:

    cash      main, debt, win     what the cashier's counter sees: a deposit's sum, what a
                                  withdrawal paid out, what a reverse took back
    bonus     bonus, bounce_back  a Wager Bonus or Bounce Back given or taken back with it

(wager_req, the wagering requirement, is a memo, not money: neither.)
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from wallet.directory.shop_players import ShopPlayer
from wallet.ledger.database import LedgerDB

CASH_PURPOSES = ("main", "debt", "win")
BONUS_PURPOSES = ("bonus", "bounce_back")
HISTORY_MAX = 50  # rows of a player's history one call may ask for


@dataclass(frozen=True, slots=True)
class Moved:
    """What one transaction moved on a player's accounts (signed: + to the player)."""

    cash_minor: int
    bonus_minor: int


_MOVED_SQL = """
SELECT coalesce(sum(q.amount_minor) FILTER (WHERE a.purpose = ANY (%(cash)s)), 0),
       coalesce(sum(q.amount_minor) FILTER (WHERE a.purpose = ANY (%(bonus)s)), 0)
  FROM postings q
  JOIN accounts a ON a.id = q.account_id
 WHERE q.transaction_id = %(tx)s AND a.owner_type = 'player' AND a.owner_id = %(player)s
"""


async def moved_by(db: LedgerDB, player: ShopPlayer, tx_id: int) -> Moved:
    """The player's side of a transaction's postings (the same for its replays)."""
    row = await db.one(
        _MOVED_SQL,
        {"cash": list(CASH_PURPOSES), "bonus": list(BONUS_PURPOSES), "tx": tx_id,
         "player": player.id},
    )  # fmt: skip
    assert row is not None
    return Moved(int(row[0]), int(row[1]))


# ---- a player's recent transactions ----


@dataclass(frozen=True, slots=True)
class HistoryRow:
    tx_id: int
    created_at: datetime
    caller: str
    operation: str
    kind: str
    game_id: str | None
    cashier: str | None  # the cashier who made it (cashier moves since revision 0017)
    reversed: bool  # a deposit that a later reverse took back
    cash_minor: int
    bonus_minor: int
    main_after_minor: int  # the player's balance (main) right after it
    win_after_minor: int  # and balance_Win

    @property
    def type(self) -> str:
        """What a till calls it: deposit, withdrawal, reverse, bet, win, bet_win, rollback,
        transfer or other."""
        if self.caller == "cashier":
            return {"withdraw": "withdrawal"}.get(self.operation, self.operation)
        if self.caller.startswith("transfer:"):
            return "transfer"
        studio = {"debit": "bet", "credit": "win", "debit_credit": "bet_win", "reverse": "rollback"}
        return studio.get(self.kind, "other")


# The player's latest transactions: per account, its latest postings (postings_account, newest
# first), so a long-playing player costs no more than a new one; then, per transaction, the
# player's side of its postings and each balance right after it (every posting on a shop
# player's accounts is written under its main account's lock, so posting ids are their order).
_HISTORY_SQL = """
WITH mine AS (
    SELECT id, purpose FROM accounts
     WHERE owner_type = 'player' AND owner_id = %(player)s AND currency = %(currency)s),
recent AS (
    SELECT DISTINCT x.transaction_id AS id
      FROM mine m
     CROSS JOIN LATERAL (SELECT q.transaction_id FROM postings q
                          WHERE q.account_id = m.id ORDER BY q.id DESC LIMIT %(limit)s) x
     ORDER BY 1 DESC LIMIT %(limit)s)
SELECT t.id, t.created_at, t.caller, t.operation, t.kind, t.game_id, c.username,
       EXISTS (SELECT 1 FROM transactions r WHERE r.reverses_id = t.id),
       s.cash, s.bonus,
       coalesce((SELECT q.balance_after_minor FROM postings q
                  WHERE q.account_id = (SELECT id FROM mine WHERE purpose = 'main')
                    AND q.id <= s.last ORDER BY q.id DESC LIMIT 1), 0),
       coalesce((SELECT q.balance_after_minor FROM postings q
                  WHERE q.account_id = (SELECT id FROM mine WHERE purpose = 'win')
                    AND q.id <= s.last ORDER BY q.id DESC LIMIT 1), 0)
  FROM recent
  JOIN transactions t ON t.id = recent.id
  LEFT JOIN cashier_moves cm ON cm.tx_id = t.id
  LEFT JOIN cashiers c ON c.id = cm.cashier_id
 CROSS JOIN LATERAL (
      SELECT coalesce(sum(q.amount_minor) FILTER (WHERE m.purpose = ANY (%(cash)s)), 0) AS cash,
             coalesce(sum(q.amount_minor) FILTER (WHERE m.purpose = ANY (%(bonus)s)), 0) AS bonus,
             max(q.id) AS last
        FROM postings q JOIN mine m ON m.id = q.account_id
       WHERE q.transaction_id = t.id) s
 ORDER BY t.id DESC
"""


async def player_history(db: LedgerDB, player: ShopPlayer, limit: int) -> list[HistoryRow]:
    """The player's latest `limit` transactions, newest first."""
    assert 1 <= limit <= HISTORY_MAX
    rows = await db.all(
        _HISTORY_SQL,
        {"player": player.id, "currency": player.currency, "limit": limit,
         "cash": list(CASH_PURPOSES), "bonus": list(BONUS_PURPOSES)},
    )  # fmt: skip
    return [
        HistoryRow(
            tx_id=int(row[0]),
            created_at=row[1],
            caller=str(row[2]),
            operation=str(row[3]),
            kind=str(row[4]),
            game_id=None if row[5] is None else str(row[5]),
            cashier=None if row[6] is None else str(row[6]),
            reversed=bool(row[7]),
            cash_minor=int(row[8]),
            bonus_minor=int(row[9]),
            main_after_minor=int(row[10]),
            win_after_minor=int(row[11]),
        )
        for row in rows
    ]


# ---- a cashier's shift ----


@dataclass(frozen=True, slots=True)
class Tally:
    count: int
    sum_minor: int  # cash, as the counter sees it: always >= 0


@dataclass(frozen=True, slots=True)
class Shift:
    deposits: Tally  # cash taken in
    withdrawals: Tally  # cash paid out
    reverses: Tally  # deposits taken back (their cash leaves the player again)

    @property
    def cash_in_minor(self) -> int:
        """Deposits less what reverses took back of them."""
        return self.deposits.sum_minor - self.reverses.sum_minor

    @property
    def cash_out_minor(self) -> int:
        return self.withdrawals.sum_minor

    @property
    def count(self) -> int:
        return self.deposits.count + self.withdrawals.count + self.reverses.count


# The cashier's moves in [since, until) through cashier_moves_cashier, each with the cash it
# moved on its player's accounts (a deposit +, a withdrawal or a reverse -).
_SHIFT_SQL = """
SELECT t.operation, count(*), coalesce(sum(c.cash), 0)
  FROM cashier_moves m
  JOIN transactions t ON t.id = m.tx_id
 CROSS JOIN LATERAL (
      SELECT sum(q.amount_minor) AS cash
        FROM postings q JOIN accounts a ON a.id = q.account_id
       WHERE q.transaction_id = t.id AND a.owner_type = 'player'
         AND a.purpose = ANY (%(cash)s)) c
 WHERE m.cashier_id = %(cashier)s AND m.created_at >= %(since)s AND m.created_at < %(until)s
 GROUP BY t.operation
"""


async def cashier_shift(db: LedgerDB, cashier_id: int, since: datetime, until: datetime) -> Shift:
    rows = await db.all(
        _SHIFT_SQL,
        {"cashier": cashier_id, "since": since, "until": until, "cash": list(CASH_PURPOSES)},
    )
    found = {str(operation): (int(count), int(cash)) for operation, count, cash in rows}
    unknown = set(found) - {"deposit", "withdraw", "reverse"}
    assert not unknown, unknown

    def tally(operation: str, sign: int) -> Tally:
        count, cash = found.get(operation, (0, 0))
        assert sign * cash >= 0, (operation, cash)
        return Tally(count, sign * cash)

    return Shift(tally("deposit", 1), tally("withdraw", -1), tally("reverse", -1))

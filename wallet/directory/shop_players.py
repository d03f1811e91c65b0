"""A shop's players (revision 0006): creation with all their accounts, look-up, listing, and
the figures the cashier API shows, each a ledger balance or a sum of postings.

    balance             main            balance_Win   win
    wager_bonus         bonus           bounce_back   bounce_back
    wager_bonus_amount  wager_req (the requirement still to wager: a memo)
    withdrawal          what the player's cashier withdrawals took from main and win

A shop's player is a row of `players` of the shop's operator like any other, so the studios
call it by its username.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from wallet.directory.shops import Shop
from wallet.ledger.database import Listing, Queries, contains, named_call, paged

PURPOSES = ("main", "debt", "win", "bonus", "wager_req", "bounce_back")
SEARCH_MAX = 64


@dataclass(frozen=True, slots=True)
class ShopPlayer:
    id: int
    operator_id: int
    username: str
    shop_id: int | None  # None: a studio-only player
    cashier_id: int | None
    first_name: str | None
    status: str
    currency: str
    created_at: datetime
    accounts: dict[str, int]  # purpose -> account id (a studio-only player: main and debt)

    @property
    def main_account_id(self) -> int:
        return self.accounts["main"]


@dataclass(frozen=True, slots=True)
class NewShopPlayer:
    """A player a cashier creates (its password already hashed)."""

    cashier_id: int
    username: str
    first_name: str | None
    password_hash: str
    platform: str


@dataclass(frozen=True, slots=True)
class Figures:
    """A shop player's figures, in minor units."""

    balance: int
    balance_win: int
    withdrawal: int
    wager_bonus: int
    wager_bonus_amount: int
    bounce_back: int


_PLAYER_COLUMNS = """p.id, p.operator_id, p.username, p.shop_id, p.cashier_id, p.first_name,
       p.status, p.currency, p.created_at,
       (SELECT array_agg(a.purpose || ':' || a.id) FROM accounts a
         WHERE a.owner_type = 'player' AND a.owner_id = p.id AND a.currency = p.currency)"""
_PLAYER_SQL = f"SELECT {_PLAYER_COLUMNS} FROM players p"

# The figures of players p right now: their balances, and their withdrawals through the index
# transactions_cashier (revision 0007).
_FIGURES_NOW_SQL = """
SELECT p.id, f.main, f.win, coalesce(w.taken, 0), f.bonus, f.wager_req, f.bounce_back
  FROM players p
  CROSS JOIN LATERAL (
      SELECT coalesce(max(a.balance_minor) FILTER (WHERE a.purpose = 'main'), 0) AS main,
             coalesce(max(a.balance_minor) FILTER (WHERE a.purpose = 'win'), 0) AS win,
             coalesce(max(a.balance_minor) FILTER (WHERE a.purpose = 'bonus'), 0) AS bonus,
             coalesce(max(a.balance_minor) FILTER (WHERE a.purpose = 'wager_req'), 0) AS wager_req,
             coalesce(max(a.balance_minor) FILTER (WHERE a.purpose = 'bounce_back'), 0)
                 AS bounce_back,
             max(a.id) FILTER (WHERE a.purpose = 'main') AS main_id,
             max(a.id) FILTER (WHERE a.purpose = 'win') AS win_id
        FROM accounts a
       WHERE a.owner_type = 'player' AND a.owner_id = p.id AND a.currency = p.currency) f
  LEFT JOIN LATERAL (
      SELECT -sum(q.amount_minor) AS taken
        FROM transactions t
        JOIN postings q ON q.transaction_id = t.id AND q.account_id IN (f.main_id, f.win_id)
       WHERE t.account_id = f.main_id AND t.caller = 'cashier' AND t.operation = 'withdraw') w
    ON true
 WHERE p.id = ANY (%s)
"""

# The figures of one player right after a transaction: each account's balance after its
# last posting up to that transaction's last one. Every posting on a shop player's accounts is
# written under the lock of its main account (the hot path's and ledger_transfer's), so the
# postings of each account are in that order.
_FIGURES_AT_SQL = """
WITH upto AS (SELECT max(id) AS last FROM postings WHERE transaction_id = %s),
balances AS (
    SELECT a.id, a.purpose,
           coalesce((SELECT q.balance_after_minor FROM postings q, upto
                      WHERE q.account_id = a.id AND q.id <= upto.last
                      ORDER BY q.id DESC LIMIT 1), 0) AS after
      FROM accounts a
     WHERE a.owner_type = 'player' AND a.owner_id = %s)
SELECT coalesce(max(after) FILTER (WHERE purpose = 'main'), 0),
       coalesce(max(after) FILTER (WHERE purpose = 'win'), 0),
       (SELECT coalesce(-sum(q.amount_minor), 0)
          FROM transactions t
          JOIN postings q ON q.transaction_id = t.id
                         AND q.account_id IN (SELECT id FROM balances
                                               WHERE purpose IN ('main', 'win'))
         WHERE t.account_id = (SELECT id FROM balances WHERE purpose = 'main')
           AND t.caller = 'cashier' AND t.operation = 'withdraw' AND t.id <= %s),
       coalesce(max(after) FILTER (WHERE purpose = 'bonus'), 0),
       coalesce(max(after) FILTER (WHERE purpose = 'wager_req'), 0),
       coalesce(max(after) FILTER (WHERE purpose = 'bounce_back'), 0)
  FROM balances
"""


def _player(row: tuple[object, ...]) -> ShopPlayer:
    pid, op, username, shop_id, cashier_id, first_name, status, currency, created, accts = row
    accounts: dict[str, int] = {}
    for item in accts or ():  # type: ignore[attr-defined]
        purpose, _, account_id = str(item).rpartition(":")
        accounts[purpose] = int(account_id)
    return ShopPlayer(
        id=int(pid),  # type: ignore[call-overload]
        operator_id=int(op),  # type: ignore[call-overload]
        username=str(username),
        shop_id=None if shop_id is None else int(shop_id),  # type: ignore[call-overload]
        cashier_id=None if cashier_id is None else int(cashier_id),  # type: ignore[call-overload]
        first_name=None if first_name is None else str(first_name),
        status=str(status),
        currency=str(currency).strip(),
        created_at=created,  # type: ignore[arg-type]
        accounts=accounts,
    )


def _figures(row: tuple[object, ...]) -> Figures:
    return Figures(*(int(value) for value in row))  # type: ignore[call-overload]


async def create_shop_player(
    db: Queries,
    shop: Shop,
    cashier_id: int,
    username: str,
    first_name: str | None,
    password_hash: str,
    platform: str,
) -> ShopPlayer | None:
    """The new player with all its accounts (one statement); None when the username or the
    first_name is taken in the operator."""
    args = {
        "operator_id": shop.operator_id,
        "shop_id": shop.id,
        "cashier_id": cashier_id,
        "username": username,
        "currency": shop.currency,
        "first_name": first_name,
        "password_hash": password_hash,
        "platform": platform,
    }
    row = await db.one(f"SELECT {named_call('wallet_create_shop_player', args)}", args)
    if row is None or row[0] is None:
        return None
    return await find_shop_player(db, shop.operator_id, player_id=int(row[0]))


async def taken_fields(
    db: Queries, operator_id: int, username: str, first_name: str | None
) -> tuple[bool, bool]:
    """Whether the username, and the first_name, are taken in the operator."""
    row = await db.one(
        "SELECT EXISTS (SELECT 1 FROM players WHERE operator_id = %s AND username = %s),"
        " EXISTS (SELECT 1 FROM players WHERE operator_id = %s AND first_name = %s)",
        (operator_id, username, operator_id, first_name),
    )
    assert row is not None
    return bool(row[0]), bool(row[1])


async def find_shop_player(
    db: Queries, operator_id: int, *, player_id: int | None = None, username: str | None = None
) -> ShopPlayer | None:
    """A player of the operator by id or by username (any shop, or none)."""
    assert (player_id is None) != (username is None)
    if player_id is not None:
        row = await db.one(
            f"{_PLAYER_SQL} WHERE p.operator_id = %s AND p.id = %s", (operator_id, player_id)
        )
    else:
        row = await db.one(
            f"{_PLAYER_SQL} WHERE p.operator_id = %s AND p.username = %s", (operator_id, username)
        )
    return None if row is None else _player(row)


async def list_shop_players(
    db: Queries, shop_id: int, search: str, limit: int, offset: int
) -> tuple[int, list[ShopPlayer]]:
    """The shop's players whose username or first_name contains `search` (newest first): the
    total count and one page."""
    assert 0 < limit <= 100 and offset >= 0 and len(search) <= SEARCH_MAX
    listing = Listing(
        "players p WHERE p.shop_id = %(shop)s AND (%(search)s = ''"
        " OR p.username ILIKE %(pattern)s OR p.first_name ILIKE %(pattern)s)",
        _PLAYER_COLUMNS,
        "p.id DESC",
    )
    params = {"shop": shop_id, "search": search, "pattern": contains(search)}
    page = await paged(db, listing, params, offset, limit)
    return page.total, [_player(row) for row in page.rows]


async def figures_now(db: Queries, player_ids: list[int]) -> dict[int, Figures]:
    rows = await db.all(_FIGURES_NOW_SQL, (player_ids,))
    return {int(row[0]): _figures(row[1:]) for row in rows}


async def figures_at(db: Queries, player: ShopPlayer, tx_id: int) -> Figures:
    """The figures right after transaction tx_id, a cashier move of this player (its answer,
    the same for the original and every replay)."""
    row = await db.one(_FIGURES_AT_SQL, (tx_id, player.id, tx_id))
    assert row is not None
    return _figures(row)


async def set_password(db: Queries, player_id: int, password_hash: str) -> None:
    await db.one("UPDATE players SET password_hash = %s WHERE id = %s", (password_hash, player_id))

"""Retail shops (revision 0006): a shop, its settings and its float account.

A shop's money is its account ('shop', shop id, 'main', lower bound 0): cashier deposits take
from it and withdrawals pay into it, so a shop cannot hand out more than it holds. An opening
float comes from operator equity, like a player's opening balance.
"""

from __future__ import annotations

from dataclasses import dataclass

from wallet.ledger.accounts import balance_of
from wallet.ledger.database import LedgerDB, Queries
from wallet.ledger.outcomes import Outcome
from wallet.ledger.postings import opening_balance

MODES = ("default", "river")

# The columns of a Shop, in its fields' order, and the tables they come from.
SHOP_COLUMNS = """s.id, s.operator_id, s.name, s.currency, c.exponent, s.mode, s.wager_bonus_bp,
       s.wager_multiplier, s.bounce_back_bp, s.bounce_back_threshold_minor, f.id"""
SHOP_TABLES = """shops s
  JOIN currencies c ON c.code = s.currency
  JOIN accounts f ON f.owner_type = 'shop' AND f.owner_id = s.id AND f.purpose = 'main'
                 AND f.currency = s.currency"""
SHOP_WIDTH = 11  # columns in SHOP_COLUMNS


@dataclass(frozen=True, slots=True)
class Shop:
    id: int
    operator_id: int
    name: str
    currency: str
    exponent: int
    mode: str  # 'default' or 'river'
    wager_bonus_bp: int  # Wager Bonus, basis points of a deposit
    wager_multiplier: int  # the wagering requirement is the bonus times this
    bounce_back_bp: int  # Bounce Back, basis points of a deposit
    bounce_back_threshold_minor: int
    float_account_id: int

    @classmethod
    def from_row(cls, row: tuple[object, ...]) -> Shop:
        assert len(row) == SHOP_WIDTH, row
        sid, op, name, currency, exponent, mode, wb, wm, bb, threshold, float_id = row
        return cls(
            int(sid),  # type: ignore[call-overload]
            int(op),  # type: ignore[call-overload]
            str(name),
            str(currency).strip(),
            int(exponent),  # type: ignore[call-overload]
            str(mode),
            int(wb),  # type: ignore[call-overload]
            int(wm),  # type: ignore[call-overload]
            int(bb),  # type: ignore[call-overload]
            int(threshold),  # type: ignore[call-overload]
            int(float_id),  # type: ignore[call-overload]
        )


class ShopExists(Exception):
    pass


async def find_shop(db: Queries, operator_id: int, name: str) -> Shop | None:
    row = await db.one(
        f"SELECT {SHOP_COLUMNS} FROM {SHOP_TABLES} WHERE s.operator_id = %s AND s.name = %s",
        (operator_id, name),
    )
    return None if row is None else Shop.from_row(row)


async def create_shop(
    db: LedgerDB, operator_id: int, name: str, currency: str, mode: str, opening_minor: int = 0
) -> Shop:
    """A shop, its float account and an opening float from operator equity: one unit of work,
    so a shop exists funded as asked or not at all."""
    assert mode in MODES and opening_minor >= 0
    async with db.transaction() as tx:
        row = await tx.one(
            "SELECT wallet_create_shop(%s, %s, %s, %s)", (operator_id, name, currency, mode)
        )
        if row is None or row[0] is None:
            raise ShopExists(name)
        shop = await find_shop(tx, operator_id, name)
        assert shop is not None
        if opening_minor:
            answer = await opening_balance(
                tx,
                owner_type="shop",
                owner_id=shop.id,
                account=shop.float_account_id,
                currency=currency,
                amount_minor=opening_minor,
            )
            assert answer.outcome == Outcome.NEW, answer
    return shop


async def set_shop_settings(
    db: Queries,
    shop: Shop,
    *,
    wager_bonus_bp: int | None = None,
    wager_multiplier: int | None = None,
    bounce_back_bp: int | None = None,
    bounce_back_threshold_minor: int | None = None,
) -> Shop:
    """Change a shop's Wager Bonus and Bounce Back settings (None: unchanged). They apply to
    the deposits and bets from now on; what was granted before keeps its terms, since every
    bonus, requirement and Bounce Back is already in the ledger as an amount."""
    await db.one(
        "UPDATE shops SET wager_bonus_bp = coalesce(%s, wager_bonus_bp),"
        " wager_multiplier = coalesce(%s, wager_multiplier),"
        " bounce_back_bp = coalesce(%s, bounce_back_bp),"
        " bounce_back_threshold_minor = coalesce(%s, bounce_back_threshold_minor)"
        " WHERE id = %s RETURNING id",
        (wager_bonus_bp, wager_multiplier, bounce_back_bp, bounce_back_threshold_minor, shop.id),
    )
    changed = await find_shop(db, shop.operator_id, shop.name)
    assert changed is not None
    return changed


async def shop_balance(db: Queries, shop: Shop) -> int:
    return await balance_of(db, shop.float_account_id)

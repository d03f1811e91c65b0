"""A shop's till settings (shop_till_settings, revision 0017): the amount above which the cashier
console asks for a confirmation before a deposit or a withdrawal, and its quick-amount buttons.
Both in the shop currency's minor units; without a setting, the defaults below (in whole units
of the currency), so a new shop's till works at once. The operator sets them with
`wallet shop set NAME --confirm-above AMOUNT --quick-amounts A,B,...`.
"""

from __future__ import annotations

from dataclasses import dataclass

from wallet.directory.shops import Shop
from wallet.ledger.database import LedgerDB

CONFIRM_ABOVE_UNITS = 500
QUICK_AMOUNTS_UNITS = (10, 20, 50, 100, 200, 500)
QUICK_AMOUNTS_MAX = 8  # as the table's CHECK


@dataclass(frozen=True, slots=True)
class Till:
    confirm_above_minor: int
    quick_amounts_minor: tuple[int, ...]


def default_till(shop: Shop) -> Till:
    unit = 10**shop.exponent
    return Till(CONFIRM_ABOVE_UNITS * unit, tuple(units * unit for units in QUICK_AMOUNTS_UNITS))


async def till_of(db: LedgerDB, shop: Shop) -> Till:
    default = default_till(shop)
    row = await db.one(
        "SELECT confirm_above_minor, quick_amounts_minor FROM shop_till_settings"
        " WHERE shop_id = %s",
        (shop.id,),
    )
    if row is None:
        return default
    confirm, quick = row
    return Till(
        default.confirm_above_minor if confirm is None else int(confirm),
        default.quick_amounts_minor if quick is None else tuple(int(q) for q in quick),
    )


async def set_till(
    db: LedgerDB,
    shop: Shop,
    *,
    confirm_above_minor: int | None = None,
    quick_amounts_minor: tuple[int, ...] | None = None,
) -> Till:
    """Change what is given (None: unchanged)."""
    assert confirm_above_minor is None or confirm_above_minor >= 0
    assert quick_amounts_minor is None or (
        1 <= len(quick_amounts_minor) <= QUICK_AMOUNTS_MAX and min(quick_amounts_minor) > 0
    )
    await db.one(
        "INSERT INTO shop_till_settings AS s (shop_id, confirm_above_minor, quick_amounts_minor)"
        " VALUES (%(shop)s, %(confirm)s::bigint, %(quick)s::bigint[])"
        " ON CONFLICT (shop_id) DO UPDATE SET"
        "  confirm_above_minor = coalesce(excluded.confirm_above_minor, s.confirm_above_minor),"
        "  quick_amounts_minor = coalesce(excluded.quick_amounts_minor, s.quick_amounts_minor)"
        " RETURNING shop_id",
        {
            "shop": shop.id,
            "confirm": confirm_above_minor,
            "quick": None if quick_amounts_minor is None else list(quick_amounts_minor),
        },
    )
    return await till_of(db, shop)

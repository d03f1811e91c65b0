"""`wallet shop till NAME [--confirm-above AMOUNT] [--quick-amounts A,B,...]`: a shop's till
settings for the cashier console (wallet/directory/shop_till.py); without options it prints them.
Amounts in the shop's currency, exact (more decimals than it has is refused)."""

from __future__ import annotations

import argparse

from wallet.commands import CommandError, print_line
from wallet.config import Settings
from wallet.directory.operators import operator_id
from wallet.directory.shop_till import QUICK_AMOUNTS_MAX, Till, set_till, till_of
from wallet.directory.shops import Shop, find_shop
from wallet.ledger.database import LedgerDB
from wallet.ledger.money import AmountError, format_minor, parse_minor


def _amount(flag: str, text: str, shop: Shop) -> int:
    try:
        return parse_minor(text.strip(), shop.exponent)
    except AmountError as error:
        raise CommandError(f"bad {flag} {text!r}: {error}") from error


def _quick(text: str | None, shop: Shop) -> tuple[int, ...] | None:
    if text is None:
        return None
    amounts = tuple(_amount("--quick-amounts", part, shop) for part in text.split(","))
    if not 1 <= len(amounts) <= QUICK_AMOUNTS_MAX or min(amounts) <= 0:
        raise CommandError(
            f"bad --quick-amounts {text!r}: 1 to {QUICK_AMOUNTS_MAX} amounts above 0, e.g. 10,20,50"
        )
    return amounts


def _line(shop: Shop, till: Till) -> str:
    def money(minor: int) -> str:
        return format_minor(minor, shop.exponent)

    quick = ",".join(money(q) for q in till.quick_amounts_minor)
    return (
        f"shop: {shop.name} currency: {shop.currency}"
        f" confirm_above: {money(till.confirm_above_minor)} quick_amounts: {quick}"
    )


def cmd_shop_till(args: argparse.Namespace, settings: Settings) -> int:
    async def work(db: LedgerDB) -> str:
        shop = await find_shop(db, await operator_id(db, settings.operator_code), args.name)
        if shop is None:
            raise CommandError(f"no shop {args.name}")
        confirm = None
        if args.confirm_above is not None:
            confirm = _amount("--confirm-above", args.confirm_above, shop)
        quick = _quick(args.quick_amounts, shop)
        if confirm is None and quick is None:
            return _line(shop, await till_of(db, shop))
        return _line(shop, await set_till(db, shop, confirm_above_minor=confirm,
                                          quick_amounts_minor=quick))  # fmt: skip

    return print_line(settings, work)


def register(shop: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    till = shop.add_parser("till", help="the cashier console's till settings of a shop")
    till.add_argument("name")
    till.add_argument(
        "--confirm-above", help="ask the cashier before a deposit or withdrawal above, e.g. 500"
    )
    till.add_argument("--quick-amounts", help="the amount buttons, e.g. 10,20,50,100")
    till.set_defaults(func=cmd_shop_till)

"""Who may use a shop's cashier API, as the operator changes it (registered by wallet/cli.py):

wallet cashier block USERNAME / unblock USERNAME   its logins refused; blocking ends its sessions
wallet cashier password USERNAME                   a new password, printed once; sessions end
wallet cashier list [--shop NAME] [--limit N]      the operator's cashiers
wallet apikey revoke ID                            the key refused from the next request on
wallet apikey list [--shop NAME] [--limit N]       the operator's keys (never the keys themselves)

Each prints one line (a list: one per row, or `...: none`); bad input exits 2 with a message.
"""

from __future__ import annotations

import argparse
import secrets

from wallet.access.api_keys import KeyLine, list_api_keys, revoke_api_key
from wallet.access.passwords import hash_password_async
from wallet.commands import CommandError, list_limit, print_line, utc_text
from wallet.config import Settings
from wallet.directory.cashiers import (
    CashierLine,
    find_cashier,
    list_cashiers,
    set_cashier_password,
    set_cashier_status,
)
from wallet.directory.operators import operator_id
from wallet.directory.shops import find_shop
from wallet.ledger.database import LedgerDB

CASHIER_PASSWORD_BYTES = 12  # 16 URL-safe characters, as `wallet cashier create` makes them


async def _cashier(db: LedgerDB, settings: Settings, username: str) -> CashierLine:
    found = await find_cashier(db, await operator_id(db, settings.operator_code), username)
    if found is None:
        raise CommandError(f"no cashier {username}")
    return found


async def _shop_id(db: LedgerDB, settings: Settings, name: str | None) -> int | None:
    if name is None:
        return None
    shop = await find_shop(db, await operator_id(db, settings.operator_code), name)
    if shop is None:
        raise CommandError(f"no shop {name}")
    return shop.id


def cmd_cashier_status(args: argparse.Namespace, settings: Settings) -> int:
    async def work(db: LedgerDB) -> str:
        found = await _cashier(db, settings, args.username)
        await set_cashier_status(db, found.cashier.id, args.status)
        ended = " sessions: ended" if args.status == "blocked" else ""
        return f"cashier: {found.cashier.username} shop: {found.shop} status: {args.status}{ended}"

    return print_line(settings, work)


def cmd_cashier_password(args: argparse.Namespace, settings: Settings) -> int:
    password = secrets.token_urlsafe(CASHIER_PASSWORD_BYTES)

    async def work(db: LedgerDB) -> str:
        found = await _cashier(db, settings, args.username)
        await set_cashier_password(db, found.cashier.id, await hash_password_async(password))
        return (
            f"cashier: {found.cashier.username} shop: {found.shop} sessions: ended"
            f" password: {password}"
        )

    return print_line(settings, work)


def _cashier_line(line: CashierLine) -> str:
    c = line.cashier
    return (
        f"cashier: {c.username} id: {c.id} shop: {line.shop} role: {c.role}"
        f" status: {c.status} created: {utc_text(line.created_at)}"
    )


def cmd_cashier_list(args: argparse.Namespace, settings: Settings) -> int:
    async def work(db: LedgerDB) -> str:
        shop_id = await _shop_id(db, settings, args.shop)
        op = await operator_id(db, settings.operator_code)
        found = await list_cashiers(db, op, shop_id, args.limit)
        return "\n".join(_cashier_line(line) for line in found) or "cashiers: none"

    return print_line(settings, work)


def _key_line(key: KeyLine) -> str:
    status = f"revoked revoked: {utc_text(key.revoked_at)}" if key.revoked_at else "active"
    return (
        f"apikey: {key.id} shop: {key.shop} domain: {key.domain or '-'}"
        f" ip: {','.join(key.allowed_ips) or 'any'} created: {utc_text(key.created_at)}"
        f" status: {status}"
    )


def cmd_apikey_revoke(args: argparse.Namespace, settings: Settings) -> int:
    async def work(db: LedgerDB) -> str:
        op = await operator_id(db, settings.operator_code)
        revoked = await revoke_api_key(db, op, args.id)
        if revoked is None:
            raise CommandError(f"no API key {args.id}")
        return _key_line(revoked)

    return print_line(settings, work)


def cmd_apikey_list(args: argparse.Namespace, settings: Settings) -> int:
    async def work(db: LedgerDB) -> str:
        shop_id = await _shop_id(db, settings, args.shop)
        op = await operator_id(db, settings.operator_code)
        found = await list_api_keys(db, op, shop_id, args.limit)
        return "\n".join(_key_line(key) for key in found) or "apikeys: none"

    return print_line(settings, work)


def _key_id(text: str) -> int:
    if not text.isdigit() or not 0 < int(text) < 2**63:
        raise argparse.ArgumentTypeError("the key's id, as `apikey create` or `list` printed it")
    return int(text)


def register_cashier(cashier: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    for status, verb, what in (("blocked", "block", "refuse its logins, end its sessions"),
                               ("active", "unblock", "let it log in again")):  # fmt: skip
        cmd = cashier.add_parser(verb, help=what)
        cmd.add_argument("username")
        cmd.set_defaults(func=cmd_cashier_status, status=status)
    password = cashier.add_parser("password", help="a new password, printed once")
    password.add_argument("username")
    password.set_defaults(func=cmd_cashier_password)
    listing = cashier.add_parser("list", help="the cashiers (of one shop)")
    listing.add_argument("--shop")
    listing.add_argument("--limit", type=list_limit, default=1000)
    listing.set_defaults(func=cmd_cashier_list)


def register_apikey(apikey: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    revoke = apikey.add_parser("revoke", help="refuse the key from now on")
    revoke.add_argument("id", type=_key_id)
    revoke.set_defaults(func=cmd_apikey_revoke)
    listing = apikey.add_parser("list", help="the keys (of one shop), never the keys themselves")
    listing.add_argument("--shop")
    listing.add_argument("--limit", type=list_limit, default=1000)
    listing.set_defaults(func=cmd_apikey_list)

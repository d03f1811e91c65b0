"""The `wallet` command: the operators' tool, with the same settings as the server."""

from __future__ import annotations

import argparse
import ipaddress
import os
import re
import secrets
import signal
import sys
import tempfile
from typing import TypeVar

from wallet import support_commands
from wallet.access.api_keys import Network, create_api_key
from wallet.access.passwords import hash_password
from wallet.agents import access_commands as agent_access
from wallet.agents import commands as agent_commands
from wallet.agents import report_commands, webhook_commands
from wallet.cashier import access_commands as cashier_access
from wallet.cashier import till_commands
from wallet.commands import CommandError, print_line, with_ledger
from wallet.config import Settings, get_settings
from wallet.db import database
from wallet.directory.cashiers import CashierExists, create_cashier
from wallet.directory.operators import operator_id
from wallet.directory.players import PlayerExists, create_player, find_player, set_status
from wallet.directory.shops import (
    MODES,
    Shop,
    ShopExists,
    create_shop,
    find_shop,
    set_shop_settings,
    shop_balance,
)
from wallet.ha import commands as ha_commands
from wallet.ledger.audit import audit
from wallet.ledger.currencies import currency_exponents
from wallet.ledger.database import LedgerDB
from wallet.ledger.money import AmountError, format_minor, parse_minor
from wallet.migrations import migrate
from wallet.transfer import commands as transfer_commands

T = TypeVar("T")
AUDIT_TIMEOUT_MS = 3_600_000
SHOP_NAME = re.compile(r"[A-Za-z0-9_.-]{1,64}")  # as schema/sql/0006_shops.sql checks
CASHIER_NAME = re.compile(r"[A-Za-z0-9_.@-]{1,64}")
ORIGIN = re.compile(r"(https?://)?[A-Za-z0-9.-]+(:[0-9]{1,5})?")
CASHIER_PASSWORD_BYTES = cashier_access.CASHIER_PASSWORD_BYTES
API_KEY_BYTES = 32


def cmd_serve(args: argparse.Namespace, settings: Settings) -> int:
    import uvicorn

    with database(settings) as url:
        migrate(url)
        # Workers are separate processes: they find the database through the environment, and
        # so does the app of this one (its settings are read again); the port too (the webhook
        # guard refuses the server's own).
        os.environ.update(DATABASE_URL=url, PORT=str(args.port or settings.port))
        get_settings.cache_clear()
        workers = args.workers or settings.web_concurrency
        if workers > 1 and "PROMETHEUS_MULTIPROC_DIR" not in os.environ:
            os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="wallet-metrics-")
        uvicorn.run(
            "wallet.app:create_app",
            factory=True,
            host=args.host or settings.host,
            port=args.port or settings.port,
            workers=workers,
            log_level="warning",
            access_log=False,
            # Explicit: uvicorn's own default believes X-Forwarded-For from loopback, which let
            # any client on the host pick its address (issue #21).
            proxy_headers=bool(settings.forwarded_allow_ips.strip()),
            forwarded_allow_ips=settings.forwarded_allow_ips.strip() or None,
            timeout_keep_alive=30,
            limit_concurrency=2000,
        )
    return 0


def cmd_migrate(args: argparse.Namespace, settings: Settings) -> int:
    with database(settings) as url:
        migrate(url)
    print("migrated: schema at head")
    return 0


def cmd_audit(args: argparse.Namespace, settings: Settings) -> int:
    with database(settings) as url:
        migrate(url)
        # The audit reads the whole ledger (minutes at tens of millions of postings): the
        # request path's statement timeout would cut it short.
        unhurried = settings.model_copy(update={"db_statement_timeout_ms": AUDIT_TIMEOUT_MS})
        report = with_ledger(unhurried, url, audit)
    for violation in report.violations:
        print(violation)
    print(report.summary())
    return 0 if report.ok else 1


async def _opening_minor(db: LedgerDB, currency: str, balance: str) -> int:
    """An opening --balance in minor units of a known currency; CommandError otherwise."""
    exponents = await currency_exponents(db)
    if currency not in exponents:
        raise CommandError(f"unknown currency {currency}; known: {', '.join(sorted(exponents))}")
    try:
        return parse_minor(balance, exponents[currency])
    except AmountError as error:
        raise CommandError(f"bad --balance {balance!r}: {error}") from error


def cmd_player_create(args: argparse.Namespace, settings: Settings) -> int:
    currency = args.currency.upper()

    async def work(db: LedgerDB) -> str:
        opening = await _opening_minor(db, currency, args.balance)
        op = await operator_id(db, settings.operator_code)
        try:
            player = await create_player(db, op, args.username, currency, opening)
        except PlayerExists as error:
            raise CommandError(f"player {args.username} exists already") from error
        return _player_line(player.username, player.currency, player.balance_minor, player.exponent)

    with database(settings) as url:
        migrate(url)
        print(with_ledger(settings, url, work))
    return 0


def cmd_player_show(args: argparse.Namespace, settings: Settings) -> int:
    async def work(db: LedgerDB) -> str:
        player = await find_player(db, await operator_id(db, settings.operator_code), args.username)
        if player is None:
            raise CommandError(f"no player {args.username}")
        line = _player_line(player.username, player.currency, player.balance_minor, player.exponent)
        return f"{line} status: {player.status}"

    with database(settings) as url:
        migrate(url)
        print(with_ledger(settings, url, work))
    return 0


def cmd_player_status(args: argparse.Namespace, settings: Settings) -> int:
    async def work(db: LedgerDB) -> bool:
        op = await operator_id(db, settings.operator_code)
        return await set_status(db, op, args.username, args.status)

    with database(settings) as url:
        migrate(url)
        if not with_ledger(settings, url, work):
            raise CommandError(f"no player {args.username}")
    print(f"player: {args.username} status: {args.status}")
    return 0


async def _shop(db: LedgerDB, settings: Settings, name: str) -> Shop:
    shop = await find_shop(db, await operator_id(db, settings.operator_code), name)
    if shop is None:
        raise CommandError(f"no shop {name}")
    return shop


def cmd_shop_create(args: argparse.Namespace, settings: Settings) -> int:
    currency = args.currency.upper()
    if not SHOP_NAME.fullmatch(args.name):
        raise CommandError(f"bad shop name {args.name!r}: 1-64 of A-Z a-z 0-9 _ . -")

    async def work(db: LedgerDB) -> str:
        opening = await _opening_minor(db, currency, args.balance)
        op = await operator_id(db, settings.operator_code)
        try:
            shop = await create_shop(db, op, args.name, currency, args.mode, opening)
        except ShopExists as error:
            raise CommandError(f"shop {args.name} exists already") from error
        balance = format_minor(await shop_balance(db, shop), shop.exponent)
        return (
            f"shop: {shop.name} id: {shop.id} currency: {shop.currency} mode: {shop.mode}"
            f" balance: {balance}"
        )

    return print_line(settings, work)


def cmd_shop_set(args: argparse.Namespace, settings: Settings) -> int:
    """A shop's Wager Bonus and Bounce Back settings; percentages with up to two decimals."""

    async def work(db: LedgerDB) -> str:
        shop = await _shop(db, settings, args.name)
        changes = {
            "wager_bonus_bp": _basis_points("--wager-bonus-percent", args.wager_bonus_percent),
            "wager_multiplier": _bounded("--wager-multiplier", args.wager_multiplier, 1000),
            "bounce_back_bp": _basis_points("--bounce-back-percent", args.bounce_back_percent),
            "bounce_back_threshold_minor": _threshold(args.bounce_back_threshold, shop),
        }
        shop = await set_shop_settings(db, shop, **changes)
        return _shop_settings_line(shop)

    return print_line(settings, work)


def _basis_points(flag: str, text: str | None) -> int | None:
    """'12.5' (percent) -> 1250 basis points: a percent with at most two decimals, 0-1000."""
    if text is None:
        return None
    try:
        basis_points = parse_minor(text, 2)
    except AmountError as error:
        raise CommandError(f"bad {flag} {text!r}: {error}") from error
    if basis_points > 100_000:
        raise CommandError(f"bad {flag} {text!r}: a percent from 0 to 1000")
    return basis_points


def _bounded(flag: str, value: int | None, most: int) -> int | None:
    if value is not None and not 0 <= value <= most:
        raise CommandError(f"bad {flag} {value}: from 0 to {most}")
    return value


def _threshold(text: str | None, shop: Shop) -> int | None:
    if text is None:
        return None
    try:
        return parse_minor(text, shop.exponent)
    except AmountError as error:
        raise CommandError(f"bad --bounce-back-threshold {text!r}: {error}") from error


def _shop_settings_line(shop: Shop) -> str:
    return (
        f"shop: {shop.name} mode: {shop.mode}"
        f" wager_bonus: {format_minor(shop.wager_bonus_bp, 2)}%"
        f" wager_multiplier: {shop.wager_multiplier}"
        f" bounce_back: {format_minor(shop.bounce_back_bp, 2)}%"
        f" bounce_back_threshold: {format_minor(shop.bounce_back_threshold_minor, shop.exponent)}"
    )


def cmd_cashier_create(args: argparse.Namespace, settings: Settings) -> int:
    if not CASHIER_NAME.fullmatch(args.username):
        raise CommandError(f"bad username {args.username!r}: 1-64 of A-Z a-z 0-9 _ . @ -")
    role = "sub_cashier" if args.sub else "cashier"
    password = secrets.token_urlsafe(CASHIER_PASSWORD_BYTES)

    async def work(db: LedgerDB) -> str:
        shop = await _shop(db, settings, args.shop)
        try:
            cashier = await create_cashier(
                db, shop.id, args.username, hash_password(password), role
            )
        except CashierExists as error:
            raise CommandError(f"cashier {args.username} exists already") from error
        return (
            f"cashier: {cashier.username} id: {cashier.id} shop: {shop.name} role: {role}"
            f" password: {password}"
        )

    return print_line(settings, work)


def _networks(specs: list[str]) -> list[Network]:
    networks: list[Network] = []
    for spec in specs:
        for part in (p.strip() for p in spec.split(",")):
            if not part:
                continue
            try:
                networks.append(ipaddress.ip_network(part))
            except ValueError as error:
                raise CommandError(f"bad --ip {part!r}: {error}") from error
    return networks


def _domain(value: str | None) -> str | None:
    if value is None or value == "":
        return None
    domain = value.rstrip("/")
    if not ORIGIN.fullmatch(domain):
        raise CommandError(f"bad --domain {value!r}: an origin like https://shop.example[:port]")
    return domain


def cmd_apikey_create(args: argparse.Namespace, settings: Settings) -> int:
    networks = _networks(args.ip or [])
    domain = _domain(args.domain)
    key = secrets.token_urlsafe(API_KEY_BYTES)

    async def work(db: LedgerDB) -> str:
        shop = await _shop(db, settings, args.shop)
        key_id = await create_api_key(db, shop.id, key, domain, networks)
        ips = ",".join(str(n) for n in networks) or "any"
        return f"apikey: {key_id} shop: {shop.name} domain: {domain or '-'} ip: {ips} key: {key}"

    return print_line(settings, work)


def _player_line(username: str, currency: str, balance_minor: int, exponent: int) -> str:
    return (
        f"player: {username} currency: {currency} balance: {format_minor(balance_minor, exponent)}"
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="wallet", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    serve = sub.add_parser("serve", help="migrate and serve HTTP (PORT, WEB_CONCURRENCY)")
    serve.add_argument("--host")
    serve.add_argument("--port", type=int)
    serve.add_argument("--workers", type=int)
    serve.set_defaults(func=cmd_serve)
    sub.add_parser("migrate", help="bring the schema to the newest revision").set_defaults(
        func=cmd_migrate
    )
    sub.add_parser("audit", help="check the ledger's five invariants").set_defaults(func=cmd_audit)

    player = sub.add_parser("player", help="players").add_subparsers(dest="action", required=True)
    create = player.add_parser("create", help="create a player (opening balance from equity)")
    create.add_argument("username")
    create.add_argument("--currency", required=True)
    create.add_argument("--balance", default="0", help="opening balance, e.g. 100.00")
    create.set_defaults(func=cmd_player_create)
    show = player.add_parser("show", help="print a player's balance")
    show.add_argument("username")
    show.set_defaults(func=cmd_player_show)
    for status, verb in (("blocked", "block"), ("active", "unblock")):
        cmd = player.add_parser(verb, help=f"set a player {status}")
        cmd.add_argument("username")
        cmd.set_defaults(func=cmd_player_status, status=status)
    support_commands.register_statement(player)
    support_commands.register(sub)
    _shop_commands(sub)
    transfer_commands.register(sub)
    agent = agent_commands.register(sub)
    report_commands.register_agent_commission(agent)
    agent_access.register(agent)
    report_commands.register(sub)
    webhook_commands.register(sub)
    ha_commands.register(sub)
    return parser


def _shop_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    shop = sub.add_parser("shop", help="retail shops").add_subparsers(dest="action", required=True)
    create = shop.add_parser("create", help="create a shop (opening float from equity)")
    create.add_argument("name")
    create.add_argument("--currency", required=True)
    create.add_argument("--balance", default="0", help="opening float, e.g. 1000.00")
    create.add_argument("--mode", choices=MODES, default="default")
    create.set_defaults(func=cmd_shop_create)
    settings = shop.add_parser("set", help="change a shop's Wager Bonus and Bounce Back settings")
    settings.add_argument("name")
    settings.add_argument("--wager-bonus-percent", help="of a deposit, e.g. 10 or 12.5")
    settings.add_argument("--wager-multiplier", type=int, help="requirement = bonus x this")
    settings.add_argument("--bounce-back-percent", help="of a deposit, e.g. 10")
    settings.add_argument("--bounce-back-threshold", help="an amount, e.g. 1.00")
    settings.set_defaults(func=cmd_shop_set)
    till_commands.register(shop)

    cashier = sub.add_parser("cashier", help="cashiers of a shop").add_subparsers(
        dest="action", required=True
    )
    create = cashier.add_parser("create", help="create a cashier; prints its password once")
    create.add_argument("username")
    create.add_argument("--shop", required=True)
    create.add_argument("--sub", action="store_true", help="a sub-cashier")
    create.set_defaults(func=cmd_cashier_create)
    cashier_access.register_cashier(cashier)

    apikey = sub.add_parser("apikey", help="API keys of a shop").add_subparsers(
        dest="action", required=True
    )
    create = apikey.add_parser("create", help="create an API key; prints it once")
    create.add_argument("--shop", required=True)
    create.add_argument("--domain", help="the browser origin allowed, e.g. https://shop.example")
    create.add_argument("--ip", nargs="+", action="extend", help="allowed client CIDRs (none: any)")
    create.set_defaults(func=cmd_apikey_create)
    cashier_access.register_apikey(apikey)


def _terminated(signum: int, frame: object) -> None:
    raise KeyboardInterrupt(f"signal {signum}")


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    settings = get_settings()
    # SIGTERM (a service manager's stop, `kill`) ends a command as Ctrl-C does: through its
    # `finally`s, so an embedded PostgreSQL the command started stops too. (uvicorn, in `serve`,
    # answers it with a graceful shutdown and then raises it again: here.)
    signal.signal(signal.SIGTERM, _terminated)
    try:
        code: int = args.func(args, settings)
    except CommandError as error:
        print(f"wallet: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    return code


if __name__ == "__main__":
    sys.exit(main())

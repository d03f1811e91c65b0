"""The `wallet` command: the operators' tool, with the same settings as the server."""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
from collections.abc import Awaitable, Callable
from typing import TypeVar

from wallet.config import Settings, get_settings
from wallet.db import database, make_ledger_db
from wallet.ledger.audit import audit
from wallet.ledger.database import LedgerDB
from wallet.ledger.money import AmountError, format_minor, parse_minor
from wallet.ledger.players import PlayerExists, create_player, find_player, set_status
from wallet.ledger.reference import currency_exponents, operator_id
from wallet.migrations import migrate

T = TypeVar("T")
AUDIT_TIMEOUT_MS = 3_600_000


class CliError(Exception):
    """A clear message for the operator; the command exits non-zero."""


def _with_ledger(settings: Settings, url: str, work: Callable[[LedgerDB], Awaitable[T]]) -> T:
    # A command runs its statements one after another: two connections are plenty.
    settings = settings.model_copy(update={"db_pool_size": 2})

    async def run() -> T:
        db = await make_ledger_db(url, settings).open()
        try:
            return await work(db)
        finally:
            await db.dispose()

    return asyncio.run(run())


def cmd_serve(args: argparse.Namespace, settings: Settings) -> int:
    import uvicorn

    with database(settings) as url:
        migrate(url)
        # Workers are separate processes: they find the database through the environment.
        os.environ["DATABASE_URL"] = url
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
        report = _with_ledger(unhurried, url, audit)
    for violation in report.violations:
        print(violation)
    print(report.summary())
    return 0 if report.ok else 1


def cmd_player_create(args: argparse.Namespace, settings: Settings) -> int:
    currency = args.currency.upper()

    async def work(db: LedgerDB) -> str:
        exponents = await currency_exponents(db)
        if currency not in exponents:
            raise CliError(f"unknown currency {currency}; known: {', '.join(sorted(exponents))}")
        try:
            opening = parse_minor(args.balance, exponents[currency])
        except AmountError as error:
            raise CliError(f"bad --balance {args.balance!r}: {error}") from error
        op = await operator_id(db, settings.operator_code)
        try:
            player = await create_player(db, op, args.username, currency, opening)
        except PlayerExists as error:
            raise CliError(f"player {args.username} exists already") from error
        return _player_line(player.username, player.currency, player.balance_minor, player.exponent)

    with database(settings) as url:
        migrate(url)
        print(_with_ledger(settings, url, work))
    return 0


def cmd_player_show(args: argparse.Namespace, settings: Settings) -> int:
    async def work(db: LedgerDB) -> str:
        player = await find_player(db, await operator_id(db, settings.operator_code), args.username)
        if player is None:
            raise CliError(f"no player {args.username}")
        line = _player_line(player.username, player.currency, player.balance_minor, player.exponent)
        return f"{line} status: {player.status}"

    with database(settings) as url:
        migrate(url)
        print(_with_ledger(settings, url, work))
    return 0


def cmd_player_status(args: argparse.Namespace, settings: Settings) -> int:
    async def work(db: LedgerDB) -> bool:
        op = await operator_id(db, settings.operator_code)
        return await set_status(db, op, args.username, args.status)

    with database(settings) as url:
        migrate(url)
        if not _with_ledger(settings, url, work):
            raise CliError(f"no player {args.username}")
    print(f"player: {args.username} status: {args.status}")
    return 0


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
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    settings = get_settings()
    try:
        code: int = args.func(args, settings)
    except CliError as error:
        print(f"wallet: {error}", file=sys.stderr)
        return 2
    return code


if __name__ == "__main__":
    sys.exit(main())

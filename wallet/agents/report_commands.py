"""The operator's commands of the reports:
`wallet report product set CALLER PRODUCT [--game GAME]` (no --game: the studio's default),
`wallet report product unset CALLER [--game GAME]`, `wallet report product list`, and
`wallet agent commission USERNAME [PERCENT]` (print, or set an agent's commission rate; the
agent gets the same notification as when its parent sets it, setBy "operator")."""

from __future__ import annotations

import argparse
import re

from wallet.commands import CommandError, print_line
from wallet.config import Settings
from wallet.directory.agents import find_agent
from wallet.directory.operators import operator_id
from wallet.ledger.database import LedgerDB
from wallet.ledger.money import AmountError, format_minor, parse_minor
from wallet.reporting.commissions import commission_of, set_commission
from wallet.reporting.products import DEFAULT_GAME, ProductEntry, product_map, set_product
from wallet.reporting.products import unset_product as unset_entry

CALLER = re.compile(r"[a-z0-9_-]{1,32}")
PRODUCT_MAX, GAME_MAX = 64, 128


def _entry(args: argparse.Namespace, product: str = "-") -> ProductEntry:
    game = args.game if args.game is not None else DEFAULT_GAME
    if not CALLER.fullmatch(args.caller):
        raise CommandError(f"bad studio {args.caller!r}: 1-32 of a-z 0-9 _ - (e.g. ambslot)")
    if args.game is not None and not 0 < len(game) <= GAME_MAX:
        raise CommandError(f"bad game id {game!r}: 1-{GAME_MAX} characters")
    if not 0 < len(product.strip()) <= PRODUCT_MAX:
        raise CommandError(f"bad product {product!r}: 1-{PRODUCT_MAX} characters")
    return ProductEntry(args.caller, game, product.strip())


def _line(entry: ProductEntry) -> str:
    game = entry.game_id if entry.game_id != DEFAULT_GAME else "(default)"
    return f"product: {entry.caller} {game} -> {entry.product}"


def cmd_product_set(args: argparse.Namespace, settings: Settings) -> int:
    async def work(db: LedgerDB) -> str:
        entry = _entry(args, args.product)
        await set_product(db, entry)
        return _line(entry)

    return print_line(settings, work)


def cmd_product_unset(args: argparse.Namespace, settings: Settings) -> int:
    async def work(db: LedgerDB) -> str:
        entry = _entry(args)
        if not await unset_entry(db, entry.caller, entry.game_id):
            raise CommandError(f"no product set for {entry.caller} {args.game or '(default)'}")
        return f"product: {entry.caller} {args.game or '(default)'} unset"

    return print_line(settings, work)


def cmd_product_list(args: argparse.Namespace, settings: Settings) -> int:
    async def work(db: LedgerDB) -> str:
        return "\n".join(_line(entry) for entry in await product_map(db)) or "no products"

    return print_line(settings, work)


def _bp(text: str) -> int:
    try:
        bp = parse_minor(text, 2)
    except AmountError as error:
        raise CommandError(f"bad percent {text!r}: 0 to 100, at most 2 decimals") from error
    if bp > 10_000:
        raise CommandError(f"bad percent {text!r}: 0 to 100, at most 2 decimals")
    return bp


def cmd_agent_commission(args: argparse.Namespace, settings: Settings) -> int:
    async def work(db: LedgerDB) -> str:
        op = await operator_id(db, settings.operator_code)
        agent = await find_agent(db, op, username=args.username)
        if agent is None:
            raise CommandError(f"no agent {args.username!r}")
        if args.percent is not None:
            await set_commission(db, agent, _bp(args.percent), "operator", None)
        bp = await commission_of(db, agent.id)
        return f"agent: {agent.username} commission {format_minor(bp, 2)}%"

    return print_line(settings, work)


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    report = sub.add_parser("report", help="the agent reports' settings").add_subparsers(
        dest="action", required=True
    )
    product = report.add_parser("product", help="the game -> product map").add_subparsers(
        dest="product_action", required=True
    )
    put = product.add_parser("set", help="map a studio's game (or, without --game, its default)")
    put.add_argument("caller", help="the studio: ambslot, igamingace")
    put.add_argument("product", help="Slots, Sportsbook, Live Games, Table Games, ...")
    put.add_argument("--game", help="the studio's game id (none: the studio's default)")
    put.set_defaults(func=cmd_product_set)
    unset = product.add_parser("unset", help="remove a mapping")
    unset.add_argument("caller")
    unset.add_argument("--game")
    unset.set_defaults(func=cmd_product_unset)
    product.add_parser("list", help="print the map").set_defaults(func=cmd_product_list)


def register_agent_commission(agent: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    commission = agent.add_parser("commission", help="print or set an agent's commission percent")
    commission.add_argument("username")
    commission.add_argument("percent", nargs="?", help="0 to 100, at most 2 decimals")
    commission.set_defaults(func=cmd_agent_commission)

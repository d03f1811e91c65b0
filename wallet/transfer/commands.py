"""The transfer-wallet commands of `wallet` (registered by wallet/cli.py):

wallet transfer out PLAYER STUDIO AMOUNT       move money to the studio
wallet transfer in PLAYER STUDIO AMOUNT|all    move it back
wallet transfer show TXN_ID                    one move
wallet reconcile STUDIO [--fix] [--wait S]     resolve pending moves, compare balances
wallet studio-sim --port P [--studio NAME]     a studio simulator of ours
wallet operator-key create NAME                a key for POST /transfer-wallet/...
wallet operator-key revoke NAME                refused from the next request on
wallet operator-key list [--limit N]           the keys (never the keys themselves)
"""

from __future__ import annotations

import argparse
import re
import secrets
from typing import TypeVar

from wallet.access.operator_keys import (
    OperatorKeyExists,
    OperatorKeyLine,
    create_operator_key,
    list_operator_keys,
    revoke_operator_key,
)
from wallet.commands import CommandError, list_limit, on_ledger, print_line, utc_text
from wallet.config import Settings, TransferStudio
from wallet.directory.operators import operator_id
from wallet.directory.players import find_player
from wallet.ledger.database import LedgerDB
from wallet.ledger.money import AmountError, format_minor, parse_minor
from wallet.moves.transfer_wallet import Move, find_move
from wallet.transfer.client import StudioClient
from wallet.transfer.codec import make_codec
from wallet.transfer.moves import TransferRefused, transfer_in, transfer_out
from wallet.transfer.reconciler import reconcile

T = TypeVar("T")
KEY_NAME = re.compile(r"[A-Za-z0-9_.-]{1,64}")
OPERATOR_KEY_BYTES = 32
SIM_DEFAULT = TransferStudio(base_url="http://127.0.0.1", agent="demo", codec="plain")


def studio_client(settings: Settings, name: str) -> StudioClient:
    studio = settings.transfer_studios.get(name)
    if studio is None:
        known = ", ".join(sorted(settings.transfer_studios)) or "none (set TRANSFER_STUDIOS)"
        raise CommandError(f"unknown studio {name!r}; configured: {known}")
    return StudioClient(name, studio)


def move_line(move: Move) -> str:
    amount = "all" if move.amount_minor is None else format_minor(move.amount_minor, move.exponent)
    return (
        f"transfer: {move.txn_id} {move.direction} player: {move.username} studio: {move.studio}"
        f" amount: {amount} {move.currency} status: {move.status}"
        f" detail: {move.detail or '-'}"
    )


def cmd_transfer(args: argparse.Namespace, settings: Settings) -> int:
    client = studio_client(settings, args.studio)

    async def work(db: LedgerDB) -> str:
        try:
            player = await find_player(
                db, await operator_id(db, settings.operator_code), args.player
            )
            if player is None:
                raise CommandError(f"no player {args.player}")
            amount: int | None = None
            if not (args.direction == "in" and args.amount == "all"):
                try:
                    amount = parse_minor(args.amount, player.exponent)
                except AmountError as error:
                    raise CommandError(f"bad amount {args.amount!r}: {error}") from error
            try:
                if args.direction == "out":
                    assert amount is not None
                    result = await transfer_out(db, client, player, amount, None)
                else:
                    result = await transfer_in(db, client, player, amount, None)
            except TransferRefused as error:
                raise CommandError(f"refused: {error.reason}") from error
            return move_line(result.move)
        finally:
            await client.close()

    print(on_ledger(settings, work))
    return 0


def cmd_transfer_show(args: argparse.Namespace, settings: Settings) -> int:
    async def work(db: LedgerDB) -> str:
        move = await find_move(db, args.txn_id)
        if move is None:
            raise CommandError(f"no transfer {args.txn_id}")
        return move_line(move)

    print(on_ledger(settings, work))
    return 0


def cmd_reconcile(args: argparse.Namespace, settings: Settings) -> int:
    client = studio_client(settings, args.studio)

    async def work(db: LedgerDB) -> int:
        try:
            report = await reconcile(db, client, fix=args.fix, wait_s=args.wait)
        finally:
            await client.close()
        for line in report.lines:
            print(line)
        print(
            f"reconcile: {report.studio} {'fixed' if args.fix else 'report only'}"
            f" pending: {report.still_pending} differences: {report.differences}"
            f" unknown balances: {report.unknown_balances}"
        )
        return 0 if report.clean else 1

    return on_ledger(settings, work)


def cmd_studio_sim(args: argparse.Namespace, settings: Settings) -> int:
    import uvicorn

    from wallet.transfer.simulator import Simulator

    studio = settings.transfer_studios.get(args.studio or "", SIM_DEFAULT)
    codec = make_codec(studio.codec, studio.key.get_secret_value())
    sim = Simulator(studio.agent, codec)
    print(f"studio-sim: agent {studio.agent} codec {studio.codec} on {args.host}:{args.port}")
    uvicorn.run(
        sim.app(),
        host=args.host,
        port=args.port,
        log_level="warning",
        access_log=False,
        timeout_graceful_shutdown=1,  # a hanging answer is the point: do not wait for it
    )
    return 0


def cmd_operator_key_create(args: argparse.Namespace, settings: Settings) -> int:
    if not KEY_NAME.fullmatch(args.name):
        raise CommandError(f"bad name {args.name!r}: 1-64 of A-Z a-z 0-9 _ . -")
    key = secrets.token_urlsafe(OPERATOR_KEY_BYTES)

    async def work(db: LedgerDB) -> str:
        try:
            key_id = await create_operator_key(db, args.name, key)
        except OperatorKeyExists as error:
            raise CommandError(f"operator key {args.name} exists already") from error
        return f"operator-key: {args.name} id: {key_id} key: {key}"

    print(on_ledger(settings, work))
    return 0


def _key_line(key: OperatorKeyLine) -> str:
    status = f"revoked revoked: {utc_text(key.revoked_at)}" if key.revoked_at else "active"
    return (
        f"operator-key: {key.name} id: {key.id} created: {utc_text(key.created_at)}"
        f" status: {status}"
    )


def cmd_operator_key_revoke(args: argparse.Namespace, settings: Settings) -> int:
    async def work(db: LedgerDB) -> str:
        revoked = await revoke_operator_key(db, args.name)
        if revoked is None:
            raise CommandError(f"no operator key {args.name}")
        return _key_line(revoked)

    return print_line(settings, work)


def cmd_operator_key_list(args: argparse.Namespace, settings: Settings) -> int:
    async def work(db: LedgerDB) -> str:
        found = await list_operator_keys(db, args.limit)
        return "\n".join(_key_line(key) for key in found) or "operator-keys: none"

    return print_line(settings, work)


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    transfer = sub.add_parser("transfer", help="transfer-wallet moves").add_subparsers(
        dest="action", required=True
    )
    out = transfer.add_parser("out", help="move a player's money to a studio")
    out.add_argument("player")
    out.add_argument("studio")
    out.add_argument("amount", help="e.g. 12.50")
    out.set_defaults(func=cmd_transfer, direction="out")
    back = transfer.add_parser("in", help="move a player's money back from a studio")
    back.add_argument("player")
    back.add_argument("studio")
    back.add_argument("amount", help="e.g. 12.50, or all")
    back.set_defaults(func=cmd_transfer, direction="in")
    show = transfer.add_parser("show", help="print one move")
    show.add_argument("txn_id")
    show.set_defaults(func=cmd_transfer_show)

    rec = sub.add_parser("reconcile", help="resolve pending moves; compare held balances")
    rec.add_argument("studio")
    rec.add_argument("--fix", action="store_true", help="settle and book (default: report only)")
    rec.add_argument("--wait", type=float, default=60.0, help="seconds to retry unknown answers")
    rec.set_defaults(func=cmd_reconcile)

    sim = sub.add_parser("studio-sim", help="serve a transfer-wallet studio simulator")
    sim.add_argument("--port", type=int, required=True)
    sim.add_argument("--host", default="127.0.0.1")
    sim.add_argument("--studio", help="take agent, key and codec from TRANSFER_STUDIOS[NAME]")
    sim.set_defaults(func=cmd_studio_sim)

    key = sub.add_parser("operator-key", help="keys of the operator's lobby").add_subparsers(
        dest="action", required=True
    )
    create = key.add_parser("create", help="create a key for /transfer-wallet; prints it once")
    create.add_argument("name")
    create.set_defaults(func=cmd_operator_key_create)
    revoke = key.add_parser("revoke", help="refuse the key from now on")
    revoke.add_argument("name")
    revoke.set_defaults(func=cmd_operator_key_revoke)
    listing = key.add_parser("list", help="the keys, never the keys themselves")
    listing.add_argument("--limit", type=list_limit, default=1000)
    listing.set_defaults(func=cmd_operator_key_list)

"""The operator's support look-ups (registered by wallet/cli.py; docs/commands.md):

wallet player statement USERNAME [--from WHEN] [--to WHEN] [--limit N]
    each posting of the player's accounts, oldest first: its transaction, caller, operation,
    external id, kind, account, amount and the balance after; then one summary line
wallet txn show CALLER EXTERNAL_ID [--shop NAME | --agent USERNAME]
    every transaction of CALLER under EXTERNAL_ID: its stored answer, its postings, what it
    reversed or resolved or what reversed or resolved it, and what the ledger knows of repeats

WHEN: a day (2026-12-01, in OPERATOR_TIMEZONE: --from its start, --to its end) or a time
(2026-12-01T09:30:00+07:00; without an offset, in OPERATOR_TIMEZONE). A cashier's or an agent's
idempotency key is kept scoped by its shop or agent: --shop or --agent gives that scope, so the
key the shop or agent sent is enough.
"""

from __future__ import annotations

import argparse
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from wallet.commands import CommandError, list_limit, print_line, utc_text
from wallet.config import Settings
from wallet.directory.agents import find_agent
from wallet.directory.operators import operator_id
from wallet.directory.players import find_player
from wallet.directory.shops import find_shop
from wallet.ledger.database import LedgerDB
from wallet.ledger.money import format_minor
from wallet.reporting.statements import (
    StatementLine,
    StoredTransaction,
    player_statement,
    transactions_under,
)

REPEATS = (
    "repeats: not recorded in the ledger (a replay or a conflict writes nothing); each repeat's"
    ' request log line has "external_id": {key} and its outcome or code'
)


def _when(flag: str, text: str | None, zone: ZoneInfo, end_of_day: bool) -> datetime | None:
    if text is None:
        return None
    try:
        if len(text) == 10:
            day = date.fromisoformat(text) + timedelta(days=1 if end_of_day else 0)
            return datetime.combine(day, time(), zone)
        moment = datetime.fromisoformat(text)
    except ValueError as error:
        raise CommandError(
            f"bad {flag} {text!r}: a day (2026-12-01) or a time (2026-12-01T09:30:00+07:00)"
        ) from error
    return moment if moment.tzinfo else moment.replace(tzinfo=zone)


def _money(minor: int | None, exponent: int | None) -> str:
    return "-" if minor is None or exponent is None else format_minor(minor, exponent)


def _statement_line(line: StatementLine) -> str:
    text = (
        f"posting: {line.posting_id} at: {utc_text(line.at)} txn: {line.tx_id}"
        f" caller: {line.caller} operation: {line.operation} external_id: {line.external_id}"
        f" kind: {line.kind} account: {line.purpose}"
        f" amount: {format_minor(line.amount_minor, line.exponent)}"
        f" balance_after: {_money(line.balance_after_minor, line.exponent)}"
    )
    return text + (f" cashier: {line.cashier}" if line.cashier else "")


def cmd_player_statement(args: argparse.Namespace, settings: Settings) -> int:
    zone = ZoneInfo(settings.operator_timezone)
    since = _when("--from", args.since, zone, end_of_day=False)
    until = _when("--to", args.until, zone, end_of_day=True)
    if since and until and since >= until:
        raise CommandError("--from must be before --to")

    async def work(db: LedgerDB) -> str:
        player = await find_player(db, await operator_id(db, settings.operator_code), args.username)
        if player is None:
            raise CommandError(f"no player {args.username}")
        found = await player_statement(db, player.id, since, until, args.limit + 1)
        shown, more = found[: args.limit], len(found) > args.limit
        summary = (
            f"statement: {player.username} currency: {player.currency} from: {utc_text(since)}"
            f" to: {utc_text(until)} postings: {len(shown)}"
            f" balance_now: {format_minor(player.balance_minor, player.exponent)}"
            + (" more: yes (raise --limit or narrow --from/--to)" if more else "")
        )
        return "\n".join([*(_statement_line(line) for line in shown), summary])

    return print_line(settings, work)


def _transaction_lines(t: StoredTransaction) -> list[str]:
    lines = [
        f"txn: {t.id} caller: {t.caller} operation: {t.operation} external_id: {t.external_id}"
        f" kind: {t.kind} at: {utc_text(t.created_at)} account: {t.account or '-'}"
        f" round: {t.round_id or '-'} game: {t.game_id or '-'} ref: {t.ref_external_id or '-'}",
        f"answer: debit: {_money(t.debit_minor, t.exponent)}"
        f" credit: {_money(t.credit_minor, t.exponent)}"
        f" balance_before: {_money(t.balance_before_minor, t.exponent)}"
        f" balance_after: {_money(t.balance_after_minor, t.exponent)}"
        f" request_hash: {t.request_hash.hex()}",
    ]
    lines += [
        f"posting: {p.posting_id} account: {p.account_id} {p.account}"
        f" amount: {format_minor(p.amount_minor, p.exponent)} {p.currency}"
        f" balance_after: {_money(p.balance_after_minor, p.exponent)}"
        for p in t.postings
    ]
    lines += [
        f"{r.relation}: txn {r.tx_id} caller: {r.caller} operation: {r.operation}"
        f" external_id: {r.external_id}"
        for r in t.related
    ]
    return lines


async def _scoped(db: LedgerDB, settings: Settings, args: argparse.Namespace) -> str:
    """The external id as the ledger keeps it: a shop's or an agent's key is scoped by it."""
    if args.shop is None and args.agent is None:
        return str(args.external_id)
    op = await operator_id(db, settings.operator_code)
    if args.shop is not None:
        shop = await find_shop(db, op, args.shop)
        if shop is None:
            raise CommandError(f"no shop {args.shop}")
        return f"{shop.id}:key:{args.external_id}"
    agent = await find_agent(db, op, username=args.agent)
    if agent is None:
        raise CommandError(f"no agent {args.agent}")
    return f"{agent.id}:key:{args.external_id}"


def cmd_txn_show(args: argparse.Namespace, settings: Settings) -> int:
    async def work(db: LedgerDB) -> str:
        external_id = await _scoped(db, settings, args)
        found = await transactions_under(db, args.caller, external_id)
        if not found:
            raise CommandError(f"no transaction of {args.caller} under {external_id!r}")
        lines = [line for t in found for line in _transaction_lines(t)]
        return "\n".join([*lines, REPEATS.format(key=external_id)])

    return print_line(settings, work)


def register_statement(player: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    statement = player.add_parser("statement", help="a player's postings with their transactions")
    statement.add_argument("username")
    statement.add_argument("--from", dest="since", help="a day or a time (see docs/commands.md)")
    statement.add_argument("--to", dest="until", help="a day (through its end) or a time")
    statement.add_argument("--limit", type=list_limit, default=1000)
    statement.set_defaults(func=cmd_player_statement)


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    txn = sub.add_parser("txn", help="one transaction, told whole").add_subparsers(
        dest="action", required=True
    )
    show = txn.add_parser("show", help="a caller's transactions under an external id")
    show.add_argument("caller", help="ambslot, igamingace, cashier, agent, transfer, ...")
    show.add_argument("external_id", help="the caller's transaction id or idempotency key")
    scope = show.add_mutually_exclusive_group()
    scope.add_argument("--shop", help="a cashier's key: the shop it was sent for")
    scope.add_argument("--agent", help="an agent's key: the agent who sent it")
    show.set_defaults(func=cmd_txn_show)

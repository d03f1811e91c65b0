"""`wallet agent create USERNAME --password PW --currency C [--balance N] [--parent USERNAME]`
and `wallet agent demo` (the demo tree `make run` seeds; docs/agents.md)."""

from __future__ import annotations

import argparse
import re
from dataclasses import dataclass

from wallet.access.passwords import hash_password_async
from wallet.commands import CommandError, print_line
from wallet.config import Settings
from wallet.directory.agent_players import NewPlayer, create_agent_player, find_agent_player
from wallet.directory.agents import Agent, AgentExists, create_agent, find_agent, wallet_of
from wallet.directory.operators import operator_id
from wallet.ledger.currencies import currency_exponents
from wallet.ledger.database import LedgerDB
from wallet.ledger.money import AmountError, format_minor, parse_minor

USERNAME = re.compile(r"[A-Za-z0-9_.@-]{3,64}")  # as the API's register endpoints
PASSWORD_MIN = 6


@dataclass(frozen=True, slots=True)
class DemoAgent:
    username: str
    password: str
    balance: str
    parent: str | None


# The demo tree (docs/agents.md), with the document's own names and credentials, so its
# quick start and SDK examples run as written: the SDKs log in as demo / "***", the quick
# start as your_username / your_password; Lykmyk is doctrinedark's player (a bypass for demo),
# PlayerName your_username's. Dev data only: `make run` seeds it, never `wallet serve`.
DEMO_CURRENCY = "PHP"
DEMO_AGENTS = (
    DemoAgent("demo", "***", "10000.00", None),
    DemoAgent("doctrinedark", "doctrine-demo", "500.00", "demo"),
    DemoAgent("your_username", "your_password", "1000.00", None),
)
DEMO_PLAYERS = (("Lykmyk", "doctrinedark"), ("chubbyme", "demo"), ("PlayerName", "your_username"))
DEMO_PLAYER_PASSWORD = "player1234"  # noqa: S105 (the demo's published password)


def _line(agent: Agent, balance_minor: int, parent: str | None) -> str:
    balance = format_minor(balance_minor, agent.exponent)
    return (
        f"agent: {agent.username} id: {agent.id} currency: {agent.currency}"
        f" parent: {parent or '-'} balance: {balance}"
    )


async def _create(
    db: LedgerDB, settings: Settings, username: str, password: str, currency: str,
    balance: str, parent_name: str | None, password_min: int = PASSWORD_MIN,
) -> Agent:  # fmt: skip
    if not USERNAME.fullmatch(username):
        raise CommandError(f"bad username {username!r}: 3-64 of A-Z a-z 0-9 _ . @ -")
    if len(password) < password_min:
        raise CommandError(f"the password must be at least {password_min} characters")
    exponents = await currency_exponents(db)
    if currency not in exponents:
        raise CommandError(f"unknown currency {currency}; known: {', '.join(sorted(exponents))}")
    try:
        opening = parse_minor(balance, exponents[currency])
    except AmountError as error:
        raise CommandError(f"bad --balance {balance!r}: {error}") from error
    op = await operator_id(db, settings.operator_code)
    parent = None
    if parent_name is not None:
        parent = await find_agent(db, op, username=parent_name)
        if parent is None:
            raise CommandError(f"no agent {parent_name}")
        if parent.currency != currency:
            raise CommandError(f"the parent's currency is {parent.currency}, not {currency}")
    try:
        return await create_agent(
            db, op, username, await hash_password_async(password), currency,
            parent=parent, opening_minor=opening,
        )  # fmt: skip
    except AgentExists as error:
        raise CommandError(f"agent {username} exists already") from error


def cmd_agent_create(args: argparse.Namespace, settings: Settings) -> int:
    async def work(db: LedgerDB) -> str:
        agent = await _create(
            db, settings, args.username, args.password, args.currency.upper(), args.balance,
            args.parent,
        )  # fmt: skip
        return _line(agent, (await wallet_of(db, agent)).main, args.parent)

    return print_line(settings, work)


async def seed_demo(db: LedgerDB, settings: Settings) -> list[str]:
    """The demo tree and players, once: what exists already is left as it is."""
    op = await operator_id(db, settings.operator_code)
    lines = []
    for demo in DEMO_AGENTS:
        agent = await find_agent(db, op, username=demo.username)
        if agent is None:
            agent = await _create(
                db, settings, demo.username, demo.password, DEMO_CURRENCY, demo.balance,
                demo.parent, password_min=1,
            )  # fmt: skip
        lines.append(_line(agent, (await wallet_of(db, agent)).main, demo.parent))
    for username, owner_name in DEMO_PLAYERS:
        owner = await find_agent(db, op, username=owner_name)
        assert owner is not None
        if await find_agent_player(db, op, username=username) is None:
            new = NewPlayer(
                username=username,
                email=f"{username.lower()}@example.com",
                password_hash=await hash_password_async(DEMO_PLAYER_PASSWORD),
            )
            await create_agent_player(db, owner, new)
        lines.append(f"player: {username} agent: {owner_name}")
    return lines


def cmd_agent_demo(args: argparse.Namespace, settings: Settings) -> int:
    async def work(db: LedgerDB) -> str:
        return "\n".join(await seed_demo(db, settings))

    return print_line(settings, work)


def register(
    sub: argparse._SubParsersAction[argparse.ArgumentParser],
) -> argparse._SubParsersAction[argparse.ArgumentParser]:
    """The `agent` commands; answers their group, for commands other modules add to it."""
    agent = sub.add_parser("agent", help="agents of the agent platform").add_subparsers(
        dest="action", required=True
    )
    create = agent.add_parser("create", help="create an agent (opening balance from equity)")
    create.add_argument("username")
    create.add_argument("--password", required=True)
    create.add_argument("--currency", required=True)
    create.add_argument("--balance", default="0")
    create.add_argument("--parent", help="the parent agent's username (none: a top agent)")
    create.set_defaults(func=cmd_agent_create)
    demo = agent.add_parser("demo", help="seed the demo agent tree (docs/agents.md), once")
    demo.set_defaults(func=cmd_agent_demo)
    return agent

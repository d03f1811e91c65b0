"""Who may use the agent API, as the operator changes it (registered by wallet/cli.py):

wallet agent block USERNAME / unblock USERNAME     logins, tokens and refreshes refused; blocking
                                                   revokes every live token of the agent
wallet agent password USERNAME [--password PW]     a new password (none given: one printed once);
                                                   every live token revoked
wallet agent list [--limit N]                      the operator's agents

Blocking an agent does not block its sub-agents or its players. Each prints one line (a list:
one per agent); bad input exits 2 with a message.
"""

from __future__ import annotations

import argparse
import secrets

from wallet.access.agent_tokens import revoke_agent_tokens
from wallet.access.passwords import hash_password_async
from wallet.agents.commands import PASSWORD_MIN
from wallet.commands import CommandError, list_limit, print_line, utc_text
from wallet.config import Settings
from wallet.directory.agents import (
    Agent,
    find_agent,
    list_agents,
    set_agent_password,
    set_agent_status,
)
from wallet.directory.operators import operator_id
from wallet.ledger.database import LedgerDB

PASSWORD_BYTES = 12  # a generated password: 16 URL-safe characters


async def _agent(db: LedgerDB, settings: Settings, username: str) -> Agent:
    agent = await find_agent(db, await operator_id(db, settings.operator_code), username=username)
    if agent is None:
        raise CommandError(f"no agent {username}")
    return agent


def cmd_agent_status(args: argparse.Namespace, settings: Settings) -> int:
    async def work(db: LedgerDB) -> str:
        agent = await _agent(db, settings, args.username)
        async with db.transaction() as tx:  # blocked and its tokens gone, or neither
            await set_agent_status(tx, agent.id, args.status)
            revoked = await revoke_agent_tokens(tx, agent.id) if args.status == "blocked" else 0
        tokens = f" tokens revoked: {revoked}" if args.status == "blocked" else ""
        return f"agent: {agent.username} id: {agent.id} status: {args.status}{tokens}"

    return print_line(settings, work)


def cmd_agent_password(args: argparse.Namespace, settings: Settings) -> int:
    given = args.password is not None
    password = args.password if given else secrets.token_urlsafe(PASSWORD_BYTES)
    if len(password) < PASSWORD_MIN:
        raise CommandError(f"the password must be at least {PASSWORD_MIN} characters")

    async def work(db: LedgerDB) -> str:
        agent = await _agent(db, settings, args.username)
        password_hash = await hash_password_async(password)
        async with db.transaction() as tx:
            await set_agent_password(tx, agent.id, password_hash)
            revoked = await revoke_agent_tokens(tx, agent.id)
        shown = "(as given)" if given else password
        return f"agent: {agent.username} id: {agent.id} tokens revoked: {revoked} password: {shown}"

    return print_line(settings, work)


def cmd_agent_list(args: argparse.Namespace, settings: Settings) -> int:
    async def work(db: LedgerDB) -> str:
        found = await list_agents(db, await operator_id(db, settings.operator_code), args.limit)
        names = {agent.id: agent.username for agent in found}
        lines = []
        for agent in found:
            parent = "-" if agent.parent_id is None else names.get(agent.parent_id)
            lines.append(
                f"agent: {agent.username} id: {agent.id} parent: {parent or agent.parent_id}"
                f" currency: {agent.currency} status: {agent.status}"
                f" created: {utc_text(agent.created_at)}"
            )
        return "\n".join(lines) or "agents: none"

    return print_line(settings, work)


def register(agent: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    for status, verb, what in (("blocked", "block", "refuse its logins, revoke its tokens"),
                               ("active", "unblock", "let it log in again")):  # fmt: skip
        cmd = agent.add_parser(verb, help=what)
        cmd.add_argument("username")
        cmd.set_defaults(func=cmd_agent_status, status=status)
    password = agent.add_parser("password", help="a new password; revokes its tokens")
    password.add_argument("username")
    password.add_argument("--password", help="the new one (none: one is made and printed once)")
    password.set_defaults(func=cmd_agent_password)
    listing = agent.add_parser("list", help="the operator's agents")
    listing.add_argument("--limit", type=list_limit, default=1000)
    listing.set_defaults(func=cmd_agent_list)

"""Agents (revision 0009): the tree, look-ups within a subtree, wallet figures (their tokens
and credentials: wallet/access/agent_tokens.py).

An agent's money is its ledger accounts ('agent', id, purpose): main (lower bound minus the
credit line), credit (the line granted by its parent), bonus and frozen. See
schema/sql/0009_agents.sql for what each figure of the agent API is.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from wallet.ledger.database import LedgerDB, Listing, Queries, contains, named_call, paged
from wallet.ledger.outcomes import Outcome
from wallet.ledger.postings import opening_balance

PURPOSES = ("main", "credit", "bonus", "frozen")

AGENT_COLUMNS = """a.id, a.operator_id, a.parent_id, a.path, a.username, a.email, a.first_name,
       a.last_name, a.currency, c.exponent, a.status, a.created_at, m.id, k.id"""
AGENT_TABLES = """agents a
  JOIN currencies c ON c.code = a.currency
  JOIN accounts m ON m.owner_type = 'agent' AND m.owner_id = a.id AND m.purpose = 'main'
                 AND m.currency = a.currency
  JOIN accounts k ON k.owner_type = 'agent' AND k.owner_id = a.id AND k.purpose = 'credit'
                 AND k.currency = a.currency"""


@dataclass(frozen=True, slots=True)
class Agent:
    id: int
    operator_id: int
    parent_id: int | None
    path: tuple[int, ...]  # root .. self
    username: str
    email: str | None
    first_name: str | None
    last_name: str | None
    currency: str
    exponent: int
    status: str
    created_at: datetime
    main_account_id: int
    credit_account_id: int

    @classmethod
    def from_row(cls, row: tuple[object, ...]) -> Agent:
        aid, op, parent, path, name, email, first, last, cur, exp, status, at, main, credit = row
        return cls(
            int(aid),  # type: ignore[call-overload]
            int(op),  # type: ignore[call-overload]
            None if parent is None else int(parent),  # type: ignore[call-overload]
            tuple(int(x) for x in path),  # type: ignore[attr-defined]
            str(name),
            email,  # type: ignore[arg-type]
            first,  # type: ignore[arg-type]
            last,  # type: ignore[arg-type]
            str(cur).strip(),
            int(exp),  # type: ignore[call-overload]
            str(status),
            at,  # type: ignore[arg-type]
            int(main),  # type: ignore[call-overload]
            int(credit),  # type: ignore[call-overload]
        )

    def owns(self, other_path: tuple[int, ...]) -> bool:
        """Whether a node whose path is other_path is this agent or below it."""
        return self.id in other_path


@dataclass(frozen=True, slots=True)
class Wallet:
    """An agent's figures in minor units."""

    main: int
    credit_line: int
    bonus: int
    frozen: int

    @property
    def balance(self) -> int:
        return max(self.main, 0)

    @property
    def credit_unused(self) -> int:
        return self.credit_line + min(self.main, 0)

    @property
    def total_available(self) -> int:
        return self.main + self.credit_line


class AgentExists(Exception):
    pass


async def find_agent(
    db: Queries, operator_id: int, *, username: str | None = None, agent_id: int | None = None
) -> Agent | None:
    assert (username is None) != (agent_id is None)
    where = "a.username = %s" if username is not None else "a.id = %s"
    row = await db.one(
        f"SELECT {AGENT_COLUMNS} FROM {AGENT_TABLES} WHERE a.operator_id = %s AND {where}",
        (operator_id, username if username is not None else agent_id),
    )
    return None if row is None else Agent.from_row(row)


async def create_agent(
    db: LedgerDB,
    operator_id: int,
    username: str,
    password_hash: str,
    currency: str,
    *,
    parent: Agent | None = None,
    email: str | None = None,
    first_name: str | None = None,
    last_name: str | None = None,
    opening_minor: int = 0,
) -> Agent:
    """An agent and its accounts, and an opening balance from operator equity: one unit of
    work, so an agent exists funded as asked or not at all."""
    assert opening_minor >= 0
    assert parent is None or parent.currency == currency
    args = {
        "operator_id": operator_id,
        "parent_id": parent.id if parent else None,
        "username": username,
        "password_hash": password_hash,
        "currency": currency,
        "email": email,
        "first_name": first_name,
        "last_name": last_name,
    }
    async with db.transaction() as tx:
        row = await tx.one(f"SELECT {named_call('wallet_create_agent', args)}", args)
        if row is None or row[0] is None:
            raise AgentExists(username)
        agent = await find_agent(tx, operator_id, agent_id=int(row[0]))
        assert agent is not None
        if opening_minor:
            answer = await opening_balance(
                tx,
                owner_type="agent",
                owner_id=agent.id,
                account=agent.main_account_id,
                currency=currency,
                amount_minor=opening_minor,
            )
            assert answer.outcome == Outcome.NEW, answer
    return agent


async def wallet_of(db: Queries, agent: Agent) -> Wallet:
    rows = await db.all(
        "SELECT purpose, balance_minor FROM accounts"
        " WHERE owner_type = 'agent' AND owner_id = %s AND currency = %s",
        (agent.id, agent.currency),
    )
    figures = {str(purpose): int(balance) for purpose, balance in rows}
    return Wallet(figures["main"], figures["credit"], figures["bonus"], figures["frozen"])


async def list_subagents(
    db: Queries, agent: Agent, username: str, start: int, limit: int
) -> tuple[int, list[Agent]]:
    """The agents below `agent` (all levels), by id; `username` filters by a partial match."""
    listing = Listing(
        f"{AGENT_TABLES} WHERE a.path @> ARRAY[%(me)s]::bigint[] AND a.id <> %(me)s"
        " AND a.username ILIKE %(name)s",
        AGENT_COLUMNS,
        "a.id",
    )
    page = await paged(db, listing, {"me": agent.id, "name": contains(username)}, start, limit)
    return page.total, [Agent.from_row(row) for row in page.rows]


async def list_agents(db: Queries, operator_id: int, limit: int) -> list[Agent]:
    """The operator's agents, oldest first (the operator's `wallet agent list`)."""
    rows = await db.all(
        f"SELECT {AGENT_COLUMNS} FROM {AGENT_TABLES} WHERE a.operator_id = %s ORDER BY a.id"
        " LIMIT %s",
        (operator_id, limit),
    )
    return [Agent.from_row(row) for row in rows]


async def set_agent_status(db: Queries, agent_id: int, status: str) -> None:
    """'active' or 'blocked'; a blocked agent's tokens are refused (its caller also revokes
    them: wallet/access/agent_tokens.py)."""
    assert status in ("active", "blocked")
    await db.all("UPDATE agents SET status = %s WHERE id = %s", (status, agent_id))


async def set_agent_password(db: Queries, agent_id: int, password_hash: str) -> None:
    await db.all("UPDATE agents SET password_hash = %s WHERE id = %s", (password_hash, agent_id))

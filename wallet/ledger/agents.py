"""Agents (revision 0009): the tree, look-ups within a subtree, login tokens, wallet figures.

An agent's money is its ledger accounts ('agent', id, purpose): main (lower bound minus the
credit line), credit (the line granted by its parent), bonus and frozen. See
schema/sql/0009_agents.sql for what each figure of the agent API is.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime

from wallet.ledger.api_keys import key_digest
from wallet.ledger.database import LedgerDB
from wallet.ledger.outcomes import Outcome
from wallet.ledger.transfers import opening_balance

TOKEN_PREFIX = "tok_"  # noqa: S105 (a prefix, not a secret)
TOKEN_BYTES = 24
TOKEN_CHARS_MAX = 128
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
    db: LedgerDB, operator_id: int, *, username: str | None = None, agent_id: int | None = None
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
    """An agent and its accounts; an opening balance is a transfer from operator equity."""
    assert opening_minor >= 0
    assert parent is None or parent.currency == currency
    row = await db.one(
        "SELECT wallet_create_agent(%s, %s, %s, %s, %s, %s, %s, %s)",
        (
            operator_id,
            parent.id if parent else None,
            username,
            password_hash,
            currency,
            email,
            first_name,
            last_name,
        ),
    )
    if row is None or row[0] is None:
        raise AgentExists(username)
    agent = await find_agent(db, operator_id, agent_id=int(row[0]))
    assert agent is not None
    if opening_minor:
        answer = await opening_balance(
            db,
            owner_type="agent",
            owner_id=agent.id,
            account=agent.main_account_id,
            currency=currency,
            amount_minor=opening_minor,
        )
        assert answer.outcome == Outcome.NEW, answer
    return agent


async def wallet_of(db: LedgerDB, agent: Agent) -> Wallet:
    rows = await db.all(
        "SELECT purpose, balance_minor FROM accounts"
        " WHERE owner_type = 'agent' AND owner_id = %s AND currency = %s",
        (agent.id, agent.currency),
    )
    figures = {str(purpose): int(balance) for purpose, balance in rows}
    return Wallet(figures["main"], figures["credit"], figures["bonus"], figures["frozen"])


async def list_subagents(
    db: LedgerDB, agent: Agent, username: str, start: int, limit: int
) -> tuple[int, list[Agent]]:
    """The agents below `agent` (all levels), by id; `username` filters by a partial match."""
    pattern = f"%{_like_escaped(username)}%"
    where = "a.path @> ARRAY[%s]::bigint[] AND a.id <> %s AND a.username ILIKE %s"
    args = (agent.id, agent.id, pattern)
    total_row = await db.one(f"SELECT count(*) FROM agents a WHERE {where}", args)
    rows = await db.all(
        f"SELECT {AGENT_COLUMNS} FROM {AGENT_TABLES} WHERE {where} ORDER BY a.id"
        " OFFSET %s LIMIT %s",
        (*args, start, limit),
    )
    assert total_row is not None
    return int(total_row[0]), [Agent.from_row(row) for row in rows]


def _like_escaped(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


# ---- tokens ----


def new_token() -> str:
    return TOKEN_PREFIX + secrets.token_hex(TOKEN_BYTES)


async def issue_token(db: LedgerDB, agent_id: int, ttl_s: int) -> tuple[str, datetime]:
    token = new_token()
    row = await db.one(
        "INSERT INTO agent_tokens (token_sha256, agent_id, expires_at)"
        " VALUES (%s, %s, now() + make_interval(secs => %s)) RETURNING expires_at",
        (key_digest(token), agent_id, ttl_s),
    )
    assert row is not None
    return token, row[0]


async def refresh_token(db: LedgerDB, old: str, ttl_s: int) -> tuple[int, str, datetime] | None:
    """A new token for the agent of a live one, which dies in the same statement; None when the
    old token is unknown, expired or refreshed away already."""
    if not _well_formed(old):
        return None
    token = new_token()
    row = await db.one(
        """
        WITH old AS (
            DELETE FROM agent_tokens WHERE token_sha256 = %s AND expires_at > now()
            RETURNING agent_id)
        INSERT INTO agent_tokens (token_sha256, agent_id, expires_at)
        SELECT %s, agent_id, now() + make_interval(secs => %s) FROM old
        RETURNING agent_id, expires_at
        """,
        (key_digest(old), key_digest(token), ttl_s),
    )
    if row is None:
        return None
    return int(row[0]), token, row[1]


async def token_agent(db: LedgerDB, operator_id: int, token: str) -> Agent | None:
    """The agent of a live token, else None."""
    if not _well_formed(token):
        return None
    row = await db.one(
        f"SELECT {AGENT_COLUMNS} FROM agent_tokens t JOIN {AGENT_TABLES} ON a.id = t.agent_id"
        " WHERE t.token_sha256 = %s AND t.expires_at > now() AND a.operator_id = %s",
        (key_digest(token), operator_id),
    )
    return None if row is None else Agent.from_row(row)


async def forget_expired_tokens(db: LedgerDB) -> None:
    await db.all("DELETE FROM agent_tokens WHERE expires_at < now() - interval '1 hour'")


def _well_formed(token: str) -> bool:
    return token.startswith(TOKEN_PREFIX) and 0 < len(token) <= TOKEN_CHARS_MAX


async def password_hash_of(db: LedgerDB, operator_id: int, username: str) -> str | None:
    row = await db.one(
        "SELECT password_hash FROM agents WHERE operator_id = %s AND username = %s",
        (operator_id, username),
    )
    return None if row is None else str(row[0])

"""Agents' login tokens (`tok_` + 48 hex, kept as SHA-256, revision 0009) and the password hash
a login is checked against."""

from __future__ import annotations

import secrets
from datetime import datetime

from wallet.access.digest import key_digest
from wallet.directory.agents import AGENT_COLUMNS, AGENT_TABLES, Agent
from wallet.ledger.database import Queries

TOKEN_PREFIX = "tok_"  # noqa: S105 (a prefix, not a secret)
TOKEN_BYTES = 24
TOKEN_CHARS_MAX = 128


def new_token() -> str:
    return TOKEN_PREFIX + secrets.token_hex(TOKEN_BYTES)


async def issue_token(db: Queries, agent_id: int, ttl_s: int) -> tuple[str, datetime]:
    token = new_token()
    row = await db.one(
        "INSERT INTO agent_tokens (token_sha256, agent_id, expires_at)"
        " VALUES (%s, %s, now() + make_interval(secs => %s)) RETURNING expires_at",
        (key_digest(token), agent_id, ttl_s),
    )
    assert row is not None
    return token, row[0]


async def refresh_token(db: Queries, old: str, ttl_s: int) -> tuple[int, str, datetime] | None:
    """A new token for the agent of a live one, which dies in the same statement; None when the
    old token is unknown, expired or refreshed away already, or its agent is blocked."""
    if not _well_formed(old):
        return None
    token = new_token()
    row = await db.one(
        """
        WITH old AS (
            DELETE FROM agent_tokens t USING agents a
             WHERE t.token_sha256 = %s AND t.expires_at > now()
               AND a.id = t.agent_id AND a.status = 'active'
            RETURNING t.agent_id)
        INSERT INTO agent_tokens (token_sha256, agent_id, expires_at)
        SELECT %s, agent_id, now() + make_interval(secs => %s) FROM old
        RETURNING agent_id, expires_at
        """,
        (key_digest(old), key_digest(token), ttl_s),
    )
    if row is None:
        return None
    return int(row[0]), token, row[1]


async def token_agent(db: Queries, operator_id: int, token: str) -> Agent | None:
    """The agent of a live token, else None."""
    if not _well_formed(token):
        return None
    row = await db.one(
        f"SELECT {AGENT_COLUMNS} FROM agent_tokens t JOIN {AGENT_TABLES} ON a.id = t.agent_id"
        " WHERE t.token_sha256 = %s AND t.expires_at > now() AND a.operator_id = %s",
        (key_digest(token), operator_id),
    )
    return None if row is None else Agent.from_row(row)


async def revoke_token(db: Queries, token: str) -> bool:
    """A logout: the token dies at once. False: no such live token."""
    if not _well_formed(token):
        return False
    row = await db.one(
        "DELETE FROM agent_tokens WHERE token_sha256 = %s AND expires_at > now()"
        " RETURNING agent_id",
        (key_digest(token),),
    )
    return row is not None


async def revoke_agent_tokens(db: Queries, agent_id: int) -> int:
    """Every token of the agent dies at once (blocked, a new password); how many there were."""
    rows = await db.all("DELETE FROM agent_tokens WHERE agent_id = %s RETURNING 1", (agent_id,))
    return len(rows)


async def forget_expired_tokens(db: Queries) -> None:
    await db.all("DELETE FROM agent_tokens WHERE expires_at < now() - interval '1 hour'")


def _well_formed(token: str) -> bool:
    return token.startswith(TOKEN_PREFIX) and 0 < len(token) <= TOKEN_CHARS_MAX


async def password_hash_of(db: Queries, operator_id: int, username: str) -> str | None:
    row = await db.one(
        "SELECT password_hash FROM agents WHERE operator_id = %s AND username = %s",
        (operator_id, username),
    )
    return None if row is None else str(row[0])

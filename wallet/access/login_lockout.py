"""Logins locked per account after repeated failures (table login_failures, revision 0019;
schema/functions/login_failed.sql), beside the per-address rate limits of each API.

An account here is the name a login typed, whether or not it exists, so that the answers (a
refusal, then 429 with Retry-After while locked) are the same for every name and tell nobody
which accounts exist. Checked before the password is: a locked account costs no hash.
"""

from __future__ import annotations

from wallet.ledger.database import Queries

ACCOUNT_CHARS_MAX = 200


def account_key(kind: str, scope: int, username: str) -> str:
    """'cashier:<shop id>:<name>' or 'agent:<operator id>:<name>', the name cut to 64."""
    return f"{kind}:{scope}:{username[:64]}"[:ACCOUNT_CHARS_MAX]


async def locked_for_s(db: Queries, account: str) -> int:
    """Whole seconds the account's logins stay locked; 0 when they are not."""
    row = await db.one(
        "SELECT greatest(1, ceil(extract(epoch FROM locked_until - clock_timestamp())))::integer"
        "  FROM login_failures WHERE account = %s AND locked_until > clock_timestamp()",
        (account,),
    )
    return 0 if row is None else int(row[0])


async def login_failed(db: Queries, account: str, failures_max: int, lockout_s: int) -> int:
    """Counts a failed login; the seconds the account is now locked for (0: not locked)."""
    row = await db.one("SELECT login_failed(%s, %s, %s)", (account, failures_max, lockout_s))
    assert row is not None
    return int(row[0])


async def login_succeeded(db: Queries, account: str) -> None:
    """A successful login forgets the account's failures."""
    await db.all("DELETE FROM login_failures WHERE account = %s", (account,))

"""Cashiers and sub-cashiers of a shop (revision 0006): creation, the login look-up, and what
the operator does to them (block, unblock, a new password, the list).

The password hash is made by the caller (wallet/access/passwords.py); the ledger only keeps it.
Blocking a cashier or changing its password moves its session epoch (revision 0019): every login
token issued before dies at once (wallet/access/cashier_sessions.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from wallet.ledger.database import Queries

ROLES = ("cashier", "sub_cashier")


@dataclass(frozen=True, slots=True)
class Cashier:
    id: int
    shop_id: int
    username: str
    role: str  # 'cashier' or 'sub_cashier'
    status: str  # 'active' or 'blocked'
    session_epoch: int = 0  # a token of an earlier epoch is refused


class CashierExists(Exception):
    pass


async def create_cashier(
    db: Queries, shop_id: int, username: str, password_hash: str, role: str
) -> Cashier:
    assert role in ROLES
    row = await db.one(
        "INSERT INTO cashiers (shop_id, username, password_hash, role) VALUES (%s, %s, %s, %s)"
        " ON CONFLICT (username) DO NOTHING RETURNING id",
        (shop_id, username, password_hash, role),
    )
    if row is None:
        raise CashierExists(username)
    return Cashier(int(row[0]), shop_id, username, role, "active")


async def cashier_for_login(db: Queries, shop_id: int, username: str) -> tuple[Cashier, str] | None:
    """The shop's cashier of that username with its password hash, or None."""
    row = await db.one(
        "SELECT id, shop_id, username, role, status, session_epoch, password_hash FROM cashiers"
        " WHERE shop_id = %s AND username = %s",
        (shop_id, username),
    )
    if row is None:
        return None
    cid, sid, name, role, status, epoch, password_hash = row
    cashier = Cashier(int(cid), int(sid), str(name), str(role), str(status), int(epoch))
    return cashier, str(password_hash)


@dataclass(frozen=True, slots=True)
class CashierLine:
    """A cashier as the operator's `wallet cashier list` shows it."""

    cashier: Cashier
    shop: str
    created_at: datetime


_LINE = """
SELECT c.id, c.shop_id, c.username, c.role, c.status, c.session_epoch, s.name, c.created_at
  FROM cashiers c JOIN shops s ON s.id = c.shop_id
 WHERE s.operator_id = %(operator)s"""


def _line(row: tuple[object, ...]) -> CashierLine:
    cid, sid, name, role, status, epoch, shop, created_at = row
    cashier = Cashier(int(cid), int(sid), str(name), str(role), str(status), int(epoch))  # type: ignore[call-overload]
    return CashierLine(cashier, str(shop), created_at)  # type: ignore[arg-type]


async def find_cashier(db: Queries, operator_id: int, username: str) -> CashierLine | None:
    row = await db.one(
        f"{_LINE} AND c.username = %(name)s", {"operator": operator_id, "name": username}
    )
    return None if row is None else _line(row)


async def list_cashiers(
    db: Queries, operator_id: int, shop_id: int | None, limit: int
) -> list[CashierLine]:
    """The operator's cashiers (of one shop), oldest first."""
    rows = await db.all(
        f"{_LINE} AND (%(shop)s::bigint IS NULL OR c.shop_id = %(shop)s) ORDER BY c.id LIMIT %(n)s",
        {"operator": operator_id, "shop": shop_id, "n": limit},
    )
    return [_line(row) for row in rows]


async def set_cashier_status(db: Queries, cashier_id: int, status: str) -> None:
    """Blocking also ends every session of the cashier (its epoch moves on)."""
    assert status in ("active", "blocked")
    await db.all(
        "UPDATE cashiers SET status = %s,"
        " session_epoch = session_epoch + CASE WHEN %s = 'blocked' THEN 1 ELSE 0 END"
        " WHERE id = %s",
        (status, status, cashier_id),
    )


async def set_cashier_password(db: Queries, cashier_id: int, password_hash: str) -> None:
    """A new password; every session of the cashier ends (its epoch moves on)."""
    await db.all(
        "UPDATE cashiers SET password_hash = %s, session_epoch = session_epoch + 1 WHERE id = %s",
        (password_hash, cashier_id),
    )

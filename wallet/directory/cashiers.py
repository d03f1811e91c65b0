"""Cashiers and sub-cashiers of a shop (revision 0006): creation and the login look-up.

The password hash is made by the caller (wallet/access/passwords.py); the ledger only keeps it.
"""

from __future__ import annotations

from dataclasses import dataclass

from wallet.ledger.database import Queries

ROLES = ("cashier", "sub_cashier")


@dataclass(frozen=True, slots=True)
class Cashier:
    id: int
    shop_id: int
    username: str
    role: str  # 'cashier' or 'sub_cashier'
    status: str  # 'active' or 'blocked'


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
        "SELECT id, shop_id, username, role, status, password_hash FROM cashiers"
        " WHERE shop_id = %s AND username = %s",
        (shop_id, username),
    )
    if row is None:
        return None
    cid, sid, name, role, status, password_hash = row
    return Cashier(int(cid), int(sid), str(name), str(role), str(status)), str(password_hash)

"""API keys of shops (revision 0006) and the admission of a cashier API request.

A key is stored as its SHA-256 only (it is 32 random bytes: a fast hash is enough), with the
browser origin it allows (the document's "API Domain") and the client networks (its "API IP";
none: any client). Admission is one round trip: it counts the request against its rate limit
(schema/functions/cashier_rate_hit.sql) and looks up the key with its shop.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from wallet.access.digest import key_digest
from wallet.directory.shops import SHOP_COLUMNS, SHOP_TABLES, SHOP_WIDTH, Shop
from wallet.ledger.database import Queries

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@dataclass(frozen=True, slots=True)
class ApiKey:
    id: int
    shop: Shop
    domain: str | None  # the allowed browser Origin
    allowed_ips: tuple[Network, ...]  # empty: any client


@dataclass(frozen=True, slots=True)
class Admission:
    allowed: bool  # within the rate limit
    retry_after_s: int  # when not allowed: seconds until the window ends
    key: ApiKey | None  # None: no such key (or revoked)


async def create_api_key(
    db: Queries, shop_id: int, key: str, domain: str | None, allowed_ips: Sequence[Network]
) -> int:
    row = await db.one(
        "INSERT INTO api_keys (shop_id, key_sha256, domain, allowed_ips)"
        " VALUES (%s, %s, %s, %s::cidr[]) RETURNING id",
        (shop_id, key_digest(key), domain, [str(net) for net in allowed_ips]),
    )
    assert row is not None
    return int(row[0])


def _api_key(row: tuple[object, ...]) -> ApiKey | None:
    """An ApiKey from the columns id, domain, allowed_ips and the shop's, or None (no key)."""
    key_id, domain, ips = row[:3]
    if key_id is None:
        return None
    shop = Shop.from_row(row[3 : 3 + SHOP_WIDTH])
    networks = tuple(ipaddress.ip_network(str(ip)) for ip in ips or ())  # type: ignore[attr-defined]
    return ApiKey(int(key_id), shop, None if domain is None else str(domain), networks)  # type: ignore[call-overload]


async def find_key(db: Queries, key: str) -> ApiKey | None:
    """The key, uncounted (a browser's CORS preflight)."""
    row = await db.one(
        f"""
        SELECT k.id, k.domain, k.allowed_ips::text[], {SHOP_COLUMNS}
          FROM api_keys k JOIN {SHOP_TABLES} ON s.id = k.shop_id
         WHERE k.key_sha256 = %s AND k.revoked_at IS NULL
        """,
        (key_digest(key),),
    )
    return None if row is None else _api_key(row)


async def admit(db: Queries, key: str, bucket: str, limit: int) -> Admission:
    """Count this request in `bucket` and find its key; both whatever the other's result."""
    row = await db.one(
        f"""
        SELECT h.allowed, h.retry_after_s, k.id, k.domain, k.allowed_ips::text[], {SHOP_COLUMNS}
          FROM cashier_rate_hit(%s, %s) h
          LEFT JOIN (api_keys k JOIN {SHOP_TABLES} ON s.id = k.shop_id)
                 ON k.key_sha256 = %s AND k.revoked_at IS NULL
        """,
        (bucket, limit, key_digest(key)),
    )
    assert row is not None
    allowed, retry_after_s = row[:2]
    return Admission(bool(allowed), int(retry_after_s), _api_key(row[2:]))


@dataclass(frozen=True, slots=True)
class KeyLine:
    """An API key as the operator's `wallet apikey list` shows it (never the key itself)."""

    id: int
    shop: str
    domain: str | None
    allowed_ips: tuple[str, ...]
    created_at: datetime
    revoked_at: datetime | None


async def list_api_keys(
    db: Queries, operator_id: int, shop_id: int | None, limit: int
) -> list[KeyLine]:
    """The operator's API keys (of one shop), revoked ones too, oldest first."""
    rows = await db.all(
        "SELECT k.id, s.name, k.domain, k.allowed_ips::text[], k.created_at, k.revoked_at"
        "  FROM api_keys k JOIN shops s ON s.id = k.shop_id"
        " WHERE s.operator_id = %(op)s AND (%(shop)s::bigint IS NULL OR k.shop_id = %(shop)s)"
        " ORDER BY k.id LIMIT %(n)s",
        {"op": operator_id, "shop": shop_id, "n": limit},
    )
    return [KeyLine(int(i), str(s), d, tuple(ips or ()), c, r) for i, s, d, ips, c, r in rows]


async def revoke_api_key(db: Queries, operator_id: int, key_id: int) -> KeyLine | None:
    """Revokes the key at once (the next request with it is 403); None: no such key of the
    operator. A key revoked already stays revoked as it was."""
    row = await db.one(
        "UPDATE api_keys k SET revoked_at = coalesce(k.revoked_at, now()) FROM shops s"
        " WHERE k.id = %s AND s.id = k.shop_id AND s.operator_id = %s"
        " RETURNING k.id, s.name, k.domain, k.allowed_ips::text[], k.created_at, k.revoked_at",
        (key_id, operator_id),
    )
    if row is None:
        return None
    i, shop, domain, ips, created_at, revoked_at = row
    return KeyLine(int(i), str(shop), domain, tuple(ips or ()), created_at, revoked_at)

"""The game -> product map of the reports (revision 0012, table game_products): a studio's game
(caller, game id) belongs to a product (Slots, Sportsbook, Live Games, Table Games, ...); game
id '' is the studio's default for its games not listed. Edited by `wallet report product`."""

from __future__ import annotations

from dataclasses import dataclass

from wallet.ledger.database import Queries

DEFAULT_GAME = ""


@dataclass(frozen=True, slots=True)
class ProductEntry:
    caller: str
    game_id: str  # '' : the studio's default
    product: str


async def set_product(db: Queries, entry: ProductEntry) -> None:
    await db.all(
        "INSERT INTO game_products (caller, game_id, product) VALUES (%s, %s, %s)"
        " ON CONFLICT (caller, game_id) DO UPDATE SET product = excluded.product,"
        " updated_at = now()",
        (entry.caller, entry.game_id, entry.product),
    )


async def unset_product(db: Queries, caller: str, game_id: str) -> bool:
    rows = await db.all(
        "DELETE FROM game_products WHERE caller = %s AND game_id = %s RETURNING 1",
        (caller, game_id),
    )
    return bool(rows)


async def product_map(db: Queries) -> list[ProductEntry]:
    rows = await db.all("SELECT caller, game_id, product FROM game_products ORDER BY 1, 2")
    return [ProductEntry(str(c), str(g), str(p)) for c, g, p in rows]

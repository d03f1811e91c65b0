"""The player a request names, within the cashier's shop: 403 "No permission" for a player of
another shop (or of none), 404 "Wrong user" for one the operator does not have.

{user} in a path is a username of the shop first, else a player id: a River login is all
digits, so digits alone do not tell an id from a username.
"""

from __future__ import annotations

from collections.abc import Mapping

from wallet.cashier.answers import NO_PERMISSION, WRONG_USER, Refusal, bad_request
from wallet.cashier.gate import Session
from wallet.ledger.shop_players import ShopPlayer, find_player

ID_MAX = 2**63 - 1
USERNAME_MAX = 64


def _as_id(text: str) -> int | None:
    if not text.isascii() or not text.isdigit() or len(text) > 19 or int(text) > ID_MAX:
        return None
    return int(text)


def _in_shop(session: Session, found: list[ShopPlayer | None]) -> ShopPlayer:
    players = [player for player in found if player is not None]
    for player in players:
        if player.shop_id == session.access.key.shop.id:
            return player
    if players:
        raise Refusal(403, NO_PERMISSION, reason="player_of_another_shop")
    raise Refusal(404, WRONG_USER, reason="unknown_player")


async def _by_username(session: Session, username: str) -> ShopPlayer | None:
    if len(username) > USERNAME_MAX:
        return None
    access = session.access
    return await find_player(access.ctx.db, access.key.shop.operator_id, username=username)


async def _by_id(session: Session, player_id: int) -> ShopPlayer | None:
    access = session.access
    return await find_player(access.ctx.db, access.key.shop.operator_id, player_id=player_id)


async def player_of(session: Session, user: str) -> ShopPlayer:
    """The player of a path's {user}: a username, else an id."""
    found = [await _by_username(session, user)]
    number = _as_id(user)
    if number is not None and (found[0] is None or found[0].shop_id != session.access.key.shop.id):
        found.append(await _by_id(session, number))
    return _in_shop(session, found)


async def player_by_query(session: Session, query: Mapping[str, str]) -> ShopPlayer:
    """The player of ?id= or ?username= (GET /cashier/player, POST /cashier/player/password)."""
    if query.get("id"):
        number = _as_id(query["id"])
        if number is None:
            raise bad_request("The id must be an integer.")
        return _in_shop(session, [await _by_id(session, number)])
    if query.get("username"):
        return _in_shop(session, [await _by_username(session, query["username"])])
    raise bad_request("The id field is required when username is not present.")

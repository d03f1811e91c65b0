"""The player a request names, within the cashier's shop: 403 "No permission" for a player of
another shop (or of none), 404 "Wrong user" for one the operator does not have.

{user} in a path is a username of the shop first, else a player id: a River login is all
digits, so digits alone do not tell an id from a username.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, Field, model_validator
from pydantic_core import PydanticCustomError

from wallet.cashier import fields
from wallet.cashier.answers import NO_PERMISSION, WRONG_USER, Refusal, bad_request
from wallet.cashier.gate import Session
from wallet.directory.shop_players import ShopPlayer, find_shop_player
from wallet.web.bodies import storable

ID_MAX = 2**63 - 1
USERNAME_MAX = 64


def _as_id(text: str) -> int | None:
    if not text.isascii() or not text.isdigit() or len(text) > 19 or int(text) > ID_MAX:
        return None
    return int(text)


def _id(value: object, label: str) -> int:
    number = _as_id(value) if isinstance(value, str) else None
    if number is None:
        raise bad_request("The id must be an integer.")
    return number


class PlayerQuery(BaseModel):
    """?id= or ?username= (the id first when both are given)."""

    id: Annotated[int | None, fields.rule(_id, optional=True)] = Field(
        None, ge=0, le=ID_MAX, description="The player's id"
    )
    username: Annotated[str | None, fields.rule(fields.text, optional=True)] = Field(
        None, description="The player's username"
    )

    @model_validator(mode="after")
    def _one_of_them(self) -> PlayerQuery:
        if self.id is None and self.username is None:
            message = "The id field is required when username is not present."
            raise PydanticCustomError(fields.RULE, message)
        return self


def _in_shop(session: Session, found: list[ShopPlayer | None]) -> ShopPlayer:
    players = [player for player in found if player is not None]
    for player in players:
        if player.shop_id == session.access.key.shop.id:
            return player
    if players:
        raise Refusal(403, NO_PERMISSION, reason="player_of_another_shop")
    raise Refusal(404, WRONG_USER, reason="unknown_player")


async def _by_username(session: Session, username: str) -> ShopPlayer | None:
    if len(username) > USERNAME_MAX or not storable(username):
        return None  # no player has such a name (and PostgreSQL text cannot hold it)
    access = session.access
    return await find_shop_player(access.ctx.db, access.key.shop.operator_id, username=username)


async def _by_id(session: Session, player_id: int) -> ShopPlayer | None:
    access = session.access
    return await find_shop_player(access.ctx.db, access.key.shop.operator_id, player_id=player_id)


async def player_of(session: Session, user: str) -> ShopPlayer:
    """The player of a path's {user}: a username, else an id."""
    found = [await _by_username(session, user)]
    number = _as_id(user)
    if number is not None and (found[0] is None or found[0].shop_id != session.access.key.shop.id):
        found.append(await _by_id(session, number))
    return _in_shop(session, found)


async def player_by_query(session: Session, query: PlayerQuery) -> ShopPlayer:
    """The player of ?id= or ?username= (GET /cashier/player, POST /cashier/player/password)."""
    if query.id is not None:
        return _in_shop(session, [await _by_id(session, query.id)])
    assert query.username is not None  # the model wants one of them
    return _in_shop(session, [await _by_username(session, query.username)])

"""The shop's players: list, get (by query or path), create, change password (both forms)."""

from __future__ import annotations

import math
import secrets
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from wallet.cashier import fields
from wallet.cashier.answers import bad_request, success
from wallet.cashier.gate import Session, protected
from wallet.cashier.lookup import player_by_query, player_of
from wallet.cashier.money import refusal
from wallet.cashier.passwords import hash_password_async
from wallet.cashier.views import player_view
from wallet.ledger import shop_money
from wallet.ledger.shop_money import Move, opening_key
from wallet.ledger.shop_players import (
    SEARCH_MAX,
    ShopPlayer,
    create_shop_player,
    figures_at,
    figures_now,
    list_players,
    remove_unused_player,
    set_password,
    taken_fields,
)
from wallet.ledger.shops import Shop, shop_balance

PER_PAGE = (10, 25, 50, 100)
PER_PAGE_DEFAULT = 50
PAGE_MAX = 1_000_000
PLATFORMS = {"river": "River", "thunder7": "Thunder7", "1": "River", "2": "Thunder7"}
PLATFORM_DEFAULT = "River"
OPENING_MIN_UNITS = 5  # an initial deposit above 0 is at least 5 of the currency
RIVER_LOGIN_DIGITS = 12
RIVER_NOTE_DIGITS = 8
GENERATED_TRIES = 5  # a generated login or note that is taken is drawn again


async def _body(request: Request, session: Session) -> dict[str, Any]:
    settings = session.access.ctx.settings
    return await fields.json_object(
        request, settings.request_body_max_bytes, settings.request_body_timeout_s
    )


async def _one(session: Session, player: ShopPlayer) -> Response:
    shop = session.access.key.shop
    figures = await figures_now(session.access.ctx.db, [player.id])
    return success(data=player_view(shop, player, figures[player.id]))


def _positive_int(value: str | None, name: str, default: int) -> int:
    if value is None or value == "":
        return default
    if not value.isascii() or not value.isdigit() or len(value) > 9:
        raise bad_request(f"The {name} must be an integer.")
    return int(value)


@protected("list_players")
async def list_shop_players(request: Request, session: Session) -> Response:
    query = request.query_params
    per_page = _positive_int(query.get("per_page"), "per page", PER_PAGE_DEFAULT)
    if per_page not in PER_PAGE:
        raise bad_request("The selected per page is invalid.")
    page = _positive_int(query.get("page"), "page", 1)
    if not 1 <= page <= PAGE_MAX:
        raise bad_request("The page must be at least 1.")
    search = query.get("search", "")
    if len(search) > SEARCH_MAX:
        raise bad_request(f"The search may not be greater than {SEARCH_MAX} characters.")
    shop, db = session.access.key.shop, session.access.ctx.db
    total, players = await list_players(db, shop.id, search, per_page, (page - 1) * per_page)
    figures = await figures_now(db, [player.id for player in players])
    return success(
        data=[player_view(shop, player, figures[player.id]) for player in players],
        meta={
            "current_page": page,
            "last_page": max(1, math.ceil(total / per_page)),
            "per_page": per_page,
            "total": total,
        },
    )


@protected("get_player")
async def get_player_by_query(request: Request, session: Session) -> Response:
    return await _one(session, await player_by_query(session, request.query_params))


@protected("get_player")
async def get_player(request: Request, session: Session) -> Response:
    return await _one(session, await player_of(session, request.path_params["user"]))


async def _change_password(request: Request, session: Session, player: ShopPlayer) -> Response:
    password = fields.password(await _body(request, session))
    await set_password(session.access.ctx.db, player.id, await hash_password_async(password))
    return success(message="Password changed successfully.")


@protected("player_password")
async def password_by_query(request: Request, session: Session) -> Response:
    player = await player_by_query(session, request.query_params)
    return await _change_password(request, session, player)


@protected("player_password")
async def password(request: Request, session: Session) -> Response:
    player = await player_of(session, request.path_params["user"])
    return await _change_password(request, session, player)


def _platform(value: object) -> str:
    if value is None or value == "":
        return PLATFORM_DEFAULT
    if isinstance(value, int | str) and not isinstance(value, bool):
        platform = PLATFORMS.get(str(value).lower())
        if platform is not None:
            return platform
    raise bad_request("The selected platform is invalid.")


def _digits(count: int) -> str:
    return str(secrets.randbelow(9) + 1) + "".join(
        str(secrets.randbelow(10)) for _ in range(count - 1)
    )


class _NewPlayer:
    """A create request, validated in the document's field order."""

    def __init__(self, shop: Shop, body: dict[str, Any]) -> None:
        self.river = shop.mode == "river"
        self.username = (
            ""
            if self.river
            else fields.name_rule(fields.required_text(body, "username"), "username")
        )
        self.password = "" if self.river else fields.password(body)
        first_name = body.get("first_name")
        self.first_name = (
            fields.name_rule(fields.text(first_name, "first name"), "first name")
            if fields.present(first_name)
            else None
        )
        balance = body.get("balance")
        self.balance = (
            fields.amount_minor(balance, "balance", shop.exponent) if fields.present(balance) else 0
        )
        if 0 < self.balance < OPENING_MIN_UNITS * 10**shop.exponent:
            raise bad_request(f"The balance must be at least {OPENING_MIN_UNITS}.")
        self.wager = fields.flag(body.get("wager"), "wager")
        self.bounce = fields.flag(body.get("apply_bounceback"), "apply_bounceback")
        self.platform = _platform(body.get("platform"))


async def _insert(session: Session, new: _NewPlayer) -> tuple[ShopPlayer, str]:
    """The new player and its password (River: both generated, the login drawn again when
    taken). A username or note the cashier chose that is taken: 400."""
    access = session.access
    shop, db = access.key.shop, access.ctx.db
    for _ in range(GENERATED_TRIES):
        username = _digits(RIVER_LOGIN_DIGITS) if new.river else new.username
        first_name = new.first_name or (_digits(RIVER_NOTE_DIGITS) if new.river else None)
        password = username if new.river else new.password
        user_taken, note_taken = await taken_fields(db, shop.operator_id, username, first_name)
        if not new.river and user_taken:
            raise bad_request("The username has already been taken.")
        if new.first_name and note_taken:
            raise bad_request("The first name has already been taken.")
        if user_taken or note_taken:
            continue
        password_hash = await hash_password_async(password)
        made = await create_shop_player(
            db, shop, session.cashier.id, username, first_name, password_hash, new.platform
        )
        if made is not None:
            return made, password
    raise bad_request("The username has already been taken.")


@protected("create_player")
async def create(request: Request, session: Session) -> Response:
    shop, db = session.access.key.shop, session.access.ctx.db
    new = _NewPlayer(shop, await _body(request, session))
    if new.balance:
        cost = shop_money.shop_cost(shop, new.balance, wager=new.wager, bounce_back=new.bounce)
        if await shop_balance(db, shop) < cost:
            raise refusal(Move.SHOP_SHORT, shop)
    player, password = await _insert(session, new)
    if new.balance:
        request_fields = {"player": player.id, "sum": new.balance, "wager": new.wager}
        key = opening_key(shop, player.id, {**request_fields, "bounce": new.bounce})
        result = await shop_money.deposit(
            db, shop, player, key, new.balance, wager=new.wager, bounce_back=new.bounce
        )
        if result.move != Move.DONE:  # the shop's float went meanwhile: no player either
            await remove_unused_player(db, player)
            raise refusal(result.move, shop)
        assert result.tx_id is not None
        figures = await figures_at(db, player, result.tx_id)
    else:
        figures = (await figures_now(db, [player.id]))[player.id]
    data = player_view(shop, player, figures)
    if new.river:
        data["password"] = password  # generated: shown to the cashier this once
    return success(message="User created successfully.", data=data)

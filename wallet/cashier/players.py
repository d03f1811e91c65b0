"""The shop's players: list, get (by query or path), create, change password (both forms)."""

from __future__ import annotations

import math
import secrets
from dataclasses import dataclass
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, Field, ValidationInfo
from starlette.requests import Request
from starlette.responses import Response

from wallet.access.passwords import hash_password_async
from wallet.cashier import fields
from wallet.cashier.answers import bad_request, success
from wallet.cashier.gate import Session, protected
from wallet.cashier.lookup import PlayerQuery, player_by_query, player_of
from wallet.cashier.money import refusal
from wallet.cashier.views import ShopPlayerData, player_view
from wallet.directory.shop_players import (
    SEARCH_MAX,
    NewShopPlayer,
    ShopPlayer,
    figures_at,
    figures_now,
    list_shop_players,
    set_password,
    taken_fields,
)
from wallet.directory.shops import Shop, shop_balance
from wallet.moves import shop as shop_money
from wallet.moves.shop import Move, MoveRefused, Opening

PER_PAGE = (10, 25, 50, 100)
PER_PAGE_DEFAULT = 50
PAGE_MAX = 1_000_000
PLATFORMS = {"river": "River", "thunder7": "Thunder7", "1": "River", "2": "Thunder7"}
PLATFORM_DEFAULT = "River"
OPENING_MIN_UNITS = 5  # an initial deposit above 0 is at least 5 of the currency
RIVER_LOGIN_DIGITS = 12
RIVER_NOTE_DIGITS = 8
GENERATED_TRIES = 5  # a generated login or note that is taken is drawn again
NAME = f"^{fields.NAME_PATTERN.pattern}$"  # the document's pattern (the rule is fields.name)


def _whole(value: object, label: str) -> int:
    """A query's whole number (digits)."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if not isinstance(value, str) or not value.isascii() or not value.isdigit() or len(value) > 9:
        raise bad_request(f"The {label} must be an integer.")
    return int(value)


def _per_page(value: object, label: str) -> int:
    number = _whole(value, label)
    if number not in PER_PAGE:
        raise bad_request("The selected per page is invalid.")
    return number


def _page(value: object, label: str) -> int:
    number = _whole(value, label)
    if not 1 <= number <= PAGE_MAX:
        raise bad_request("The page must be at least 1.")
    return number


def _search(value: object, label: str) -> str:
    if not isinstance(value, str) or len(value) > SEARCH_MAX:
        raise bad_request(f"The search may not be greater than {SEARCH_MAX} characters.")
    return value


def _platform(value: object, label: str) -> str:
    if isinstance(value, int | str) and not isinstance(value, bool):
        platform = PLATFORMS.get(str(value).lower())
        if platform is not None:
            return platform
    raise bad_request("The selected platform is invalid.")


class PlayerListQuery(BaseModel):
    per_page: Annotated[int, fields.rule(_per_page, optional=True)] = Field(
        PER_PAGE_DEFAULT, json_schema_extra={"enum": list(PER_PAGE)}
    )
    page: Annotated[int, fields.rule(_page, optional=True)] = Field(1, ge=1, le=PAGE_MAX)
    search: Annotated[str, fields.rule(_search, optional=True)] = Field(
        "", max_length=SEARCH_MAX, description="Part of a username or first name"
    )


def _unless_river(check: Any) -> BeforeValidator:
    """A field a River shop ignores (it generates the login and the password)."""
    checked = fields.rule_check(check, optional=False)

    def run(value: object, info: ValidationInfo) -> object:
        if info.context and info.context.get("river"):
            return None
        return checked(value, info)

    return BeforeValidator(run)


class CreatePlayerRequest(BaseModel):
    """A new player, validated in the document's field order. In a River shop the login and
    the password are generated (username and password are ignored) and answered once."""

    username: Annotated[str | None, _unless_river(fields.name)] = Field(
        None,
        validate_default=True,
        min_length=6,
        max_length=64,
        pattern=NAME,
        description="Required except in a River shop",
    )
    password: Annotated[str | None, _unless_river(fields.checked_password)] = Field(
        None,
        validate_default=True,
        min_length=fields.PASSWORD_MIN,
        max_length=fields.PASSWORD_MAX,
        description="Required except in a River shop",
    )
    first_name: fields.OptionalName = Field(
        None, min_length=6, max_length=64, pattern=NAME, description="A note, unique"
    )
    balance: fields.OptionalNumber = Field(
        None,
        description=f"An opening deposit: 0, or at least {OPENING_MIN_UNITS}",
        examples=[10],
    )
    wager: fields.Flag = False
    apply_bounceback: fields.Flag = False
    platform: Annotated[str, fields.rule(_platform, optional=True)] = Field(
        PLATFORM_DEFAULT,
        json_schema_extra={"enum": ["River", "Thunder7", "river", "thunder7", 1, 2, "1", "2"]},
    )


class PasswordRequest(BaseModel):
    password: fields.Password = Field(
        min_length=fields.PASSWORD_MIN, max_length=fields.PASSWORD_MAX
    )


class PageMeta(BaseModel):
    current_page: int
    last_page: int
    per_page: int
    total: int


class PlayerListAnswer(BaseModel):
    success: Literal[True]
    data: list[ShopPlayerData]
    meta: PageMeta


class PlayerAnswer(BaseModel):
    success: Literal[True]
    data: ShopPlayerData


class CreatedPlayerData(ShopPlayerData):
    password: str | None = Field(None, description="River: the generated password, shown once")


class CreatedPlayerAnswer(BaseModel):
    success: Literal[True]
    message: str = Field(examples=["User created successfully."])
    data: CreatedPlayerData


async def _body(request: Request, session: Session) -> dict[str, Any]:
    settings = session.access.ctx.settings
    return await fields.json_object(
        request, settings.request_body_max_bytes, settings.request_body_timeout_s
    )


async def _one(session: Session, player: ShopPlayer) -> Response:
    shop = session.access.key.shop
    figures = await figures_now(session.access.ctx.db, [player.id])
    return success(data=player_view(shop, player, figures[player.id]))


@protected("list_players")
async def list_players(request: Request, session: Session) -> Response:
    query = fields.validated(request.query_params, PlayerListQuery)
    per_page, page, search = query.per_page, query.page, query.search
    shop, db = session.access.key.shop, session.access.ctx.read_db
    total, players = await list_shop_players(db, shop.id, search, per_page, (page - 1) * per_page)
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
    query = fields.validated(request.query_params, PlayerQuery)
    return await _one(session, await player_by_query(session, query))


@protected("get_player")
async def get_player(request: Request, session: Session) -> Response:
    return await _one(session, await player_of(session, request.path_params["user"]))


async def _change_password(request: Request, session: Session, player: ShopPlayer) -> Response:
    password = fields.validated(await _body(request, session), PasswordRequest).password
    await set_password(session.access.ctx.db, player.id, await hash_password_async(password))
    return success(message="Password changed successfully.")


@protected("player_password")
async def password_by_query(request: Request, session: Session) -> Response:
    query = fields.validated(request.query_params, PlayerQuery)
    player = await player_by_query(session, query)
    return await _change_password(request, session, player)


@protected("player_password")
async def password(request: Request, session: Session) -> Response:
    player = await player_of(session, request.path_params["user"])
    return await _change_password(request, session, player)


def _digits(count: int) -> str:
    return str(secrets.randbelow(9) + 1) + "".join(
        str(secrets.randbelow(10)) for _ in range(count - 1)
    )


@dataclass(frozen=True, slots=True)
class _NewPlayer:
    river: bool
    username: str
    password: str
    first_name: str | None
    balance: int  # minor units
    wager: bool
    bounce: bool
    platform: str


def _new_player(shop: Shop, body: dict[str, Any]) -> _NewPlayer:
    river = shop.mode == "river"
    wanted = fields.validated(body, CreatePlayerRequest, {"river": river})
    balance = 0
    if wanted.balance is not None:
        balance = fields.amount_minor(wanted.balance, "balance", shop.exponent)
    if 0 < balance < OPENING_MIN_UNITS * 10**shop.exponent:
        raise bad_request(f"The balance must be at least {OPENING_MIN_UNITS}.")
    return _NewPlayer(
        river=river,
        username=wanted.username or "",
        password=wanted.password or "",
        first_name=wanted.first_name,
        balance=balance,
        wager=wanted.wager,
        bounce=wanted.apply_bounceback,
        platform=wanted.platform,
    )


async def _insert(session: Session, new: _NewPlayer) -> tuple[ShopPlayer, str, int | None]:
    """The new player, its password and its opening deposit's transaction (River: login and
    password generated, the login drawn again when taken), made in one unit of work with the
    deposit. A username or note the cashier chose that is taken: 400; a deposit the shop
    cannot make: its refusal, and no player."""
    access = session.access
    shop, db = access.key.shop, access.ctx.db
    opening = Opening(new.balance, new.wager, new.bounce) if new.balance else None
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
        made = NewShopPlayer(
            session.cashier.id, username, first_name, await hash_password_async(password),
            new.platform,
        )  # fmt: skip
        try:
            created = await shop_money.create_funded_player(db, shop, made, opening)
        except MoveRefused as refused:  # the shop's float went meanwhile: no player either
            raise refusal(refused.move, shop) from refused
        if created is not None:
            return created[0], password, created[1]
    raise bad_request("The username has already been taken.")


@protected("create_player")
async def create(request: Request, session: Session) -> Response:
    shop, db = session.access.key.shop, session.access.ctx.db
    new = _new_player(shop, await _body(request, session))
    if new.balance:
        cost = shop_money.shop_cost(shop, new.balance, wager=new.wager, bounce_back=new.bounce)
        if await shop_balance(db, shop) < cost:
            raise refusal(Move.SHOP_SHORT, shop)
    player, password, deposit_id = await _insert(session, new)
    if deposit_id is not None:
        figures = await figures_at(db, player, deposit_id)
    else:
        figures = (await figures_now(db, [player.id]))[player.id]
    data = player_view(shop, player, figures)
    if new.river:
        data["password"] = password  # generated: shown to the cashier this once
    return success(message="User created successfully.", data=data)

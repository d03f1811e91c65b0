"""What the document shows of a player: its fields and figures, amounts in the shop's currency."""

from __future__ import annotations

from datetime import UTC

from pydantic import BaseModel, Field

from wallet.cashier.fields import Figure
from wallet.directory.shop_players import Figures, ShopPlayer
from wallet.directory.shops import Shop
from wallet.web.amounts import Amount

STATUS = {"active": "Active", "blocked": "Blocked"}
TIME_FORMAT = "%Y-%m-%d %H:%M:%S"  # UTC, as the document's "2026-06-21 06:00:00"


class ShopReverseData(BaseModel):
    """A player's figures after a reverse."""

    id: int
    username: str
    balance: Figure
    balance_Win: Figure
    withdrawal: Figure


class ShopBalanceData(ShopReverseData):
    """A player's figures after a deposit or a withdrawal."""

    wager_bonus: Figure
    bounce_back: Figure


class ShopPlayerData(ShopBalanceData):
    """A player as the document shows it."""

    river_login: str | None = Field(description="A River login's digits in pairs: 11-22-33")
    first_name: str | None
    status: str = Field(examples=["Active"])
    shop_id: int
    parent_id: int | None = Field(description="The cashier who created the player")
    wager_bonus_amount: Figure
    created_at: str = Field(examples=["2026-06-21 06:00:00"])


def river_login(shop: Shop, username: str) -> str | None:
    """A River login's digits in pairs joined by '-' ("112233" -> "11-22-33")."""
    if shop.mode != "river" or not username.isdigit() or len(username) % 2:
        return None
    return "-".join(username[i : i + 2] for i in range(0, len(username), 2))


def player_view(shop: Shop, player: ShopPlayer, figures: Figures) -> dict[str, object]:
    def amount(minor: int) -> Amount:
        return Amount(minor, shop.exponent)

    return {
        "id": player.id,
        "username": player.username,
        "river_login": river_login(shop, player.username),
        "first_name": player.first_name,
        "status": STATUS.get(player.status, player.status),
        "shop_id": player.shop_id,
        "parent_id": player.cashier_id,
        "balance": amount(figures.balance),
        "balance_Win": amount(figures.balance_win),
        "withdrawal": amount(figures.withdrawal),
        "wager_bonus": amount(figures.wager_bonus),
        "wager_bonus_amount": amount(figures.wager_bonus_amount),
        "bounce_back": amount(figures.bounce_back),
        "created_at": player.created_at.astimezone(UTC).strftime(TIME_FORMAT),
    }


def balance_view(shop: Shop, player: ShopPlayer, figures: Figures) -> dict[str, object]:
    """The answer of a deposit or a withdrawal (the document's deposit example)."""
    return {
        "id": player.id,
        "username": player.username,
        "balance": Amount(figures.balance, shop.exponent),
        "balance_Win": Amount(figures.balance_win, shop.exponent),
        "withdrawal": Amount(figures.withdrawal, shop.exponent),
        "wager_bonus": Amount(figures.wager_bonus, shop.exponent),
        "bounce_back": Amount(figures.bounce_back, shop.exponent),
    }


def reverse_view(shop: Shop, player: ShopPlayer, figures: Figures) -> dict[str, object]:
    """The answer of a reverse (the document's example)."""
    return {
        "id": player.id,
        "username": player.username,
        "balance": Amount(figures.balance, shop.exponent),
        "balance_Win": Amount(figures.balance_win, shop.exponent),
        "withdrawal": Amount(figures.withdrawal, shop.exponent),
    }

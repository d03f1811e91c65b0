"""PUT /cashier/players/{user}/balance/add and /balance/out, POST /cashier/players/{user}/reverse.

Each is one ledger transaction (wallet/moves/shop.py). An optional Idempotency-Key header
makes a retried request safe: the same key with the same request answers what the first one
answered (the figures right after it), with another request 409, and concurrent copies pay once.
The key is scoped by the shop; the request is the player and the body's meaning (10 and 10.00
are the same sum).
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field, model_validator
from pydantic_core import PydanticCustomError
from starlette.requests import Request
from starlette.responses import Response

from wallet.cashier import fields
from wallet.cashier.answers import Refusal, bad_request, success
from wallet.cashier.fields import Figure
from wallet.cashier.gate import Session, protected
from wallet.cashier.lookup import player_of
from wallet.cashier.views import ShopBalanceData, ShopReverseData, balance_view, reverse_view
from wallet.directory.shop_players import ShopPlayer, figures_at
from wallet.directory.shops import Shop
from wallet.ledger.idempotency import ScopedKey
from wallet.moves import shop as shop_money
from wallet.moves.shop import Move, MoveResult
from wallet.reporting.shop_history import moved_by
from wallet.web.amounts import Amount
from wallet.web.idempotency import KEY_CHARS_MAX, BadIdempotencyKey, KeyProblem, idempotency_key

IDEMPOTENCY_HEADER = "idempotency-key"
KEY_WORDS = {
    KeyProblem.MALFORMED: f"The Idempotency-Key header must be 1 to {KEY_CHARS_MAX} printable"
    " characters.",
    KeyProblem.DIFFERS: "The Idempotency-Key header was given twice.",
}
UPDATED = "Balance updated successfully."
REVERSED = "Reverse completed successfully."


class DepositRequest(BaseModel):
    sum: fields.Number = Field(
        description="In the shop's currency, at most its decimals, > 0", examples=[10]
    )
    wager: fields.Flag = Field(False, description="Also credit the wager bonus")
    apply_bounceback: fields.Flag = Field(False, description="Also credit the bounce back")


class WithdrawRequest(BaseModel):
    all: fields.Flag = Field(False, description="Withdraw everything withdrawable")
    sum: fields.OptionalNumber = Field(
        None, description="Required unless all is true", examples=[10]
    )

    @model_validator(mode="after")
    def _sum_unless_all(self) -> WithdrawRequest:
        if not self.all and self.sum is None:
            message = "The sum field is required when all is false."
            raise PydanticCustomError(fields.RULE, message)
        return self


class ShopMoveData(ShopBalanceData):
    """The document's figures, and beside them what the move moved."""

    sum: Figure = Field(
        description="The cash moved: the deposit's sum, or what the withdrawal paid out"
        " (all: true included)",
        examples=[10],
    )


class ShopReversedData(ShopReverseData):
    """The document's figures, and beside them what the reverse took back."""

    sum: Figure = Field(description="The reversed deposit's sum, taken back", examples=[10])
    bonus: Figure = Field(
        description="The Wager Bonus or Bounce Back taken back with it", examples=[0]
    )


class MoveAnswer(BaseModel):
    success: Literal[True]
    message: str = Field(examples=[UPDATED])
    data: ShopMoveData


class ReverseAnswer(BaseModel):
    success: Literal[True]
    message: str = Field(examples=[REVERSED])
    data: ShopReversedData


def refusal(move: Move, shop: Shop) -> Refusal:
    """The answer of a move that did not happen."""
    source = "balance_Win" if shop.mode == "river" else "balance"
    status, message = {
        Move.CONFLICT: (409, "The Idempotency-Key was already used for another request."),
        Move.SHOP_SHORT: (400, "Insufficient shop balance for this deposit."),
        Move.PLAYER_SHORT: (400, f"Insufficient funds in {source}."),
        Move.NOTHING: (400, f"There is nothing to withdraw in {source}."),
        Move.TOO_LARGE: (400, "The sum is too large."),
        Move.NO_DEPOSIT: (400, "There is no deposit to reverse."),
        Move.ALREADY_REVERSED: (400, "The latest deposit has already been reversed."),
        Move.NOT_HELD: (400, "The player no longer holds the deposit; it cannot be reversed."),
    }[move]
    return Refusal(status, message, reason=move.value)


def client_key(request: Request) -> str | None:
    try:
        return idempotency_key(request, IDEMPOTENCY_HEADER)
    except BadIdempotencyKey as error:
        raise bad_request(KEY_WORDS[error.problem]) from error


async def _moved(
    session: Session, player: ShopPlayer, result: MoveResult, message: str, reverse: bool = False
) -> Response:
    shop, db = session.access.key.shop, session.access.ctx.db
    if result.move not in (Move.DONE, Move.REPLAY):
        raise refusal(result.move, shop)
    assert result.tx_id is not None
    figures = await figures_at(db, player, result.tx_id)
    moved = await moved_by(db, player, result.tx_id)
    if reverse:
        data = reverse_view(shop, player, figures)
        data["sum"] = Amount(-moved.cash_minor, shop.exponent)
        data["bonus"] = Amount(-moved.bonus_minor, shop.exponent)
    else:
        data = balance_view(shop, player, figures)
        data["sum"] = Amount(abs(moved.cash_minor), shop.exponent)
    return success(message=message, data=data)


async def _body(request: Request, session: Session) -> dict[str, object]:
    settings = session.access.ctx.settings
    return await fields.json_object(
        request, settings.request_body_max_bytes, settings.request_body_timeout_s
    )


@protected("deposit")
async def deposit(request: Request, session: Session) -> Response:
    shop = session.access.key.shop
    key_header = client_key(request)
    wanted = fields.validated(await _body(request, session), DepositRequest)
    amount = fields.amount_minor(wanted.sum, "sum", shop.exponent)
    if amount <= 0:
        raise bad_request("The sum must be greater than 0.")
    wager, bounce = wanted.wager, wanted.apply_bounceback
    player = await player_of(session, request.path_params["user"])
    request_fields = {"player": player.id, "sum": amount, "wager": wager, "bounce": bounce}
    key = ScopedKey.of(shop.id, key_header, request_fields)
    result = await shop_money.deposit(
        session.access.ctx.db,
        shop,
        player,
        key,
        amount,
        wager=wager,
        bounce_back=bounce,
        cashier_id=session.cashier.id,
    )
    return await _moved(session, player, result, UPDATED)


@protected("withdraw")
async def withdraw(request: Request, session: Session) -> Response:
    shop = session.access.key.shop
    key_header = client_key(request)
    wanted = fields.validated(await _body(request, session), WithdrawRequest)
    take_all = wanted.all
    amount: int | None = None
    if not take_all:
        assert wanted.sum is not None  # the model wants it unless all
        amount = fields.amount_minor(wanted.sum, "sum", shop.exponent)
        if amount <= 0:
            raise bad_request("The sum must be greater than 0.")
    player = await player_of(session, request.path_params["user"])
    key = ScopedKey.of(shop.id, key_header, {"player": player.id, "sum": amount, "all": take_all})
    result = await shop_money.withdraw(
        session.access.ctx.db, shop, player, key, amount, cashier_id=session.cashier.id
    )
    return await _moved(session, player, result, UPDATED)


@protected("reverse")
async def reverse(request: Request, session: Session) -> Response:
    shop = session.access.key.shop
    key_header = client_key(request)
    player = await player_of(session, request.path_params["user"])
    key = ScopedKey.of(shop.id, key_header, {"player": player.id, "reverse": True})
    result = await shop_money.reverse(
        session.access.ctx.db, player, key, cashier_id=session.cashier.id
    )
    return await _moved(session, player, result, REVERSED, reverse=True)

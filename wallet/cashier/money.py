"""PUT /cashier/players/{user}/balance/add and /balance/out, POST /cashier/players/{user}/reverse.

Each is one ledger transaction (wallet/ledger/shop_money.py). An optional Idempotency-Key header
makes a retried request safe: the same key with the same request answers what the first one
answered (the figures right after it), with another request 409, and concurrent copies pay once.
The key is scoped by the shop; the request is the player and the body's meaning (10 and 10.00
are the same sum).
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from wallet.cashier import fields
from wallet.cashier.answers import Refusal, bad_request, success
from wallet.cashier.gate import Session, protected
from wallet.cashier.lookup import player_of
from wallet.cashier.views import balance_view, reverse_view
from wallet.ledger import shop_money
from wallet.ledger.idempotency import ScopedKey
from wallet.ledger.shop_money import Move, MoveResult
from wallet.ledger.shop_players import ShopPlayer, figures_at
from wallet.ledger.shops import Shop

IDEMPOTENCY_HEADER = "idempotency-key"
IDEMPOTENCY_KEY_MAX = 255
UPDATED = "Balance updated successfully."
REVERSED = "Reverse completed successfully."


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
    value = request.headers.get(IDEMPOTENCY_HEADER)
    if value is None:
        return None
    if not 0 < len(value) <= IDEMPOTENCY_KEY_MAX or not value.isascii() or not value.isprintable():
        raise bad_request("The Idempotency-Key header must be 1 to 255 printable characters.")
    return value


async def _moved(
    session: Session, player: ShopPlayer, result: MoveResult, message: str, reverse: bool = False
) -> Response:
    shop = session.access.key.shop
    if result.move not in (Move.DONE, Move.REPLAY):
        raise refusal(result.move, shop)
    assert result.tx_id is not None
    figures = await figures_at(session.access.ctx.db, player, result.tx_id)
    view = reverse_view if reverse else balance_view
    return success(message=message, data=view(shop, player, figures))


async def _body(request: Request, session: Session) -> dict[str, object]:
    settings = session.access.ctx.settings
    return await fields.json_object(
        request, settings.request_body_max_bytes, settings.request_body_timeout_s
    )


@protected("deposit")
async def deposit(request: Request, session: Session) -> Response:
    shop = session.access.key.shop
    key_header = client_key(request)
    body = await _body(request, session)
    if not fields.present(body.get("sum")):
        raise bad_request("The sum field is required.")
    amount = fields.amount_minor(body["sum"], "sum", shop.exponent)
    if amount <= 0:
        raise bad_request("The sum must be greater than 0.")
    wager = fields.flag(body.get("wager"), "wager")
    bounce = fields.flag(body.get("apply_bounceback"), "apply_bounceback")
    player = await player_of(session, request.path_params["user"])
    request_fields = {"player": player.id, "sum": amount, "wager": wager, "bounce": bounce}
    key = ScopedKey.of(shop.id, key_header, request_fields)
    result = await shop_money.deposit(
        session.access.ctx.db, shop, player, key, amount, wager=wager, bounce_back=bounce
    )
    return await _moved(session, player, result, UPDATED)


@protected("withdraw")
async def withdraw(request: Request, session: Session) -> Response:
    shop = session.access.key.shop
    key_header = client_key(request)
    body = await _body(request, session)
    take_all = fields.flag(body.get("all"), "all")
    amount: int | None = None
    if not take_all:
        if not fields.present(body.get("sum")):
            raise bad_request("The sum field is required when all is false.")
        amount = fields.amount_minor(body["sum"], "sum", shop.exponent)
        if amount <= 0:
            raise bad_request("The sum must be greater than 0.")
    player = await player_of(session, request.path_params["user"])
    key = ScopedKey.of(shop.id, key_header, {"player": player.id, "sum": amount, "all": take_all})
    result = await shop_money.withdraw(session.access.ctx.db, shop, player, key, amount)
    return await _moved(session, player, result, UPDATED)


@protected("reverse")
async def reverse(request: Request, session: Session) -> Response:
    shop = session.access.key.shop
    key_header = client_key(request)
    player = await player_of(session, request.path_params["user"])
    key = ScopedKey.of(shop.id, key_header, {"player": player.id, "reverse": True})
    result = await shop_money.reverse(session.access.ctx.db, player, key)
    return await _moved(session, player, result, REVERSED, reverse=True)

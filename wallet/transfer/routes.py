"""The operator lobby's transfer-wallet API, mounted at /transfer-wallet:

    POST /{studio}/deposit   {"player": USERNAME, "amount": "12.50"}            money to the studio
    POST /{studio}/withdraw  {"player": USERNAME, "amount": "12.50" | "all"}    money back

Authorization: Bearer KEY (a key of `wallet operator-key create`). Idempotency-Key header (or
"idempotency_key" in the body): the same key finds the same move, never a second one. Answers
200 {"status": "done"}, 202 {"status": "pending"} (the studio's answer is unknown: the
reconciler settles it), 422 {"status": "failed"} (the studio refused; nothing moved for good)
or {"error": ...} with 400, 401, 404, 409, 422 (insufficient, blocked), 503 (the studio did not
answer its Account Init: nothing moved).
"""

from __future__ import annotations

import json

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from wallet.context import context_of
from wallet.ledger.money import AmountError, format_minor, parse_minor
from wallet.ledger.operator_keys import find_operator_key
from wallet.ledger.players import find_player
from wallet.ledger.transfer_moves import Move
from wallet.transfer.client import StudioClient
from wallet.transfer.moves import TransferRefused, transfer_in, transfer_out

IDEMPOTENCY_KEY_MAX = 128
STATUS_CODES = {"done": 200, "pending": 202, "failed": 422}
REFUSAL_CODES = {"conflict": 409, "busy": 409, "insufficient": 422}


def _error(status: int, message: str) -> Response:
    return JSONResponse({"error": message}, status_code=status)


def move_body(move: Move, replay: bool) -> dict[str, object]:
    amount = None if move.amount_minor is None else format_minor(move.amount_minor, move.exponent)
    return {
        "transaction_id": move.txn_id,
        "direction": move.direction,
        "player": move.username,
        "studio": move.studio,
        "amount": amount,
        "currency": move.currency,
        "status": move.status,
        "replay": replay,
    }


async def deposit(request: Request) -> Response:
    return await _move(request, "out")


async def withdraw(request: Request) -> Response:
    return await _move(request, "in")


async def _move(request: Request, direction: str) -> Response:
    ctx = context_of(request)
    scheme, _, key = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not key or await find_operator_key(ctx.db, key) is None:
        return _error(401, "a valid operator key is required (Authorization: Bearer KEY)")
    clients: dict[str, StudioClient] = request.app.state.transfer_clients
    client = clients.get(request.path_params["studio"])
    if client is None:
        return _error(404, "unknown studio")
    try:
        body = json.loads(await request.body())
    except (json.JSONDecodeError, UnicodeDecodeError):
        return _error(400, "the body is not JSON")
    if not isinstance(body, dict):
        return _error(400, "the body is not a JSON object")
    idem = request.headers.get("idempotency-key") or body.get("idempotency_key")
    if not isinstance(idem, str) or not 1 <= len(idem) <= IDEMPOTENCY_KEY_MAX:
        return _error(400, f"an Idempotency-Key of 1-{IDEMPOTENCY_KEY_MAX} characters is required")
    username, amount_text = body.get("player"), body.get("amount")
    if not isinstance(username, str) or not isinstance(amount_text, str):
        return _error(400, "player and amount (decimal text) are required")
    player = await find_player(ctx.db, ctx.operator_id, username)
    if player is None:
        return _error(404, "unknown player")
    amount: int | None = None
    if not (direction == "in" and amount_text == "all"):
        try:
            amount = parse_minor(amount_text, player.exponent)
        except AmountError as error:
            return _error(400, f"bad amount: {error}")
    try:
        if direction == "out":
            assert amount is not None
            result = await transfer_out(ctx.db, client, player, amount, f"api:{idem}")
        else:
            result = await transfer_in(ctx.db, client, player, amount, f"api:{idem}")
    except TransferRefused as error:
        unavailable = error.reason.startswith("studio unavailable")
        return _error(503 if unavailable else REFUSAL_CODES.get(error.reason, 422), error.reason)
    return JSONResponse(
        move_body(result.move, result.replay), status_code=STATUS_CODES[result.move.status]
    )


def routes() -> list[BaseRoute]:
    return [
        Route("/{studio}/deposit", deposit, methods=["POST"]),
        Route("/{studio}/withdraw", withdraw, methods=["POST"]),
    ]

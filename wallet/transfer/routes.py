"""The operator lobby's transfer-wallet API, mounted at /transfer-wallet:

    POST /{studio}/deposit   {"player": USERNAME, "amount": "12.50"}            money to the studio
    POST /{studio}/withdraw  {"player": USERNAME, "amount": "12.50" | "all"}    money back

Authorization: Bearer KEY (a key of `wallet operator-key create`). Idempotency-Key header (or
"idempotency_key" in the body): the same key finds the same move, never a second one. Answers
200 {"status": "done"}, 202 {"status": "pending"} (the studio's answer is unknown: the
reconciler settles it), 422 {"status": "failed"} (the studio refused; nothing moved for good)
or {"error": ...} with 400, 401, 404, 409, 413, 422 (insufficient, blocked), 503 (the studio did
not answer its Account Init, or our database is down: nothing moved), 500 (a bug of ours, logged).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from wallet.access.operator_keys import find_operator_key
from wallet.context import Context, context_of
from wallet.directory.players import Player, find_player
from wallet.ledger.money import AmountError, AmountProblem, format_minor, parse_minor
from wallet.ledger.outcomes import LedgerUnavailable
from wallet.moves.transfer_wallet import Move
from wallet.transfer.client import StudioClient
from wallet.transfer.moves import TransferRefused, transfer_in, transfer_out
from wallet.web.exact_json import BadJson, JsonProblem, read_json_object
from wallet.web.idempotency import KEY_CHARS_MAX, BadIdempotencyKey, idempotency_key
from wallet.web.observability import get_logger
from wallet.web.requestlog import note

STATUS_CODES = {"done": 200, "pending": 202, "failed": 422}
REFUSAL_CODES = {"conflict": 409, "busy": 409, "insufficient": 422}
_log = get_logger("wallet.transfer.routes")
# The lobby API's status and words for each refusal of the edge toolkit (wallet/web/).
BODY_REFUSALS = {
    JsonProblem.TOO_LARGE: (413, "the body is too large"),
    JsonProblem.TOO_SLOW: (400, "the body was not received in time"),
    JsonProblem.NOT_JSON: (400, "the body is not JSON"),
    JsonProblem.NOT_OBJECT: (400, "the body is not a JSON object"),
    JsonProblem.DUPLICATE_KEY: (400, "the body names a field twice"),
    JsonProblem.UNSTORABLE_TEXT: (400, "the body has a NUL character or an unpaired surrogate"),
}
AMOUNT_WORDS = {
    AmountProblem.NOT_PLAIN: "bad amount: not plain decimal text",
    AmountProblem.NEGATIVE: "bad amount: negative",
    AmountProblem.TOO_PRECISE: "bad amount: more decimals than the currency has",
    AmountProblem.TOO_LARGE: "bad amount: too large",
}
KEY_REQUIRED = f"an Idempotency-Key of 1-{KEY_CHARS_MAX} printable characters is required"


class Refusal(Exception):
    """A request answered {"error": message} with its status; nothing moved."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status, self.message = status, message


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
    return await _answer(request, "transfer_out", lambda: _move(request, "out"))


async def withdraw(request: Request) -> Response:
    return await _answer(request, "transfer_in", lambda: _move(request, "in"))


async def _answer(
    request: Request, operation: str, run: Callable[[], Awaitable[tuple[Move, bool]]]
) -> Response:
    """The one place refusals, outages and bugs become answers (never a trace)."""
    note(request, caller="operator", operation=operation)
    try:
        move, replay = await run()
    except Refusal as refusal:
        note(request, code=refusal.status, refusal=refusal.message)
        return JSONResponse({"error": refusal.message}, status_code=refusal.status)
    except LedgerUnavailable as error:
        note(request, code=503, refusal=f"unavailable: {error}")
        return JSONResponse({"error": "service temporarily unavailable"}, status_code=503)
    except Exception:  # a bug of ours: logged with its trace, answered without it
        _log.exception("transfer_api_error", operation=operation)
        note(request, code=500, refusal="server_error")
        return JSONResponse({"error": "internal error"}, status_code=500)
    status = STATUS_CODES[move.status]
    note(request, code=status, move_status=move.status, replay=replay)
    return JSONResponse(move_body(move, replay), status_code=status)


async def _authorized(request: Request, ctx: Context) -> StudioClient:
    scheme, _, key = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not key or await find_operator_key(ctx.db, key) is None:
        raise Refusal(401, "a valid operator key is required (Authorization: Bearer KEY)")
    clients: dict[str, StudioClient] = request.app.state.transfer_clients
    client = clients.get(request.path_params["studio"])
    if client is None:
        raise Refusal(404, "unknown studio")
    return client


async def _body(request: Request, ctx: Context) -> dict[str, Any]:
    settings = ctx.settings
    try:
        return await read_json_object(
            request, settings.request_body_max_bytes, settings.request_body_timeout_s
        )
    except BadJson as error:
        raise Refusal(*BODY_REFUSALS[error.problem]) from error


def _key(request: Request, body: dict[str, Any]) -> str:
    """The Idempotency-Key header or the body's idempotency_key: required here."""
    try:
        key = idempotency_key(request, "idempotency-key", body.get("idempotency_key"))
    except BadIdempotencyKey as error:
        raise Refusal(400, KEY_REQUIRED) from error
    if key is None:
        raise Refusal(400, KEY_REQUIRED)
    return key


def _amount(text: str, direction: str, player: Player) -> int | None:
    """Minor units, exact; None for "all" on a withdrawal."""
    if direction == "in" and text == "all":
        return None
    try:
        return parse_minor(text, player.exponent)
    except AmountError as error:
        raise Refusal(400, AMOUNT_WORDS[error.problem]) from error


async def _move(request: Request, direction: str) -> tuple[Move, bool]:
    ctx = context_of(request)
    client = await _authorized(request, ctx)
    body = await _body(request, ctx)
    idem = _key(request, body)
    note(request, external_id=idem)
    username, amount_text = body.get("player"), body.get("amount")
    if not isinstance(username, str) or not isinstance(amount_text, str):
        raise Refusal(400, "player and amount (decimal text) are required")
    player = await find_player(ctx.db, ctx.operator_id, username)
    if player is None:
        raise Refusal(404, "unknown player")
    amount = _amount(amount_text, direction, player)
    try:
        if direction == "out":
            assert amount is not None
            result = await transfer_out(ctx.db, client, player, amount, f"api:{idem}")
        else:
            result = await transfer_in(ctx.db, client, player, amount, f"api:{idem}")
    except TransferRefused as error:
        unavailable = error.reason.startswith("studio unavailable")
        status = 503 if unavailable else REFUSAL_CODES.get(error.reason, 422)
        raise Refusal(status, error.reason) from error
    return result.move, result.replay


def routes() -> list[BaseRoute]:
    return [
        Route("/{studio}/deposit", deposit, methods=["POST"]),
        Route("/{studio}/withdraw", withdraw, methods=["POST"]),
    ]

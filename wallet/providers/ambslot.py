"""AMBSlot seamless wallet: balance, bet, payout, settle and cancel (shared/protocols/ambslot.md).

Every callback, in the contract's check order: IP allowlist (999) -> parse and every field
(997) -> agent (998) -> signature (998) -> game list (995) -> one ledger call, which finds the
player (908) and applies the money rules -> render. Refusals before the ledger call carry
`data: null`; after it, the answer is rendered from the ledger's answer alone, so replays come
back byte for byte.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from enum import StrEnum
from functools import lru_cache

from pydantic import ValidationError
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from wallet.context import Context, context_of
from wallet.ledger.game import GameCall, Kind, Rule, game_call, player_balance
from wallet.ledger.idempotency import request_hash
from wallet.ledger.money import AmountError, parse_minor
from wallet.ledger.outcomes import LedgerAnswer, Outcome
from wallet.providers import ambslot_wire as wire
from wallet.providers.common import (
    BadJson,
    Handler,
    always_answer,
    json_response,
    loads_exact,
)
from wallet.web.bodies import BodyTooLarge, read_capped
from wallet.web.clients import Network, client_allowed, parse_networks
from wallet.web.requestlog import note

CALLER = "ambslot"
SIGNATURE_HEADER = "x-amb-signature"
SIGNATURE_ITERATIONS = 1000
SIGNATURE_BYTES = 64
_RULES = frozenset({Rule.ROUND_SINGLE_BET, Rule.ROUND_NEEDS_BET, Rule.REVERSE_BY_ROUND})


class Operation(StrEnum):
    BALANCE = "balance"
    BET = "bet"
    PAYOUT = "payout"
    SETTLE = "settle"
    CANCEL = "cancel"


_BODIES: dict[Operation, type[wire.Body]] = {
    Operation.BALANCE: wire.BalanceBody,
    Operation.BET: wire.BetBody,
    Operation.PAYOUT: wire.PayoutBody,
    Operation.SETTLE: wire.SettleBody,
    Operation.CANCEL: wire.RoundBody,
}

_CODES: dict[Outcome, int] = {
    Outcome.NEW: 0,
    Outcome.REPLAY: 0,
    Outcome.TOMBSTONE: 0,  # a cancel of a round we never saw: done, and remembered
    Outcome.INSUFFICIENT: 800,
    Outcome.ROUND_EXISTS: 900,
    Outcome.NO_PLAYER: 908,
    Outcome.GAME_MISMATCH: 995,
    Outcome.CONFLICT: 997,
    Outcome.CURRENCY_MISMATCH: 997,
    Outcome.BAD_AMOUNT: 997,
    Outcome.ROUND_MISSING: 997,
    Outcome.ROUND_CLOSED: 997,
    Outcome.ROUND_CREDITED: 997,  # a cancel after a payout
    Outcome.BLOCKED: 607,
}


def code_for(operation: Operation, answer: LedgerAnswer | None) -> int:
    """The AMBSlot code of a ledger answer (None: no such player). The one place they map."""
    if answer is None:
        return 908
    if operation is Operation.BALANCE and answer.outcome in (Outcome.OK, Outcome.BLOCKED):
        return 0  # a blocked player still sees its balance; its bets are refused (607)
    if answer.outcome is Outcome.ROUND_CANCELLED:
        # A bet or settle on a cancelled round is a refused bet; a payout there is bad data.
        return 607 if operation in (Operation.BET, Operation.SETTLE) else 997
    return _CODES.get(answer.outcome, 999)  # an outcome these rules cannot produce: our bug


class Refused(Exception):
    """A request answered with an AMBSlot error code before the ledger is asked."""

    def __init__(self, code: int) -> None:
        super().__init__(code)
        self.code = code


async def _serve(request: Request, operation: Operation) -> Response:
    ctx = context_of(request)
    note(request, caller=CALLER, operation=operation.value)
    try:
        body = await _checked(request, ctx, operation)
        answer = await _ask_ledger(ctx, operation, body)
    except Refused as refusal:
        return _respond(request, operation, refusal.code, None, None)
    if answer is not None:
        note(request, outcome=answer.outcome.value)
    return _respond(request, operation, code_for(operation, answer), body.username, answer)


def _respond(
    request: Request,
    operation: Operation,
    code: int,
    username: str | None,
    answer: LedgerAnswer | None,
) -> Response:
    note(request, code=code)
    moved = operation is not Operation.BALANCE
    return json_response(wire.render(code, username, answer, moved=moved))


async def _checked(request: Request, ctx: Context, operation: Operation) -> wire.Body:
    """The request, once it passed every check in the contract's order; else Refused."""
    settings = ctx.settings
    if not client_allowed(request, _networks(settings.ambslot_allowed_ips)):
        raise Refused(999)  # not AMBSlot's address: it learns nothing, nothing moves
    try:
        raw_body = await read_capped(
            request, settings.request_body_max_bytes, settings.request_body_timeout_s
        )
        fields = loads_exact(raw_body)
    except (BodyTooLarge, BadJson) as error:
        raise Refused(997) from error
    if not isinstance(fields, dict):
        raise Refused(997)
    transaction_id = fields.get("transactionId")
    if isinstance(transaction_id, str):
        note(request, external_id=transaction_id[: wire.TEXT_MAX])
    try:  # every field, `agent` included, before the agent is judged: a missing one is 997
        body = _BODIES[operation].model_validate(fields)
    except ValidationError as error:
        raise Refused(997) from error
    agent = body.agentId if operation is Operation.BALANCE else body.agent
    if agent != settings.ambslot_agent_id:
        raise Refused(998)
    key = settings.ambslot_key.get_secret_value()
    if key and not signature_ok(raw_body, key, request.headers.get(SIGNATURE_HEADER)):
        raise Refused(998)
    games = _game_ids(settings.ambslot_game_ids)
    if games and body.gameId is not None and body.gameId not in games:
        raise Refused(995)
    return body


def signature_ok(raw_body: bytes, key: str, given: str | None) -> bool:
    """AMB's request signature: base64(PBKDF2-HMAC-SHA512(body, salt=key, 1000, 64 bytes))."""
    if not given:
        return False
    digest = hashlib.pbkdf2_hmac(
        "sha512", raw_body, key.encode(), SIGNATURE_ITERATIONS, SIGNATURE_BYTES
    )
    return hmac.compare_digest(base64.b64encode(digest), given.encode("latin-1"))


@lru_cache(maxsize=8)
def _networks(spec: str) -> tuple[Network, ...]:
    return parse_networks(spec)


@lru_cache(maxsize=8)
def _game_ids(spec: str) -> frozenset[str]:
    return frozenset(part.strip() for part in spec.split(",") if part.strip())


async def _ask_ledger(ctx: Context, operation: Operation, body: wire.Body) -> LedgerAnswer | None:
    if operation is Operation.BALANCE:
        assert body.username is not None
        return await player_balance(ctx.db, ctx.operator_id, body.username)
    return await game_call(ctx.db, _game_call(ctx, operation, body))


def _game_call(ctx: Context, operation: Operation, body: wire.Body) -> GameCall:
    """The ledger call of a money callback; Refused(997) for an amount the currency cannot hold."""
    assert body.username and body.transactionId and body.roundId and body.gameId
    exponent = _exponent(ctx, body.currency)
    amounts: dict[str, int] = {}
    if operation is not Operation.CANCEL:  # a cancel refunds the bet; its amount is ignored
        amounts["amount"] = _minor(body.amount, exponent)
    if operation is Operation.SETTLE:
        amounts["bet"] = _minor(body.bet, exponent)
    kind, debit, credit = {
        Operation.BET: (Kind.DEBIT, amounts.get("amount", 0), 0),
        Operation.PAYOUT: (Kind.CREDIT, 0, amounts.get("amount", 0)),
        Operation.SETTLE: (Kind.DEBIT_CREDIT, amounts.get("bet", 0), amounts.get("amount", 0)),
        Operation.CANCEL: (Kind.REVERSE, 0, 0),
    }[operation]
    return GameCall(
        caller=CALLER,
        operation=operation.value,
        kind=kind,
        external_id=body.transactionId,
        request_hash=_request_hash(operation, body, amounts),
        operator_id=ctx.operator_id,
        username=body.username,
        amount_exponent=exponent,
        currency=body.currency,
        debit_minor=debit,
        credit_minor=credit,
        round_id=body.roundId,
        game_id=body.gameId,
        close_round=operation in (Operation.PAYOUT, Operation.SETTLE) and bool(body.isEndRound),
        rules=_RULES,
    )


def _exponent(ctx: Context, currency: str | None) -> int:
    if currency is None:
        return 0  # only a cancel may omit it, and a cancel carries no amount to scale
    exponent = ctx.currencies.get(currency)
    if exponent is None:
        raise Refused(997)
    return exponent


def _minor(text: str | None, exponent: int) -> int:
    if text is None:
        raise Refused(997)
    try:
        return parse_minor(text, exponent)
    except AmountError as error:
        raise Refused(997) from error


def _request_hash(operation: Operation, body: wire.Body, amounts: dict[str, int]) -> bytes:
    """The whole body as parsed: any change is another request (997), but 50 and 50.00 are one."""
    fields: dict[str, object] = body.model_dump(exclude_none=True)
    if operation is Operation.CANCEL:
        fields.pop("amount", None)  # ignored by the contract, so not part of what was asked
    fields.update(amounts)
    return request_hash(fields)


def _endpoint(operation: Operation) -> Handler:
    async def handle(request: Request) -> Response:
        return await _serve(request, operation)

    def fallback(request: Request, error: BaseException) -> Response:
        # Anything unexpected (database down, a bug): 999, and the studio retries or cancels.
        note(request, caller=CALLER, operation=operation.value, code=999)
        return json_response(wire.render(999, None, None, moved=False))

    return always_answer(handle, fallback)


def routes() -> list[BaseRoute]:
    return [
        Route("/balance", _endpoint(Operation.BALANCE), methods=["POST"]),
        Route("/bet", _endpoint(Operation.BET), methods=["POST"]),
        Route("/payout", _endpoint(Operation.PAYOUT), methods=["POST"]),
        Route("/settle", _endpoint(Operation.SETTLE), methods=["POST"]),
        Route("/cancel", _endpoint(Operation.CANCEL), methods=["POST"]),
    ]

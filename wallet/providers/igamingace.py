"""iGamingAce seamless wallet: GetBalance, Withdraw, Deposit, BetWin, RollbackTransaction.

Contract: shared/protocols/igamingace.md. Every callback answers HTTP 200 with a result code.
Checks in the contract's order: parse (2) -> agent (4) -> sign (3) -> amounts (2) -> one ledger
call, which finds the player (5) and applies the money rules; `code_for` maps its outcome.

Decisions where the contract leaves room (the wire-level ones are in igamingace_wire.py):
- Every repeat of a transactionID per money endpoint answers 11 with the original's
  platformTransactionID and the balance right after the original, whatever else it carries
  (another amount, user, round, game or bet link; a user we do not know): the original is what
  happened, and anything but 11 would let the studio believe a debited bet failed. Nothing
  moves. The ledger reports a changed body as a conflict (the request hash differs); we then
  read the original and log which fields differed (`repeat_differs`), for support.
- A blocked player: GetBalance still answers 0 with the balance; Withdraw and BetWin answer 5
  "User is blocked" with the balance; Deposit and RollbackTransaction are served (a win is
  never lost, and the studio's rollback is authoritative).
- An agent is "configured" when both IGAMINGACE_AGENT_ID and IGAMINGACE_SECRET are set: with no
  secret every call answers 4, since no sign could be checked.
- A refusal before the ledger call (2, 3, 4) carries no balance: the caller is not yet known to
  be the studio (or its request is unreadable), and a balance is not told to strangers.
- A rollback answered 8 or 9 shows the player's current balance; a repeated rollback (the key
  (igamingace, reverse, refTransactionID) already used) answers 9 if it did roll back and 8 if
  it left a tombstone, as the first answer did not move money then either.
- An endpoint missing from IGAMINGACE_SIGNED_FIELDS is signed with the contract's default list.
- gameID is an integer or a string of digits (the same game); freeSpinID, isBonusBuy and
  Deposit's refTransactionID may be absent (details in igamingace_wire.py).
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from wallet.config import IGAMINGACE_SIGNED_FIELDS_DEFAULT, Settings
from wallet.context import Context, context_of
from wallet.ledger.game import REVERSE_OPERATION, GameCall, Kind, Rule, game_call, player_balance
from wallet.ledger.idempotency import request_hash
from wallet.ledger.money import AmountError, parse_minor
from wallet.ledger.originals import Original, original_of
from wallet.ledger.outcomes import LedgerAnswer, Outcome
from wallet.providers import igamingace_sign as sign
from wallet.providers import igamingace_wire as wire
from wallet.providers.common import Handler, always_answer, json_response
from wallet.providers.igamingace_wire import Callback, Endpoint, Reply
from wallet.web.bodies import BodyTooLarge, read_capped
from wallet.web.requestlog import note

CALLER = "igamingace"
REF_OPERATIONS = (Endpoint.WITHDRAW.value, Endpoint.DEPOSIT.value, Endpoint.BET_WIN.value)
BLOCKED_MESSAGE = "User is blocked"
_MONEY_RULES = frozenset({Rule.REF_TOMBSTONES})  # an id rolled back before it came: 9
_ROLLBACK_RULES = frozenset({Rule.REVERSE_BY_REF})
_KINDS = {
    Endpoint.WITHDRAW: Kind.DEBIT,
    Endpoint.DEPOSIT: Kind.CREDIT,
    Endpoint.BET_WIN: Kind.DEBIT_CREDIT,
}

_MONEY_CODES: dict[Outcome, int] = {
    Outcome.NEW: 0,
    Outcome.REPLAY: 11,  # even after a rollback of the original: the original did happen
    Outcome.INSUFFICIENT: 6,
    Outcome.NO_PLAYER: 5,
    Outcome.BLOCKED: 5,
    Outcome.BAD_AMOUNT: 2,  # not representable in the player's currency (12.30 for KRW)
    Outcome.TOMBSTONED: 9,  # rolled back before it arrived
}
_ROLLBACK_CODES: dict[Outcome, int] = {
    Outcome.NEW: 0,
    # Never seen: a tombstone is left, so the original will answer 9. Or another player's
    # transaction: nothing is stored (schema/functions/wallet_game_call.sql).
    Outcome.NOT_FOUND: 8,
    Outcome.ALREADY_REVERSED: 9,
    Outcome.NO_PLAYER: 5,
}
_REPEATED_ROLLBACK_CODES = {"reverse": 9, "tombstone": 8}  # by the stored kind of the first
# What a money callback's repeat may come back as: a changed body (conflict), or a user we do
# not know (the key is looked up under the named player's lock, so an unknown one stops first).
_MAYBE_REPEATS = (Outcome.CONFLICT, Outcome.NO_PLAYER)


def code_for(endpoint: Endpoint, answer: LedgerAnswer | None) -> int:
    """The iGamingAce code of a ledger answer (None: no such player). The one place they map;
    an outcome these rules cannot produce is our bug, answered 1."""
    if answer is None:
        return 5
    if endpoint is Endpoint.GET_BALANCE:
        return 0 if answer.outcome in (Outcome.OK, Outcome.BLOCKED) else 1
    if endpoint is Endpoint.ROLLBACK:
        if answer.outcome in (Outcome.REPLAY, Outcome.CONFLICT):
            return _REPEATED_ROLLBACK_CODES.get(answer.tx_kind or "", 1)
        return _ROLLBACK_CODES.get(answer.outcome, 1)
    return _MONEY_CODES.get(answer.outcome, 1)


def reply_for(endpoint: Endpoint, answer: LedgerAnswer | None) -> Reply:
    """The answer to send for a ledger answer: its code, id and balance."""
    code = code_for(endpoint, answer)
    if answer is None or answer.balance_after_minor is None or answer.exponent is None:
        return Reply(code)
    blocked = answer.outcome is Outcome.BLOCKED and code == 5
    return Reply(
        code,
        message=BLOCKED_MESSAGE if blocked else None,
        platform_tx_id=str(answer.tx_id) if code in (0, 11) and answer.tx_id is not None else None,
        balance_minor=answer.balance_after_minor,
        exponent=answer.exponent,
    )


class Refused(Exception):
    """A request answered with a code before the ledger is asked."""

    def __init__(self, code: int) -> None:
        super().__init__(code)
        self.code = code


async def _serve(request: Request, endpoint: Endpoint) -> Response:
    ctx = context_of(request)
    callback: Callback | None = None
    try:
        callback = await _parsed(request, ctx.settings, endpoint)
        _check_agent(ctx.settings, callback)
        _check_sign(ctx.settings, callback)
        reply = await _ask_ledger(request, ctx, callback, _amounts(callback))
    except Refused as refusal:
        reply = Reply(refusal.code)
    external_id = callback.external_id if callback else None
    note(request, caller=CALLER, operation=endpoint.value, external_id=external_id, code=reply.code)
    return json_response(wire.render(reply))


async def _parsed(request: Request, settings: Settings, endpoint: Endpoint) -> Callback:
    try:
        body = await read_capped(
            request, settings.request_body_max_bytes, settings.request_body_timeout_s
        )
        return wire.parse(body, endpoint)
    except (BodyTooLarge, wire.Invalid) as error:
        raise Refused(2) from error


def _check_agent(settings: Settings, callback: Callback) -> None:
    agent_id = settings.igamingace_agent_id
    secret = settings.igamingace_secret.get_secret_value()
    if not (agent_id and secret and callback.agent_id == agent_id):
        raise Refused(4)


def _check_sign(settings: Settings, callback: Callback) -> None:
    name = callback.endpoint.value
    names = settings.igamingace_signed_fields.get(name, IGAMINGACE_SIGNED_FIELDS_DEFAULT[name])
    values = sign.signed_values(callback.fields, names, callback.amount_texts)
    secret = settings.igamingace_secret.get_secret_value()
    if not sign.verify(secret, values, callback.fields.get("sign")):
        raise Refused(3)


def _amounts(callback: Callback) -> dict[str, int]:
    """Each amount in hundredths; the ledger rescales to the player's currency (or refuses)."""
    try:
        return {
            name: parse_minor(text, sign.AMOUNT_EXPONENT)
            for name, text in callback.amount_texts.items()
        }
    except AmountError as error:
        raise Refused(2) from error


async def _ask_ledger(
    request: Request, ctx: Context, callback: Callback, amounts: dict[str, int]
) -> Reply:
    if callback.endpoint is Endpoint.GET_BALANCE:
        found = await player_balance(ctx.db, ctx.operator_id, callback.user_id)
        return reply_for(callback.endpoint, found)
    answer = await game_call(ctx.db, ledger_call(ctx.operator_id, callback, amounts))
    if callback.endpoint is not Endpoint.ROLLBACK and answer.outcome in _MAYBE_REPEATS:
        assert callback.transaction_id is not None
        original = await original_of(
            ctx.db, CALLER, callback.endpoint.value, callback.transaction_id
        )
        if original is not None:
            note(request, repeat_differs=differences(callback, amounts, original))
            return reply_for(callback.endpoint, original.answer)
    reply = reply_for(callback.endpoint, answer)
    if answer.outcome is Outcome.REPLAY and reply.code in (8, 9):
        # A replay carries the balance of the first rollback; 8 and 9 move nothing now, so
        # they show the balance as it is, like every other refusal.
        current = await player_balance(ctx.db, ctx.operator_id, callback.user_id)
        if current is not None and current.balance_after_minor is not None:
            return Reply(
                reply.code, balance_minor=current.balance_after_minor, exponent=current.exponent
            )
    return reply


def ledger_call(operator_id: int, callback: Callback, amounts: dict[str, int]) -> GameCall:
    """The ledger call of a money callback. Amounts go in hundredths with no currency: the
    ledger converts them to the player's currency, or answers bad_amount (2)."""
    if callback.endpoint is Endpoint.ROLLBACK:
        assert callback.ref_id is not None
        return GameCall(
            caller=CALLER,
            operation=REVERSE_OPERATION,
            kind=Kind.REVERSE,
            external_id=callback.ref_id,
            request_hash=request_hash({"userID": callback.user_id, "ref": callback.ref_id}),
            operator_id=operator_id,
            username=callback.user_id,
            amount_exponent=sign.AMOUNT_EXPONENT,
            game_id=callback.game_id,
            ref_id=callback.ref_id,
            ref_operations=REF_OPERATIONS,
            rules=_ROLLBACK_RULES,
        )
    assert callback.transaction_id is not None and callback.round_id is not None
    debit_minor, credit_minor = _legs(callback.endpoint, amounts)
    return GameCall(
        caller=CALLER,
        operation=callback.endpoint.value,
        kind=_KINDS[callback.endpoint],
        external_id=callback.transaction_id,
        request_hash=_request_hash(callback, amounts),
        operator_id=operator_id,
        username=callback.user_id,
        amount_exponent=sign.AMOUNT_EXPONENT,
        debit_minor=debit_minor,
        credit_minor=credit_minor,
        round_id=callback.round_id,
        game_id=callback.game_id,
        ref_id=callback.ref_id,
        rules=_MONEY_RULES,
    )


def differences(callback: Callback, amounts: dict[str, int], original: Original) -> list[str]:
    """The names of the fields in which a repeat differs from its original, for the log."""
    assert original.answer.exponent is not None
    debit, credit = _legs(callback.endpoint, amounts)
    scale_original = 10**sign.AMOUNT_EXPONENT
    scale_repeat = 10**original.answer.exponent  # compare hundredths with the player's minor
    differs = {
        "userID": callback.user_id != original.username,
        "roundID": callback.round_id != original.round_id,
        "gameID": callback.game_id != original.game_id,
        "refTransactionID": callback.ref_id != original.ref_id,
        "debit": debit * scale_repeat != original.debit_minor * scale_original,
        "credit": credit * scale_repeat != original.credit_minor * scale_original,
    }
    return [name for name, differ in differs.items() if differ]


def _legs(endpoint: Endpoint, amounts: dict[str, int]) -> tuple[int, int]:
    """(debit, credit) in hundredths: BetWin both legs in one transaction."""
    if endpoint is Endpoint.BET_WIN:
        return amounts["betAmount"], amounts["winAmount"]
    if endpoint is Endpoint.WITHDRAW:
        return amounts["amount"], 0
    return 0, amounts["amount"]


def _request_hash(callback: Callback, amounts: dict[str, int]) -> bytes:
    """What the call asks of the ledger: a change of it under one transactionID is a repeat
    that differs (11, logged); 12.3 and "12.30" are the same amount, and freeSpinID/isBonusBuy
    move nothing."""
    return request_hash(
        {
            "userID": callback.user_id,
            "roundID": callback.round_id,
            "gameID": callback.game_id,
            "refTransactionID": callback.ref_id,
            **amounts,
        }
    )


def _endpoint(endpoint: Endpoint) -> Handler:
    async def handle(request: Request) -> Response:
        return await _serve(request, endpoint)

    def fallback(request: Request, error: BaseException) -> Response:
        # Anything unexpected (database down, a bug): 1, and the studio retries.
        note(request, caller=CALLER, operation=endpoint.value, code=1)
        return json_response(wire.render(Reply(1)))

    return always_answer(handle, fallback)


def routes() -> list[BaseRoute]:
    return [
        Route(f"/{endpoint.value}", _endpoint(endpoint), methods=["POST"]) for endpoint in Endpoint
    ]

"""iGamingAce on the wire: the request fields we accept and the answers we write.

Contract: shared/protocols/igamingace.md. A request is a JSON object; each endpoint's fields
are checked for presence and type here (a failure is code 2, "Wrong input parameters"). The
amounts are only typed here; their values are checked after the sign (the contract's order).
Fields the contract does not name are ignored: the studio may add some, and none moves money.

Decisions where the contract leaves room:
- gameID is an integer; a string of digits ("1566") is accepted as the same game, because the
  field is informational (stored for reports, never signed by default) and refusing it would
  refuse money calls over a serialization detail. It is kept as the decimal text of the integer.
- freeSpinID may be absent, null or a string; isBonusBuy may be absent, 0 or 1 (not true/false).
- Deposit's refTransactionID may be absent, null or empty: a win is never refused for its link.
- Ids (transactionID, roundID, refTransactionID, agentID) are 1-128 characters without control
  characters, so nothing we store or log can carry a NUL or a line break.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from wallet.ledger.money import format_minor
from wallet.providers.common import BadJson, amount_text, loads_exact

TEXT_MAX = 128
GAME_ID_MAX = 2**63 - 1
_USER_ID = re.compile(r"[A-Za-z0-9]{4,48}")
_TEXT = re.compile(rf"[^\x00-\x1f\x7f\ud800-\udfff]{{1,{TEXT_MAX}}}")
_GAME_ID_TEXT = re.compile(r"[0-9]{1,18}")
BALANCE_EXPONENT = 2  # the contract's balance has two decimals


class Endpoint(StrEnum):
    GET_BALANCE = "GetBalance"
    WITHDRAW = "Withdraw"
    DEPOSIT = "Deposit"
    BET_WIN = "BetWin"
    ROLLBACK = "RollbackTransaction"


AMOUNT_FIELDS: dict[Endpoint, tuple[str, ...]] = {
    Endpoint.GET_BALANCE: (),
    Endpoint.WITHDRAW: ("amount",),
    Endpoint.DEPOSIT: ("amount",),
    Endpoint.BET_WIN: ("betAmount", "winAmount"),
    Endpoint.ROLLBACK: (),
}
_MONEY_CALLS = (Endpoint.WITHDRAW, Endpoint.DEPOSIT, Endpoint.BET_WIN)

MESSAGES: dict[int, str] = {
    0: "Success",
    1: "General error",
    2: "Wrong input parameters",
    3: "Invalid sign",
    4: "Invalid agent",
    5: "User not found",
    6: "Insufficient funds",
    8: "Transaction not found",
    9: "Already rolled back",
    11: "Duplicate transaction",
}


class Invalid(ValueError):
    """A request the contract calls "wrong input parameters" (code 2)."""


@dataclass(frozen=True, slots=True)
class Callback:
    """A request whose fields have the contract's shapes (amounts still as text)."""

    endpoint: Endpoint
    fields: Mapping[str, object]  # the JSON object as sent: what the sign covers
    agent_id: str
    user_id: str
    game_id: str
    transaction_id: str | None = None  # Withdraw, Deposit, BetWin
    round_id: str | None = None  # Withdraw, Deposit, BetWin
    ref_id: str | None = None  # RollbackTransaction (required), Deposit (the bet, optional)
    amount_texts: Mapping[str, str] = field(default_factory=dict)

    @property
    def external_id(self) -> str | None:
        """The id the call is known by: a rollback is keyed by what it rolls back."""
        return self.ref_id if self.endpoint is Endpoint.ROLLBACK else self.transaction_id


def parse(body: bytes, endpoint: Endpoint) -> Callback:
    """The request's fields, shaped as the endpoint needs them; Invalid otherwise."""
    try:
        fields = loads_exact(body)
    except BadJson as error:
        raise Invalid("not JSON") from error
    if not isinstance(fields, dict):
        raise Invalid("not a JSON object")
    _check_optional(fields)
    money = endpoint in _MONEY_CALLS
    return Callback(
        endpoint=endpoint,
        fields=fields,
        agent_id=_text(fields, "agentID"),
        user_id=_user_id(fields),
        game_id=_game_id(fields),
        transaction_id=_text(fields, "transactionID") if money else None,
        round_id=_text(fields, "roundID") if money else None,
        ref_id=_ref_id(fields, endpoint),
        amount_texts={name: _amount(fields, name) for name in AMOUNT_FIELDS[endpoint]},
    )


def _text(fields: Mapping[str, object], name: str) -> str:
    value = fields.get(name)
    if not isinstance(value, str) or _TEXT.fullmatch(value) is None:
        raise Invalid(f"{name}: not an id")
    return value


def _user_id(fields: Mapping[str, object]) -> str:
    value = fields.get("userID")
    if not isinstance(value, str) or _USER_ID.fullmatch(value) is None:
        raise Invalid("userID: not 4-48 letters and digits")
    return value


def _game_id(fields: Mapping[str, object]) -> str:
    value = fields.get("gameID")
    if isinstance(value, str) and _GAME_ID_TEXT.fullmatch(value):
        return str(int(value))
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= GAME_ID_MAX:
        return str(value)
    raise Invalid("gameID: not an integer")


def _ref_id(fields: Mapping[str, object], endpoint: Endpoint) -> str | None:
    if endpoint is Endpoint.ROLLBACK:
        return _text(fields, "refTransactionID")
    if endpoint is Endpoint.DEPOSIT and fields.get("refTransactionID") not in (None, ""):
        return _text(fields, "refTransactionID")
    return None


def _amount(fields: Mapping[str, object], name: str) -> str:
    text = amount_text(fields.get(name))
    if text is None:
        raise Invalid(f"{name}: not a number")
    return text


def _check_optional(fields: Mapping[str, object]) -> None:
    free_spin = fields.get("freeSpinID")
    if free_spin is not None and not (
        isinstance(free_spin, str) and (free_spin == "" or _TEXT.fullmatch(free_spin))
    ):
        raise Invalid("freeSpinID: not a string id")
    bonus_buy = fields.get("isBonusBuy", 0)
    if isinstance(bonus_buy, bool) or bonus_buy not in (0, 1):
        raise Invalid("isBonusBuy: not 0 or 1")


@dataclass(frozen=True, slots=True)
class Reply:
    """What we answer: a code, and what the contract says goes with it."""

    code: int
    message: str | None = None  # None: the code's standard message
    platform_tx_id: str | None = None  # only with 0 and 11
    balance_minor: int | None = None  # present whenever the player is known
    exponent: int | None = None  # the player's currency exponent

    def __post_init__(self) -> None:
        assert self.code in MESSAGES, self.code
        assert self.platform_tx_id is None or self.code in (0, 11)
        assert (self.balance_minor is None) == (self.exponent is None)


def render(reply: Reply) -> bytes:
    """The answer body, written by hand: the balance is a JSON number with two decimals (never
    through a float) and the fields come in the contract's order."""
    message = reply.message if reply.message is not None else MESSAGES[reply.code]
    parts = [f'"code":{reply.code}', f'"message":{json.dumps(message)}']
    if reply.platform_tx_id is not None:
        parts.append(f'"platformTransactionID":{json.dumps(reply.platform_tx_id)}')
    if reply.balance_minor is not None and reply.exponent is not None:
        parts.append(f'"balance":{balance_text(reply.balance_minor, reply.exponent)}')
    return ("{" + ",".join(parts) + "}").encode()


def balance_text(minor: int, exponent: int) -> str:
    """A balance with the contract's two decimals (KRW 5000 -> 5000.00); a currency with more
    than two decimals keeps all of them, since money is never rounded."""
    if exponent <= BALANCE_EXPONENT:
        return format_minor(minor * 10 ** (BALANCE_EXPONENT - exponent), BALANCE_EXPONENT)
    return format_minor(minor, exponent)

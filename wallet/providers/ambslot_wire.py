"""AMBSlot on the wire: the request bodies we accept and the answers we write.

Contract: shared/protocols/ambslot.md. Requests are validated strictly (exact types, no float,
no name the contract does not know); answers are written by hand so that balances come out as
JSON numbers with exactly the currency's decimals (100.50, never 100.5 through a float).
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from typing import Annotated

from pydantic import BaseModel, BeforeValidator, ConfigDict, StringConstraints

from wallet.ledger.money import format_minor
from wallet.ledger.outcomes import LedgerAnswer
from wallet.providers.common import amount_text

TEXT_MAX = 128  # ids, names and timestamps: far above what the studio sends, bounded anyway

MESSAGES: dict[int, str] = {
    0: "Success",
    607: "Bet failed",
    800: "Balance insufficient",
    900: "Duplicate round id",
    908: "Invalid username or token",
    995: "Invalid game id",
    997: "Invalid request data",
    998: "Invalid agent id",
    999: "Service not available",
}

# Plain decimal notation with an optional minus (winlose may be negative); no exponent, so
# 1e2 is refused for every numeric field. Amounts are checked further against the currency.
_PLAIN_NUMBER = re.compile(r"-?(0|[1-9][0-9]{0,17})(\.[0-9]{1,18})?")


def _number_text(value: object) -> str:
    text = amount_text(value)
    if text is None or _PLAIN_NUMBER.fullmatch(text) is None:
        raise ValueError("not a plain decimal number")
    return text


Text = Annotated[str, StringConstraints(min_length=1, max_length=TEXT_MAX)]
# A JSON number or numeric string, kept as its exact decimal text.
Number = Annotated[str, BeforeValidator(_number_text)]


class Body(BaseModel):
    """Every field the contract names, optional here; each callback's model requires its own.

    A field of the contract that another callback uses is type-checked and otherwise ignored
    (the studio may send it anywhere); a name the contract does not know is invalid (997).
    """

    model_config = ConfigDict(strict=True, extra="forbid", frozen=True)

    username: Text | None = None
    agentId: Text | None = None
    agent: Text | None = None
    game: Text | None = None
    gameId: Text | None = None
    roundId: Text | None = None
    amount: Number | None = None
    bet: Number | None = None
    winlose: Number | None = None
    turnover: Number | None = None
    currency: Text | None = None
    transactionId: Text | None = None
    timestamp: Text | None = None
    isEndRound: bool | None = None
    featureBuy: bool | None = None


class BalanceBody(Body):
    username: Text
    agentId: Text


class RoundBody(Body):
    """What every money callback carries; cancel needs nothing more (amount, currency optional)."""

    username: Text
    agent: Text
    game: Text
    gameId: Text
    roundId: Text
    transactionId: Text
    timestamp: Text


class BetBody(RoundBody):
    amount: Number
    currency: Text
    isEndRound: bool
    featureBuy: bool


class PayoutBody(BetBody):
    turnover: Number


class SettleBody(PayoutBody):
    bet: Number
    winlose: Number


def render(code: int, username: str | None, answer: LedgerAnswer | None, *, moved: bool) -> bytes:
    """The answer body, from the code, the request's username and the ledger's answer only.

    Nothing here reads the clock or the request beyond the username, so a replay (the stored
    answer of the original) renders byte for byte as the original did.
    """
    status = f'{{"code":{code},"message":{json.dumps(MESSAGES[code])}}}'
    return f'{{"status":{status},"data":{_data(code, username, answer, moved)}}}'.encode()


def _data(code: int, username: str | None, answer: LedgerAnswer | None, moved: bool) -> str:
    if username is None or answer is None or not _has_balance(answer):
        return "null"  # the player is not known (or we stopped before asking the ledger)
    assert answer.balance_after_minor is not None and answer.exponent is not None
    assert answer.tx_at is not None
    after = format_minor(answer.balance_after_minor, answer.exponent)
    parts = [
        f'"username":{json.dumps(username)}',
        f'"wallet":{{"balance":{after},"lastUpdate":"{last_update(answer.tx_at)}"}}',
    ]
    if moved and code == 0:
        assert answer.balance_before_minor is not None and answer.tx_id is not None
        before = format_minor(answer.balance_before_minor, answer.exponent)
        parts.append(f'"balance":{{"before":{before},"after":{after}}}')
        parts.append(f'"refId":"{ref_id(answer.tx_id)}"')
    return "{" + ",".join(parts) + "}"


def _has_balance(answer: LedgerAnswer) -> bool:
    return (
        answer.balance_after_minor is not None
        and answer.exponent is not None
        and answer.tx_at is not None
    )


def ref_id(tx_id: int) -> str:
    """Our reference of a transaction: its ledger id, so a replay names the same one."""
    return str(tx_id)


def last_update(at: datetime) -> str:
    """UTC with milliseconds and a Z, as the studio writes it: 2019-12-01T18:01:51.686Z."""
    utc = at.astimezone(UTC)
    return f"{utc:%Y-%m-%dT%H:%M:%S}.{utc.microsecond // 1000:03d}Z"

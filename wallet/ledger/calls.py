"""What a seamless-wallet call is: a studio's bet, win, bet-and-win or reverse, with the rules
that differ between studios as flags (game_rules.py says what each does).

Its own module so that game.py (which sends calls) and batching.py (which groups them into
statements) both import it and not each other.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class Kind(StrEnum):
    DEBIT = "debit"
    CREDIT = "credit"
    DEBIT_CREDIT = "debit_credit"
    REVERSE = "reverse"


class Rule(StrEnum):
    ROUND_SINGLE_BET = "round_single_bet"
    ROUND_NEEDS_BET = "round_needs_bet"
    REVERSE_BY_ROUND = "reverse_by_round"
    REVERSE_BY_REF = "reverse_by_ref"
    REF_TOMBSTONES = "ref_tombstones"


# Reversals by reference are keyed (caller, REVERSE_OPERATION, referenced id), so that the
# referenced call can find a tombstone left before it arrived.
REVERSE_OPERATION = "reverse"


@dataclass(frozen=True, slots=True)
class GameCall:
    caller: str
    operation: str
    kind: Kind
    external_id: str
    request_hash: bytes
    operator_id: int
    username: str
    amount_exponent: int
    currency: str | None = None
    debit_minor: int = 0
    credit_minor: int = 0
    round_id: str | None = None
    game_id: str | None = None
    ref_id: str | None = None
    ref_operations: tuple[str, ...] = ()
    close_round: bool = False
    rules: frozenset[Rule] = field(default_factory=frozenset)

    def __post_init__(self) -> None:
        assert self.debit_minor >= 0 and self.credit_minor >= 0, "amounts are non-negative"
        assert self.kind != Kind.REVERSE or not (self.debit_minor or self.credit_minor)

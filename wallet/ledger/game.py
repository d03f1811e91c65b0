"""Seamless-wallet calls: a studio's bet, win, bet-and-win or reverse as one ledger statement.

The rules that differ between studios are flags (see schema/sql/0001_game_call.sql); the
adapters in wallet/providers choose them, this module only carries them to the database.
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass, field
from enum import StrEnum

from wallet.ledger.batching import GameBatcher
from wallet.ledger.database import LedgerDB
from wallet.ledger.outcomes import LedgerAnswer


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


_BALANCE_SQL = "SELECT * FROM wallet_player_balance(%s, %s)"


_batchers: weakref.WeakKeyDictionary[LedgerDB, GameBatcher] = weakref.WeakKeyDictionary()


async def game_call(db: LedgerDB, call: GameCall) -> LedgerAnswer:
    """The call's outcome; concurrent calls of this process share statements (batching.py)."""
    batcher = _batchers.get(db)
    if batcher is None:
        batcher = _batchers[db] = GameBatcher(db, pipelines=db.pipelines)
    return await batcher.submit(call)


async def player_balance(db: LedgerDB, operator_id: int, username: str) -> LedgerAnswer | None:
    """Main plus debt of an active or blocked player; None for an unknown one."""
    row = await db.one(_BALANCE_SQL, (operator_id, username))
    if row is None or row[0] is None:
        return None
    return LedgerAnswer.from_row(row)

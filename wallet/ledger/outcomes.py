"""What a ledger call answers: an outcome and the balances around it (minor units)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class Outcome(StrEnum):
    NEW = "new"  # moved money (or recorded a tombstone) just now
    REPLAY = "replay"  # same key, same request: the stored answer of the original
    CONFLICT = "conflict"  # same key, different request: nothing moved
    INSUFFICIENT = "insufficient"
    TOMBSTONE = "tombstone"  # a reverse of something unseen: nothing moved, remembered
    NOT_FOUND = "not_found"  # the same, for studios that call it "transaction not found"
    TOMBSTONED = "tombstoned"  # the call was reversed before it arrived: nothing moved
    ALREADY_REVERSED = "already_reversed"
    ALREADY_RESOLVED = "already_resolved"  # a reserve confirmed or released before
    NO_PLAYER = "no_player"
    NO_ACCOUNT = "no_account"
    BLOCKED = "blocked"
    CURRENCY_MISMATCH = "currency_mismatch"
    BAD_AMOUNT = "bad_amount"  # not representable in the player's currency
    ROUND_EXISTS = "round_exists"
    ROUND_MISSING = "round_missing"
    ROUND_CANCELLED = "round_cancelled"
    ROUND_CLOSED = "round_closed"
    ROUND_CREDITED = "round_credited"
    GAME_MISMATCH = "game_mismatch"
    OK = "ok"  # a read


@dataclass(frozen=True, slots=True)
class LedgerAnswer:
    outcome: Outcome
    tx_id: int | None
    tx_kind: str | None
    balance_before_minor: int | None
    balance_after_minor: int | None
    currency: str | None
    exponent: int | None
    tx_at: datetime | None

    @classmethod
    def from_row(cls, row: tuple[object, ...]) -> LedgerAnswer:
        outcome, tx_id, tx_kind, before, after, currency, exponent, tx_at = row
        return cls(
            outcome=Outcome(str(outcome)),
            tx_id=tx_id,  # type: ignore[arg-type]
            tx_kind=tx_kind,  # type: ignore[arg-type]
            balance_before_minor=before,  # type: ignore[arg-type]
            balance_after_minor=after,  # type: ignore[arg-type]
            currency=currency.strip() if isinstance(currency, str) else None,
            exponent=exponent,  # type: ignore[arg-type]
            tx_at=tx_at,  # type: ignore[arg-type]
        )


class LedgerUnavailable(Exception):
    """The database could not be reached or did not answer in time."""

"""Two-phase moves: reserve money into a pending account, then confirm it onward or release it.

Used where the other side's answer can be late or lost (transfer-wallet studios): the money
leaves the player's balance at once, but is neither lost nor delivered until a final answer.
A reserve is resolved at most once (unique resolves_id): confirm and release exclude each other.
"""

from __future__ import annotations

from dataclasses import dataclass

from wallet.ledger.database import Queries
from wallet.ledger.idempotency import request_hash
from wallet.ledger.outcomes import LedgerAnswer, Outcome
from wallet.ledger.postings import post


@dataclass(frozen=True, slots=True)
class Reserve:
    tx_id: int
    source_account: int
    pending_account: int
    amount_minor: int


async def reserve(
    db: Queries, *, caller: str, external_id: str, source: int, pending: int, amount_minor: int
) -> tuple[LedgerAnswer, Reserve | None]:
    """Move amount_minor from source to pending; INSUFFICIENT moves nothing."""
    answer = await post(
        db,
        caller=caller,
        operation="reserve",
        external_id=external_id,
        kind="reserve",
        request_hash=request_hash({"source": source, "pending": pending, "amount": amount_minor}),
        legs=[(source, -amount_minor), (pending, amount_minor)],
        key_account=source,
    )
    if answer.outcome not in (Outcome.NEW, Outcome.REPLAY) or answer.tx_id is None:
        return answer, None
    return answer, Reserve(answer.tx_id, source, pending, amount_minor)


async def confirm(
    db: Queries, *, caller: str, external_id: str, held: Reserve, destination: int
) -> LedgerAnswer:
    """The other side took the money: pending moves on to destination."""
    return await post(
        db,
        caller=caller,
        operation="confirm",
        external_id=external_id,
        kind="confirm",
        request_hash=request_hash({"reserve": held.tx_id, "destination": destination}),
        legs=[(held.pending_account, -held.amount_minor), (destination, held.amount_minor)],
        key_account=held.pending_account,
        resolves=held.tx_id,
    )


async def release(db: Queries, *, caller: str, external_id: str, held: Reserve) -> LedgerAnswer:
    """The other side definitely refused: pending goes back where it came from, exactly."""
    return await post(
        db,
        caller=caller,
        operation="release",
        external_id=external_id,
        kind="release",
        request_hash=request_hash({"reserve": held.tx_id}),
        legs=[(held.pending_account, -held.amount_minor), (held.source_account, held.amount_minor)],
        key_account=held.source_account,
        reverses=held.tx_id,
        resolves=held.tx_id,
    )

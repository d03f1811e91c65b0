"""The original of a repeated call: what a studio's first call under an idempotency key did.

Studios whose contract answers every repeat with the original (iGamingAce: any duplicate
transactionID is 11, whatever else it carries) ask for it when the ledger reports a conflict,
to answer with the original's id and balance and to log what the repeat changed. The row is
immutable once committed, so reading it needs no lock.
"""

from __future__ import annotations

from dataclasses import dataclass

from wallet.ledger.database import LedgerDB
from wallet.ledger.outcomes import LedgerAnswer, Outcome

_ORIGINAL_SQL = """
SELECT t.id, t.kind, t.balance_before_minor, t.balance_after_minor, a.currency, c.exponent,
       t.created_at, p.username, t.round_id, t.game_id, t.ref_external_id, t.debit_minor,
       t.credit_minor
  FROM transactions t
  JOIN accounts a ON a.id = t.account_id
  JOIN currencies c ON c.code = a.currency
  JOIN players p ON a.owner_type = 'player' AND p.id = a.owner_id
 WHERE t.caller = %s AND t.operation = %s AND t.external_id = %s
"""


@dataclass(frozen=True, slots=True)
class Original:
    answer: LedgerAnswer  # outcome REPLAY: the stored answer of the original
    username: str
    round_id: str | None
    game_id: str | None
    ref_id: str | None
    debit_minor: int  # in the player's currency
    credit_minor: int


async def original_of(
    db: LedgerDB, caller: str, operation: str, external_id: str
) -> Original | None:
    """The player's transaction under this key, or None (never seen, or not a player's)."""
    row = await db.one(_ORIGINAL_SQL, (caller, operation, external_id))
    if row is None:
        return None
    answer = LedgerAnswer.from_row(("replay", *row[:7]))
    assert answer.outcome is Outcome.REPLAY
    username, round_id, game_id, ref_id, debit_minor, credit_minor = row[7:]
    return Original(answer, username, round_id, game_id, ref_id, debit_minor, credit_minor)

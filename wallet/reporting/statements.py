"""What the operator's support staff look up when a studio or a shop asks "what happened?"
(issue #21): a player's statement (each posting of the player's accounts with its transaction)
and one transaction told whole (its stored answer, its postings, what reversed or resolved it).

Repeats are not in the ledger: a replay (same key, same request) or a conflict (same key, another
request) writes nothing, by design (a storm of retries costs no writes). Each call's request log
line is their record: caller, operation, external_id and its outcome or code.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from wallet.ledger.database import Queries

# Who an account belongs to, as a person reads it: a player's or agent's username, a shop's name.
_OWNER = """
CASE a.owner_type
  WHEN 'player' THEN (SELECT username FROM players WHERE id = a.owner_id)
  WHEN 'agent' THEN (SELECT username FROM agents WHERE id = a.owner_id)
  WHEN 'shop' THEN (SELECT name FROM shops WHERE id = a.owner_id) END"""


@dataclass(frozen=True, slots=True)
class StatementLine:
    posting_id: int
    at: datetime
    tx_id: int
    caller: str
    operation: str
    external_id: str
    kind: str
    purpose: str  # the player's account: main, debt, ...
    amount_minor: int
    balance_after_minor: int | None
    exponent: int
    cashier: str | None  # the cashier who made a shop's move


async def player_statement(
    db: Queries, player_id: int, since: datetime | None, until: datetime | None, limit: int
) -> list[StatementLine]:
    """The postings of the player's accounts made in [since, until), oldest first, at most
    `limit` (ask for one more to know whether there are more)."""
    rows = await db.all(
        """
        SELECT p.id, t.created_at, t.id, t.caller, t.operation, t.external_id, t.kind, a.purpose,
               p.amount_minor, p.balance_after_minor, c.exponent, k.username
          FROM accounts a
          JOIN currencies c ON c.code = a.currency
          JOIN postings p ON p.account_id = a.id
          JOIN transactions t ON t.id = p.transaction_id
          LEFT JOIN cashier_moves m ON m.tx_id = t.id
          LEFT JOIN cashiers k ON k.id = m.cashier_id
         WHERE a.owner_type = 'player' AND a.owner_id = %(player)s
           AND (%(since)s::timestamptz IS NULL OR t.created_at >= %(since)s)
           AND (%(until)s::timestamptz IS NULL OR t.created_at < %(until)s)
         ORDER BY p.id
         LIMIT %(limit)s
        """,
        {"player": player_id, "since": since, "until": until, "limit": limit},
    )
    return [StatementLine(*row) for row in rows]


@dataclass(frozen=True, slots=True)
class PostingLine:
    posting_id: int
    account_id: int
    account: str  # 'player member001 main', 'shop SHOP1 main', 'system game:ambslot'
    currency: str
    exponent: int
    amount_minor: int
    balance_after_minor: int | None


@dataclass(frozen=True, slots=True)
class Related:
    """Another transaction tied to this one: what it reversed or resolved, or what reversed or
    resolved it."""

    relation: str  # 'reverses', 'resolves', 'reversed by', 'resolved by'
    tx_id: int
    caller: str
    operation: str
    external_id: str


@dataclass(frozen=True, slots=True)
class StoredTransaction:
    id: int
    caller: str
    operation: str
    external_id: str
    kind: str
    created_at: datetime
    request_hash: bytes
    round_id: str | None
    game_id: str | None
    ref_external_id: str | None
    debit_minor: int
    credit_minor: int
    balance_before_minor: int | None  # the stored answer a replay gets back
    balance_after_minor: int | None
    account: str | None  # 'player member001 main': the account a player's call moved
    exponent: int | None
    postings: tuple[PostingLine, ...]
    related: tuple[Related, ...]


_TRANSACTIONS = f"""
SELECT t.id, t.caller, t.operation, t.external_id, t.kind, t.created_at, t.request_hash,
       t.round_id, t.game_id, t.ref_external_id, t.debit_minor, t.credit_minor,
       t.balance_before_minor, t.balance_after_minor,
       CASE WHEN a.id IS NOT NULL THEN concat_ws(' ', a.owner_type, {_OWNER}, a.purpose) END,
       c.exponent
  FROM transactions t
  LEFT JOIN accounts a ON a.id = t.account_id
  LEFT JOIN currencies c ON c.code = a.currency
 WHERE t.caller = %s AND t.external_id = %s
 ORDER BY t.id
"""
_POSTINGS = f"""
SELECT p.id, a.id, concat_ws(' ', a.owner_type, {_OWNER}, a.purpose), a.currency, c.exponent,
       p.amount_minor,
       p.balance_after_minor
  FROM postings p
  JOIN accounts a ON a.id = p.account_id
  JOIN currencies c ON c.code = a.currency
 WHERE p.transaction_id = %s
 ORDER BY p.id
"""
_RELATED = """
SELECT 'reverses', o.id, o.caller, o.operation, o.external_id
  FROM transactions t JOIN transactions o ON o.id = t.reverses_id WHERE t.id = %(id)s
UNION ALL
SELECT 'resolves', o.id, o.caller, o.operation, o.external_id
  FROM transactions t JOIN transactions o ON o.id = t.resolves_id WHERE t.id = %(id)s
UNION ALL
SELECT 'reversed by', o.id, o.caller, o.operation, o.external_id
  FROM transactions o WHERE o.reverses_id = %(id)s
UNION ALL
SELECT 'resolved by', o.id, o.caller, o.operation, o.external_id
  FROM transactions o WHERE o.resolves_id = %(id)s
"""


async def transactions_under(db: Queries, caller: str, external_id: str) -> list[StoredTransaction]:
    """Every transaction of the caller under this external id (one per operation), told whole."""
    found = []
    for row in await db.all(_TRANSACTIONS, (caller, external_id)):
        postings = [PostingLine(*p) for p in await db.all(_POSTINGS, (row[0],))]
        related = [Related(*r) for r in await db.all(_RELATED, {"id": row[0]})]
        tx_id, caller_, operation, external, kind, at, digest, *rest = row
        round_id, game_id, ref, debit, credit, before, after, account, exponent = rest
        told = StoredTransaction(
            tx_id, caller_, operation, external, kind, at, bytes(digest), round_id, game_id,
            ref, debit, credit, before, after, account, exponent, tuple(postings),
            tuple(related),
        )  # fmt: skip
        found.append(told)
    return found

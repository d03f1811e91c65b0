"""A batch of game calls in the database: one transaction, two round trips, whatever its size.

    BEGIN; SELECT wallet_game_read(batch)    lock the batch's players' main accounts in id order;
                                             then read their accounts, the stored transactions
                                             the calls may meet, their rounds, the legs a
                                             reverse may undo, the house accounts; reserve ids
    judge every call in Python (game_rules.py), in arrival order                     no I/O
    SELECT wallet_game_write(verdicts); COMMIT   all transaction rows, all balance changes and
                                                 all postings: three statements in all

The lock comes first and the reads after it, in a statement of their own (schema/functions/
wallet_game_read.sql): under READ COMMITTED each statement sees what was committed when it
started, so the reads see everything the previous holder of a lock committed. Every change to a
player's accounts is made under the lock of its main account (here, in ledger_transfer, in the
transfer-wallet moves), so the balances read after the lock stay true until the commit; the
write checks that they did rather than trust it.

Transaction ids are reserved in the read (nextval), so each answer is complete before the write,
and the write and the COMMIT go in one message. Both messages carry one JSON parameter each,
encoded once per batch. A key that another player's call claims at the same moment (keys are
global, locks are per player) fails the write's INSERT: the batch is judged again, once, and then
meets that key (run_batch).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any, TypeVar

import psycopg

from wallet.ledger.calls import REVERSE_OPERATION, GameCall, Kind, Rule
from wallet.ledger.database import LedgerDB
from wallet.ledger.game_book import Book, NewTransaction, RoundKey, Stored, Wallet
from wallet.ledger.game_rules import judge, seen_balance
from wallet.ledger.outcomes import LedgerAnswer, Outcome

T = TypeVar("T")
READ_SQL = "SELECT wallet_game_read(%s::jsonb)"
WRITE_SQL = "SELECT wallet_game_write(%s::jsonb)"
ROUND_RULES = frozenset({Rule.ROUND_SINGLE_BET, Rule.ROUND_NEEDS_BET, Rule.REVERSE_BY_ROUND})
# A player's accounts that a studio's balance is made of, for a balance read (no lock: a read
# of what is committed); game_rules.seen_balance says which count.
_BALANCE_SQL = """
SELECT p.status, p.currency, c.exponent, s.mode, a.purpose, a.balance_minor, now()
  FROM players p
  JOIN currencies c ON c.code = p.currency
  LEFT JOIN shops s ON s.id = p.shop_id
  JOIN accounts a ON a.owner_type = 'player' AND a.owner_id = p.id AND a.currency = p.currency
                 AND a.purpose IN ('main', 'debt', 'win')
 WHERE {player}
"""
BALANCE_BY_NAME_SQL = _BALANCE_SQL.format(player="p.operator_id = %s AND p.username = %s")
BALANCE_BY_ID_SQL = _BALANCE_SQL.format(player="p.id = %s")


async def run_batch(db: LedgerDB, calls: Sequence[GameCall]) -> list[LedgerAnswer]:
    """Each call's answer, all of them judged and written in one database transaction."""
    try:
        return await _run_once(db, calls)
    except psycopg.errors.UniqueViolation:
        # A key was claimed by another player's call meanwhile (the INSERT waited for it to
        # commit). Nothing of this batch was written; judged again, the call meets that key.
        return await _run_once(db, calls)


async def _run_once(db: LedgerDB, calls: Sequence[GameCall]) -> list[LedgerAnswer]:
    async with db.transaction(packed=True) as tx:
        row = await tx.one(READ_SQL, (json.dumps(read_request(calls)),))
        assert row is not None
        book = book_of(row[0])
        answers = [_judged(call, book) for call in calls]
        if book.written:
            await tx.commit_with(WRITE_SQL, (json.dumps(write_request(book)),))
    return answers


def _judged(call: GameCall, book: Book) -> LedgerAnswer:
    verdict = judge(call, book)
    if verdict.new is not None:
        book.record(verdict.new, book.wallets[(call.operator_id, call.username)], call.caller)
    return verdict.answer


def balance_answer(rows: Sequence[tuple[Any, ...]]) -> LedgerAnswer | None:
    """A balance read's answer: ok (or blocked) with the balance the studio sees."""
    if not rows:
        return None
    status, currency, exponent, mode, *_, at = rows[0]
    seen = seen_balance({row[4]: row[5] for row in rows}, mode == "river")
    outcome = Outcome.OK if status == "active" else Outcome.BLOCKED
    return LedgerAnswer(outcome, None, None, seen, seen, currency.strip(), exponent, at)


def read_request(calls: Sequence[GameCall]) -> dict[str, Any]:
    """What wallet_game_read is asked: whom to lock, which keys and rounds to read, which legs
    reverses may undo, which house accounts bets and wins post to."""
    reverses = [c for c in calls if c.kind is Kind.REVERSE]
    return {
        "players": _unique([c.operator_id, c.username] for c in calls),
        "keys": _unique(_keys(calls)),
        "rounds": _unique(_round(c) for c in calls if c.round_id and c.rules & ROUND_RULES),
        "ref_keys": _unique(
            [c.caller, operation, c.ref_id]
            for c in reverses
            if Rule.REVERSE_BY_REF in c.rules and c.ref_id is not None
            for operation in c.ref_operations
        ),
        "reverse_rounds": _unique(
            _round(c) for c in reverses if c.round_id and Rule.REVERSE_BY_ROUND in c.rules
        ),
        "houses": _unique(
            [c.operator_id, c.username, c.caller] for c in calls if c.kind is not Kind.REVERSE
        ),
        "ids": len(calls),
    }


def _round(call: GameCall) -> list[Any]:
    return [call.operator_id, call.username, call.caller, call.round_id]


def _keys(calls: Sequence[GameCall]) -> Iterable[list[str]]:
    """The stored transactions the calls may meet by key: their own, the tombstone a rollback
    may have left for them, and what a rollback by reference undoes."""
    for call in calls:
        yield [call.caller, call.operation, call.external_id]
        if Rule.REF_TOMBSTONES in call.rules and call.kind is not Kind.REVERSE:
            yield [call.caller, REVERSE_OPERATION, call.external_id]
        if Rule.REVERSE_BY_REF in call.rules and call.ref_id is not None:
            yield from ([call.caller, op, call.ref_id] for op in call.ref_operations)


def book_of(read: dict[str, Any]) -> Book:
    """The batch's book from wallet_game_read's answer."""
    postings: dict[int, list[tuple[int, int]]] = {}
    for tx_id, account_id, amount in read["postings"] or ():
        postings.setdefault(tx_id, []).append((account_id, amount))
    keys = read["keys"] or ()
    systems = read["systems"] or ()
    return Book(
        now=datetime.fromisoformat(read["now"]),
        wallets=_wallets(read["wallets"] or ()),
        by_key={(r[0], r[1], r[2]): _stored(r[3:13]) for r in keys},
        rounds=_rounds(read["rounds"] or ()),
        reversed_ids={r[3] for r in keys if r[13]},
        postings=postings,
        system_accounts={(purpose, currency): id_ for purpose, currency, id_ in systems},
        new_ids=iter(read["ids"]),
    )


def _wallets(rows: Iterable[list[Any]]) -> dict[tuple[int, str], Wallet]:
    wallets: dict[tuple[int, str], Wallet] = {}
    for operator_id, username, player_id, status, currency, exponent, mode, *rest in rows:
        threshold, purpose, account_id, balance = rest
        wallet = wallets.get((operator_id, username))
        if wallet is None:
            wallet = wallets[(operator_id, username)] = Wallet(
                player_id=player_id,
                status=status,
                currency=currency.strip(),
                exponent=exponent,
                mode=mode,
                threshold_minor=threshold or 0,
                account_ids={},
                balances={},
            )
        wallet.account_ids[purpose] = account_id
        wallet.balances[purpose] = wallet.opening[purpose] = balance
    return wallets


def _rounds(rows: Iterable[list[Any]]) -> dict[RoundKey, list[Stored]]:
    rounds: dict[RoundKey, list[Stored]] = {}
    for row in rows:
        stored = _stored(row[1:])
        assert stored.account_id is not None and stored.round_id is not None
        rounds.setdefault((stored.account_id, row[0], stored.round_id), []).append(stored)
    return rounds


def _stored(row: Sequence[Any]) -> Stored:
    tx_id, kind, hash_hex, account_id, round_id, game_id, closes, before, after, at = row
    return Stored(
        id=tx_id,
        kind=kind,
        request_hash=bytes.fromhex(hash_hex),
        account_id=account_id,
        round_id=round_id,
        game_id=game_id,
        closes_round=closes,
        balance_before_minor=before,
        balance_after_minor=after,
        created_at=datetime.fromisoformat(at),
    )


def write_request(book: Book) -> dict[str, list[dict[str, Any]]]:
    """What wallet_game_write is asked: the verdicts' rows, balance changes and postings."""
    return {
        "transactions": [_transaction(new) for new in book.written],
        **_balance_changes(book),
    }


def _transaction(new: NewTransaction) -> dict[str, Any]:
    caller, operation, external_id = new.key
    return {
        "id": new.id,
        "caller": caller,
        "operation": operation,
        "external_id": external_id,
        "request_hash": "\\x" + new.request_hash.hex(),
        "kind": new.kind,
        "account_id": new.account_id,
        "round_id": new.round_id,
        "game_id": new.game_id,
        "ref_external_id": new.ref_external_id,
        "reverses_id": new.reverses_id,
        "closes_round": new.closes_round,
        "debit_minor": new.debit_minor,
        "credit_minor": new.credit_minor,
        "balance_before_minor": new.balance_before_minor,
        "balance_after_minor": new.balance_after_minor,
    }


def _balance_changes(book: Book) -> dict[str, list[dict[str, Any]]]:
    """Each leg with the balance after it (None on a hot system account, which keeps none),
    and each player account the legs touch with its change over the batch and its balance when
    read (which the write checks is still its balance)."""
    opening = {
        wallet.account_ids[purpose]: balance
        for wallet in book.wallets.values()
        for purpose, balance in wallet.opening.items()
    }
    running: dict[int, int] = {}
    postings: list[dict[str, Any]] = []
    for new in book.written:
        for account_id, amount in new.legs:
            after = None
            if account_id in opening:
                after = running[account_id] = running.get(account_id, opening[account_id]) + amount
            postings.append({"tx": new.id, "account": account_id, "amount": amount, "after": after})
    balances = [
        {"id": account_id, "delta": after - opening[account_id], "was": opening[account_id]}
        for account_id, after in running.items()
    ]
    return {"balances": balances, "postings": postings}


def _unique(items: Iterable[list[Any]]) -> list[list[Any]]:
    """The items once each, in first-seen order."""
    return [list(item) for item in dict.fromkeys(tuple(item) for item in items)]

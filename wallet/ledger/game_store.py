"""A batch of game calls in the database: one transaction, a constant number of statements.

    BEGIN, lock (the batch's players' main accounts, in id order), read (their accounts, the
    stored transactions the calls may meet, their rounds, reserved ids)        one round trip
    [the legs of what the reverses undo; a system account used the first time] only if needed
    judge every call in Python (game_rules.py), in arrival order               no I/O
    write (all transaction rows, all postings, all balance changes), COMMIT   one round trip

The lock comes first and the reads after it, in statements of their own: under READ COMMITTED
each statement sees what was committed when it started, so the reads see everything the
previous holder of a lock committed. Every change to a player's accounts is made under the lock
of its main account (here, in ledger_transfer, in the transfer-wallet moves), so the balances
read after the lock stay true until the commit; the write checks that they did, and refuses to
post otherwise (ledger_assert), rather than trust it.

Transaction ids are reserved in the read (nextval), so each answer is complete before the write,
and the write and the COMMIT go together without waiting for each other. A key that another
player's call claims at the same moment (keys are global, locks are per player) fails the
write's INSERT; the batcher then runs the calls again one by one, and the second finds the
first's row (batching.py).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, TypeVar

import psycopg

from wallet.ledger.calls import REVERSE_OPERATION, GameCall, Kind, Rule
from wallet.ledger.database import LedgerDB, Tx
from wallet.ledger.game_book import PURPOSES, Book, Key, RoundKey, Stored, Wallet
from wallet.ledger.game_rules import judge
from wallet.ledger.outcomes import LedgerAnswer

T = TypeVar("T")
SystemAccounts = dict[tuple[str, str], int]  # (purpose, currency) -> id; ids never change

_PLAYERS = """
  FROM unnest(%(operator_ids)s::integer[], %(usernames)s::text[]) AS k(operator_id, username)
  JOIN players p ON p.operator_id = k.operator_id AND p.username = k.username
"""
_MAIN = """
  JOIN accounts m ON m.owner_type = 'player' AND m.owner_id = p.id AND m.purpose = 'main'
                 AND m.currency = p.currency
"""
LOCK_SQL = f"SELECT m.id {_PLAYERS} {_MAIN} ORDER BY m.id FOR UPDATE OF m"
WALLETS_SQL = f"""
SELECT p.operator_id, p.username, p.id, p.status, p.currency, c.exponent, s.mode,
       s.bounce_back_threshold_minor, a.purpose, a.id, a.balance_minor
  {_PLAYERS}
  JOIN currencies c ON c.code = p.currency
  LEFT JOIN shops s ON s.id = p.shop_id
  JOIN accounts a ON a.owner_type = 'player' AND a.owner_id = p.id AND a.currency = p.currency
                 AND a.purpose = ANY (%(purposes)s::text[])
"""
_STORED = """t.id, t.kind, t.request_hash, t.account_id, t.round_id, t.game_id, t.closes_round,
       t.balance_before_minor, t.balance_after_minor, t.created_at"""
KEYS_SQL = f"""
SELECT t.caller, t.operation, t.external_id, {_STORED},
       EXISTS (SELECT FROM transactions r WHERE r.reverses_id = t.id)
  FROM transactions t
 WHERE (t.caller, t.operation, t.external_id) IN (
       SELECT * FROM unnest(%(callers)s::text[], %(operations)s::text[], %(external_ids)s::text[]))
"""
ROUNDS_SQL = f"""
SELECT r.caller, {_STORED}
  FROM unnest(%(operator_ids)s::integer[], %(usernames)s::text[], %(callers)s::text[],
              %(round_ids)s::text[]) AS r(operator_id, username, caller, round_id)
  JOIN players p ON p.operator_id = r.operator_id AND p.username = r.username
  {_MAIN}
  JOIN transactions t ON t.account_id = m.id AND t.caller = r.caller AND t.round_id = r.round_id
"""
RESERVE_SQL = (
    "SELECT now(), ARRAY(SELECT nextval('transactions_id_seq') FROM generate_series(1, %s))"
)
POSTINGS_SQL = """
SELECT transaction_id, account_id, amount_minor FROM postings
 WHERE transaction_id = ANY (%s::bigint[]) ORDER BY id
"""
SYSTEM_ACCOUNT_SQL = "SELECT ledger_system_account(%s, %s)"
WRITE_SQL = """
WITH written AS (
    INSERT INTO transactions (id, caller, operation, external_id, request_hash, kind, account_id,
                              round_id, game_id, ref_external_id, reverses_id, closes_round,
                              debit_minor, credit_minor, balance_before_minor,
                              balance_after_minor)
    SELECT * FROM unnest(%(ids)s::bigint[], %(callers)s::text[], %(operations)s::text[],
                         %(external_ids)s::text[], %(hashes)s::bytea[], %(kinds)s::text[],
                         %(accounts)s::bigint[], %(round_ids)s::text[], %(game_ids)s::text[],
                         %(refs)s::text[], %(reverses)s::bigint[], %(closes)s::boolean[],
                         %(debits)s::bigint[], %(credits)s::bigint[], %(befores)s::bigint[],
                         %(afters)s::bigint[])
), moved AS (
    UPDATE accounts a SET balance_minor = a.balance_minor + c.delta_minor
      FROM unnest(%(changed)s::bigint[], %(deltas)s::bigint[], %(was)s::bigint[])
           AS c(id, delta_minor, was_minor)
     WHERE a.id = c.id AND a.balance_minor = c.was_minor
    RETURNING a.id
)
INSERT INTO postings (transaction_id, account_id, amount_minor, balance_after_minor)
SELECT * FROM unnest(%(leg_txs)s::bigint[], %(leg_accounts)s::bigint[],
                     %(leg_amounts)s::bigint[], %(leg_afters)s::bigint[])
 WHERE ledger_assert((SELECT count(*) FROM moved) = cardinality(%(changed)s::bigint[]),
                     'a balance changed outside its lock')
"""


async def run_batch(
    db: LedgerDB, calls: Sequence[GameCall], system: SystemAccounts
) -> list[LedgerAnswer]:
    """Each call's answer, all of them judged and written in one database transaction."""
    try:
        return await _run_once(db, calls, system)
    except psycopg.errors.UniqueViolation:
        # A key was claimed by another player's call meanwhile (the INSERT waited for it to
        # commit). Nothing of this batch was written; judged again, the call meets that key.
        return await _run_once(db, calls, system)


async def _run_once(
    db: LedgerDB, calls: Sequence[GameCall], system: SystemAccounts
) -> list[LedgerAnswer]:
    created: SystemAccounts = {}
    async with db.transaction(pipeline=True) as tx:
        book = await _read(tx, calls, system, created)
        answers = [_judged(call, book) for call in calls]
        if book.written:
            await tx.execute(WRITE_SQL, write_params(book))
    system.update(created)  # known to exist only once committed
    return answers


def _judged(call: GameCall, book: Book) -> LedgerAnswer:
    verdict = judge(call, book)
    if verdict.new is not None:
        book.record(verdict.new, book.wallets[(call.operator_id, call.username)], call.caller)
    return verdict.answer


async def _read(
    tx: Tx, calls: Sequence[GameCall], system: SystemAccounts, created: SystemAccounts
) -> Book:
    """The book of the batch, read under the locks of its players."""
    players = _unique((c.operator_id, c.username) for c in calls)
    who = {"operator_ids": [p[0] for p in players], "usernames": [p[1] for p in players]}
    rounds = _unique(
        (c.operator_id, c.username, c.caller, c.round_id)
        for c in calls
        if c.round_id is not None and c.rules & ROUND_RULES
    )
    statements: list[tuple[str, Any]] = [
        (LOCK_SQL, who),
        (WALLETS_SQL, {**who, "purposes": list(PURPOSES)}),
        (KEYS_SQL, _columns(_keys(calls), ("callers", "operations", "external_ids"))),
        (RESERVE_SQL, (len(calls),)),
    ]
    if rounds:
        names = ("operator_ids", "usernames", "callers", "round_ids")
        statements.append((ROUNDS_SQL, _columns(rounds, names)))
    _, wallet_rows, key_rows, reserved, *round_rows = await _fetch_all(tx, statements)
    now, ids = reserved[0]
    book = Book(
        now=now,
        wallets=_wallets(wallet_rows),
        by_key={(r[0], r[1], r[2]): _stored(r[3:13]) for r in key_rows},
        rounds=_rounds(round_rows[0] if round_rows else [], _round_owners(wallet_rows)),
        reversed_ids={r[3] for r in key_rows if r[13]},
        postings={},
        system_accounts=system,
        new_ids=iter(ids),
    )
    await _complete(tx, calls, book, created)
    return book


async def _complete(tx: Tx, calls: Sequence[GameCall], book: Book, created: SystemAccounts) -> None:
    """What only the first reads can tell is needed: the legs of the transactions the batch's
    reverses may undo, and system accounts this database has not used yet."""
    targets = _reverse_candidates(calls, book)
    if targets:
        for tx_id, account_id, amount in await tx.all(POSTINGS_SQL, (sorted(targets),)):
            book.postings.setdefault(tx_id, []).append((account_id, amount))
    for purpose, currency in _system_needs(calls, book):
        if (purpose, currency) not in book.system_accounts:
            row = await tx.one(SYSTEM_ACCOUNT_SQL, (purpose, currency))
            assert row is not None
            created[(purpose, currency)] = row[0]
    if created:
        book.system_accounts = {**book.system_accounts, **created}


async def _fetch_all(tx: Tx, statements: list[tuple[str, Any]]) -> list[list[tuple[Any, ...]]]:
    """Every statement sent before any result is awaited: one round trip in a pipeline."""
    cursors = []
    for sql, params in statements:
        cursor = tx.cursor()
        await cursor.execute(sql, params)
        cursors.append(cursor)
    return [await cursor.fetchall() for cursor in cursors]


ROUND_RULES = frozenset({Rule.ROUND_SINGLE_BET, Rule.ROUND_NEEDS_BET, Rule.REVERSE_BY_ROUND})


def _keys(calls: Sequence[GameCall]) -> list[Key]:
    """The stored transactions the calls may meet by key: their own, the tombstone that a
    rollback may have left for them, and what a rollback by reference undoes."""
    keys: list[Key] = []
    for call in calls:
        keys.append((call.caller, call.operation, call.external_id))
        if Rule.REF_TOMBSTONES in call.rules and call.kind is not Kind.REVERSE:
            keys.append((call.caller, REVERSE_OPERATION, call.external_id))
        if Rule.REVERSE_BY_REF in call.rules and call.ref_id is not None:
            keys += [(call.caller, operation, call.ref_id) for operation in call.ref_operations]
    return _unique(keys)


def _reverse_candidates(calls: Sequence[GameCall], book: Book) -> set[int]:
    """Stored transactions a reverse of the batch may undo: a round's bets, a referenced id."""
    candidates: set[int] = set()
    for call in calls:
        wallet = book.wallets.get((call.operator_id, call.username))
        if call.kind is not Kind.REVERSE or wallet is None:
            continue
        if Rule.REVERSE_BY_REF in call.rules and call.ref_id is not None:
            for operation in call.ref_operations:
                found = book.by_key.get((call.caller, operation, call.ref_id))
                if found is not None:
                    candidates.add(found.id)
        if Rule.REVERSE_BY_ROUND in call.rules and call.round_id is not None:
            entries = book.rounds.get((wallet.main_id, call.caller, call.round_id), [])
            candidates.update(e.id for e in entries if e.kind in ("debit", "debit_credit"))
    return candidates


def _system_needs(calls: Sequence[GameCall], book: Book) -> list[tuple[str, str]]:
    """The hot system accounts the batch may post to: each studio's house, per currency, and
    the wagering memo of shop players' currencies."""
    needs: list[tuple[str, str]] = []
    for call in calls:
        wallet = book.wallets.get((call.operator_id, call.username))
        if wallet is None or call.kind is Kind.REVERSE:
            continue
        needs.append((f"game:{call.caller}", wallet.currency))
        if wallet.mode is not None:
            needs.append(("wager_req", wallet.currency))
    return _unique(needs)


def _wallets(rows: Iterable[tuple[Any, ...]]) -> dict[tuple[int, str], Wallet]:
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


def _round_owners(wallet_rows: Iterable[tuple[Any, ...]]) -> set[int]:
    return {row[9] for row in wallet_rows if row[8] == "main"}


def _rounds(rows: Iterable[tuple[Any, ...]], mains: set[int]) -> dict[RoundKey, list[Stored]]:
    rounds: dict[RoundKey, list[Stored]] = {}
    for row in rows:
        stored = _stored(row[1:])
        assert stored.account_id in mains and stored.round_id is not None
        rounds.setdefault((stored.account_id, row[0], stored.round_id), []).append(stored)
    return rounds


def _stored(row: Sequence[Any]) -> Stored:
    tx_id, kind, request_hash, account_id, round_id, game_id, closes, before, after, at = row
    return Stored(
        tx_id, kind, bytes(request_hash), account_id, round_id, game_id, closes, before, after, at
    )


def write_params(book: Book) -> dict[str, list[Any]]:
    """The write's arrays: one element per transaction, per changed account, per leg."""
    written = book.written
    params: dict[str, list[Any]] = {
        "ids": [n.id for n in written],
        "callers": [n.key[0] for n in written],
        "operations": [n.key[1] for n in written],
        "external_ids": [n.key[2] for n in written],
        "hashes": [n.request_hash for n in written],
        "kinds": [n.kind for n in written],
        "accounts": [n.account_id for n in written],
        "round_ids": [n.round_id for n in written],
        "game_ids": [n.game_id for n in written],
        "refs": [n.ref_external_id for n in written],
        "reverses": [n.reverses_id for n in written],
        "closes": [n.closes_round for n in written],
        "debits": [n.debit_minor for n in written],
        "credits": [n.credit_minor for n in written],
        "befores": [n.balance_before_minor for n in written],
        "afters": [n.balance_after_minor for n in written],
    }
    params.update(_balance_changes(book))
    return params


def _balance_changes(book: Book) -> dict[str, list[Any]]:
    """Each leg with the balance after it (None on a hot system account, which keeps none),
    and each player account the legs touch with its change over the batch and its balance
    when read (which the write checks is still its balance)."""
    opening = {
        wallet.account_ids[purpose]: balance
        for wallet in book.wallets.values()
        for purpose, balance in wallet.opening.items()
    }
    running: dict[int, int] = {}
    params: dict[str, list[Any]] = {
        name: [] for name in ("leg_txs", "leg_accounts", "leg_amounts", "leg_afters")
    }
    for new in book.written:
        for account_id, amount in new.legs:
            params["leg_txs"].append(new.id)
            params["leg_accounts"].append(account_id)
            params["leg_amounts"].append(amount)
            if account_id in opening:
                after = running[account_id] = running.get(account_id, opening[account_id]) + amount
                params["leg_afters"].append(after)
            else:
                params["leg_afters"].append(None)
    params["changed"] = list(running)
    params["deltas"] = [running[a] - opening[a] for a in running]
    params["was"] = [opening[a] for a in running]
    return params


def _unique(items: Iterable[T]) -> list[T]:
    """The items once each, in first-seen order."""
    return list(dict.fromkeys(items))


def _columns(rows: Sequence[tuple[Any, ...]], names: Sequence[str]) -> dict[str, list[Any]]:
    """Rows as one list per column, named: the arrays a statement unnests."""
    return {name: [row[i] for row in rows] for i, name in enumerate(names)}

"""The audit catches what it is there to catch: each check against a forged ledger.

The audit runs after every test, so a check that could never fire would make every test look
safer than it is. Here a real history is forged the way a bug (or a hand in the database)
would, inside a transaction with the immutability triggers off, and each check must name it.
The forgery is rolled back: nothing of it is ever committed.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator

import psycopg
import pytest

from tests.support import LoopThread, make_ledger, throwaway_database
from wallet.directory.players import create_player
from wallet.ledger.audit import CHECKS, audit
from wallet.ledger.batching import call_alone
from wallet.ledger.game import GameCall, Kind, Rule
from wallet.ledger.idempotency import request_hash
from wallet.ledger.outcomes import Outcome
from wallet.migrations import migrate


def _call(username: str, kind: Kind, ext: str, **amounts: int | str) -> GameCall:
    return GameCall(
        caller="audit",
        operation=kind.value,
        kind=kind,
        external_id=ext,
        request_hash=request_hash({"id": ext, "kind": kind.value, **amounts}),
        operator_id=1,
        username=username,
        amount_exponent=2,
        ref_operations=("debit",),
        rules=frozenset({Rule.REVERSE_BY_REF}),
        **amounts,
    )


@pytest.fixture(scope="module")
def history_url(loop: LoopThread) -> Iterator[str]:
    """A database of its own: a few players with bets, wins, a reversal and a tombstone."""
    with throwaway_database() as url:
        migrate(url)
        ledger = make_ledger(url, loop, pool_size=2)
        for n in range(3):
            name = f"a{n}{secrets.token_hex(4)}"
            loop.run(create_player(ledger, 1, name, "THB", 10_000))
            calls = [
                _call(name, Kind.DEBIT, f"b{name}", debit_minor=1_500),
                _call(name, Kind.CREDIT, f"w{name}", credit_minor=700),
                _call(name, Kind.DEBIT, f"c{name}", debit_minor=300),
                _call(name, Kind.REVERSE, f"c{name}", ref_id=f"c{name}"),
                _call(name, Kind.REVERSE, f"never{name}", ref_id=f"never{name}"),
            ]
            answers = [loop.run(call_alone(ledger, call)) for call in calls]
            assert [a.outcome for a in answers] == [Outcome.NEW] * 4 + [Outcome.NOT_FOUND]
        assert loop.run(audit(ledger)).ok
        loop.run(ledger.dispose())
        yield url


# Each forgery, and the check that must name it. Only postings/transactions are immutable.
FORGERIES: list[tuple[str, str]] = [
    (
        "1 postings sum to zero per currency",
        "UPDATE postings SET amount_minor = amount_minor + 1"
        " WHERE id = (SELECT max(id) FROM postings)",
    ),
    (
        "1 postings sum to zero per currency",
        # A balanced pair on a hot account under a transaction that does not exist: only the
        # "names no transaction" part of check 1 can see it.
        "INSERT INTO postings (transaction_id, account_id, amount_minor)"
        " SELECT (SELECT max(id) + 1000 FROM transactions), a.id, v.x"
        " FROM accounts a, (VALUES (1), (-1)) AS v(x)"
        " WHERE a.id = (SELECT min(id) FROM accounts WHERE balance_minor IS NULL)",
    ),
    (
        "2 balances equal their postings and respect bounds",
        "UPDATE accounts SET balance_minor = balance_minor + 5"
        " WHERE id = (SELECT min(id) FROM accounts WHERE owner_type = 'player')",
    ),
    (
        "2 balances equal their postings and respect bounds",
        "UPDATE postings SET balance_after_minor = balance_after_minor - 1"
        " WHERE id = (SELECT min(p.id) FROM postings p JOIN accounts a ON a.id = p.account_id"
        " WHERE a.owner_type = 'player' AND a.purpose = 'main')",
    ),
    (
        "3 one transaction per idempotency key",
        "INSERT INTO postings (transaction_id, account_id, amount_minor)"
        " SELECT t.id, a.id, 1 FROM transactions t, accounts a"
        " WHERE t.kind = 'tombstone' AND a.owner_type = 'player' LIMIT 1",
    ),
    (
        "4 reversals undo exactly their original",
        "UPDATE postings SET amount_minor = amount_minor + sign(amount_minor)"
        " WHERE transaction_id = (SELECT min(id) FROM transactions WHERE kind = 'reverse')",
    ),
    (
        "5 answered balances match the ledger",
        "UPDATE transactions SET balance_after_minor = balance_after_minor + 100,"
        " balance_before_minor = balance_before_minor + 100"
        " WHERE id = (SELECT min(id) FROM transactions WHERE kind = 'credit')",
    ),
    (
        "5 answered balances match the ledger",
        "UPDATE transactions SET balance_after_minor = balance_after_minor + 1"
        " WHERE id = (SELECT max(id) FROM transactions WHERE kind = 'debit')",
    ),
    (
        "5 answered balances match the ledger",  # a transfer answers its key account's balance
        "UPDATE transactions SET balance_after_minor = balance_after_minor + 1,"
        " balance_before_minor = balance_before_minor + 1"
        " WHERE id = (SELECT min(id) FROM transactions WHERE kind = 'transfer')",
    ),
]


def _violations(url: str, forgery: str) -> dict[str, list[str]]:
    with psycopg.connect(url) as conn:
        try:
            conn.execute("ALTER TABLE postings DISABLE TRIGGER USER")
            conn.execute("ALTER TABLE transactions DISABLE TRIGGER USER")
            assert conn.execute(forgery).rowcount > 0, "the forgery changed nothing"
            return {name: [row[0] for row in conn.execute(sql)] for name, sql in CHECKS.items()}
        finally:
            conn.rollback()


@pytest.mark.parametrize(("check", "forgery"), FORGERIES)
def test_each_check_names_its_forgery(history_url: str, check: str, forgery: str) -> None:
    found = _violations(history_url, forgery)
    assert found[check], f"{check} missed: {forgery}"


def test_the_unforged_history_has_no_violation(history_url: str) -> None:
    found = _violations(history_url, "SELECT 1")
    assert not any(found.values()), found

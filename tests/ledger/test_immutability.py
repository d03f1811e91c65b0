"""Posted rows are immutable: the database itself refuses UPDATE, DELETE and TRUNCATE."""

from __future__ import annotations

from collections.abc import Callable

import psycopg
import pytest

from wallet.directory.players import Player


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE postings SET amount_minor = amount_minor + 1 WHERE transaction_id = %s",
        "DELETE FROM postings WHERE transaction_id = %s",
        "UPDATE transactions SET balance_after_minor = 0 WHERE id = %s",
        "DELETE FROM transactions WHERE id = %s",
    ],
)
def test_changing_a_posted_row_fails(
    db_url: str, make_player: Callable[..., Player], statement: str
) -> None:
    make_player(balance_minor=500)
    with psycopg.connect(db_url) as conn:
        tx_id = conn.execute("SELECT max(transaction_id) FROM postings").fetchone()[0]
        with pytest.raises(psycopg.errors.RestrictViolation, match="immutable"):
            conn.execute(statement, (tx_id,))


@pytest.mark.parametrize("table", ["postings", "transactions"])
def test_truncating_the_ledger_fails(db_url: str, table: str) -> None:
    with psycopg.connect(db_url) as conn, pytest.raises(psycopg.errors.RestrictViolation):
        conn.execute(f"TRUNCATE {table} CASCADE")


def test_a_balance_below_its_bound_is_refused_by_the_database(
    db_url: str, make_player: Callable[..., Player]
) -> None:
    player = make_player(balance_minor=100)
    with psycopg.connect(db_url) as conn, pytest.raises(psycopg.errors.CheckViolation):
        conn.execute(
            "UPDATE accounts SET balance_minor = -1 WHERE id = %s", (player.main_account_id,)
        )


@pytest.mark.parametrize("link", ["reverses_id", "resolves_id"])
def test_a_transaction_is_reversed_or_resolved_at_most_once_by_the_schema(
    db_url: str, link: str
) -> None:
    """The links' unique indexes are partial (revision 0014) but still refuse a second link;
    rows without a link are not in them at all."""
    row = "INSERT INTO transactions (caller, operation, external_id, request_hash, kind"
    linked = f"{row}, {link}) VALUES ('test', 'op', %s, '\\x00', 'reverse', %s)"
    plain = f"{row}) VALUES ('test', 'op', %s, '\\x00', 'debit') RETURNING id"
    with psycopg.connect(db_url) as conn, conn.transaction(force_rollback=True):
        original = conn.execute(plain, ("original",)).fetchone()
        assert original is not None
        conn.execute(linked, ("first", original[0]))
        conn.execute(plain, ("unlinked",))
        with pytest.raises(psycopg.errors.UniqueViolation), conn.transaction():
            conn.execute(linked, ("second", original[0]))

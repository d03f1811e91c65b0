"""The five invariants of DESIGN.md, checked over the whole database.

Each check is one query that returns the violating rows; an empty result means it holds.
"""

from __future__ import annotations

from dataclasses import dataclass

from wallet.ledger.database import LedgerDB

CHECKS: dict[str, str] = {
    # 1. Per currency, and per transaction, postings sum to zero; every posting names an account
    # and a transaction (neither is a foreign key: see schema/sql/0005_postings_no_fk.sql).
    "1 postings sum to zero per currency": """
        SELECT 'currency ' || a.currency || ' sums to ' || sum(p.amount_minor)
          FROM postings p JOIN accounts a ON a.id = p.account_id
         GROUP BY a.currency HAVING sum(p.amount_minor) <> 0
        UNION ALL
        SELECT 'transaction ' || transaction_id || ' sums to ' || sum(amount_minor)
          FROM postings GROUP BY transaction_id HAVING sum(amount_minor) <> 0
        UNION ALL
        SELECT 'posting ' || p.id || ' names no account ' || p.account_id
          FROM postings p LEFT JOIN accounts a ON a.id = p.account_id WHERE a.id IS NULL
        UNION ALL
        SELECT 'posting ' || p.id || ' names no transaction ' || p.transaction_id
          FROM postings p LEFT JOIN transactions t ON t.id = p.transaction_id WHERE t.id IS NULL
        UNION ALL
        SELECT 'transaction ' || p.transaction_id || ' mixes currencies'
          FROM postings p JOIN accounts a ON a.id = p.account_id
         GROUP BY p.transaction_id HAVING count(DISTINCT a.currency) > 1""",
    # 2. Balances equal the sum of postings, every balance-after is the running sum, bounds hold.
    "2 balances equal their postings and respect bounds": """
        SELECT 'account ' || a.id || ' balance ' || a.balance_minor || ' <> postings '
               || coalesce(s.total, 0)
          FROM accounts a
          LEFT JOIN (SELECT account_id, sum(amount_minor) AS total FROM postings
                      GROUP BY account_id) s ON s.account_id = a.id
         WHERE a.balance_minor IS NOT NULL AND a.balance_minor <> coalesce(s.total, 0)
        UNION ALL
        SELECT 'account ' || a.id || ' below its bound'
          FROM accounts a WHERE a.balance_minor < a.lower_bound_minor
        UNION ALL
        SELECT 'posting ' || id || ' balance_after ' || coalesce(balance_after_minor::text, 'null')
               || ' <> running sum ' || running
          FROM (SELECT p.id, p.balance_after_minor, a.balance_minor AS tracked,
                       sum(p.amount_minor) OVER (PARTITION BY p.account_id ORDER BY p.id) AS running
                  FROM postings p JOIN accounts a ON a.id = p.account_id) x
         WHERE (tracked IS NOT NULL AND balance_after_minor IS DISTINCT FROM running)
            OR (tracked IS NULL AND balance_after_minor IS NOT NULL)""",
    # 3. One transaction per key; tombstones and refusals moved nothing.
    "3 one transaction per idempotency key": """
        SELECT 'key ' || caller || '/' || operation || '/' || external_id || ' used '
               || count(*) || ' times'
          FROM transactions GROUP BY caller, operation, external_id HAVING count(*) > 1
        UNION ALL
        SELECT 'tombstone ' || t.id || ' has postings'
          FROM transactions t JOIN postings p ON p.transaction_id = t.id
         WHERE t.kind = 'tombstone'""",
    # 4. A reversal applies once and moves exactly the original back, owner by owner.
    "4 reversals undo exactly their original": """
        SELECT 'transaction ' || reverses_id || ' reversed ' || count(*) || ' times'
          FROM transactions WHERE reverses_id IS NOT NULL
         GROUP BY reverses_id HAVING count(*) > 1
        UNION ALL
        SELECT 'reversal ' || r.id || ' of ' || r.reverses_id || ' leaves '
               || sum(p.amount_minor) || ' on ' || g.owner
          FROM transactions r
          JOIN postings p ON p.transaction_id IN (r.id, r.reverses_id)
          JOIN accounts a ON a.id = p.account_id
         CROSS JOIN LATERAL (SELECT CASE WHEN a.owner_type = 'player'
                                         THEN 'player ' || a.owner_id
                                         ELSE 'account ' || a.id END AS owner) g
         WHERE r.reverses_id IS NOT NULL
         GROUP BY r.id, r.reverses_id, g.owner HAVING sum(p.amount_minor) <> 0""",
    # 5. The balance an answer reported is the ledger's balance right after that transaction.
    # A studio's call answers what the studio sees: the player's main and debt (and a River
    # shop player's win) postings summed in transaction order, up to and including it. One sort
    # over the postings (not a look-up per transaction), so it scales with the ledger. Any other
    # transaction (a transfer, a cashier's or an agent's move) answers its key account's
    # balance, which its own posting there carries.
    "5 answered balances match the ledger": """
        WITH player_accounts AS (
            SELECT m.id AS main_id, x.id AS account_id
              FROM accounts m
              JOIN players pl ON pl.id = m.owner_id
              LEFT JOIN shops s ON s.id = pl.shop_id
              JOIN accounts x ON x.owner_type = 'player' AND x.owner_id = m.owner_id
                             AND x.currency = m.currency
                             AND (x.purpose IN ('main', 'debt')
                                  OR (x.purpose = 'win' AND s.mode = 'river'))
             WHERE m.owner_type = 'player' AND m.purpose = 'main'),
        game AS (
            SELECT t.* FROM transactions t
              JOIN accounts m ON m.id = t.account_id AND m.owner_type = 'player'
                             AND m.purpose = 'main'
             WHERE t.kind IN ('debit', 'credit', 'debit_credit', 'reverse', 'tombstone')),
        events AS (
            SELECT pa.main_id, p.transaction_id AS tx, 0 AS answer_row, p.amount_minor AS amount,
                   NULL::bigint AS answered
              FROM postings p JOIN player_accounts pa ON pa.account_id = p.account_id
            UNION ALL
            SELECT g.account_id, g.id, 1, 0, g.balance_after_minor FROM game g),
        ledger AS (
            SELECT tx, answer_row, answered,
                   sum(amount) OVER (PARTITION BY main_id ORDER BY tx, answer_row
                                     ROWS UNBOUNDED PRECEDING) AS after
              FROM events)
        SELECT 'transaction ' || tx || ' answered ' || coalesce(answered::text, 'null')
               || ' but the ledger had ' || after
          FROM ledger
         WHERE answer_row = 1 AND answered IS DISTINCT FROM after
        UNION ALL
        SELECT 'transaction ' || g.id || ' answered before ' || g.balance_before_minor
               || ' and after ' || g.balance_after_minor || ' but moved '
               || coalesce(sum(seen.amount_minor), 0)
          FROM game g
          LEFT JOIN (SELECT p.transaction_id, pa.main_id, p.amount_minor
                       FROM postings p JOIN player_accounts pa ON pa.account_id = p.account_id
                    ) seen ON seen.transaction_id = g.id AND seen.main_id = g.account_id
         GROUP BY g.id, g.balance_before_minor, g.balance_after_minor
        HAVING g.balance_before_minor + coalesce(sum(seen.amount_minor), 0)
               IS DISTINCT FROM g.balance_after_minor
        UNION ALL
        SELECT 'transaction ' || t.id || ' answered ' || t.balance_before_minor || ' -> '
               || t.balance_after_minor || ' but its account ' || t.account_id || ' moved '
               || k.moved || ' to ' || coalesce(k.after::text, 'null')
          FROM transactions t
          CROSS JOIN LATERAL (
                SELECT sum(p.amount_minor) AS moved,
                       (array_agg(p.balance_after_minor ORDER BY p.id DESC))[1] AS after
                  FROM postings p
                 WHERE p.transaction_id = t.id AND p.account_id = t.account_id) k
         WHERE t.kind NOT IN ('debit', 'credit', 'debit_credit', 'reverse', 'tombstone')
           AND k.moved IS NOT NULL
           AND (t.balance_after_minor IS DISTINCT FROM k.after
                OR t.balance_before_minor + k.moved IS DISTINCT FROM t.balance_after_minor)""",
}


@dataclass(frozen=True, slots=True)
class AuditReport:
    violations: list[str]
    transactions: int
    postings: int
    accounts: int

    @property
    def ok(self) -> bool:
        return not self.violations

    def summary(self) -> str:
        verdict = "all 5 invariants hold" if self.ok else f"{len(self.violations)} violation(s)"
        return (
            f"audit: {verdict} over {self.transactions} transactions, {self.postings} postings, "
            f"{self.accounts} accounts"
        )


async def audit(db: LedgerDB) -> AuditReport:
    violations: list[str] = []
    for name, sql in CHECKS.items():
        violations.extend(f"[{name}] {row[0]}" for row in await db.all(sql))
    counts = await db.one(
        "SELECT (SELECT count(*) FROM transactions), (SELECT count(*) FROM postings),"
        " (SELECT count(*) FROM accounts)"
    )
    assert counts is not None
    return AuditReport(violations, int(counts[0]), int(counts[1]), int(counts[2]))

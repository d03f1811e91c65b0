-- `make bench-scale`: grow the bench database to 1,000,000 players and 10,000,000 postings,
-- set-based (minutes, not hours), keeping every invariant `wallet audit` checks:
--   players bench0100001.. with main and debt accounts, an opening balance from equity each,
--   then five settled spins per player (bet X, win X: the balance ends where it began).
-- :first and :last are the player numbers to add (psql variables).

BEGIN;

INSERT INTO players (operator_id, username, currency)
SELECT 1, 'bench' || lpad(g::text, 7, '0'), 'THB'
  FROM generate_series(:first, :last) g;

INSERT INTO accounts (owner_type, owner_id, purpose, currency, balance_minor, lower_bound_minor)
SELECT 'player', p.id, k.purpose, 'THB', 0, k.bound
  FROM players p
 CROSS JOIN (VALUES ('main', 0::bigint), ('debt', NULL::bigint)) AS k(purpose, bound)
 WHERE p.username BETWEEN 'bench' || lpad(:first::text, 7, '0')
                      AND 'bench' || lpad(:last::text, 7, '0');

CREATE TEMP TABLE grown AS
SELECT m.id AS main_id, m.owner_id AS player_id
  FROM accounts m JOIN players p ON p.id = m.owner_id
 WHERE m.owner_type = 'player' AND m.purpose = 'main'
   AND p.username BETWEEN 'bench' || lpad(:first::text, 7, '0')
                      AND 'bench' || lpad(:last::text, 7, '0');

-- Opening balances: 1,000,000.00 each, from equity.
INSERT INTO transactions (caller, operation, external_id, request_hash, kind, account_id,
                          balance_before_minor, balance_after_minor)
SELECT 'operator', 'opening_balance', 'player:' || player_id, '\x00', 'transfer', main_id,
       0, 100000000
  FROM grown;
INSERT INTO postings (transaction_id, account_id, amount_minor, balance_after_minor)
SELECT t.id, x.account_id, x.amount, x.after
  FROM transactions t
  JOIN grown g ON t.caller = 'operator' AND t.operation = 'opening_balance'
              AND t.external_id = 'player:' || g.player_id
 CROSS JOIN LATERAL (VALUES (ledger_system_account('equity', 'THB'), -100000000::bigint, NULL::bigint),
                            (g.main_id, 100000000::bigint, 100000000::bigint)) AS x(account_id, amount, after);

-- History: spins s = 1..5, each a bet of (s * 7) and a win of the same, as two transactions.
INSERT INTO transactions (caller, operation, external_id, request_hash, kind, account_id,
                          round_id, game_id, debit_minor, credit_minor,
                          balance_before_minor, balance_after_minor)
SELECT 'ambslot', op, 'hist-' || player_id || '-' || s || '-' || op, '\x00',
       CASE op WHEN 'bet' THEN 'debit' ELSE 'credit' END, main_id,
       'hist-' || player_id || '-' || s, 'GH',
       CASE op WHEN 'bet' THEN s * 7 ELSE 0 END, CASE op WHEN 'bet' THEN 0 ELSE s * 7 END,
       CASE op WHEN 'bet' THEN 100000000 ELSE 100000000 - s * 7 END,
       CASE op WHEN 'bet' THEN 100000000 - s * 7 ELSE 100000000 END
  FROM grown CROSS JOIN generate_series(1, 5) s CROSS JOIN (VALUES ('bet'), ('payout')) o(op)
 ORDER BY player_id, s, op;
INSERT INTO postings (transaction_id, account_id, amount_minor, balance_after_minor)
SELECT t.id, x.account_id, x.amount, x.after
  FROM transactions t
  JOIN grown g ON t.account_id = g.main_id AND t.caller = 'ambslot'
              AND t.external_id LIKE 'hist-%'
 CROSS JOIN LATERAL (VALUES
       (g.main_id, t.credit_minor - t.debit_minor, t.balance_after_minor),
       (ledger_system_account('game:ambslot', 'THB'), t.debit_minor - t.credit_minor, NULL::bigint)
     ) AS x(account_id, amount, after)
 ORDER BY t.id;

UPDATE accounts a SET balance_minor = 100000000 FROM grown g WHERE a.id = g.main_id;

COMMIT;
VACUUM ANALYZE;

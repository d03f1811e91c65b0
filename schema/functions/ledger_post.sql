-- The one place money moves: writes the postings of transaction p_tx and the running balances
-- of the tracked accounts. Callers hold the locks of every tracked account they pass.
--
-- The balances are updated one account at a time (each UPDATE returns the balance after its
-- posting; a hot account, with no running balance, updates nothing and gets NULL), and the
-- postings go in one INSERT: one statement per posting fewer than inserting them one by one.
-- (A set-based UPDATE through CTEs was measured slower: 650 us per bet against 385 us.)
CREATE OR REPLACE FUNCTION ledger_post(p_tx bigint, p_accounts bigint[], p_amounts bigint[])
RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    n      integer := cardinality(p_accounts);
    total  bigint := 0;
    after  bigint;
    afters bigint[] := '{}';
BEGIN
    IF n <> cardinality(p_amounts) THEN
        RAISE EXCEPTION 'ledger_post: % accounts for % amounts', n, cardinality(p_amounts);
    END IF;
    FOR i IN 1 .. n LOOP
        total := total + p_amounts[i];
        UPDATE accounts SET balance_minor = balance_minor + p_amounts[i]
         WHERE id = p_accounts[i] AND balance_minor IS NOT NULL
        RETURNING balance_minor INTO after;  -- NULL when no row: a hot account
        afters := afters || after;
    END LOOP;
    IF total <> 0 THEN
        RAISE EXCEPTION 'ledger_post: postings of transaction % sum to %, not zero', p_tx, total;
    END IF;
    INSERT INTO postings (transaction_id, account_id, amount_minor, balance_after_minor)
    SELECT p_tx, l.account_id, l.amount_minor, l.after_minor
      FROM unnest(p_accounts, p_amounts, afters) AS l(account_id, amount_minor, after_minor);
END $$;

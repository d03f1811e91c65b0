-- The one place money moves: writes the postings of transaction p_tx and the running balances
-- of the tracked accounts. Callers hold the locks of every tracked account they pass.
CREATE OR REPLACE FUNCTION ledger_post(p_tx bigint, p_accounts bigint[], p_amounts bigint[])
RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    i     integer;
    total bigint := 0;
    after bigint;
BEGIN
    IF coalesce(array_length(p_accounts, 1), 0) <> coalesce(array_length(p_amounts, 1), 0) THEN
        RAISE EXCEPTION 'ledger_post: % accounts for % amounts',
            array_length(p_accounts, 1), array_length(p_amounts, 1);
    END IF;
    FOR i IN 1 .. coalesce(array_length(p_accounts, 1), 0) LOOP
        total := total + p_amounts[i];
        after := NULL;
        UPDATE accounts SET balance_minor = balance_minor + p_amounts[i]
         WHERE id = p_accounts[i] AND balance_minor IS NOT NULL
        RETURNING balance_minor INTO after;
        INSERT INTO postings (transaction_id, account_id, amount_minor, balance_after_minor)
        VALUES (p_tx, p_accounts[i], p_amounts[i], after);
    END LOOP;
    IF total <> 0 THEN
        RAISE EXCEPTION 'ledger_post: postings of transaction % sum to %, not zero', p_tx, total;
    END IF;
END $$;

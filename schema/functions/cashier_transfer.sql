-- A cashier's money move (wallet/moves/shop.py): ledger_transfer, and when it posted,
-- the move's author in cashier_moves, in the same database transaction. A replay or a refusal
-- writes nothing: the original's row stands, and a refused move was nobody's.
CREATE OR REPLACE FUNCTION cashier_transfer(
    p_cashier_id bigint, p_operation text, p_external_id text, p_request_hash bytea,
    p_accounts bigint[], p_amounts bigint[], p_key_account bigint, p_reverses bigint DEFAULT NULL)
RETURNS ledger_answer LANGUAGE plpgsql AS $$
DECLARE
    r ledger_answer;
BEGIN
    r := ledger_transfer('cashier', p_operation, p_external_id, p_request_hash, 'transfer',
                         p_accounts, p_amounts, p_key_account, p_reverses);
    IF r.outcome = 'new' THEN
        INSERT INTO cashier_moves (tx_id, cashier_id, created_at)
        VALUES (r.tx_id, p_cashier_id, r.tx_at);
    END IF;
    RETURN r;
END $$;

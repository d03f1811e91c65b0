-- A transfer-wallet move ends on the studio's definite answer, at most once (the row is locked
-- and must still be pending), with its money in the same database transaction:
--   out, success: pending_out -> held:<studio> (confirms the reserve)
--   out, failure: pending_out -> main (releases the reserve, exactly)
--   in,  success: p_amount to main, taken from held:<studio> as far as it goes and the rest
--                 from the studio's result account 'transfer:<studio>' (what the player won there)
--   in,  failure: nothing moves
-- Answers the move's status afterwards ('done' or 'failed'), or 'not_found'.
CREATE OR REPLACE FUNCTION transfer_move_settle(
    p_txn_id text, p_success boolean, p_amount bigint, p_detail text, p_main bigint,
    p_pending bigint, p_held bigint, p_result bigint)
RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    m transfer_moves;
    r ledger_answer;
    v_caller text;
    v_amount bigint;
    v_held bigint;
    v_accounts bigint[] := ARRAY[p_main];
    v_amounts bigint[];
BEGIN
    SELECT * INTO m FROM transfer_moves WHERE txn_id = p_txn_id FOR UPDATE;
    IF NOT FOUND THEN
        RETURN 'not_found';
    END IF;
    IF m.status <> 'pending' THEN
        RETURN m.status;
    END IF;
    v_caller := 'transfer:' || m.studio;
    v_amount := coalesce(m.amount_minor, p_amount);
    IF m.direction = 'out' AND p_success THEN
        r := ledger_transfer(v_caller, 'confirm', p_txn_id, sha256(convert_to('confirm', 'UTF8')),
                             'confirm', ARRAY[p_pending, p_held],
                             ARRAY[-m.amount_minor, m.amount_minor], p_pending, NULL,
                             m.reserve_tx_id);
    ELSIF m.direction = 'out' THEN
        r := ledger_transfer(v_caller, 'release', p_txn_id, sha256(convert_to('release', 'UTF8')),
                             'release', ARRAY[p_pending, p_main],
                             ARRAY[-m.amount_minor, m.amount_minor], p_main, m.reserve_tx_id,
                             m.reserve_tx_id);
    ELSIF p_success AND v_amount > 0 THEN
        PERFORM 1 FROM accounts WHERE id IN (p_main, p_held) ORDER BY id FOR UPDATE;
        SELECT greatest(least(balance_minor, v_amount), 0) INTO v_held
          FROM accounts WHERE id = p_held;
        v_amounts := ARRAY[v_amount];
        IF v_held > 0 THEN
            v_accounts := v_accounts || p_held;
            v_amounts := v_amounts || -v_held;
        END IF;
        IF v_amount > v_held THEN
            v_accounts := v_accounts || p_result;
            v_amounts := v_amounts || (v_held - v_amount);
        END IF;
        r := ledger_transfer(v_caller, 'credit', p_txn_id, m.request_hash, 'transfer',
                             v_accounts, v_amounts, p_main);
    END IF;
    IF r.outcome IS NOT NULL AND r.outcome NOT IN ('new', 'replay') THEN
        RAISE EXCEPTION 'transfer_move_settle %: %', p_txn_id, r.outcome;
    END IF;
    UPDATE transfer_moves
       SET status = CASE WHEN p_success THEN 'done' ELSE 'failed' END,
           amount_minor = CASE WHEN p_success THEN v_amount ELSE amount_minor END,
           settle_tx_id = r.tx_id, detail = p_detail, resolved_at = now()
     WHERE txn_id = p_txn_id;
    RETURN CASE WHEN p_success THEN 'done' ELSE 'failed' END;
END $$;

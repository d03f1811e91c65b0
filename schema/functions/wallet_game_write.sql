-- The studio hot path's write of a batch (wallet/ledger/game_store.py): every transaction row,
-- every balance change and every posting of the batch's verdicts, three statements whatever the
-- batch's size. The balances were read under the players' locks; a balance that is no longer
-- what the rules judged (a change made outside its main account's lock, which nothing does) fails
-- the whole batch rather than post on a stale figure.
--
-- p_batch (built by game_store.write_request):
--   transactions  [{id, caller, operation, external_id, request_hash ("\x.."), kind, account_id,
--                   round_id, game_id, ref_external_id, reverses_id, closes_round, debit_minor,
--                   credit_minor, balance_before_minor, balance_after_minor}, ...]
--   balances      [{id, delta, was}, ...]: each player account the legs touch
--   postings      [{tx, account, amount, after}, ...]: after is NULL on a hot system account
-- Generic plans from the first call, as wallet_game_read's.
CREATE OR REPLACE FUNCTION wallet_game_write(p_batch jsonb)
RETURNS void LANGUAGE plpgsql SET plan_cache_mode = force_generic_plan AS $$
DECLARE
    v_moved integer;
BEGIN
    INSERT INTO transactions (id, caller, operation, external_id, request_hash, kind, account_id,
                              round_id, game_id, ref_external_id, reverses_id, closes_round,
                              debit_minor, credit_minor, balance_before_minor,
                              balance_after_minor)
    SELECT t.id, t.caller, t.operation, t.external_id, t.request_hash, t.kind, t.account_id,
           t.round_id, t.game_id, t.ref_external_id, t.reverses_id, t.closes_round,
           t.debit_minor, t.credit_minor, t.balance_before_minor, t.balance_after_minor
      FROM jsonb_populate_recordset(NULL::transactions, p_batch->'transactions') t;
    UPDATE accounts a SET balance_minor = a.balance_minor + c.delta
      FROM jsonb_to_recordset(p_batch->'balances') AS c(id bigint, delta bigint, was bigint)
     WHERE a.id = c.id AND a.balance_minor = c.was;
    GET DIAGNOSTICS v_moved = ROW_COUNT;
    IF v_moved <> jsonb_array_length(p_batch->'balances') THEN
        RAISE EXCEPTION 'wallet_game_write: a balance changed outside its lock';
    END IF;
    INSERT INTO postings (transaction_id, account_id, amount_minor, balance_after_minor)
    SELECT l.tx, l.account, l.amount, l.after
      FROM jsonb_to_recordset(p_batch->'postings') AS l(tx bigint, account bigint, amount bigint,
                                                       after bigint);
END $$;

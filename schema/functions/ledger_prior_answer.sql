-- The stored answer under an idempotency key, as a replay (same request hash) or a conflict;
-- r unchanged (outcome NULL) when the key is free. r carries the current balances, which a
-- conflict reports.
CREATE OR REPLACE FUNCTION ledger_prior_answer(
    p_caller text, p_operation text, p_external_id text, p_request_hash bytea, r ledger_answer)
RETURNS ledger_answer LANGUAGE plpgsql AS $$
DECLARE
    prior record;
BEGIN
    SELECT id, kind, request_hash, balance_before_minor, balance_after_minor, created_at
      INTO prior FROM transactions
     WHERE caller = p_caller AND operation = p_operation AND external_id = p_external_id;
    IF NOT FOUND THEN
        RETURN r;
    END IF;
    r.tx_id := prior.id;
    r.tx_kind := prior.kind;
    IF prior.request_hash = p_request_hash THEN
        r.outcome := 'replay';
        r.balance_before_minor := prior.balance_before_minor;
        r.balance_after_minor := prior.balance_after_minor;
        r.tx_at := prior.created_at;
    ELSE
        r.outcome := 'conflict';
    END IF;
    RETURN r;
END $$;

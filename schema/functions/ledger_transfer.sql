-- General money moves between accounts (opening balances, cashier and agent transfers, the
-- phases of a transfer-wallet move). Same contract as the hot path: one statement that locks
-- the tracked accounts in ascending id order, claims the key, checks bounds and posts.
-- p_key_account is the account whose balance before/after the answer reports; it is locked
-- with the others, posted to or not: a cashier's move keys on the player's main account, the
-- lock under which the studios' hot path changes a shop player's other accounts
-- (wallet_game_call), so the two never interleave.
-- p_reverses names the transaction this one undoes exactly (at most once: unique);
-- p_resolves the reserve this one confirms or releases (at most one resolution: unique).
-- A second reversal or resolution answers already_reversed / already_resolved (checked under
-- the locks of the accounts involved; the unique indexes stay as the backstop).
CREATE OR REPLACE FUNCTION ledger_transfer(
    p_caller text, p_operation text, p_external_id text, p_request_hash bytea, p_kind text,
    p_accounts bigint[], p_amounts bigint[], p_key_account bigint, p_reverses bigint DEFAULT NULL,
    p_resolves bigint DEFAULT NULL)
RETURNS ledger_answer LANGUAGE plpgsql AS $$
DECLARE
    r ledger_answer;
BEGIN
    PERFORM 1 FROM accounts
     WHERE (id = ANY (p_accounts) OR id = p_key_account) AND balance_minor IS NOT NULL
     ORDER BY id FOR UPDATE;
    SELECT a.currency, c.exponent, a.balance_minor INTO r.currency, r.exponent, r.balance_before_minor
      FROM accounts a JOIN currencies c ON c.code = a.currency WHERE a.id = p_key_account;
    IF NOT FOUND THEN
        r.outcome := 'no_account';
        RETURN r;
    END IF;
    r.balance_after_minor := r.balance_before_minor;
    r.tx_at := now();

    r := ledger_prior_answer(p_caller, p_operation, p_external_id, p_request_hash, r);
    IF r.outcome IS NOT NULL THEN
        RETURN r;
    END IF;

    PERFORM 1 FROM transactions WHERE reverses_id = p_reverses;
    IF FOUND THEN
        r.outcome := 'already_reversed';
        RETURN r;
    END IF;
    PERFORM 1 FROM transactions WHERE resolves_id = p_resolves;
    IF FOUND THEN
        r.outcome := 'already_resolved';
        RETURN r;
    END IF;

    PERFORM 1 FROM unnest(p_accounts, p_amounts) AS l(id, amount)
      LEFT JOIN accounts a ON a.id = l.id
     GROUP BY a.currency HAVING sum(l.amount) <> 0 OR a.currency IS NULL;
    IF FOUND THEN
        RAISE EXCEPTION 'ledger_transfer: legs do not sum to zero per currency, or name no account';
    END IF;
    PERFORM 1 FROM accounts a
      JOIN (SELECT id, sum(amount) AS delta FROM unnest(p_accounts, p_amounts) AS l(id, amount)
             GROUP BY id) l ON l.id = a.id
     WHERE a.balance_minor + l.delta < a.lower_bound_minor;
    IF FOUND THEN
        r.outcome := 'insufficient';
        RETURN r;
    END IF;

    r.balance_after_minor := r.balance_before_minor + (
        SELECT coalesce(sum(amount), 0) FROM unnest(p_accounts, p_amounts) AS l(id, amount)
         WHERE id = p_key_account);
    INSERT INTO transactions (caller, operation, external_id, request_hash, kind, account_id,
                              reverses_id, resolves_id, balance_before_minor,
                              balance_after_minor)
    VALUES (p_caller, p_operation, p_external_id, p_request_hash, p_kind, p_key_account,
            p_reverses, p_resolves, r.balance_before_minor, r.balance_after_minor)
    ON CONFLICT (caller, operation, external_id) DO NOTHING
    RETURNING id, created_at INTO r.tx_id, r.tx_at;
    IF r.tx_id IS NULL THEN  -- claimed meanwhile by a call that locked other accounts
        r.balance_after_minor := r.balance_before_minor;
        RETURN ledger_prior_answer(p_caller, p_operation, p_external_id, p_request_hash, r);
    END IF;
    PERFORM ledger_post(r.tx_id, p_accounts, p_amounts);
    r.outcome := 'new';
    r.tx_kind := p_kind;
    RETURN r;
END $$;

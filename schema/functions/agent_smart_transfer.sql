-- A smart transfer (wallet/moves/smart.py), one statement: agent <-> player, with
-- the bypass policy and the rebate decided under the locks of the money they depend on.
--   1. A bypass (the player's owner is not the caller) locks the owning agent's row: bypasses
--      on one owner's players queue, so the window's count cannot be raced past a tier.
--   2. The key: a replay or a conflict answers before any check. The key space is the raw
--      transfers' (operation 'move'): one client key names one move on whichever endpoint.
--   3. A bypass counts the owner's bypasses in the caller's policy window (p_max_free,
--      p_block_after, p_window_hours): free, surcharge, or blocked (outcome 'blocked',
--      nothing moved, nothing recorded but the owner's bypass.blocked notification).
--   4. A bypass deposit accrues the caller's rate for the owner (agent_rebates) as a rebate:
--      legs from the caller's 'rebate_owed:<owner>' (a liability) to the owner's
--      'rebate_due:<caller>', both made on first use (no lower bound).
--   5. ledger_transfer posts; then its record and the owner's notifications
--      (agent_smart_record); a blocked bypass's owner gets bypass.blocked.
-- Its webhook events are written by the server in the same unit of work, from the view the
-- API answers with (wallet/agents/smart_views.py).
CREATE OR REPLACE FUNCTION agent_smart_transfer(
    p_external_id text, p_request_hash bytea, p_agent_id bigint, p_agent_main bigint,
    p_player_id bigint, p_player_main bigint, p_owner_id bigint, p_type text,
    p_amount_minor bigint,
    p_max_free integer, p_block_after integer, p_window_hours integer, p_surcharge_bp integer,
    p_notify boolean, p_method text, p_reference text, p_comment text)
RETURNS ledger_answer LANGUAGE plpgsql AS $$
DECLARE
    r          ledger_answer;
    v_bypass   boolean := p_owner_id <> p_agent_id;
    v_count    integer;
    v_tier     text;
    v_rebate   integer := 0;
    v_rebated  bigint := 0;
    v_sign     integer := CASE WHEN p_type = 'deposit' THEN 1 ELSE -1 END;
    v_accounts bigint[];
    v_amounts  bigint[];
    v_owed     bigint;
    v_due      bigint;
    v_debt_id  bigint;
    v_debt     bigint;
    v_legs     record;
BEGIN
    IF v_bypass THEN
        PERFORM 1 FROM agents WHERE id = p_owner_id FOR UPDATE;
    END IF;
    SELECT a.currency, c.exponent, a.balance_minor INTO r.currency, r.exponent, r.balance_before_minor
      FROM accounts a JOIN currencies c ON c.code = a.currency WHERE a.id = p_player_main;
    r.balance_after_minor := r.balance_before_minor;
    -- The player's debt, under its main account's lock (the hot path's): see agent_transfer.
    PERFORM 1 FROM accounts WHERE id IN (p_agent_main, p_player_main) ORDER BY id FOR UPDATE;
    SELECT d.id, d.balance_minor INTO v_debt_id, v_debt FROM accounts d
     WHERE d.owner_type = 'player' AND d.owner_id = p_player_id AND d.purpose = 'debt'
       AND d.currency = r.currency
       FOR UPDATE;
    r := ledger_prior_answer('agent', 'move', p_external_id, p_request_hash, r);
    IF r.outcome IS NOT NULL THEN
        RETURN r;
    END IF;
    IF v_bypass THEN
        v_count := agent_bypass_count(p_owner_id, p_window_hours);
        v_tier := CASE WHEN v_count <= p_max_free THEN 'free'
                       WHEN v_count <= p_block_after THEN 'surcharge' END;
        IF v_tier IS NULL THEN
            -- Committed with the refusal (one statement); the key dedupes a replayed one.
            PERFORM agent_notify_transfer('bypass.blocked', p_owner_id, p_agent_id, p_player_id,
                p_type, p_amount_minor, NULL, 'transfer', jsonb_build_object('bypassCount',
                v_count, 'blockAfter', p_block_after, 'windowHours', p_window_hours),
                'bypass.blocked:' || p_external_id);
            r.outcome := 'blocked';
            RETURN r;
        END IF;
        IF p_type = 'deposit' THEN
            SELECT percent_bp INTO v_rebate FROM agent_rebates
             WHERE agent_id = p_agent_id AND sub_agent_id = p_owner_id;
            v_rebate := coalesce(v_rebate, 0);
            v_rebated := p_amount_minor * v_rebate / 10000;
        END IF;
    END IF;
    IF p_type = 'withdraw' AND r.balance_before_minor + coalesce(v_debt, 0) < p_amount_minor THEN
        r.outcome := 'insufficient';
        RETURN r;
    END IF;
    v_accounts := ARRAY[p_agent_main, p_player_main];
    v_amounts := ARRAY[-v_sign * p_amount_minor, v_sign * p_amount_minor];
    IF v_rebated > 0 THEN
        -- Each statement sees what committed before it: a concurrent first use's row too.
        INSERT INTO accounts (owner_type, owner_id, purpose, currency, balance_minor)
        VALUES ('agent', p_agent_id, 'rebate_owed:' || p_owner_id, r.currency, 0),
               ('agent', p_owner_id, 'rebate_due:' || p_agent_id, r.currency, 0)
        ON CONFLICT (owner_type, owner_id, purpose, currency) DO NOTHING;
        SELECT id INTO STRICT v_owed FROM accounts
         WHERE owner_type = 'agent' AND owner_id = p_agent_id
           AND purpose = 'rebate_owed:' || p_owner_id AND currency = r.currency;
        SELECT id INTO STRICT v_due FROM accounts
         WHERE owner_type = 'agent' AND owner_id = p_owner_id
           AND purpose = 'rebate_due:' || p_agent_id AND currency = r.currency;
        v_accounts := v_accounts || ARRAY[v_owed, v_due];
        v_amounts := v_amounts || ARRAY[-v_rebated, v_rebated];
    END IF;
    v_legs := ledger_repaying_debt(v_accounts, v_amounts, p_player_main, v_debt_id, v_debt);
    r := ledger_transfer('agent', 'move', p_external_id, p_request_hash, 'transfer',
                         v_legs.accounts, v_legs.amounts, p_player_main);
    IF r.outcome = 'new' THEN
        PERFORM agent_smart_record(r, p_agent_id, p_player_id, p_owner_id, p_type, p_amount_minor,
            v_count, v_tier, p_surcharge_bp, v_rebate, v_rebated, p_window_hours, p_notify,
            p_method, p_reference, p_comment);
    END IF;
    RETURN r;
END $$;

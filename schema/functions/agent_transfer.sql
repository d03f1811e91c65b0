-- An agent's move (wallet/moves/agent.py): ledger_transfer's legs, plus what an agent
-- move needs beyond a plain transfer, all in the one database transaction:
--   p_floor_account must hold at least p_floor_minor afterwards (a REAL withdraw from a
--     sub-agent takes its balance, never its credit);
--   p_line_account's credit line changes by p_line_delta (a CREDIT move): its lower bound goes
--     down by as much; a smaller line needs the account to be above the new bound already;
--   the move's record in agent_moves;
--   the notifications: transfer.alert to a player's owner moved for by another agent,
--     balance.credited / balance.debited to the sub-agent;
--   a player's debt (what an authoritative rollback took beyond zero; the studios see main +
--     debt): a deposit repays it first, as the hot path's credits do, and a withdraw takes at
--     most main + debt, so no one takes out money the player owes.
-- Locks the same accounts as ledger_transfer, in the same (id) order, before it: a replay or a
-- conflict answers from the key before any check, as ledger_transfer does.
CREATE OR REPLACE FUNCTION agent_transfer(
    p_operation text, p_external_id text, p_request_hash bytea,
    p_accounts bigint[], p_amounts bigint[], p_key_account bigint,
    p_floor_account bigint, p_floor_minor bigint, p_line_account bigint, p_line_delta bigint,
    p_agent_id bigint, p_kind text, p_money_type text, p_player_id bigint,
    p_target_agent_id bigint, p_amount_minor bigint, p_comment text)
RETURNS ledger_answer LANGUAGE plpgsql AS $$
DECLARE
    r         ledger_answer;
    v_debt_id bigint;
    v_debt    bigint;
    v_legs    record;
BEGIN
    SELECT d.id INTO v_debt_id FROM accounts d JOIN accounts m ON m.id = p_key_account
     WHERE p_player_id IS NOT NULL AND d.owner_type = 'player' AND d.owner_id = p_player_id
       AND d.purpose = 'debt' AND d.currency = m.currency;
    PERFORM 1 FROM accounts
     WHERE (id = ANY (p_accounts) OR id = p_key_account OR id = p_line_account OR id = v_debt_id)
       AND balance_minor IS NOT NULL
     ORDER BY id FOR UPDATE;
    SELECT a.currency, c.exponent, a.balance_minor INTO r.currency, r.exponent, r.balance_before_minor
      FROM accounts a JOIN currencies c ON c.code = a.currency WHERE a.id = p_key_account;
    r.balance_after_minor := r.balance_before_minor;
    r := ledger_prior_answer('agent', p_operation, p_external_id, p_request_hash, r);
    IF r.outcome IS NOT NULL THEN
        RETURN r;
    END IF;
    PERFORM 1 FROM accounts a
     WHERE a.id = p_floor_account
       AND a.balance_minor + (SELECT coalesce(sum(amount), 0)
                                FROM unnest(p_accounts, p_amounts) AS l(id, amount)
                               WHERE l.id = p_floor_account) < p_floor_minor;
    IF FOUND THEN
        r.outcome := 'insufficient';
        RETURN r;
    END IF;
    PERFORM 1 FROM accounts a
     WHERE a.id = p_line_account AND p_line_delta < 0
       AND a.balance_minor < a.lower_bound_minor - p_line_delta;
    IF FOUND THEN
        r.outcome := 'insufficient';
        RETURN r;
    END IF;
    SELECT balance_minor INTO v_debt FROM accounts WHERE id = v_debt_id;
    IF p_kind = 'withdraw' AND r.balance_before_minor + coalesce(v_debt, 0) < p_amount_minor THEN
        r.outcome := 'insufficient';
        RETURN r;
    END IF;
    v_legs := ledger_repaying_debt(p_accounts, p_amounts, p_key_account, v_debt_id, v_debt);
    r := ledger_transfer('agent', p_operation, p_external_id, p_request_hash, 'transfer',
                         v_legs.accounts, v_legs.amounts, p_key_account);
    IF r.outcome = 'new' THEN
        IF p_line_delta <> 0 THEN
            UPDATE accounts SET lower_bound_minor = lower_bound_minor - p_line_delta
             WHERE id = p_line_account;
        END IF;
        INSERT INTO agent_moves (tx_id, agent_id, kind, money_type, player_id, target_agent_id,
                                 amount_minor, comment, created_at)
        VALUES (r.tx_id, p_agent_id, p_kind, p_money_type, p_player_id, p_target_agent_id,
                p_amount_minor, p_comment, r.tx_at);
        -- Notifications in the move's transaction (agent_notify_transfer, _balance).
        IF p_player_id IS NOT NULL THEN
            PERFORM agent_notify_transfer('transfer.alert', o.agent_id, p_agent_id, p_player_id,
                                          p_kind, p_amount_minor, r.tx_id, p_kind, NULL, NULL)
               FROM agent_players o WHERE o.player_id = p_player_id;
        ELSE
            PERFORM agent_notify_balance(p_agent_id, p_target_agent_id, p_kind, p_money_type,
                                         p_amount_minor, r.tx_id);
        END IF;
    END IF;
    RETURN r;
END $$;

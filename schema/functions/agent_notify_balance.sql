-- balance.credited / balance.debited to a sub-agent whose ancestor p_by_agent_id just moved
-- REAL or CREDIT to or from it (/agent/deposit, /agent/withdraw), in the move's statement after
-- its postings, so the figures after are the move's. Variables: byAgentId, byAgentUsername,
-- moneyType, amountMinor, amount, currency, transactionId, and the target's figures after the
-- move: balanceAfterMinor / balanceAfter (its balance, max(main, 0)) and creditLineAfterMinor /
-- creditLineAfter (its credit line).
CREATE OR REPLACE FUNCTION agent_notify_balance(
    p_by_agent_id bigint, p_target_id bigint, p_kind text, p_money_type text,
    p_amount_minor bigint, p_tx_id bigint)
RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    v_vars jsonb;
BEGIN
    SELECT jsonb_build_object(
               'byAgentId', b.id::text, 'byAgentUsername', b.username,
               'moneyType', p_money_type, 'amountMinor', p_amount_minor,
               'amount', agent_money_text(p_amount_minor, c.exponent), 'currency', t.currency,
               'transactionId', p_tx_id::text,
               'balanceAfterMinor', greatest(m.balance_minor, 0),
               'balanceAfter', agent_money_text(greatest(m.balance_minor, 0), c.exponent),
               'creditLineAfterMinor', k.balance_minor,
               'creditLineAfter', agent_money_text(k.balance_minor, c.exponent))
      INTO STRICT v_vars
      FROM agents t JOIN currencies c ON c.code = t.currency
      JOIN accounts m ON m.owner_type = 'agent' AND m.owner_id = t.id AND m.purpose = 'main'
                     AND m.currency = t.currency
      JOIN accounts k ON k.owner_type = 'agent' AND k.owner_id = t.id AND k.purpose = 'credit'
                     AND k.currency = t.currency,
           agents b
     WHERE t.id = p_target_id AND b.id = p_by_agent_id;
    PERFORM agent_notify(p_target_id,
                         CASE WHEN p_kind = 'agent_deposit' THEN 'balance.credited'
                              ELSE 'balance.debited' END,
                         v_vars, NULL);
END $$;

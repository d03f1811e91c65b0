-- A notification about a move for a player, to the agent p_to_agent_id (the player's owner)
-- when another agent (p_by_agent_id, an ancestor) moved or tried to move money for it:
-- transfer.alert (raw /deposit, /withdraw and smart /transfer), bypass.first, bypass.blocked.
-- Variables: byAgentId, byAgentUsername, playerId, playerUsername, type, amountMinor, amount
-- (text, exact), currency, via ('transfer' smart, 'deposit'/'withdraw' raw), and for a move
-- that happened transactionId (the ledger's) and txId (the mover's answer's id: the ST id of a
-- smart transfer, the transaction id of a raw one); p_extra adds its own.
CREATE OR REPLACE FUNCTION agent_notify_transfer(
    p_title_key text, p_to_agent_id bigint, p_by_agent_id bigint, p_player_id bigint,
    p_type text, p_amount_minor bigint, p_tx_id bigint, p_via text, p_extra jsonb,
    p_dedupe_key text)
RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    v_vars jsonb;
BEGIN
    IF p_to_agent_id IS NULL OR p_to_agent_id = p_by_agent_id THEN
        RETURN;  -- an agent's own player: nobody else to tell
    END IF;
    SELECT jsonb_strip_nulls(jsonb_build_object(
               'byAgentId', b.id::text, 'byAgentUsername', b.username,
               'playerId', p.id::text, 'playerUsername', p.username,
               'type', p_type, 'amountMinor', p_amount_minor,
               'amount', agent_money_text(p_amount_minor, c.exponent), 'currency', b.currency,
               'via', p_via, 'transactionId', p_tx_id::text,
               'txId', coalesce((SELECT s.st_id FROM smart_transfers s WHERE s.tx_id = p_tx_id),
                                p_tx_id::text)))
           || coalesce(p_extra, '{}')
      INTO STRICT v_vars
      FROM agents b JOIN currencies c ON c.code = b.currency, players p
     WHERE b.id = p_by_agent_id AND p.id = p_player_id;
    PERFORM agent_notify(p_to_agent_id, p_title_key, v_vars, p_dedupe_key);
END $$;

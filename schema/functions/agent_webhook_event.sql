-- A smart transfer's webhook events (schema/sql/0011_webhooks.sql), written by
-- agent_smart_transfer in the money's own statement: p_events for the caller's registrations
-- that asked for them (none: nothing written, no cost beyond one index probe).
--   p_reason: null for transfer.completed, else the refusal's code (INSUFFICIENT_BALANCE,
--   BYPASS_BLOCKED). r: the smart transfer's answer (currency, exponent, and on completion its
--   ledger transaction, whose smart_transfers row is already written).
-- The body is built once here and kept as text: the bytes signed are the bytes sent, on every
-- attempt. Amounts and percents are JSON numbers as the API shows them (2550 at exponent 2:
-- 25.5); bypassInfo and rebate as /transfer answers them (bypassInfo of a blocked bypass: its
-- count and the tier "blocked").
-- A repeat of a refused request (same key, same body) finds its dedupe_key taken: no second
-- event. A completed transfer's replay never reaches here (it answers from its key).
CREATE OR REPLACE FUNCTION agent_webhook_event(
    p_events text[], p_reason text, r ledger_answer, p_external_id text, p_request_hash bytea,
    p_agent_id bigint, p_player_id bigint, p_owner_id bigint, p_type text,
    p_amount_minor bigint, p_bypass_count integer, p_method text, p_reference text)
RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    v_event   text;
    v_id      text;
    v_st      smart_transfers;
    v_prefix  text := p_agent_id || ':key:';
    v_data    jsonb;
    v_unit    numeric := power(10::numeric, r.exponent);
BEGIN
    IF NOT EXISTS (SELECT 1 FROM webhook_registrations
                    WHERE agent_id = p_agent_id AND deleted_at IS NULL
                      AND events && p_events) THEN
        RETURN;
    END IF;
    IF p_reason IS NULL THEN
        SELECT * INTO STRICT v_st FROM smart_transfers WHERE tx_id = r.tx_id;
    END IF;
    v_data := jsonb_build_object(
        'txId', v_st.st_id,
        'panelTransactionId', v_st.tx_id::text,
        'status', CASE WHEN p_reason IS NULL THEN 'completed' ELSE 'failed' END,
        'reason', p_reason,
        'type', p_type,
        'amount', trim_scale(round(p_amount_minor / v_unit, r.exponent)),
        'currency', r.currency,
        'agent', (SELECT jsonb_build_object('id', id::text, 'username', username)
                    FROM agents WHERE id = p_agent_id),
        'playerUsername', (SELECT username FROM players WHERE id = p_player_id),
        'isBypass', p_owner_id <> p_agent_id,
        'owningAgent', (SELECT jsonb_build_object('id', id::text, 'username', username)
                          FROM agents WHERE id = p_owner_id),
        'bypassInfo', CASE
            WHEN v_st.is_bypass THEN jsonb_build_object(
                'count', v_st.bypass_count, 'tier', v_st.tier,
                'surchargePercent', trim_scale(round(v_st.surcharge_bp / 100.0, 2)),
                'surchargeAmount', trim_scale(round(v_st.surcharge_minor / v_unit, r.exponent)))
            WHEN p_reason = 'BYPASS_BLOCKED' THEN jsonb_build_object('count', p_bypass_count,
                                                                     'tier', 'blocked')
            END,
        'rebate', CASE WHEN v_st.rebate_minor > 0 THEN jsonb_build_object(
            'percent', trim_scale(round(v_st.rebate_bp / 100.0, 2)),
            'amount', trim_scale(round(v_st.rebate_minor / v_unit, r.exponent)),
            'owedTo', (SELECT username FROM agents WHERE id = p_owner_id)) END,
        'paymentMethod', p_method,
        'paymentReference', p_reference,
        'idempotencyKey', CASE WHEN starts_with(p_external_id, v_prefix)
                               THEN substr(p_external_id, length(v_prefix) + 1) END);
    FOREACH v_event IN ARRAY p_events LOOP
        v_id := 'evt_' || replace(gen_random_uuid()::text, '-', '');
        INSERT INTO webhook_events (id, agent_id, type, dedupe_key, body)
        SELECT v_id, p_agent_id, v_event,
               p_external_id || '|' || v_event || '|' || encode(p_request_hash, 'hex'),
               jsonb_build_object(
                   'eventId', v_id, 'event', v_event,
                   'createdAt', to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
                   'data', v_data)::text
         WHERE EXISTS (SELECT 1 FROM webhook_registrations
                        WHERE agent_id = p_agent_id AND deleted_at IS NULL
                          AND v_event = ANY (events))
        ON CONFLICT (dedupe_key) DO NOTHING;
        IF FOUND THEN
            INSERT INTO webhook_deliveries (event_id, registration_id)
            SELECT v_id, id FROM webhook_registrations
             WHERE agent_id = p_agent_id AND deleted_at IS NULL AND v_event = ANY (events);
        END IF;
    END LOOP;
END $$;

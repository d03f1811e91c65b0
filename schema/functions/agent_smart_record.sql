-- A completed smart transfer's record (agent_smart_transfer, after ledger_transfer posted r):
-- the ST id of the UTC day, the smart_transfers row, and the owner's notifications:
-- transfer.alert, and on the first bypass of a window (p_notify) bypass.first.
CREATE OR REPLACE FUNCTION agent_smart_record(
    r ledger_answer, p_agent_id bigint, p_player_id bigint, p_owner_id bigint, p_type text,
    p_amount_minor bigint, p_count integer, p_tier text, p_surcharge_bp integer,
    p_rebate_bp integer, p_rebate_minor bigint, p_window_hours integer, p_notify boolean,
    p_method text, p_reference text, p_comment text)
RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    v_day    date := (now() AT TIME ZONE 'UTC')::date;
    v_number integer;
    v_bypass boolean := p_owner_id <> p_agent_id;
BEGIN
    INSERT INTO smart_transfer_days AS d (day, last_number) VALUES (v_day, 1)
    ON CONFLICT (day) DO UPDATE SET last_number = d.last_number + 1
    RETURNING last_number INTO v_number;
    INSERT INTO smart_transfers (tx_id, st_id, agent_id, player_id, owner_agent_id, type,
                                 amount_minor, is_bypass, bypass_count, tier, surcharge_bp,
                                 surcharge_minor, rebate_bp, rebate_minor, payment_method,
                                 payment_reference, comment, created_at)
    VALUES (r.tx_id, 'ST-' || to_char(v_day, 'YYYYMMDD') || '-' || lpad(v_number::text, 6, '0'),
            p_agent_id, p_player_id, p_owner_id, p_type, p_amount_minor, v_bypass, p_count,
            p_tier, CASE WHEN p_tier = 'surcharge' THEN p_surcharge_bp ELSE 0 END,
            CASE WHEN p_tier = 'surcharge' THEN p_amount_minor * p_surcharge_bp / 10000 ELSE 0 END,
            p_rebate_bp, p_rebate_minor, p_method, p_reference, p_comment, r.tx_at);
    PERFORM agent_notify_transfer('transfer.alert', p_owner_id, p_agent_id, p_player_id, p_type,
                                  p_amount_minor, r.tx_id, 'transfer', NULL, NULL);
    IF v_bypass AND p_count = 1 AND p_notify THEN
        PERFORM agent_notify_transfer('bypass.first', p_owner_id, p_agent_id, p_player_id, p_type,
            p_amount_minor, r.tx_id, 'transfer',
            jsonb_build_object('bypassCount', p_count, 'windowHours', p_window_hours), NULL);
    END IF;
END $$;

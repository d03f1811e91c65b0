-- A webhook registration (wallet/webhooks/registrations.py), at most p_max live ones per
-- agent: the agent's row is locked first (NO KEY UPDATE: transfers referencing it go on), so
-- two registrations at once cannot both pass the count. Answers the new registration's id and
-- time; no row: the agent is at its limit.
CREATE OR REPLACE FUNCTION webhook_register(
    p_agent_id bigint, p_url text, p_events text[], p_secret_sealed bytea, p_max integer)
RETURNS TABLE (id bigint, created_at timestamptz) LANGUAGE plpgsql AS $$
#variable_conflict use_column
BEGIN
    PERFORM 1 FROM agents a WHERE a.id = p_agent_id FOR NO KEY UPDATE;
    IF (SELECT count(*) FROM webhook_registrations w
         WHERE w.agent_id = p_agent_id AND w.deleted_at IS NULL) >= p_max THEN
        RETURN;
    END IF;
    RETURN QUERY
    INSERT INTO webhook_registrations AS w (agent_id, url, events, secret_sealed)
    VALUES (p_agent_id, p_url, p_events, p_secret_sealed)
    RETURNING w.id, w.created_at;
END $$;

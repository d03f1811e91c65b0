-- One notification for an agent (agent_notifications, wallet/messaging/notifications.py), written
-- by the statement of the event itself, so it commits or rolls back with the event. A
-- p_dedupe_key already written for that agent writes nothing (a replayed refusal).
CREATE OR REPLACE FUNCTION agent_notify(
    p_agent_id bigint, p_title_key text, p_variables jsonb, p_dedupe_key text)
RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO agent_notifications (agent_id, title_key, variables, dedupe_key)
    VALUES (p_agent_id, p_title_key, p_variables, p_dedupe_key)
    ON CONFLICT (agent_id, dedupe_key) DO NOTHING;
END $$;

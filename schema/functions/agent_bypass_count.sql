-- The number a new bypass of the owner's players would have in the caller's policy window
-- (1: the first). Called under the owner's row lock (agent_smart_transfer takes it), so every
-- bypass that counts has committed and none can commit meanwhile: agent_smart_transfer and the
-- server's webhook event of a blocked bypass (in the same unit of work) read the same number.
CREATE OR REPLACE FUNCTION agent_bypass_count(p_owner_id bigint, p_window_hours integer)
RETURNS integer LANGUAGE sql STABLE AS $$
    SELECT count(*)::integer + 1 FROM smart_transfers
     WHERE owner_agent_id = p_owner_id AND is_bypass
       AND created_at > now() - make_interval(hours => p_window_hours)
$$;

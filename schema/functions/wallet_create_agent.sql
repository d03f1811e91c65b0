-- An agent with its accounts (main, credit, bonus, frozen: see schema/sql/0009_agents.sql), in
-- one statement, under p_parent (NULL: a root agent). NULL when the operator has an agent of
-- that name already.
CREATE OR REPLACE FUNCTION wallet_create_agent(
    p_operator_id integer, p_parent_id bigint, p_username text, p_password_hash text,
    p_currency char(3), p_email text, p_first_name text, p_last_name text)
RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
    v_agent bigint := nextval(pg_get_serial_sequence('agents', 'id'));
    v_path  bigint[];
BEGIN
    IF p_parent_id IS NOT NULL THEN
        SELECT path INTO STRICT v_path FROM agents WHERE id = p_parent_id;
    END IF;
    INSERT INTO agents (id, operator_id, parent_id, path, username, email, first_name,
                        last_name, password_hash, currency)
    VALUES (v_agent, p_operator_id, p_parent_id, coalesce(v_path, '{}') || v_agent, p_username,
            p_email, p_first_name, p_last_name, p_password_hash, p_currency)
    ON CONFLICT (operator_id, username) DO NOTHING;
    IF NOT FOUND THEN
        RETURN NULL;
    END IF;
    INSERT INTO accounts (owner_type, owner_id, purpose, currency, balance_minor, lower_bound_minor)
    VALUES ('agent', v_agent, 'main', p_currency, 0, 0),
           ('agent', v_agent, 'credit', p_currency, 0, 0),
           ('agent', v_agent, 'bonus', p_currency, 0, 0),
           ('agent', v_agent, 'frozen', p_currency, 0, 0);
    RETURN v_agent;
END $$;

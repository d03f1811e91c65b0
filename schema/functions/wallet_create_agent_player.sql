-- An agent's player: a plain player of the operator (main and debt, wallet_create_player) and
-- its owner, in one statement. NULL when the operator has a player of that name already.
CREATE OR REPLACE FUNCTION wallet_create_agent_player(
    p_operator_id integer, p_agent_id bigint, p_username text, p_currency char(3),
    p_email text, p_password_hash text, p_first_name text, p_last_name text,
    p_middle_name text, p_mobile text, p_country text, p_birth_date date)
RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
    v_player bigint;
BEGIN
    PERFORM 1 FROM players WHERE operator_id = p_operator_id AND username = p_username;
    IF FOUND THEN
        RETURN NULL;
    END IF;
    BEGIN
        v_player := wallet_create_player(p_operator_id, p_username, p_currency);
    EXCEPTION WHEN unique_violation THEN  -- taken meanwhile by another call
        RETURN NULL;
    END;
    INSERT INTO agent_players (player_id, agent_id, email, password_hash, first_name, last_name,
                               middle_name, mobile, country, birth_date)
    VALUES (v_player, p_agent_id, p_email, p_password_hash, p_first_name, p_last_name,
            p_middle_name, p_mobile, p_country, p_birth_date);
    RETURN v_player;
END $$;

-- A player with its main and debt accounts, in one statement.
CREATE OR REPLACE FUNCTION wallet_create_player(p_operator_id integer, p_username text, p_currency char(3))
RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
    v_player bigint;
BEGIN
    INSERT INTO players (operator_id, username, currency)
    VALUES (p_operator_id, p_username, p_currency) RETURNING id INTO v_player;
    INSERT INTO accounts (owner_type, owner_id, purpose, currency, balance_minor, lower_bound_minor)
    VALUES ('player', v_player, 'main', p_currency, 0, 0),
           ('player', v_player, 'debt', p_currency, 0, NULL);
    RETURN v_player;
END $$;

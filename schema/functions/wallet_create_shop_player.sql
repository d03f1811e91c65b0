-- A shop's player and all its accounts, in one statement (revision 0006 names their purposes):
-- main ("balance"), debt, win ("balance_Win"), bonus ("wager_bonus"), wager_req
-- ("wager_bonus_amount") and bounce_back. Main is created first, so it has the lowest id of
-- the player's accounts. NULL when the username or the first_name is taken in the operator.
CREATE OR REPLACE FUNCTION wallet_create_shop_player(
    p_operator_id integer, p_shop_id bigint, p_cashier_id bigint, p_username text,
    p_currency char(3), p_first_name text, p_password_hash text, p_platform text)
RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
    v_player bigint;
BEGIN
    INSERT INTO players (operator_id, username, currency, shop_id, cashier_id, first_name,
                         password_hash, platform)
    VALUES (p_operator_id, p_username, p_currency, p_shop_id, p_cashier_id, p_first_name,
            p_password_hash, p_platform)
    ON CONFLICT DO NOTHING
    RETURNING id INTO v_player;
    IF v_player IS NULL THEN
        RETURN NULL;
    END IF;
    INSERT INTO accounts (owner_type, owner_id, purpose, currency, balance_minor, lower_bound_minor)
    VALUES ('player', v_player, 'main', p_currency, 0, 0),
           ('player', v_player, 'debt', p_currency, 0, NULL),
           ('player', v_player, 'win', p_currency, 0, 0),
           ('player', v_player, 'bonus', p_currency, 0, 0),
           ('player', v_player, 'wager_req', p_currency, 0, 0),
           ('player', v_player, 'bounce_back', p_currency, 0, 0);
    RETURN v_player;
END $$;

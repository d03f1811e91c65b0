-- A shop with its float account ('shop', id, 'main', lower bound 0), in one statement.
-- NULL when the operator has a shop of that name already.
CREATE OR REPLACE FUNCTION wallet_create_shop(
    p_operator_id integer, p_name text, p_currency char(3), p_mode text)
RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
    v_shop bigint;
BEGIN
    INSERT INTO shops (operator_id, name, currency, mode)
    VALUES (p_operator_id, p_name, p_currency, p_mode)
    ON CONFLICT (operator_id, name) DO NOTHING
    RETURNING id INTO v_shop;
    IF v_shop IS NULL THEN
        RETURN NULL;
    END IF;
    INSERT INTO accounts (owner_type, owner_id, purpose, currency, balance_minor, lower_bound_minor)
    VALUES ('shop', v_shop, 'main', p_currency, 0, 0);
    RETURN v_shop;
END $$;

-- The system account of a purpose and currency (created on first use).
CREATE OR REPLACE FUNCTION ledger_system_account(p_purpose text, p_currency char(3))
RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
    v_id bigint;
BEGIN
    SELECT id INTO v_id FROM accounts
     WHERE owner_type = 'system' AND owner_id = 0 AND purpose = p_purpose AND currency = p_currency;
    IF NOT FOUND THEN
        INSERT INTO accounts (owner_type, owner_id, purpose, currency)
        VALUES ('system', 0, p_purpose, p_currency)
        ON CONFLICT (owner_type, owner_id, purpose, currency) DO NOTHING
        RETURNING id INTO v_id;
        IF v_id IS NULL THEN
            SELECT id INTO v_id FROM accounts
             WHERE owner_type = 'system' AND owner_id = 0 AND purpose = p_purpose
               AND currency = p_currency;
        END IF;
    END IF;
    RETURN v_id;
END $$;

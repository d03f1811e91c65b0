-- Fails the statement (and so its transaction) when a condition a write depends on does not
-- hold: the studio batch's write checks with it that every balance it changes is still the one
-- its rules judged (wallet/ledger/game_store.py). Returns true, so it can stand in a WHERE.
CREATE OR REPLACE FUNCTION ledger_assert(p_holds boolean, p_what text)
RETURNS boolean LANGUAGE plpgsql AS $$
BEGIN
    IF p_holds IS NOT TRUE THEN
        RAISE EXCEPTION 'ledger: %', p_what;
    END IF;
    RETURN true;
END $$;

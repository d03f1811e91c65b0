-- The studio hot path's rules moved to Python (wallet/ledger/game_rules.py) and its writes to a
-- set-based statement per batch (wallet/ledger/game_store.py): the per-call PL/pgSQL function
-- and its batch wrapper go, with their rows in schema_objects (their files are gone).
DROP FUNCTION IF EXISTS wallet_game_calls(text[], text[], text[], text[], bytea[], integer[],
    text[], text[], smallint[], bigint[], bigint[], text[], text[], text[], text[], boolean[],
    text[]);
DROP FUNCTION IF EXISTS wallet_game_call(text, text, text, text, bytea, integer, text, char(3),
    smallint, bigint, bigint, text, text, text, text[], boolean, text[]);
DELETE FROM schema_objects
 WHERE file IN ('functions/wallet_game_call.sql', 'functions/wallet_game_calls.sql');

-- The balance a studio sees is stated once, in Python (wallet/ledger/game_rules.seen_balance),
-- for the studios' balance calls and the agent platform's players alike: the SQL function that
-- said it again goes, with its row in schema_objects (its file is gone).
DROP FUNCTION IF EXISTS wallet_player_balance(integer, text);
DELETE FROM schema_objects WHERE file = 'functions/wallet_player_balance.sql';

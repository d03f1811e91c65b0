-- The reversal links of transactions (reverses_id: a reverse's original; resolves_id: a
-- reserve's confirm or release) are unique where they are set and NULL on nearly every row.
-- As table constraints their indexes took an entry for every transaction, NULLs included: two
-- index inserts on every callback for nothing. Partial unique indexes keep the same rule (at most
-- one reverse per original, one resolution per reserve) and index only the rows that have a
-- link. This more than offsets the one index the reports added to the callbacks' write set
-- (0012's transactions_game_activity).
ALTER TABLE transactions DROP CONSTRAINT transactions_reverses_id_key;
CREATE UNIQUE INDEX transactions_reverses_id_key ON transactions (reverses_id)
    WHERE reverses_id IS NOT NULL;
ALTER TABLE transactions DROP CONSTRAINT transactions_resolves_id_key;
CREATE UNIQUE INDEX transactions_resolves_id_key ON transactions (resolves_id)
    WHERE resolves_id IS NOT NULL;

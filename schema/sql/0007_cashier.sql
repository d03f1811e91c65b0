-- The cashier API's own state (protocols/cashier.md), beside revision 0006's tables.

-- Secrets the server generates for itself, shared by every worker and host and kept across
-- restarts: the key that signs cashier login tokens when API_JWT_SECRET is not set.
CREATE TABLE signing_keys (
    name       text        PRIMARY KEY,
    secret     bytea       NOT NULL CHECK (length(secret) >= 32),
    created_at timestamptz NOT NULL DEFAULT now()
);

-- A cashier's moves (deposit, withdraw, reverse) are keyed on the player's main account
-- (wallet/ledger/shop_money.py): the player's latest deposit and the sum of its withdrawals
-- are found here without reading the player's game postings. Partial: the studios' callbacks
-- never write an entry of it.
CREATE INDEX transactions_cashier ON transactions (account_id, id) WHERE caller = 'cashier';

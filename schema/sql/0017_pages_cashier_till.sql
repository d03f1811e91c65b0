-- The cashier console as a till (issue #20): who made each cashier move, and each shop's till
-- settings.

-- A cashier move's author, written by cashier_transfer in the move's database transaction (one
-- row per transaction that moved money; a replay or a refusal writes none): a cashier's shift
-- summary is its rows over a time range, through cashier_moves_cashier. The money itself is
-- the transaction's postings. Moves made before this revision have no row (nobody's shift).
CREATE TABLE cashier_moves (
    tx_id      bigint      PRIMARY KEY REFERENCES transactions,
    cashier_id bigint      NOT NULL REFERENCES cashiers,
    created_at timestamptz NOT NULL
);
CREATE INDEX cashier_moves_cashier ON cashier_moves (cashier_id, created_at);

-- What the shop sets for its till, in the shop's currency's minor units: the amount above which
-- the console asks before a deposit or a withdrawal, and the quick-amount buttons. No row, or a
-- NULL: the console's defaults (wallet/directory/shop_till.py).
CREATE TABLE shop_till_settings (
    shop_id             bigint   PRIMARY KEY REFERENCES shops,
    confirm_above_minor bigint   CHECK (confirm_above_minor >= 0),
    quick_amounts_minor bigint[] CHECK (cardinality(quick_amounts_minor) BETWEEN 1 AND 8
                                        AND 0 < ALL (quick_amounts_minor))
);

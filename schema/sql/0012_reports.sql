-- Agent reports (issue 15): each agent's commission rate, the game -> product map, and the
-- indexes the reports read through.
--
-- Commission: the percent of GGR an agent earns, in basis points (250 = 2.50%), set by its
-- parent (POST /api/agent/commission); 0 until set.
ALTER TABLE agents ADD COLUMN commission_bp integer NOT NULL DEFAULT 0
    CHECK (commission_bp BETWEEN 0 AND 10000);

-- Which product (Slots, Sportsbook, Live Games, Table Games, ...) a studio's game belongs to.
-- game_id '' is the studio's default, for every game of it not listed; a game of a studio with
-- no default reports as 'Other'. Edited with `wallet report product set|unset|list`.
CREATE TABLE game_products (
    caller     text        NOT NULL CHECK (caller ~ '^[a-z0-9_-]{1,32}$'),
    game_id    text        NOT NULL CHECK (length(game_id) <= 128),
    product    text        NOT NULL CHECK (length(product) BETWEEN 1 AND 64),
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (caller, game_id)
);
INSERT INTO game_products (caller, game_id, product) VALUES
    ('ambslot', '', 'Slots'), ('igamingace', '', 'Slots');

-- The one index the reports add to the callback hot path's write set: a player's game rows in
-- time order, carrying what a report sums, so a month of 10,000 players is an index-only scan
-- of their rows (no heap visit, no scan of other players' history). Partial: transfers,
-- tombstones and the agent platform's own moves are not in it.
CREATE INDEX transactions_game_activity ON transactions (account_id, created_at)
    INCLUDE (caller, kind, game_id, debit_minor, credit_minor, reverses_id)
    WHERE kind IN ('debit', 'credit', 'debit_credit', 'reverse');

-- Deposits and withdrawals per player in time order (reports, first-time deposits). Written
-- by the agent platform's transfers only, not by the studios' callbacks.
CREATE INDEX agent_moves_player ON agent_moves (player_id, created_at)
    INCLUDE (kind, amount_minor) WHERE player_id IS NOT NULL;
CREATE INDEX agent_moves_target ON agent_moves (target_agent_id, created_at)
    WHERE target_agent_id IS NOT NULL;
CREATE INDEX smart_transfers_player ON smart_transfers (player_id, created_at)
    INCLUDE (type, amount_minor);
-- (The settlement reads bypasses by owner through smart_transfers_bypasses of revision 0010.)

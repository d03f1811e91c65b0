-- Stored transactions by key ([[caller, operation, external_id], ...]), each with whether a
-- reverse undid it: for wallet_game_read, a probe of the key's unique index per key (OFFSET 0:
-- see wallet_player_main.sql).
CREATE OR REPLACE FUNCTION wallet_game_keyed(p_keys jsonb)
RETURNS TABLE (caller text, operation text, external_id text, id bigint, kind text,
               request_hash bytea, account_id bigint, round_id text, game_id text,
               closes_round boolean, balance_before_minor bigint, balance_after_minor bigint,
               created_at timestamptz, reversed boolean)
LANGUAGE sql STABLE AS $$
    SELECT t.caller, t.operation, t.external_id, t.id, t.kind, t.request_hash, t.account_id,
           t.round_id, t.game_id, t.closes_round, t.balance_before_minor,
           t.balance_after_minor, t.created_at,
           EXISTS (SELECT FROM transactions r WHERE r.reverses_id = t.id)
      FROM jsonb_array_elements(p_keys) k
     CROSS JOIN LATERAL (SELECT * FROM transactions
                          WHERE caller = k->>0 AND operation = k->>1 AND external_id = k->>2
                         OFFSET 0) t
$$;

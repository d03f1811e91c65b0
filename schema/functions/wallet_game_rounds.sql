-- The transactions of players' rounds ([[operator_id, username, caller, round_id], ...]), found
-- by the player's main account (p_mains: [[operator_id, username, main account id], ...] of the
-- locked players), since a round is its player's own: for wallet_game_read, a probe of
-- transactions_round per round (OFFSET 0: see wallet_player_main.sql).
CREATE OR REPLACE FUNCTION wallet_game_rounds(p_rounds jsonb, p_mains jsonb)
RETURNS SETOF transactions LANGUAGE sql STABLE AS $$
    SELECT t.*
      FROM jsonb_array_elements(p_rounds) k
      JOIN jsonb_array_elements(p_mains) w ON w->0 = k->0 AND w->1 = k->1
     CROSS JOIN LATERAL (SELECT * FROM transactions
                          WHERE account_id = (w->>2)::bigint AND caller = k->>2
                            AND round_id = k->>3
                         OFFSET 0) t
$$;

-- A player by (operator, username), with its main account: for the studio hot path's look-ups
-- (wallet_game_read), each a probe by an index's whole key behind OFFSET 0, so that a plan cached
-- while a table was small cannot become a scan later.
CREATE OR REPLACE FUNCTION wallet_player_main(p_operator_id integer, p_username text)
RETURNS TABLE (operator_id integer, username text, id bigint, currency char(3), shop_id bigint,
               main_id bigint)
LANGUAGE sql STABLE AS $$
    SELECT p.operator_id, p.username, p.id, p.currency, p.shop_id, m.id
      FROM (SELECT * FROM players
             WHERE operator_id = p_operator_id AND username = p_username OFFSET 0) p
      JOIN LATERAL (SELECT id FROM accounts
                     WHERE owner_type = 'player' AND owner_id = p.id AND purpose = 'main'
                       AND currency = p.currency OFFSET 0) m ON true
$$;

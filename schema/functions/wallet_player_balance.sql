-- The balance a studio sees: main plus debt (a debt shows as a negative balance), and for a
-- player of a River shop its win account too (wallet_game_call.sql says why).
CREATE OR REPLACE FUNCTION wallet_player_balance(p_operator_id integer, p_username text)
RETURNS ledger_answer LANGUAGE sql STABLE AS $$
    SELECT CASE WHEN p.status = 'active' THEN 'ok' ELSE 'blocked' END, NULL::bigint, NULL::text,
           sum(a.balance_minor), sum(a.balance_minor), p.currency, c.exponent, now()
      FROM players p
      LEFT JOIN shops s ON s.id = p.shop_id
      JOIN accounts a ON a.owner_type = 'player' AND a.owner_id = p.id AND a.currency = p.currency
                     AND (a.purpose IN ('main', 'debt') OR (a.purpose = 'win' AND s.mode = 'river'))
      JOIN currencies c ON c.code = p.currency
     WHERE p.operator_id = p_operator_id AND p.username = p_username
     GROUP BY p.id, p.status, p.currency, c.exponent
$$;

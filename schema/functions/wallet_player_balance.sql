-- The balance a studio sees: main plus debt (a debt shows as a negative balance).
CREATE OR REPLACE FUNCTION wallet_player_balance(p_operator_id integer, p_username text)
RETURNS ledger_answer LANGUAGE sql STABLE AS $$
    SELECT CASE WHEN p.status = 'active' THEN 'ok' ELSE 'blocked' END, NULL::bigint, NULL::text,
           sum(a.balance_minor), sum(a.balance_minor), p.currency, c.exponent, now()
      FROM players p
      JOIN accounts a ON a.owner_type = 'player' AND a.owner_id = p.id
                     AND a.purpose IN ('main', 'debt') AND a.currency = p.currency
      JOIN currencies c ON c.code = p.currency
     WHERE p.operator_id = p_operator_id AND p.username = p_username
     GROUP BY p.id, p.status, p.currency, c.exponent
$$;

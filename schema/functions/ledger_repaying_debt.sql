-- Legs of a credit to a player, rerouted so that the player's debt (<= 0) is repaid first, as
-- the hot path's credits repay it: of what the legs pay into p_main, up to minus p_debt goes to
-- the debt account instead. Legs that end at zero are dropped. Unchanged when there is no debt
-- or nothing is paid into p_main.
CREATE OR REPLACE FUNCTION ledger_repaying_debt(
    p_accounts bigint[], p_amounts bigint[], p_main bigint, p_debt_id bigint, p_debt bigint,
    OUT accounts bigint[], OUT amounts bigint[])
LANGUAGE plpgsql AS $$
DECLARE
    v_paid  bigint := (SELECT coalesce(sum(amount), 0)
                         FROM unnest(p_accounts, p_amounts) AS l(id, amount) WHERE id = p_main);
    v_repay bigint := least(greatest(v_paid, 0), -least(coalesce(p_debt, 0), 0));
BEGIN
    IF v_repay = 0 THEN
        accounts := p_accounts;
        amounts := p_amounts;
        RETURN;
    END IF;
    SELECT array_agg(l.id ORDER BY l.n), array_agg(l.amount ORDER BY l.n) INTO accounts, amounts
      FROM (SELECT id, CASE WHEN id = p_main THEN amount - v_repay ELSE amount END AS amount, n
              FROM unnest(p_accounts, p_amounts) WITH ORDINALITY AS u(id, amount, n)
            UNION ALL
            SELECT p_debt_id, v_repay, 2147483647) l
     WHERE l.amount <> 0;
END $$;

-- The studio hot path's read of a batch of calls (wallet/ledger/game_store.py): lock the batch's
-- players' main accounts in id order, then, in a statement of its own (so that it sees what the
-- previous holders of the locks committed), read all the rules need as one JSON document.
--
-- p_batch (built by game_store.read_request):
--   players         [[operator_id, username], ...]          whose main accounts are locked
--   keys            [[caller, operation, external_id], ...]  stored transactions to find
--   rounds          [[operator_id, username, caller, round_id], ...]  rounds of those players
--   ref_keys        [[caller, operation, external_id], ...]  what rollbacks may undo
--   reverse_rounds  like rounds: the rounds whose bets cancels may undo
--   houses          [[operator_id, username, caller], ...]   the studios' house accounts needed
--   ids             how many transaction ids to reserve
-- Answers {now, ids, wallets, keys, rounds, postings, systems}; rows are JSON arrays, in the
-- column order game_store.py reads them.
--
-- Every look-up is a probe by a unique key or by the locked main account, written as a LATERAL
-- subquery behind OFFSET 0, so the plan (cached for the session) cannot turn into a scan when
-- the tables have grown since it was made: the cost of a batch does not grow with the ledger.
-- The plans are generic from the first call: a custom plan per batch (PostgreSQL's default for
-- a statement's first five runs, and again whenever it judges one cheaper) only re-plans the
-- same probes, at a planning cost larger than the batch's.
CREATE OR REPLACE FUNCTION wallet_game_read(p_batch jsonb)
RETURNS json LANGUAGE plpgsql SET plan_cache_mode = force_generic_plan AS $$
DECLARE
    v_mains jsonb;  -- [[operator_id, username, main account, player], ...] of the locked players
BEGIN
    SELECT coalesce(jsonb_agg(jsonb_build_array(l.operator_id, l.username, l.main_id, l.id)),
                    '[]')
      INTO v_mains
      FROM (SELECT p.operator_id, p.username, m.id AS main_id, p.id
              FROM jsonb_array_elements(p_batch->'players') k
              CROSS JOIN LATERAL wallet_player_main((k->>0)::integer, k->>1) p
              JOIN accounts m ON m.id = p.main_id
             ORDER BY m.id
               FOR UPDATE OF m) l;
    RETURN json_build_object(
        'now', now(),
        'ids', ARRAY(SELECT nextval('transactions_id_seq')
                       FROM generate_series(1, (p_batch->>'ids')::integer)),
        'wallets', (
            SELECT json_agg(json_build_array(p.operator_id, p.username, p.id, p.status,
                                             p.currency, c.exponent, s.mode,
                                             s.bounce_back_threshold_minor, a.purpose, a.id,
                                             a.balance_minor))
              FROM jsonb_array_elements(v_mains) w
             CROSS JOIN LATERAL (SELECT * FROM players WHERE id = (w->>3)::bigint OFFSET 0) p
              JOIN currencies c ON c.code = p.currency
              LEFT JOIN LATERAL (SELECT * FROM shops WHERE id = p.shop_id OFFSET 0) s ON true
             CROSS JOIN LATERAL (SELECT * FROM accounts
                                  WHERE owner_type = 'player' AND owner_id = p.id
                                    AND currency = p.currency
                                    AND purpose IN ('main', 'debt', 'win', 'bonus', 'wager_req',
                                                    'bounce_back')
                                 OFFSET 0) a),
        'keys', (
            SELECT json_agg(json_build_array(t.caller, t.operation, t.external_id, t.id, t.kind,
                                             encode(t.request_hash, 'hex'), t.account_id,
                                             t.round_id, t.game_id, t.closes_round,
                                             t.balance_before_minor, t.balance_after_minor,
                                             t.created_at, t.reversed))
              FROM wallet_game_keyed(p_batch->'keys') t),
        'rounds', (
            SELECT json_agg(json_build_array(t.caller, t.id, t.kind,
                                             encode(t.request_hash, 'hex'), t.account_id,
                                             t.round_id, t.game_id, t.closes_round,
                                             t.balance_before_minor, t.balance_after_minor,
                                             t.created_at))
              FROM wallet_game_rounds(p_batch->'rounds', v_mains) t),
        'postings', (
            SELECT json_agg(json_build_array(po.transaction_id, po.account_id, po.amount_minor)
                            ORDER BY po.id)
              FROM (SELECT t.id FROM wallet_game_keyed(p_batch->'ref_keys') t
                    UNION
                    SELECT t.id FROM wallet_game_rounds(p_batch->'reverse_rounds', v_mains) t
                     WHERE t.kind IN ('debit', 'debit_credit')) target
             CROSS JOIN LATERAL (SELECT * FROM postings po WHERE po.transaction_id = target.id
                                 OFFSET 0) po),
        'systems', (
            SELECT json_agg(json_build_array(s.purpose, s.currency,
                                             ledger_system_account(s.purpose, s.currency)))
              FROM (SELECT DISTINCT CASE WHEN h.n = 1 THEN 'game:' || (k->>2) ELSE 'wager_req'
                                    END AS purpose, p.currency
                      FROM jsonb_array_elements(p_batch->'houses') k
                     CROSS JOIN LATERAL wallet_player_main((k->>0)::integer, k->>1) p
                     CROSS JOIN generate_series(1, 2) h(n)
                     WHERE h.n = 1 OR p.shop_id IS NOT NULL) s));
END $$;

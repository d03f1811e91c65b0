-- Several callbacks in one statement and one commit, each with its own outcome.
--
-- A worker collects the callbacks that arrive while its previous statement runs and sends them
-- together: one round trip and one WAL flush for many calls, past the one-commit-per-call
-- ceiling. Each call runs wallet_game_call exactly as alone. Calls are taken in username order
-- (arrival order within a username), so two batches lock players in the same order and cannot
-- deadlock each other. p_ref_operations and p_rules are comma-joined (arrays of arrays must be
-- rectangular in PostgreSQL).
CREATE OR REPLACE FUNCTION wallet_game_calls(
    p_caller text[], p_operation text[], p_kind text[], p_external_id text[],
    p_request_hash bytea[], p_operator_id integer[], p_username text[], p_currency text[],
    p_amount_exponent smallint[], p_debit bigint[], p_credit bigint[], p_round_id text[],
    p_game_id text[], p_ref_id text[], p_ref_operations text[], p_close_round boolean[],
    p_rules text[])
RETURNS TABLE (ord integer, answer ledger_answer) LANGUAGE plpgsql AS $$
DECLARE
    i integer;
BEGIN
    FOR i IN SELECT s.i FROM generate_subscripts(p_caller, 1) AS s(i)
              ORDER BY p_username[s.i], s.i LOOP
        ord := i;
        answer := wallet_game_call(
            p_caller[i], p_operation[i], p_kind[i], p_external_id[i], p_request_hash[i],
            p_operator_id[i], p_username[i], p_currency[i], p_amount_exponent[i], p_debit[i],
            p_credit[i], p_round_id[i], p_game_id[i], p_ref_id[i],
            string_to_array(p_ref_operations[i], ','), p_close_round[i],
            string_to_array(p_rules[i], ','));
        RETURN NEXT;
    END LOOP;
END $$;

-- A transfer-wallet move begins (protocols/transfer.md, "Our rules"): its row is recorded and,
-- for a transfer out, the amount moves from the player's main account to pending_out, both in
-- this one database transaction. Nothing moves for a transfer in: the player is credited only
-- when the studio confirms (transfer_move_settle). Answers new, replay (same txn id, same
-- request), conflict (same txn id, another request), busy (another move of the player with
-- this studio is still pending), or the reserve's refusal (insufficient, no_account).
-- One move at a time per player and studio: while a move is unknown, the studio's balance may
-- or may not include it, so a next move (an "in, all" above all) could not be booked right.
-- The player's main account is locked first, so two begins of one player run one at a time.
CREATE OR REPLACE FUNCTION transfer_move_begin(
    p_txn_id text, p_studio text, p_player_id bigint, p_direction text, p_currency char(3),
    p_amount bigint, p_request_hash bytea, p_main bigint, p_pending bigint, p_grace_s double precision)
RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    v_hash bytea;
    r ledger_answer;
BEGIN
    PERFORM 1 FROM accounts WHERE id = p_main FOR UPDATE;
    SELECT request_hash INTO v_hash FROM transfer_moves WHERE txn_id = p_txn_id;
    IF FOUND THEN
        RETURN CASE WHEN v_hash = p_request_hash THEN 'replay' ELSE 'conflict' END;
    END IF;
    PERFORM 1 FROM transfer_moves
     WHERE player_id = p_player_id AND studio = p_studio AND status = 'pending';
    IF FOUND THEN
        RETURN 'busy';
    END IF;
    IF p_direction = 'out' THEN
        r := ledger_transfer('transfer:' || p_studio, 'reserve', p_txn_id, p_request_hash,
                             'reserve', ARRAY[p_main, p_pending], ARRAY[-p_amount, p_amount],
                             p_main);
        IF r.outcome <> 'new' THEN  -- a replay here: a concurrent begin of the same move won
            RETURN r.outcome;
        END IF;
    END IF;
    INSERT INTO transfer_moves (txn_id, studio, player_id, direction, currency, amount_minor,
                                request_hash, reserve_tx_id, next_check_at)
    VALUES (p_txn_id, p_studio, p_player_id, p_direction, p_currency, p_amount, p_request_hash,
            r.tx_id, now() + make_interval(secs => p_grace_s))
    ON CONFLICT (txn_id) DO NOTHING;
    IF NOT FOUND THEN  -- a transfer in begun concurrently under the same txn id
        SELECT request_hash INTO v_hash FROM transfer_moves WHERE txn_id = p_txn_id;
        RETURN CASE WHEN v_hash = p_request_hash THEN 'replay' ELSE 'conflict' END;
    END IF;
    RETURN 'new';
END $$;

-- The seamless-wallet hot path: one statement per studio callback that locks the player,
-- checks the idempotency key, applies the studio's round rules, posts and returns the answer.
--
-- Kinds: debit (bet), credit (win), debit_credit (bet and win in one step), reverse (cancel,
-- rollback). Rules (p_rules) switch on what differs between studios:
--   round_single_bet  a debit on a round that has a bet is refused (round_exists), and a debit on
--                     a cancelled round too (round_cancelled)
--   round_needs_bet   a credit needs the round's bet, not cancelled, not closed, same game
--   reverse_by_round  a reverse undoes the round's bet; an unseen round leaves a tombstone
--   reverse_by_ref    a reverse undoes the transaction p_ref_id (one of p_ref_operations);
--                     its key is (caller, 'reverse', p_ref_id): a second one finds it
--   ref_tombstones    a debit/credit whose external id was reversed before it came is refused
-- A reverse is authoritative: what it takes beyond the main balance goes to the player's debt
-- account (<= 0), which later credits repay first. Refusals (insufficient, ...) are not stored:
-- they move nothing, and a retry is judged afresh.
--
-- A shop's player (players.shop_id, revision 0006) follows its shop's mode:
--   river    bets take from main ("balance"), then win ("balance_Win"); wins go to win; the
--            studio sees main + win (+ debt). When a bet leaves the player's money below the
--            shop's threshold, a held Bounce Back (account bounce_back) is credited to main.
--   default  bets take from main; each bet counts down the wagering requirement (wager_req, a
--            memo against the system account 'wager_req'), and the bet that brings it to zero
--            releases the held Wager Bonus (bonus) into main. The studio sees main (+ debt).
-- Every credit (a win, a bonus released, a bounce back) repays the debt first. A reverse gives
-- back to (or takes from) the pool each part came from: main with its debt, or River's win;
-- its other legs (house, bonus, wagering memo, bounce back) are negated exactly.
--
-- A rollback (reverse_by_ref) that names the wrong player (revision 0003). Before, the lookup of
-- its target was limited to the named player's account, so the rollback of player A's
-- transaction sent with player B's id found nothing and stored a tombstone under B, on the
-- global key (caller, 'reverse', ref): A's own rollback then found that key and was refused, and
-- A's money stayed taken. Now the target is looked up by its key alone; if it belongs to another
-- player the answer is not_found and nothing is stored.
--
-- A rollback of an id never seen still leaves a tombstone under the named player, and the
-- ref_tombstones check stays global: transaction ids are the studio's and global, so the late
-- original is refused whoever it names. That refusal moves no money, which is the safe side.

CREATE OR REPLACE FUNCTION wallet_game_call(
    p_caller text, p_operation text, p_kind text, p_external_id text, p_request_hash bytea,
    p_operator_id integer, p_username text, p_currency char(3),
    p_amount_exponent smallint, p_debit bigint, p_credit bigint,
    p_round_id text, p_game_id text, p_ref_id text, p_ref_operations text[],
    p_close_round boolean, p_rules text[])
RETURNS ledger_answer LANGUAGE plpgsql AS $$
DECLARE
    r         ledger_answer;
    pl        record;
    prior     record;
    rnd       record;
    v_debt_id bigint;
    v_main    bigint;
    v_debt    bigint;
    v_river   boolean;
    v_threshold bigint;
    v_win_id  bigint;
    v_win     bigint;
    v_bonus_id bigint;
    v_bonus   bigint;
    v_wreq_id bigint;
    v_wreq    bigint;
    v_bb_id   bigint;
    v_bb      bigint;
    v_take_win   bigint;
    v_win_debit  bigint := 0;
    v_win_credit bigint := 0;
    v_to_main bigint := 0;
    v_to_win  bigint := 0;
    v_rest    bigint;
    v_count   bigint;
    v_debit   bigint := p_debit;
    v_credit  bigint := p_credit;
    v_scale   bigint;
    v_target  bigint;
    v_allow   boolean := false;
    v_take    bigint;
    v_repay   bigint;
    v_house   bigint;
    v_ids     bigint[] := '{}';
    v_amts    bigint[] := '{}';
    v_kind    text := p_kind;
BEGIN
    -- 1. The player, its main account locked: every call of one player is serialized here.
    SELECT p.id AS player_id, p.status, p.currency, c.exponent, m.id AS main_id,
           m.balance_minor AS main_balance, p.shop_id
      INTO pl
      FROM players p
      JOIN accounts m ON m.owner_type = 'player' AND m.owner_id = p.id
                     AND m.purpose = 'main' AND m.currency = p.currency
      JOIN currencies c ON c.code = p.currency
     WHERE p.operator_id = p_operator_id AND p.username = p_username
       FOR UPDATE OF m;
    IF NOT FOUND THEN
        r.outcome := 'no_player';
        RETURN r;
    END IF;
    -- The locked row is re-read once the lock is granted, so main_balance is what the previous
    -- holder committed. The other accounts are not locked (every change to them happens under
    -- the main lock): read them now, after the lock. A studio-only player has just its debt.
    v_main := pl.main_balance;
    IF pl.shop_id IS NULL THEN
        v_river := false;
        SELECT id, balance_minor INTO v_debt_id, v_debt FROM accounts
         WHERE owner_type = 'player' AND owner_id = pl.player_id AND purpose = 'debt'
           AND currency = pl.currency;
    ELSE
        -- The shop's settings come along: a shop's row changes only by an operator's command.
        SELECT mode = 'river', bounce_back_threshold_minor INTO v_river, v_threshold
          FROM shops WHERE id = pl.shop_id;
        SELECT max(id) FILTER (WHERE purpose = 'debt'), max(balance_minor) FILTER (WHERE purpose = 'debt'),
               max(id) FILTER (WHERE purpose = 'win'), max(balance_minor) FILTER (WHERE purpose = 'win'),
               max(id) FILTER (WHERE purpose = 'bonus'), max(balance_minor) FILTER (WHERE purpose = 'bonus'),
               max(id) FILTER (WHERE purpose = 'wager_req'), max(balance_minor) FILTER (WHERE purpose = 'wager_req'),
               max(id) FILTER (WHERE purpose = 'bounce_back'), max(balance_minor) FILTER (WHERE purpose = 'bounce_back')
          INTO v_debt_id, v_debt, v_win_id, v_win, v_bonus_id, v_bonus, v_wreq_id, v_wreq, v_bb_id, v_bb
          FROM accounts
         WHERE owner_type = 'player' AND owner_id = pl.player_id AND currency = pl.currency;
        v_win := coalesce(v_win, 0);
        v_bonus := coalesce(v_bonus, 0);
        v_wreq := coalesce(v_wreq, 0);
        v_bb := coalesce(v_bb, 0);
    END IF;
    r.currency := pl.currency;
    r.exponent := pl.exponent;
    -- What the studio sees: main and debt, and River's win.
    r.balance_before_minor := v_main + v_debt;
    IF v_river THEN
        r.balance_before_minor := r.balance_before_minor + v_win;
    END IF;
    r.balance_after_minor := r.balance_before_minor;
    r.tx_at := now();

    -- 2. The idempotency key: a repeat answers what the original answered.
    r := ledger_prior_answer(p_caller, p_operation, p_external_id, p_request_hash, r);
    IF r.outcome IS NOT NULL THEN
        RETURN r;
    END IF;

    -- 3. What the request says must fit the player.
    IF p_currency IS NOT NULL AND p_currency <> pl.currency THEN
        r.outcome := 'currency_mismatch';
        RETURN r;
    END IF;
    IF p_amount_exponent > pl.exponent THEN
        v_scale := (10 ^ (p_amount_exponent - pl.exponent))::bigint;
        IF p_debit % v_scale <> 0 OR p_credit % v_scale <> 0 THEN
            r.outcome := 'bad_amount';
            RETURN r;
        END IF;
        v_debit := p_debit / v_scale;
        v_credit := p_credit / v_scale;
    ELSIF p_amount_exponent < pl.exponent THEN
        v_scale := (10 ^ (pl.exponent - p_amount_exponent))::bigint;
        v_debit := p_debit * v_scale;
        v_credit := p_credit * v_scale;
    END IF;
    IF p_kind IN ('debit', 'debit_credit') AND pl.status <> 'active' THEN
        r.outcome := 'blocked';
        RETURN r;
    END IF;
    IF 'ref_tombstones' = ANY (p_rules) AND p_kind <> 'reverse' THEN
        PERFORM 1 FROM transactions
         WHERE caller = p_caller AND operation = 'reverse' AND external_id = p_external_id;
        IF FOUND THEN
            r.outcome := 'tombstoned';
            RETURN r;
        END IF;
    END IF;

    -- 4. The round, for studios whose rules speak of rounds.
    IF p_round_id IS NOT NULL AND ('round_single_bet' = ANY (p_rules)
            OR 'round_needs_bet' = ANY (p_rules) OR 'reverse_by_round' = ANY (p_rules)) THEN
        SELECT coalesce(bool_or(kind IN ('debit', 'debit_credit')), false) AS has_bet,
               coalesce(bool_or(kind IN ('credit', 'debit_credit')), false) AS has_credit,
               coalesce(bool_or(closes_round), false) AS closed,
               min(id) FILTER (WHERE kind IN ('debit', 'debit_credit')) AS bet_id,
               min(game_id) FILTER (WHERE kind IN ('debit', 'debit_credit')) AS bet_game,
               min(id) FILTER (WHERE kind IN ('reverse', 'tombstone')) AS cancel_id
          INTO rnd FROM transactions
         WHERE account_id = pl.main_id AND caller = p_caller AND round_id = p_round_id;
    END IF;

    IF p_kind IN ('debit', 'debit_credit') AND 'round_single_bet' = ANY (p_rules) THEN
        IF rnd.cancel_id IS NOT NULL THEN
            r.outcome := 'round_cancelled';
            RETURN r;
        ELSIF rnd.has_bet THEN
            r.outcome := 'round_exists';
            RETURN r;
        END IF;
    ELSIF p_kind = 'credit' AND 'round_needs_bet' = ANY (p_rules) THEN
        r.outcome := CASE
            WHEN NOT rnd.has_bet THEN 'round_missing'
            WHEN rnd.cancel_id IS NOT NULL THEN 'round_cancelled'
            WHEN rnd.closed THEN 'round_closed'
            WHEN p_game_id IS DISTINCT FROM rnd.bet_game THEN 'game_mismatch'
        END;
        IF r.outcome IS NOT NULL THEN
            RETURN r;
        END IF;
    ELSIF p_kind = 'reverse' AND 'reverse_by_round' = ANY (p_rules) THEN
        IF rnd.cancel_id IS NOT NULL THEN
            -- The round was cancelled already (under another id): answer that cancel.
            SELECT id, kind, balance_before_minor, balance_after_minor, created_at INTO prior
              FROM transactions WHERE id = rnd.cancel_id;
            r.outcome := 'replay';
            r.tx_id := prior.id;
            r.tx_kind := prior.kind;
            r.balance_before_minor := prior.balance_before_minor;
            r.balance_after_minor := prior.balance_after_minor;
            r.tx_at := prior.created_at;
            RETURN r;
        ELSIF NOT rnd.has_bet THEN
            v_kind := 'tombstone';
        ELSIF rnd.has_credit THEN
            r.outcome := 'round_credited';
            RETURN r;
        ELSIF p_game_id IS DISTINCT FROM rnd.bet_game THEN
            r.outcome := 'game_mismatch';
            RETURN r;
        ELSE
            v_target := rnd.bet_id;
        END IF;
    ELSIF p_kind = 'reverse' AND 'reverse_by_ref' = ANY (p_rules) THEN
        SELECT id, account_id INTO prior FROM transactions
         WHERE caller = p_caller AND operation = ANY (p_ref_operations)
           AND external_id = p_ref_id
         ORDER BY id LIMIT 1;
        v_target := prior.id;
        IF v_target IS NULL THEN
            v_kind := 'tombstone';
        ELSIF prior.account_id <> pl.main_id THEN
            -- Another player's transaction: not found for this one, and nothing is stored, so
            -- the key stays free for the rollback that names the right player.
            r.outcome := 'not_found';
            RETURN r;
        ELSE
            PERFORM 1 FROM transactions WHERE reverses_id = v_target;
            IF FOUND THEN
                r.outcome := 'already_reversed';
                RETURN r;
            END IF;
        END IF;
    END IF;

    -- 5. The legs. A reverse undoes exactly the postings of its target: the parts on the
    -- player's money go back through the pools they came from, the rest is negated as it was.
    IF v_kind = 'reverse' THEN
        SELECT coalesce(sum(amount_minor) FILTER (WHERE account_id IN (pl.main_id, v_debt_id)), 0),
               coalesce(sum(amount_minor) FILTER (WHERE account_id = v_win_id), 0),
               coalesce(array_agg(account_id) FILTER (WHERE account_id NOT IN (pl.main_id, v_debt_id, coalesce(v_win_id, 0))), '{}'),
               coalesce(array_agg(-amount_minor) FILTER (WHERE account_id NOT IN (pl.main_id, v_debt_id, coalesce(v_win_id, 0))), '{}')
          INTO v_take, v_take_win, v_ids, v_amts
          FROM postings WHERE transaction_id = v_target;
        v_debit := greatest(v_take, 0);
        v_to_main := greatest(-v_take, 0);
        v_win_debit := greatest(v_take_win, 0);
        v_to_win := greatest(-v_take_win, 0);
        v_credit := v_to_main;
        v_win_credit := v_to_win;
        v_allow := true;
        IF v_win_debit > 0 THEN  -- what a win put into River's win account: win, then debt
            v_take := least(v_win_debit, greatest(v_win, 0));
            IF v_take > 0 THEN
                v_ids := v_ids || v_win_id;
                v_amts := v_amts || -v_take;
                v_win := v_win - v_take;
            END IF;
            IF v_win_debit > v_take THEN
                v_ids := v_ids || v_debt_id;
                v_amts := v_amts || (v_take - v_win_debit);
                v_debt := v_debt + v_take - v_win_debit;
            END IF;
        END IF;
    ELSIF v_kind <> 'tombstone' THEN
        v_house := ledger_system_account('game:' || p_caller, pl.currency);
        IF v_debit > 0 THEN
            v_ids := v_ids || v_house;
            v_amts := v_amts || v_debit;
        END IF;
        IF v_credit > 0 THEN
            v_ids := v_ids || v_house;
            v_amts := v_amts || -v_credit;
            IF v_river THEN
                v_to_win := v_credit;
            ELSE
                v_to_main := v_credit;
            END IF;
        END IF;
    END IF;
    -- Debits: main first, then (a River bet) win; what a reverse takes beyond them is debt.
    IF v_debit > 0 THEN
        IF v_main < v_debit AND NOT v_allow AND (NOT v_river OR v_main + v_win < v_debit) THEN
            r.outcome := 'insufficient';
            RETURN r;
        END IF;
        v_take := least(v_debit, greatest(v_main, 0));
        IF v_take > 0 THEN
            v_ids := v_ids || pl.main_id;
            v_amts := v_amts || -v_take;
            v_main := v_main - v_take;
        END IF;
        IF v_debit > v_take THEN
            v_rest := v_debit - v_take;
            IF v_river AND NOT v_allow THEN
                v_take := least(v_rest, greatest(v_win, 0));
                v_ids := v_ids || v_win_id;
                v_amts := v_amts || -v_take;
                v_win := v_win - v_take;
                v_rest := v_rest - v_take;
            END IF;
            IF v_rest > 0 THEN
                v_ids := v_ids || v_debt_id;
                v_amts := v_amts || -v_rest;
                v_debt := v_debt - v_rest;
            END IF;
        END IF;
    END IF;
    IF pl.shop_id IS NOT NULL AND v_kind IN ('debit', 'debit_credit') THEN
        -- A bet counts down the wagering requirement; the one that ends it releases the bonus.
        IF v_debit > 0 AND v_wreq > 0 THEN
            v_count := least(v_debit, v_wreq);
            v_ids := v_ids || v_wreq_id || ledger_system_account('wager_req', pl.currency);
            v_amts := v_amts || -v_count || v_count;
            v_wreq := v_wreq - v_count;
            IF v_wreq = 0 AND v_bonus > 0 THEN
                v_ids := v_ids || v_bonus_id;
                v_amts := v_amts || -v_bonus;
                v_to_main := v_to_main + v_bonus;
                v_bonus := 0;
            END IF;
        END IF;
        -- A River bet that leaves the player's money below the shop's threshold brings the
        -- Bounce Back held for it into main.
        IF v_river AND v_bb > 0
                AND v_main + v_win + v_debt + v_to_main + v_to_win < v_threshold THEN
            v_ids := v_ids || v_bb_id;
            v_amts := v_amts || -v_bb;
            v_to_main := v_to_main + v_bb;
            v_bb := 0;
        END IF;
    END IF;

    -- Credits repay the debt first (main's share first), then land in their account.
    IF v_to_main + v_to_win > 0 THEN
        v_repay := least(v_to_main + v_to_win, -v_debt);
        IF v_repay > 0 THEN
            v_ids := v_ids || v_debt_id;
            v_amts := v_amts || v_repay;
            v_debt := v_debt + v_repay;
        END IF;
        v_rest := v_to_main - least(greatest(v_repay, 0), v_to_main);
        IF v_rest > 0 THEN
            v_ids := v_ids || pl.main_id;
            v_amts := v_amts || v_rest;
            v_main := v_main + v_rest;
        END IF;
        v_rest := v_to_win - greatest(v_repay - v_to_main, 0);
        IF v_rest > 0 THEN
            v_ids := v_ids || v_win_id;
            v_amts := v_amts || v_rest;
            v_win := v_win + v_rest;
        END IF;
    END IF;

    -- 6. Record and post, in this same database transaction.
    r.balance_after_minor := v_main + v_debt;
    IF v_river THEN
        r.balance_after_minor := r.balance_after_minor + v_win;
    END IF;
    INSERT INTO transactions (caller, operation, external_id, request_hash, kind, account_id,
                              round_id, game_id, ref_external_id, reverses_id, closes_round,
                              debit_minor, credit_minor, balance_before_minor, balance_after_minor)
    VALUES (p_caller, p_operation, p_external_id, p_request_hash, v_kind, pl.main_id,
            p_round_id, p_game_id, p_ref_id, v_target, p_close_round,
            v_debit + v_win_debit, v_credit + v_win_credit, r.balance_before_minor,
            r.balance_after_minor)
    ON CONFLICT (caller, operation, external_id) DO NOTHING
    RETURNING id, created_at INTO r.tx_id, r.tx_at;
    IF r.tx_id IS NULL THEN
        -- The key is global but the lock is the player's: another player's call claimed the
        -- same key meanwhile (ON CONFLICT waited for it to commit). Answer as its repeat.
        r.balance_after_minor := r.balance_before_minor;
        RETURN ledger_prior_answer(p_caller, p_operation, p_external_id, p_request_hash, r);
    END IF;
    PERFORM ledger_post(r.tx_id, v_ids, v_amts);
    r.tx_kind := v_kind;
    r.outcome := CASE
        WHEN v_kind <> 'tombstone' THEN 'new'
        WHEN 'reverse_by_ref' = ANY (p_rules) THEN 'not_found'
        ELSE 'tombstone'
    END;
    RETURN r;
END $$;

-- Counts one failed login of p_account (table login_failures, revision 0019). Failures counted
-- within p_lockout_s of the first; the p_max-th locks the account for p_lockout_s and starts the
-- count again. Answers the seconds the account is now locked for (0: not locked). Rows of
-- accounts neither counting nor locked any more go now and then.
CREATE OR REPLACE FUNCTION login_failed(p_account text, p_max integer, p_lockout_s integer)
RETURNS integer LANGUAGE plpgsql AS $$
DECLARE
    v_now      timestamptz := clock_timestamp();
    v_lockout  interval := make_interval(secs => p_lockout_s);
    v_failures integer;
BEGIN
    INSERT INTO login_failures AS f (account, failures, first_at) VALUES (p_account, 1, v_now)
    ON CONFLICT (account) DO UPDATE SET
        failures = CASE WHEN f.first_at < v_now - v_lockout THEN 1 ELSE f.failures + 1 END,
        first_at = CASE WHEN f.first_at < v_now - v_lockout THEN v_now ELSE f.first_at END
    RETURNING f.failures INTO v_failures;
    IF random() < 0.01 THEN
        DELETE FROM login_failures WHERE first_at < v_now - v_lockout
           AND (locked_until IS NULL OR locked_until < v_now);
    END IF;
    IF v_failures < p_max THEN
        RETURN 0;
    END IF;
    UPDATE login_failures SET failures = 0, first_at = v_now, locked_until = v_now + v_lockout
     WHERE account = p_account;
    RETURN p_lockout_s;
END $$;

-- Counts one request in its bucket's current one-minute window (rate_limits, revision 0006) and
-- says whether it is within p_limit; if not, the whole seconds until the window ends. One
-- statement, so every worker and host counts in the same row. The bucket's past windows go at
-- the same time, and about one call in a hundred clears every bucket's past windows.
CREATE OR REPLACE FUNCTION cashier_rate_hit(p_bucket text, p_limit integer)
RETURNS TABLE (allowed boolean, retry_after_s integer) LANGUAGE plpgsql AS $$
DECLARE
    v_window timestamptz := date_trunc('minute', clock_timestamp());
    v_hits   integer;
BEGIN
    INSERT INTO rate_limits AS r (bucket, window_start, hits) VALUES (p_bucket, v_window, 1)
    ON CONFLICT (bucket, window_start) DO UPDATE SET hits = r.hits + 1
    RETURNING r.hits INTO v_hits;
    IF v_hits = 1 THEN
        DELETE FROM rate_limits WHERE bucket = p_bucket AND window_start < v_window;
        IF random() < 0.01 THEN
            DELETE FROM rate_limits WHERE window_start < v_window - interval '1 minute';
        END IF;
    END IF;
    allowed := v_hits <= p_limit;
    retry_after_s := CASE WHEN allowed THEN 0 ELSE greatest(1, ceil(extract(epoch FROM
        v_window + interval '1 minute' - clock_timestamp()))::integer) END;
    RETURN NEXT;
END $$;

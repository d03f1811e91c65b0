-- An attempt's result (wallet/webhooks/deliveries.py): the attempt row gets its status
-- code or error and duration; the delivery is delivered (2xx), dead (p_attempts_max attempts,
-- or older than p_age_max_s), or due again in p_retry_s. Only the holder of the current lease
-- moves the delivery (attempts = p_attempt): a late result of an expired lease is recorded as
-- an attempt but changes nothing else. Answers the delivery's status (null: lease lost).
CREATE OR REPLACE FUNCTION webhook_record(
    p_attempt_id bigint, p_delivery_id bigint, p_attempt integer, p_status_code integer,
    p_error text, p_duration_ms integer, p_ok boolean, p_retry_s double precision,
    p_attempts_max integer, p_age_max_s double precision)
RETURNS text LANGUAGE sql AS $$
    UPDATE webhook_attempts
       SET status_code = p_status_code, error = left(p_error, 300), duration_ms = p_duration_ms
     WHERE id = p_attempt_id;
    UPDATE webhook_deliveries d
       SET status = CASE WHEN p_ok THEN 'delivered'
                         WHEN d.attempts >= p_attempts_max
                           OR d.created_at < now() - make_interval(secs => p_age_max_s)
                         THEN 'dead' ELSE 'pending' END,
           finished_at = CASE WHEN p_ok OR d.attempts >= p_attempts_max
                                OR d.created_at < now() - make_interval(secs => p_age_max_s)
                              THEN now() END,
           next_attempt_at = CASE WHEN p_ok THEN d.next_attempt_at
                                  ELSE now() + make_interval(secs => p_retry_s) END
     WHERE d.id = p_delivery_id AND d.attempts = p_attempt AND d.status = 'pending'
    RETURNING d.status;
$$;

-- The delivery worker's claim (wallet/webhooks/deliveries.py), its whole transaction:
--   1. due deliveries past the give-up limit (p_attempts_max claims, or older than p_age_max_s:
--      a worker died on the last attempt) are dead;
--   2. up to p_limit due deliveries of live registrations are locked with SKIP LOCKED (workers
--      on every host take disjoint ones and never wait on each other), leased for p_lease_s
--      (next_attempt_at moves past the send: a worker that dies leaves them due again when the
--      lease ends) and their attempt numbered and written; an earlier attempt left without a
--      result (its worker stopped) says so.
-- The send happens after this commits, outside any transaction.
CREATE OR REPLACE FUNCTION webhook_claim(
    p_limit integer, p_lease_s double precision, p_attempts_max integer,
    p_age_max_s double precision)
RETURNS TABLE (delivery_id bigint, attempt integer, attempt_id bigint, event_id text,
               event_type text, body text, registration_id bigint, agent_id bigint, url text,
               secret_sealed bytea)
LANGUAGE sql AS $$
    UPDATE webhook_deliveries d SET status = 'dead', finished_at = now()
      FROM (SELECT id FROM webhook_deliveries
             WHERE status = 'pending' AND next_attempt_at <= now()
               AND (attempts >= p_attempts_max
                    OR created_at < now() - make_interval(secs => p_age_max_s))
               FOR UPDATE SKIP LOCKED) expired
     WHERE d.id = expired.id;
    WITH due AS (
        SELECT d.id FROM webhook_deliveries d
          JOIN webhook_registrations w ON w.id = d.registration_id AND w.deleted_at IS NULL
         WHERE d.status = 'pending' AND d.next_attempt_at <= now()
         ORDER BY d.next_attempt_at
         LIMIT p_limit
           FOR UPDATE OF d SKIP LOCKED),
    claimed AS (
        UPDATE webhook_deliveries d
           SET attempts = d.attempts + 1,
               next_attempt_at = now() + make_interval(secs => p_lease_s)
          FROM due WHERE d.id = due.id
        RETURNING d.id, d.attempts, d.event_id, d.registration_id),
    orphaned AS (
        UPDATE webhook_attempts a SET error = 'no result: the lease ended first'
          FROM claimed c
         WHERE a.delivery_id = c.id AND a.attempt < c.attempts AND a.duration_ms IS NULL
           AND a.error IS NULL),
    tried AS (
        INSERT INTO webhook_attempts (delivery_id, attempt)
        SELECT c.id, c.attempts FROM claimed c
        RETURNING id, delivery_id)
    SELECT c.id, c.attempts, t.id, e.id, e.type, e.body, w.id, w.agent_id, w.url,
           w.secret_sealed
      FROM claimed c
      JOIN tried t ON t.delivery_id = c.id
      JOIN webhook_events e ON e.id = c.event_id
      JOIN webhook_registrations w ON w.id = c.registration_id;
$$;

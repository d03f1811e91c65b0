-- The agent platform's webhooks (protocols/agent-platform.md, "Webhooks").
--
-- One event row per event (its exact body, signed and sent as is), and one delivery row per
-- (event, registration that asked for its type when it happened). The event and its deliveries
-- are written by agent_webhook_event inside agent_smart_transfer: in the money's own database
-- transaction, so an event exists exactly when its transfer (or refusal) does. The delivery
-- worker (wallet/agents/webhook_worker.py) claims due deliveries with FOR UPDATE SKIP LOCKED,
-- sends outside any transaction, and records every attempt.

-- An agent's registered receivers. The secret signs deliveries, so it must be readable by the
-- server: it is sealed with AES-256-GCM (wallet/agents/webhook_secrets.py) under
-- WEBHOOK_SECRET_KEY (or a key the server generated into signing_keys). A deleted registration
-- stays (its deliveries and attempts keep their history); it gets nothing more.
CREATE TABLE webhook_registrations (
    id            bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    agent_id      bigint      NOT NULL REFERENCES agents,
    url           text        NOT NULL CHECK (url ~* '^https?://' AND length(url) <= 2048),
    events        text[]      NOT NULL CHECK (
                      cardinality(events) >= 1 AND events <@ ARRAY['transfer.completed',
                      'transfer.failed', 'bypass.blocked']),
    secret_sealed bytea       NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now(),
    deleted_at    timestamptz
);
CREATE INDEX webhook_registrations_agent ON webhook_registrations (agent_id)
 WHERE deleted_at IS NULL;

-- The outbox. dedupe_key (idempotency external id, event type, request hash) keeps a replayed
-- request from emitting its event twice: a success replays before reaching the emit, but a
-- refusal claims no key, so its repeat is caught here.
CREATE TABLE webhook_events (
    id         text        PRIMARY KEY CHECK (id ~ '^evt_[0-9a-f]{32}$'),
    agent_id   bigint      NOT NULL REFERENCES agents,
    type       text        NOT NULL CHECK (type IN ('transfer.completed', 'transfer.failed',
                                                    'bypass.blocked')),
    dedupe_key text        NOT NULL UNIQUE,
    body       text        NOT NULL,  -- the exact bytes sent and signed (UTF-8)
    created_at timestamptz NOT NULL DEFAULT now()
);

-- One receiver's copy of one event. A claim moves next_attempt_at forward by the lease, so a
-- worker that dies mid-send leaves it due again when the lease ends (at least once); attempts
-- counts claims and fences a late result of an expired lease.
CREATE TABLE webhook_deliveries (
    id              bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    event_id        text        NOT NULL REFERENCES webhook_events,
    registration_id bigint      NOT NULL REFERENCES webhook_registrations,
    status          text        NOT NULL DEFAULT 'pending'
                                CHECK (status IN ('pending', 'delivered', 'dead', 'cancelled')),
    attempts        integer     NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    created_at      timestamptz NOT NULL DEFAULT now(),
    finished_at     timestamptz,
    UNIQUE (event_id, registration_id)
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_at)
 WHERE status = 'pending';
CREATE INDEX webhook_deliveries_registration ON webhook_deliveries (registration_id, id);

-- Every attempt: written when claimed (so an attempt whose worker died shows, without a result),
-- completed with the receiver's status code or the error, and the duration.
CREATE TABLE webhook_attempts (
    id          bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    delivery_id bigint      NOT NULL REFERENCES webhook_deliveries,
    attempt     integer     NOT NULL CHECK (attempt >= 1),
    started_at  timestamptz NOT NULL DEFAULT now(),
    duration_ms integer     CHECK (duration_ms >= 0),
    status_code integer,
    error       text        CHECK (length(error) <= 300),
    UNIQUE (delivery_id, attempt)
);

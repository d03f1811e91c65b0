-- The agent platform's smart transfer (protocols/agent-platform.md): rebate rates per
-- sub-agent, bypass policies, the day counters of ST-YYYYMMDD-NNNNNN ids, each smart transfer's
-- record (written in its ledger transaction's database transaction by agent_smart_transfer),
-- and in-panel notifications (the owning agent's message on its first bypass in a window).
--
-- A rebate is money owed, so it is ledger accounts, not a number here: the depositing agent's
-- 'rebate_owed:<sub id>' (a liability, negative: what it owes that sub-agent) against the
-- sub-agent's 'rebate_due:<agent id>' (what it is owed), both without a lower bound. The
-- settlement summary reads their balances; settling is a transfer.

-- Rates an agent set for its sub-agents, in basis points (250 = 2.50%).
CREATE TABLE agent_rebates (
    agent_id     bigint      NOT NULL REFERENCES agents,
    sub_agent_id bigint      NOT NULL REFERENCES agents,
    percent_bp   integer     NOT NULL CHECK (percent_bp BETWEEN 0 AND 10000),
    updated_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (agent_id, sub_agent_id),
    CHECK (agent_id <> sub_agent_id)
);

-- An agent's bypass policy (none: the defaults of wallet/ledger/smart_transfers.py).
CREATE TABLE agent_bypass_policies (
    agent_id         bigint      PRIMARY KEY REFERENCES agents,
    max_free         integer     NOT NULL CHECK (max_free >= 0),
    window_hours     integer     NOT NULL CHECK (window_hours BETWEEN 1 AND 8760),
    surcharge_bp     integer     NOT NULL CHECK (surcharge_bp BETWEEN 0 AND 10000),
    block_after      integer     NOT NULL CHECK (block_after >= max_free),
    notify           boolean     NOT NULL,
    updated_at       timestamptz NOT NULL DEFAULT now()
);

-- The last number of each UTC day's smart transfers (ST-YYYYMMDD-NNNNNN).
CREATE TABLE smart_transfer_days (
    day         date    PRIMARY KEY,
    last_number integer NOT NULL CHECK (last_number BETWEEN 1 AND 999999)
);

CREATE TABLE smart_transfers (
    tx_id             bigint      PRIMARY KEY REFERENCES transactions,
    st_id             text        NOT NULL UNIQUE CHECK (st_id ~ '^ST-[0-9]{8}-[0-9]{6}$'),
    agent_id          bigint      NOT NULL REFERENCES agents,
    player_id         bigint      NOT NULL REFERENCES players,
    owner_agent_id    bigint      NOT NULL REFERENCES agents,
    type              text        NOT NULL CHECK (type IN ('deposit', 'withdraw')),
    amount_minor      bigint      NOT NULL CHECK (amount_minor > 0),
    is_bypass         boolean     NOT NULL,
    bypass_count      integer,    -- this bypass's number in its owner's window
    tier              text        CHECK (tier IN ('free', 'surcharge')),
    surcharge_bp      integer     NOT NULL DEFAULT 0,
    surcharge_minor   bigint      NOT NULL DEFAULT 0,  -- recorded for settlement, not moved
    rebate_bp         integer     NOT NULL DEFAULT 0,
    rebate_minor      bigint      NOT NULL DEFAULT 0,  -- posted to the rebate accounts
    payment_method    text        CHECK (payment_method IN ('gcash', 'bank', 'crypto', 'manual')),
    payment_reference text        CHECK (length(payment_reference) <= 128),
    comment           text        CHECK (length(comment) <= 500),
    created_at        timestamptz NOT NULL,
    CHECK (is_bypass = (agent_id <> owner_agent_id))
);
CREATE INDEX smart_transfers_agent ON smart_transfers (agent_id, tx_id);
CREATE INDEX smart_transfers_bypasses ON smart_transfers (owner_agent_id, created_at)
    WHERE is_bypass;

CREATE TABLE agent_notifications (
    id         bigserial   PRIMARY KEY,
    agent_id   bigint      NOT NULL REFERENCES agents,
    title_key  text        NOT NULL,
    variables  jsonb       NOT NULL DEFAULT '{}',
    created_at timestamptz NOT NULL DEFAULT now(),
    read_at    timestamptz
);
CREATE INDEX agent_notifications_agent ON agent_notifications (agent_id, id);

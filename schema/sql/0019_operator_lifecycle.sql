-- Issue #21: logins throttled per account as well as per client address, and the operator's
-- commands that turn people off.

-- Failed logins per account (the name typed, whether or not it exists: 'cashier:<shop id>:<name>',
-- 'agent:<operator id>:<name>'). LOGIN_FAILURES_MAX failures within LOGIN_LOCKOUT_S of the
-- first lock the account's logins for LOGIN_LOCKOUT_S (schema/functions/login_failed.sql); a
-- successful login forgets its row. UNLOGGED as rate_limits: a crash only forgives the count.
CREATE UNLOGGED TABLE login_failures (
    account      text        PRIMARY KEY,
    failures     integer     NOT NULL CHECK (failures >= 0),
    first_at     timestamptz NOT NULL,
    locked_until timestamptz
);

-- A cashier's sessions: a login token carries the epoch it was issued in, and is refused once
-- the epoch moved on. `wallet cashier block` and `wallet cashier password` move it, so every
-- live token of that cashier dies at once (a logout still revokes one token by its jti).
ALTER TABLE cashiers ADD COLUMN session_epoch integer NOT NULL DEFAULT 0;

-- `wallet agent block` and `wallet agent password` revoke every token of the agent.
CREATE INDEX agent_tokens_agent ON agent_tokens (agent_id);

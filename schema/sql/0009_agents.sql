-- The agent platform (protocols/agent-platform.md): agents in a tree, their login tokens, the
-- players they own, and each agent move's own record beside its ledger transaction.
--
-- An agent's money is ledger accounts ('agent', id, purpose, the agent's currency):
--   main    the spendable money ("balance" when >= 0). Its lower bound is minus the agent's
--           credit line, so an agent spends its balance and then its credit, never beyond:
--           ledger_transfer checks the bound under the account's lock.
--   credit  the credit line granted by the parent ("creditLine", lower bound 0): a CREDIT
--           deposit moves the parent's money here and lowers main's bound by as much, in the
--           same transaction (agent_transfer); a CREDIT withdraw takes back only unused credit.
--   bonus, frozen   "bonus" and "frozenBalance" (lower bound 0; nothing moves them yet).
-- Figures: balance = max(main, 0); credit (unused) = creditLine + min(main, 0);
-- totalAvailable = main + creditLine = balance + credit.

CREATE TABLE agents (
    id            bigserial   PRIMARY KEY,
    operator_id   integer     NOT NULL REFERENCES operators,
    parent_id     bigint      REFERENCES agents,
    -- The ids from the root of the tree down to this agent itself: "X is in A's subtree" is
    -- A's id in X's path, one indexed look-up instead of a walk up the tree.
    path          bigint[]    NOT NULL,
    username      text        NOT NULL CHECK (username ~ '^[A-Za-z0-9_.@-]{1,64}$'),
    email         text        CHECK (length(email) <= 254),
    first_name    text        CHECK (length(first_name) <= 100),
    last_name     text        CHECK (length(last_name) <= 100),
    password_hash text        NOT NULL,  -- argon2id, never the password
    currency      char(3)     NOT NULL REFERENCES currencies,
    status        text        NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'blocked')),
    created_at    timestamptz NOT NULL DEFAULT now(),
    UNIQUE (operator_id, username),
    CHECK (path[array_upper(path, 1)] = id)
);
CREATE INDEX agents_path ON agents USING gin (path);
CREATE INDEX agents_parent ON agents (parent_id, id);

-- A login token is 24 random bytes shown once ("tok_" + hex); stored as its SHA-256. A refresh
-- deletes the old row as it inserts the new one.
CREATE TABLE agent_tokens (
    token_sha256 bytea       PRIMARY KEY,
    agent_id     bigint      NOT NULL REFERENCES agents,
    expires_at   timestamptz NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX agent_tokens_expiry ON agent_tokens (expires_at);

-- An agent's player is a plain player of the operator (players.shop_id NULL: main and debt,
-- as the studios see it) owned by exactly one agent, with the registration's fields.
CREATE TABLE agent_players (
    player_id     bigint      PRIMARY KEY REFERENCES players,
    agent_id      bigint      NOT NULL REFERENCES agents,
    email         text        NOT NULL CHECK (length(email) <= 254),
    password_hash text        NOT NULL,  -- argon2id
    first_name    text        CHECK (length(first_name) <= 100),
    last_name     text        CHECK (length(last_name) <= 100),
    middle_name   text        CHECK (length(middle_name) <= 100),
    mobile        text        CHECK (length(mobile) <= 32),
    country       text        CHECK (length(country) <= 64),
    birth_date    date
);
CREATE INDEX agent_players_agent ON agent_players (agent_id, player_id);

-- What an agent move was, written by agent_transfer in its ledger transaction's database
-- transaction (one row per transaction that moved money): the endpoint, who asked, the other
-- side and the note. The money itself is the transaction's postings.
CREATE TABLE agent_moves (
    tx_id           bigint      PRIMARY KEY REFERENCES transactions,
    agent_id        bigint      NOT NULL REFERENCES agents,
    kind            text        NOT NULL CHECK (kind IN (
                        'deposit', 'withdraw', 'agent_deposit', 'agent_withdraw')),
    money_type      text        NOT NULL DEFAULT 'REAL' CHECK (money_type IN ('REAL', 'CREDIT')),
    player_id       bigint      REFERENCES players,
    target_agent_id bigint      REFERENCES agents,
    amount_minor    bigint      NOT NULL CHECK (amount_minor > 0),
    comment         text        CHECK (length(comment) <= 500),
    created_at      timestamptz NOT NULL DEFAULT now(),
    CHECK ((player_id IS NULL) <> (target_agent_id IS NULL))
);
CREATE INDEX agent_moves_agent ON agent_moves (agent_id, tx_id);

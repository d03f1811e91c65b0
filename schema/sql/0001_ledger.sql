-- The double-entry ledger. Money is bigint minor units; each currency's exponent lives here once.
-- Every money move is one row in `transactions` plus postings that sum to zero, written by the
-- functions in schema/functions/ in one database transaction. Posted rows are immutable
-- (schema/triggers/).

CREATE TABLE currencies (
    code     char(3)  PRIMARY KEY CHECK (code ~ '^[A-Z]{3}$'),
    exponent smallint NOT NULL CHECK (exponent BETWEEN 0 AND 4)
);
INSERT INTO currencies (code, exponent) VALUES
    ('THB', 2), ('PHP', 2), ('USD', 2), ('EUR', 2), ('KRW', 0), ('JPY', 0),
    ('VND', 0), ('CNY', 2), ('HKD', 2), ('INR', 2), ('BDT', 2);

CREATE TABLE operators (
    id         integer     PRIMARY KEY,
    code       text        NOT NULL UNIQUE,
    created_at timestamptz NOT NULL DEFAULT now()
);
INSERT INTO operators (id, code) VALUES (1, 'demo');

CREATE TABLE players (
    id          bigserial   PRIMARY KEY,
    operator_id integer     NOT NULL REFERENCES operators,
    username    text        NOT NULL CHECK (username ~ '^[A-Za-z0-9_.@-]{1,64}$'),
    currency    char(3)     NOT NULL REFERENCES currencies,
    status      text        NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'blocked')),
    created_at  timestamptz NOT NULL DEFAULT now(),
    UNIQUE (operator_id, username)
);

-- An account belongs to a player, shop, agent or the system, and has a purpose:
--   player: main, debt (what an authoritative rollback took beyond zero; <= 0), win, bonus,
--           pending_out (two-phase transfers in flight), held:<studio> (at a transfer studio)
--   shop/agent: main (lower bound = minus the credit line), credit, rebate_owed (a liability)
--   system: equity (opening balances), game:<caller> (the house side of a studio's bets)
-- balance_minor NULL marks a hot system account: it keeps no running balance (no row to lock on
-- the hot path); its balance is the sum of its postings, read when needed.
CREATE TABLE accounts (
    id                bigserial   PRIMARY KEY,
    owner_type        text        NOT NULL CHECK (owner_type IN ('player', 'shop', 'agent', 'system')),
    owner_id          bigint      NOT NULL DEFAULT 0,
    purpose           text        NOT NULL,
    currency          char(3)     NOT NULL REFERENCES currencies,
    balance_minor     bigint,
    lower_bound_minor bigint,
    created_at        timestamptz NOT NULL DEFAULT now(),
    UNIQUE (owner_type, owner_id, purpose, currency),
    CHECK (balance_minor IS NOT NULL OR lower_bound_minor IS NULL),
    CHECK (balance_minor >= lower_bound_minor),
    CHECK (purpose <> 'debt' OR balance_minor <= 0)
);

-- One row per money move, tombstone or refusal that must be remembered. The key
-- (caller, operation, external_id) makes every inbound call idempotent; request_hash tells a
-- replay from a conflict; the balance columns are the stored answer a replay gets back.
CREATE TABLE transactions (
    id                   bigserial   PRIMARY KEY,
    caller               text        NOT NULL,
    operation            text        NOT NULL,
    external_id          text        NOT NULL,
    request_hash         bytea       NOT NULL,
    kind                 text        NOT NULL CHECK (kind IN (
                             'debit', 'credit', 'debit_credit', 'reverse', 'tombstone',
                             'transfer', 'reserve', 'confirm', 'release')),
    account_id           bigint,
    round_id             text,
    game_id              text,
    ref_external_id      text,
    reverses_id          bigint UNIQUE REFERENCES transactions,
    resolves_id          bigint UNIQUE REFERENCES transactions,  -- confirm/release of a reserve
    closes_round         boolean     NOT NULL DEFAULT false,
    debit_minor          bigint      NOT NULL DEFAULT 0 CHECK (debit_minor >= 0),
    credit_minor         bigint      NOT NULL DEFAULT 0 CHECK (credit_minor >= 0),
    balance_before_minor bigint,
    balance_after_minor  bigint,
    created_at           timestamptz NOT NULL DEFAULT now(),
    UNIQUE (caller, operation, external_id)
);
CREATE INDEX transactions_round ON transactions (account_id, caller, round_id)
    WHERE round_id IS NOT NULL;

-- account_id carries no foreign key on purpose: a key check takes a share lock on the account
-- row, and on a hot system account that lock is the contention we avoid. `wallet audit` checks it.
CREATE TABLE postings (
    id                  bigserial PRIMARY KEY,
    transaction_id      bigint    NOT NULL REFERENCES transactions,
    account_id          bigint    NOT NULL,
    amount_minor        bigint    NOT NULL CHECK (amount_minor <> 0),
    balance_after_minor bigint
);
CREATE INDEX postings_account ON postings (account_id, id);
CREATE INDEX postings_transaction ON postings (transaction_id);

-- What every ledger statement answers.
CREATE TYPE ledger_answer AS (
    outcome              text,
    tx_id                bigint,
    tx_kind              text,
    balance_before_minor bigint,
    balance_after_minor  bigint,
    currency             char(3),
    exponent             smallint,
    tx_at                timestamptz
);

-- The double-entry ledger. Money is bigint minor units; each currency's exponent lives here once.
-- Every money move is one row in `transactions` plus postings that sum to zero, written by the
-- functions at the end of this file in one database transaction. Posted rows are immutable.

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

-- Posted rows are never updated or deleted: corrections are new transactions.
CREATE FUNCTION refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'posted rows are immutable: % on % refused', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'restrict_violation';
END $$;
CREATE TRIGGER transactions_immutable BEFORE UPDATE OR DELETE ON transactions
    FOR EACH ROW EXECUTE FUNCTION refuse_change();
CREATE TRIGGER transactions_no_truncate BEFORE TRUNCATE ON transactions
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_change();
CREATE TRIGGER postings_immutable BEFORE UPDATE OR DELETE ON postings
    FOR EACH ROW EXECUTE FUNCTION refuse_change();
CREATE TRIGGER postings_no_truncate BEFORE TRUNCATE ON postings
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_change();

-- The one place money moves: writes the postings of transaction p_tx and the running balances
-- of the tracked accounts. Callers hold the locks of every tracked account they pass.
CREATE FUNCTION ledger_post(p_tx bigint, p_accounts bigint[], p_amounts bigint[])
RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    i     integer;
    total bigint := 0;
    after bigint;
BEGIN
    IF coalesce(array_length(p_accounts, 1), 0) <> coalesce(array_length(p_amounts, 1), 0) THEN
        RAISE EXCEPTION 'ledger_post: % accounts for % amounts',
            array_length(p_accounts, 1), array_length(p_amounts, 1);
    END IF;
    FOR i IN 1 .. coalesce(array_length(p_accounts, 1), 0) LOOP
        total := total + p_amounts[i];
        after := NULL;
        UPDATE accounts SET balance_minor = balance_minor + p_amounts[i]
         WHERE id = p_accounts[i] AND balance_minor IS NOT NULL
        RETURNING balance_minor INTO after;
        INSERT INTO postings (transaction_id, account_id, amount_minor, balance_after_minor)
        VALUES (p_tx, p_accounts[i], p_amounts[i], after);
    END LOOP;
    IF total <> 0 THEN
        RAISE EXCEPTION 'ledger_post: postings of transaction % sum to %, not zero', p_tx, total;
    END IF;
END $$;

-- The system account of a purpose and currency (created on first use).
CREATE FUNCTION ledger_system_account(p_purpose text, p_currency char(3))
RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
    v_id bigint;
BEGIN
    SELECT id INTO v_id FROM accounts
     WHERE owner_type = 'system' AND owner_id = 0 AND purpose = p_purpose AND currency = p_currency;
    IF NOT FOUND THEN
        INSERT INTO accounts (owner_type, owner_id, purpose, currency)
        VALUES ('system', 0, p_purpose, p_currency)
        ON CONFLICT (owner_type, owner_id, purpose, currency) DO NOTHING
        RETURNING id INTO v_id;
        IF v_id IS NULL THEN
            SELECT id INTO v_id FROM accounts
             WHERE owner_type = 'system' AND owner_id = 0 AND purpose = p_purpose
               AND currency = p_currency;
        END IF;
    END IF;
    RETURN v_id;
END $$;

-- The stored answer under an idempotency key, as a replay (same request hash) or a conflict;
-- r unchanged (outcome NULL) when the key is free. r carries the current balances, which a
-- conflict reports.
CREATE FUNCTION ledger_prior_answer(
    p_caller text, p_operation text, p_external_id text, p_request_hash bytea, r ledger_answer)
RETURNS ledger_answer LANGUAGE plpgsql AS $$
DECLARE
    prior record;
BEGIN
    SELECT id, kind, request_hash, balance_before_minor, balance_after_minor, created_at
      INTO prior FROM transactions
     WHERE caller = p_caller AND operation = p_operation AND external_id = p_external_id;
    IF NOT FOUND THEN
        RETURN r;
    END IF;
    r.tx_id := prior.id;
    r.tx_kind := prior.kind;
    IF prior.request_hash = p_request_hash THEN
        r.outcome := 'replay';
        r.balance_before_minor := prior.balance_before_minor;
        r.balance_after_minor := prior.balance_after_minor;
        r.tx_at := prior.created_at;
    ELSE
        r.outcome := 'conflict';
    END IF;
    RETURN r;
END $$;

-- Transfer-wallet studios (protocols/transfer.md): one row per transfer out or in, keyed by the
-- transaction id we send the studio. A transfer out's row is written in the same database
-- transaction as its reserve (main -> pending_out), by transfer_move_begin; a row leaves
-- 'pending' only on the studio's definite answer, in the same database transaction as the money
-- that answer moves (transfer_move_settle). The row is state, not money: it is updated in place.
CREATE TABLE transfer_moves (
    txn_id        text        PRIMARY KEY CHECK (txn_id ~ '^[A-Za-z0-9_.:-]{1,64}$'),
    studio        text        NOT NULL CHECK (studio ~ '^[a-z0-9_-]{1,32}$'),
    player_id     bigint      NOT NULL REFERENCES players,
    direction     text        NOT NULL CHECK (direction IN ('out', 'in')),
    currency      char(3)     NOT NULL REFERENCES currencies,
    amount_minor  bigint      CHECK (amount_minor >= 0),  -- NULL: "in, all" not yet answered
    request_hash  bytea       NOT NULL,
    status        text        NOT NULL DEFAULT 'pending'
                              CHECK (status IN ('pending', 'done', 'failed')),
    reserve_tx_id bigint      REFERENCES transactions,
    settle_tx_id  bigint      REFERENCES transactions,
    checks        integer     NOT NULL DEFAULT 0,
    next_check_at timestamptz NOT NULL DEFAULT now(),
    detail        text,
    created_at    timestamptz NOT NULL DEFAULT now(),
    resolved_at   timestamptz,
    CHECK (direction = 'in' OR (amount_minor > 0 AND reserve_tx_id IS NOT NULL))
);
CREATE INDEX transfer_moves_pending ON transfer_moves (studio, next_check_at)
    WHERE status = 'pending';
CREATE INDEX transfer_moves_player ON transfer_moves (player_id, created_at);
CREATE INDEX transfer_moves_player_pending ON transfer_moves (player_id, studio)
    WHERE status = 'pending';

-- Keys of the operator's lobby for POST /transfer-wallet/...: 32 random bytes shown once,
-- stored as their SHA-256.
CREATE TABLE operator_keys (
    id         bigserial   PRIMARY KEY,
    name       text        NOT NULL UNIQUE CHECK (name ~ '^[A-Za-z0-9_.-]{1,64}$'),
    key_sha256 bytea       NOT NULL UNIQUE,
    created_at timestamptz NOT NULL DEFAULT now(),
    revoked_at timestamptz
);

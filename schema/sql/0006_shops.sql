-- Retail shops and their cashiers (protocols/cashier.md): shops with a ledger float, cashiers
-- and sub-cashiers, API keys bound to a shop, revoked login tokens, rate-limit counters, and
-- what a shop's player carries beyond a studio's player.
--
-- A shop's money is its account ('shop', shop id, 'main', lower bound 0): deposits move money
-- from it to the player, withdrawals back. A shop's player has, besides main ("balance") and
-- debt, one account per figure the cashier API shows, so each figure is a ledger balance:
--   win          balance_Win (River: wins land here; withdrawals take only from here)
--   bonus        wager_bonus (Default: a Wager Bonus held until its requirement is wagered)
--   wager_req    wager_bonus_amount, the requirement still to wager: a memo in the player's
--                currency against the system account 'wager_req' (bets count it down; it is
--                nobody's money, and its postings still sum to zero)
--   bounce_back  bounce_back (River: a Bounce Back held from the shop until the player's
--                playable money falls below the shop's threshold; forfeited to the shop at a
--                withdrawal)
-- and "withdrawal" is the sum of its cashier withdrawals' postings.

-- A shop's settings. Percentages are basis points (1000 = 10.00%), so no fraction is stored;
-- a bonus of a deposit is rounded down to the currency's minor unit (the shop's favour,
-- never a fraction of a cent created).
CREATE TABLE shops (
    id                          bigserial   PRIMARY KEY,
    operator_id                 integer     NOT NULL REFERENCES operators,
    name                        text        NOT NULL CHECK (name ~ '^[A-Za-z0-9_.-]{1,64}$'),
    currency                    char(3)     NOT NULL REFERENCES currencies,
    mode                        text        NOT NULL DEFAULT 'default'
                                            CHECK (mode IN ('default', 'river')),
    wager_bonus_bp              integer     NOT NULL DEFAULT 1000
                                            CHECK (wager_bonus_bp BETWEEN 0 AND 100000),
    wager_multiplier            integer     NOT NULL DEFAULT 5
                                            CHECK (wager_multiplier BETWEEN 0 AND 1000),
    bounce_back_bp              integer     NOT NULL DEFAULT 1000
                                            CHECK (bounce_back_bp BETWEEN 0 AND 100000),
    bounce_back_threshold_minor bigint      NOT NULL DEFAULT 100
                                            CHECK (bounce_back_threshold_minor >= 0),
    created_at                  timestamptz NOT NULL DEFAULT now(),
    UNIQUE (operator_id, name)
);

CREATE TABLE cashiers (
    id            bigserial   PRIMARY KEY,
    shop_id       bigint      NOT NULL REFERENCES shops,
    username      text        NOT NULL UNIQUE CHECK (username ~ '^[A-Za-z0-9_.@-]{1,64}$'),
    password_hash text        NOT NULL,  -- argon2id, never the password
    role          text        NOT NULL DEFAULT 'cashier' CHECK (role IN ('cashier', 'sub_cashier')),
    status        text        NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'blocked')),
    created_at    timestamptz NOT NULL DEFAULT now()
);

-- An API key is 32 random bytes shown once; stored as its SHA-256 (a key has full entropy, so
-- a fast hash is enough and keeps the per-request check cheap). allowed_ips empty: any client.
CREATE TABLE api_keys (
    id          bigserial   PRIMARY KEY,
    shop_id     bigint      NOT NULL REFERENCES shops,
    key_sha256  bytea       NOT NULL UNIQUE,
    domain      text,       -- the allowed browser Origin, e.g. https://shop.example
    allowed_ips cidr[]      NOT NULL DEFAULT '{}',
    created_at  timestamptz NOT NULL DEFAULT now(),
    revoked_at  timestamptz
);

-- Logged-out tokens (by their jti) until they would have expired anyway: checked by every
-- worker and host, so a logout holds at once everywhere.
CREATE TABLE revoked_tokens (
    jti        uuid        PRIMARY KEY,
    expires_at timestamptz NOT NULL
);
CREATE INDEX revoked_tokens_expiry ON revoked_tokens (expires_at);

-- Fixed one-minute windows per (limit, key, client). UNLOGGED: a counter lost in a crash only
-- forgives a minute's requests, and the writes skip the WAL.
CREATE UNLOGGED TABLE rate_limits (
    bucket       text        NOT NULL,
    window_start timestamptz NOT NULL,
    hits         integer     NOT NULL,
    PRIMARY KEY (bucket, window_start)
);

-- A shop's player: the shop and cashier that made it, the document's first_name note, its own
-- password (argon2id) and platform. A player without a shop is a studio-only player.
ALTER TABLE players
    ADD COLUMN shop_id       bigint REFERENCES shops,
    ADD COLUMN cashier_id    bigint REFERENCES cashiers,
    ADD COLUMN first_name    text CHECK (first_name ~ '^[A-Za-z0-9_]{6,64}$'),
    ADD COLUMN password_hash text,
    ADD COLUMN platform      text CHECK (platform IN ('River', 'Thunder7'));
CREATE UNIQUE INDEX players_first_name ON players (operator_id, first_name)
    WHERE first_name IS NOT NULL;
CREATE INDEX players_shop ON players (shop_id, id) WHERE shop_id IS NOT NULL;

-- `make bench-reports`: the data set, set-based (minutes, not hours), written through the same
-- columns the hot path and the agent moves write, keeping every invariant `wallet audit` checks
-- (postings of a transaction sum to zero; an account's balance is the sum of its postings and
-- each posting's balance_after the running sum in id order; each game answer's before/after
-- is what its postings moved; a reverse moves exactly its original back, once).
--
-- The tree: benchroot (the agent the reports are timed for) with 10 sub-agents, each with one
-- sub-sub-agent; ${tree_players} players under them (4 in 5 owned by a sub-agent, 1 in 5 by
-- its sub-sub-agent); ${other_players} more players under 4 other top agents (the noise the
-- reports must not read). Every player: an opening balance from equity; per month 2 deposits
-- and 1 withdraw (1 in 10 made by benchroot itself, a bypass); ${pairs} rounds over the
-- ${months} months: 90% a bet then its win, 6% a bet-and-win in one call, 4% a bet then its
-- rollback; 70% AMBSlot, 30% iGamingAce, over a few games. Rows are in time order (ids
-- follow time, as in production). The dollar names are filled by loadtest/bench_reports.py.

CREATE TEMP TABLE bench_agents AS
SELECT wallet_create_agent(1, NULL, 'benchroot', '${hash}', 'PHP', NULL, NULL, NULL) AS id,
       'benchroot'::text AS username, 0 AS slot;
INSERT INTO bench_agents
SELECT wallet_create_agent(1, (SELECT id FROM bench_agents WHERE username = 'benchroot'),
                           'benchsub' || g, '${hash}', 'PHP', NULL, NULL, NULL),
       'benchsub' || g, g
  FROM generate_series(1, 10) g;
INSERT INTO bench_agents
SELECT wallet_create_agent(1, (SELECT id FROM bench_agents WHERE username = 'benchsub' || g),
                           'benchsubsub' || g, '${hash}', 'PHP', NULL, NULL, NULL),
       'benchsubsub' || g, 100 + g
  FROM generate_series(1, 10) g;
INSERT INTO bench_agents
SELECT wallet_create_agent(1, NULL, 'benchother' || g, '${hash}', 'PHP', NULL, NULL, NULL),
       'benchother' || g, 200 + g
  FROM generate_series(1, 4) g;

-- Players: n 1..tree_players in benchroot's tree, the rest under the other top agents.
CREATE TEMP TABLE bench_players AS
SELECT n, wallet_create_agent_player(
           1, (SELECT id FROM bench_agents WHERE slot = CASE
                   WHEN n > ${tree_players} THEN 200 + 1 + n % 4
                   WHEN n % 5 = 0 THEN 100 + 1 + n % 10
                   ELSE 1 + n % 10 END),
           'bp' || lpad(n::text, 7, '0'), 'PHP', 'bp' || n || '@example.com', '${hash}',
           NULL, NULL, NULL, NULL, NULL, NULL) AS player_id
  FROM generate_series(1::bigint, ${tree_players} + ${other_players}) n;
-- Fresh statistics inside the build's transaction: a planner that still thinks these tables
-- empty (a new database, or one an aborted build left) joins 50,000 players by nested loops.
ANALYZE players;
ANALYZE accounts;
ANALYZE agent_players;
ALTER TABLE bench_players ADD COLUMN main_id bigint, ADD COLUMN agent_id bigint;
UPDATE bench_players b SET main_id = m.id, agent_id = ap.agent_id
  FROM accounts m, agent_players ap
 WHERE m.owner_type = 'player' AND m.owner_id = b.player_id AND m.purpose = 'main'
   AND ap.player_id = b.player_id;
CREATE INDEX ON bench_players (player_id);
UPDATE players p SET created_at = timestamptz '${start}' - interval '30 days'
  FROM bench_players b WHERE p.id = b.player_id;
ANALYZE bench_players;

-- Opening balances from equity: every player ${opening}, every agent 10^12 (minor units).
CREATE TEMP TABLE bench_open AS
SELECT main_id AS account_id, ${opening}::bigint AS amount, 'player:' || player_id AS ext
  FROM bench_players
UNION ALL
SELECT m.id, 1000000000000, 'agent:' || a.id
  FROM bench_agents a JOIN accounts m ON m.owner_type = 'agent' AND m.owner_id = a.id
                                     AND m.purpose = 'main';
INSERT INTO transactions (caller, operation, external_id, request_hash, kind, account_id,
                          balance_before_minor, balance_after_minor, created_at)
SELECT 'operator', 'opening_balance', ext, '\x00', 'transfer', account_id, 0, amount,
       timestamptz '${start}' - interval '30 days'
  FROM bench_open ORDER BY account_id;
INSERT INTO postings (transaction_id, account_id, amount_minor, balance_after_minor)
SELECT t.id, x.account_id, x.amount, x.after
  FROM bench_open o
  JOIN transactions t ON t.caller = 'operator' AND t.operation = 'opening_balance'
                     AND t.external_id = o.ext
 CROSS JOIN LATERAL (VALUES (ledger_system_account('equity', 'PHP'), -o.amount, NULL::bigint),
                            (o.account_id, o.amount, o.amount)) AS x(account_id, amount, after)
 ORDER BY t.id;

-- Deposits and withdrawals (agent_moves), in time order, with both sides' running balances.
CREATE TEMP TABLE bench_moves AS
WITH planned AS (
    SELECT b.player_id, b.main_id,
           CASE WHEN (b.n + mo + k) % 10 = 0 AND b.n <= ${tree_players}
                THEN (SELECT id FROM bench_agents WHERE slot = 0) ELSE b.agent_id END AS agent_id,
           CASE WHEN k = 3 THEN 'withdraw' ELSE 'deposit' END AS kind,
           (10000 + (b.n * 7919 + k * 104729) % 90000)::bigint AS amount,
           timestamptz '${start}' + make_interval(months => mo)
             + make_interval(secs => ((b.n * 15485863 + k * 32452843) % 2419200)::double precision)
             AS at
      FROM bench_players b
     CROSS JOIN generate_series(0, ${months} - 1) mo
     CROSS JOIN generate_series(1, 3) k
), ordered AS (
    SELECT p.*, am.id AS agent_main,
           CASE WHEN kind = 'deposit' THEN amount ELSE -amount END AS to_player,
           row_number() OVER (ORDER BY at, player_id, kind) AS ord
      FROM planned p
      JOIN accounts am ON am.owner_type = 'agent' AND am.owner_id = p.agent_id
                      AND am.purpose = 'main'
)
SELECT o.*,
       ${opening} + sum(to_player) OVER (PARTITION BY player_id ORDER BY ord) AS player_after,
       1000000000000 - sum(to_player) OVER (PARTITION BY agent_id ORDER BY ord) AS agent_after
  FROM ordered o;
INSERT INTO transactions (caller, operation, external_id, request_hash, kind, account_id,
                          balance_before_minor, balance_after_minor, created_at)
SELECT 'agent', 'move', agent_id || ':bench:' || ord, '\x00', 'transfer', main_id,
       player_after - to_player, player_after, at
  FROM bench_moves ORDER BY ord;
ANALYZE transactions;
CREATE TEMP TABLE bench_move_tx AS
SELECT m.*, t.id AS tx_id
  FROM bench_moves m
  JOIN transactions t ON t.caller = 'agent' AND t.operation = 'move'
                     AND t.external_id = m.agent_id || ':bench:' || m.ord;
INSERT INTO postings (transaction_id, account_id, amount_minor, balance_after_minor)
SELECT m.tx_id, x.account_id, x.amount, x.after
  FROM bench_move_tx m
 CROSS JOIN LATERAL (VALUES (m.agent_main, -m.to_player, m.agent_after),
                            (m.main_id, m.to_player, m.player_after)) AS x(account_id, amount, after)
 ORDER BY m.tx_id;
INSERT INTO agent_moves (tx_id, agent_id, kind, money_type, player_id, amount_minor, created_at)
SELECT tx_id, agent_id, kind, 'REAL', player_id, amount, at FROM bench_move_tx ORDER BY tx_id;
ANALYZE bench_moves;

-- The rounds. Each leg is one transaction: its id is fixed here (rows in time order), so a
-- rollback names its bet's id in the same statement.
CREATE TEMP TABLE bench_games AS
WITH rounds AS (
    SELECT b.n, b.player_id, b.main_id, r,
           (b.n * 2654435761 + r * 40503) % 100 AS pick,
           (100 + (b.n * 7 + r * 13) % 4900)::bigint AS bet,
           timestamptz '${start}'
             + make_interval(secs => ((r - 1) * ${spacing_s} + (b.n * 48271) % (${spacing_s} - 10))::double precision)
             AS at
      FROM bench_players b CROSS JOIN generate_series(1, ${pairs}) r
), legs AS (
    SELECT rd.*, leg,
           CASE WHEN pick % 10 < 7 THEN 'ambslot' ELSE 'igamingace' END AS caller,
           CASE WHEN pick < 90 THEN 'pair' WHEN pick < 96 THEN 'single' ELSE 'rollback' END
             AS shape
      FROM rounds rd CROSS JOIN generate_series(1, 2) leg
), shaped AS (
    SELECT l.*,
           CASE WHEN leg = 1 AND shape = 'single' THEN 'debit_credit'
                WHEN leg = 1 THEN 'debit'
                WHEN shape = 'pair' THEN 'credit' ELSE 'reverse' END AS kind,
           CASE WHEN leg = 1 THEN bet ELSE 0 END AS debit,
           CASE WHEN leg = 1 AND shape = 'single' THEN bet * (pick % 3) / 2 + 1
                WHEN leg = 2 AND shape = 'pair' THEN bet * ((n + r) % 5) / 2 + 1
                WHEN leg = 2 THEN bet ELSE 0 END AS credit,
           at + make_interval(secs => leg - 1) AS at_leg
      FROM legs l
     WHERE leg = 1 OR shape <> 'single'
), numbered AS (
    SELECT s.*, (SELECT max(id) FROM transactions)
                  + row_number() OVER (ORDER BY at_leg, player_id, leg) AS id
      FROM shaped s
)
SELECT nb.*,
       CASE WHEN kind = 'reverse' THEN lag(id) OVER (PARTITION BY player_id, r ORDER BY leg) END
         AS reverses_id
  FROM numbered nb;
CREATE TEMP TABLE bench_moved AS
SELECT player_id, sum(to_player) AS moved FROM bench_moves GROUP BY player_id;
ANALYZE bench_games;
ANALYZE bench_moved;
CREATE TEMP TABLE bench_game_rows AS
SELECT g.*,
       ${opening} + coalesce(m.moved, 0)
         + sum(g.credit - g.debit) OVER (PARTITION BY g.player_id ORDER BY g.id) AS after
  FROM bench_games g LEFT JOIN bench_moved m ON m.player_id = g.player_id;
INSERT INTO transactions (id, caller, operation, external_id, request_hash, kind, account_id,
                          round_id, game_id, reverses_id, closes_round, debit_minor,
                          credit_minor, balance_before_minor, balance_after_minor, created_at)
SELECT id, caller,
       CASE caller WHEN 'ambslot' THEN
            CASE kind WHEN 'debit' THEN 'bet' WHEN 'credit' THEN 'payout'
                      WHEN 'debit_credit' THEN 'settle' ELSE 'cancel' END
       ELSE CASE kind WHEN 'debit' THEN 'Withdraw' WHEN 'credit' THEN 'Deposit'
                      WHEN 'debit_credit' THEN 'BetWin' ELSE 'reverse' END END,
       'bench-' || player_id || '-' || r || '-' || leg, '\x00', kind, main_id,
       'bench-' || player_id || '-' || r,
       CASE WHEN caller = 'ambslot' THEN (ARRAY['GH', 'PGS', 'LIVE1', 'FISH'])[1 + pick % 4]
            ELSE (ARRAY['1566', '1570', '2001'])[1 + pick % 3] END,
       reverses_id, kind <> 'debit', debit, credit, after - credit + debit, after, at_leg
  FROM bench_game_rows ORDER BY id;
SELECT setval(pg_get_serial_sequence('transactions', 'id'), (SELECT max(id) FROM transactions));
-- The postings as wallet_game_call writes them: the bet (house +, main -), then the win or
-- the money a rollback gives back (house -, main +); the house account keeps no balance.
INSERT INTO postings (transaction_id, account_id, amount_minor, balance_after_minor)
SELECT g.id, x.account_id, x.amount, x.after
  FROM bench_game_rows g
 CROSS JOIN LATERAL (VALUES
       (1, ledger_system_account('game:' || g.caller, 'PHP'), g.debit, NULL::bigint),
       (2, g.main_id, -g.debit, g.after - g.credit),
       (3, ledger_system_account('game:' || g.caller, 'PHP'), -g.credit, NULL::bigint),
       (4, g.main_id, g.credit, g.after)) AS x(leg, account_id, amount, after)
 WHERE x.amount <> 0
 ORDER BY g.id, x.leg;

ANALYZE postings;
-- Every tracked account's balance: the sum of its postings.
UPDATE accounts a SET balance_minor = s.total
  FROM (SELECT account_id, sum(amount_minor) AS total FROM postings GROUP BY account_id) s
 WHERE a.id = s.account_id AND a.balance_minor IS NOT NULL;

-- postings.transaction_id loses its foreign key, like postings.account_id before it.
--
-- The key's check ran once per posting on the hot path, and each check locked the transaction
-- row just inserted (FOR KEY SHARE), a row write and a WAL record per posting: 5-6% of
-- PostgreSQL's time per callback under `make bench` (pg_stat_statements, PostgreSQL 15). A
-- posting is only ever written by ledger_post with the id of the transaction its caller has
-- just inserted, and transactions can be neither deleted nor truncated (triggers), so a posting
-- cannot lose its transaction; `wallet audit` (check 1) names any posting whose transaction does
-- not exist.
ALTER TABLE postings DROP CONSTRAINT postings_transaction_id_fkey;

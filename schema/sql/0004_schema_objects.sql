-- The object files (schema/functions/, schema/views/, schema/triggers/) as last applied: the
-- migration step applies a file again when its checksum differs from the one here (see
-- wallet/migrations.py). A database of an earlier release has no rows yet, so every file is
-- applied once; CREATE OR REPLACE makes that a no-op for objects that exist unchanged.
CREATE TABLE schema_objects (
    file       text        PRIMARY KEY,  -- 'functions/ledger_post.sql', relative to schema/
    sha256     bytea       NOT NULL,
    applied_at timestamptz NOT NULL DEFAULT now()
);

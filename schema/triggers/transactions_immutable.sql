-- A posted transaction is never updated or deleted (functions/refuse_change.sql).
CREATE OR REPLACE TRIGGER transactions_immutable BEFORE UPDATE OR DELETE ON transactions
    FOR EACH ROW EXECUTE FUNCTION refuse_change();

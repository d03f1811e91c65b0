-- A posting is never updated or deleted (functions/refuse_change.sql).
CREATE OR REPLACE TRIGGER postings_immutable BEFORE UPDATE OR DELETE ON postings
    FOR EACH ROW EXECUTE FUNCTION refuse_change();

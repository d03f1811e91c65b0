-- A smart transfer's webhook events are written by the server, in the money's own unit of work,
-- from the view the API answers with (wallet/agents/smart_views.py, wallet/webhooks/events.py):
-- the function that built the same body again in SQL goes, with its row of schema_objects.
DROP FUNCTION IF EXISTS agent_webhook_event(text[], text, ledger_answer, text, bytea, bigint,
                                            bigint, bigint, text, bigint, integer, text, text);
DELETE FROM schema_objects WHERE file = 'functions/agent_webhook_event.sql';

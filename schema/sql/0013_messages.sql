-- Messaging between agents of one tree, and what the notifications need beyond revision 0010's
-- table (protocols/agent-platform.md, "messaging"; wallet/ledger/messages.py and
-- wallet/ledger/notifications.py read and write them).
--
-- A message goes from an agent to one of its ancestors or descendants (checked by the sender's
-- code: the tree does not change under a message). Its text is 1..3000 characters (characters,
-- not bytes: char_length). read_at is set when the recipient opens the chat.

CREATE TABLE agent_messages (
    id           bigserial   PRIMARY KEY,
    sender_id    bigint      NOT NULL REFERENCES agents,
    recipient_id bigint      NOT NULL REFERENCES agents,
    body         text        NOT NULL CHECK (char_length(body) BETWEEN 1 AND 3000),
    created_at   timestamptz NOT NULL DEFAULT now(),
    read_at      timestamptz,
    CHECK (sender_id <> recipient_id)
);
-- One chat is both directions between two agents: its pages walk this index.
CREATE INDEX agent_messages_chat ON agent_messages (
    least(sender_id, recipient_id), greatest(sender_id, recipient_id), id);
-- Unread counts read only the unread rows, which stay few.
CREATE INDEX agent_messages_unread ON agent_messages (recipient_id, sender_id)
    WHERE read_at IS NULL;

-- Each agent's chats, one row per counterpart with the newest message between them: the chat
-- list pages by this instead of grouping every message. Written in the sending statement;
-- last_message_id only grows (GREATEST), so concurrent sends cannot move it back.
CREATE TABLE agent_chats (
    agent_id        bigint NOT NULL REFERENCES agents,
    counterpart_id  bigint NOT NULL REFERENCES agents,
    last_message_id bigint NOT NULL REFERENCES agent_messages,
    PRIMARY KEY (agent_id, counterpart_id)
);
CREATE INDEX agent_chats_recent ON agent_chats (agent_id, last_message_id DESC);

-- A notification written on a refusal (bypass.blocked) has no transaction to dedupe it: its
-- dedupe_key (the request's idempotency key) makes a replayed refusal write none. NULLs are
-- distinct, so notifications without a key never collide.
ALTER TABLE agent_notifications ADD COLUMN dedupe_key text;
ALTER TABLE agent_notifications ADD CONSTRAINT agent_notifications_dedupe
    UNIQUE (agent_id, dedupe_key);
CREATE INDEX agent_notifications_unread ON agent_notifications (agent_id, id)
    WHERE read_at IS NULL;

DROP TABLE action_items.idempotency_keys;
DROP TABLE action_items.inbox;
DROP TABLE action_items.outbox;
DROP TABLE action_items.action_items;

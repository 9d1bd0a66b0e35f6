DROP TABLE integrations.outbox;

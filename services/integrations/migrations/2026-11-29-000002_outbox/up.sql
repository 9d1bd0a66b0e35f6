-- The transactional outbox of integration.changed.v1 (navsync-outbox): written in the
-- transaction of the change it reports, deleted once the broker confirmed it.
CREATE TABLE integrations.outbox (
    seq bigserial PRIMARY KEY,
    event_id uuid NOT NULL UNIQUE,
    aggregate_id uuid NOT NULL,
    exchange text NOT NULL,
    routing_key text NOT NULL,
    body bytea NOT NULL,
    traceparent text,
    created_at timestamptz NOT NULL DEFAULT now()
);

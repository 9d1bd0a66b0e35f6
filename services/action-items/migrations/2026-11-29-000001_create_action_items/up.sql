-- The action-items service owns the `action_items` schema; no other service reads it.
CREATE TABLE action_items.action_items (
    id uuid PRIMARY KEY,
    company_id uuid NOT NULL,
    title text NOT NULL,
    description text,
    status text NOT NULL CHECK (status IN ('not_started', 'in_progress', 'done')),
    assignee_email text,
    due_date date,
    sync_to_ado boolean NOT NULL DEFAULT true,
    -- Grows by one with every change; events carry it so consumers can order them.
    version bigint NOT NULL DEFAULT 1,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    -- The `ado` block, as ado-sync reports it.
    ado_work_item_id bigint,
    ado_url text,
    ado_sync_state text NOT NULL DEFAULT 'pending'
        CHECK (ado_sync_state IN ('pending', 'synced', 'failed', 'paused')),
    ado_last_synced_at timestamptz,
    ado_error text,
    ado_synced_version bigint NOT NULL DEFAULT 0,
    -- The last ADO revision applied to each field: an older revision never overwrites it.
    ado_title_rev bigint,
    ado_description_rev bigint,
    ado_status_rev bigint
);

-- Cursor pagination walks a company's items by id (UUIDv7, so roughly by creation).
CREATE INDEX action_items_company_id_id_idx ON action_items.action_items (company_id, id);

-- The transactional outbox: written in the same transaction as the change it reports,
-- deleted once the broker confirmed it (so the table holds exactly what waits).
CREATE TABLE action_items.outbox (
    seq bigserial PRIMARY KEY,
    event_id uuid NOT NULL UNIQUE,
    aggregate_id uuid NOT NULL,
    exchange text NOT NULL,
    routing_key text NOT NULL,
    body bytea NOT NULL,
    traceparent text,
    created_at timestamptz NOT NULL DEFAULT now()
);

-- The inbox: ids of the events from ado-sync already applied, written in the same
-- transaction as their effect, so a redelivery changes nothing.
CREATE TABLE action_items.inbox (
    event_id uuid PRIMARY KEY,
    event_type text NOT NULL,
    received_at timestamptz NOT NULL DEFAULT now()
);

-- A retried POST with the same Idempotency-Key gets the first answer for 24 hours.
CREATE TABLE action_items.idempotency_keys (
    company_id uuid NOT NULL,
    key text NOT NULL,
    request_hash text NOT NULL,
    status_code integer,
    response jsonb,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (company_id, key)
);

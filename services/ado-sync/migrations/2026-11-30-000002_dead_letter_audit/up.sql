-- Every dead letter an operator re-drove or discarded through ado-sync's internal API:
-- who, when, why it had been dead-lettered, and (for a discard) the message itself, so a
-- discard can still be undone by hand. Message bodies are CloudEvents of SPEC §7, which
-- never carry a secret.
CREATE TABLE ado_sync.dead_letter_audit (
    id bigserial PRIMARY KEY,
    queue text NOT NULL,
    -- redriven | discarded
    action text NOT NULL,
    message_id text,
    routing_key text NOT NULL,
    reason text,
    actor text NOT NULL,
    body bytea,
    at timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX dead_letter_audit_queue_idx ON ado_sync.dead_letter_audit (queue, id);

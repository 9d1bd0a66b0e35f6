-- The integrations service owns the `integrations` schema; no other service reads it.
CREATE TABLE integrations.integrations (
    id uuid PRIMARY KEY,
    company_id uuid NOT NULL,
    organization text NOT NULL,
    enabled boolean NOT NULL DEFAULT true,
    -- Why the integration needs an admin (e.g. pat_rejected); NULL when it does not.
    attention_reason text,
    -- AES-256-GCM ciphertexts with their key id (see crypto.rs); never plaintext.
    pat_ciphertext text NOT NULL,
    pat_hint text NOT NULL,
    webhook_secret_ciphertext text NOT NULL,
    webhook_secret_hint text NOT NULL,
    project text,
    work_item_type text NOT NULL DEFAULT 'Task',
    state_mapping jsonb NOT NULL DEFAULT '{}'::jsonb,
    on_action_item_deleted text NOT NULL DEFAULT 'keep'
        CHECK (on_action_item_deleted IN ('keep', 'recycle')),
    last_validated_at timestamptz,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);

-- One integration per company: a second create is a 409, even under a race.
CREATE UNIQUE INDEX integrations_company_id_key ON integrations.integrations (company_id);

-- The audit log outlives the integration it describes, so it has no foreign key.
CREATE TABLE integrations.audit_log (
    id uuid PRIMARY KEY,
    integration_id uuid NOT NULL,
    company_id uuid NOT NULL,
    actor text NOT NULL,
    action text NOT NULL,
    detail jsonb NOT NULL DEFAULT '{}'::jsonb,
    created_at timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX audit_log_integration_id_created_at_idx
    ON integrations.audit_log (integration_id, created_at DESC);

-- The ado-sync service owns the `ado_sync` schema; no other service reads it.

-- One row per synced action item: which work item it is, what ado-sync last knew ADO to
-- hold, and a lease that lets one worker at a time act on the item.
CREATE TABLE ado_sync.links (
    action_item_id uuid PRIMARY KEY,
    company_id uuid NOT NULL,
    integration_id uuid NOT NULL,
    -- Lower case: ADO names are case-insensitive.
    organization text NOT NULL,
    project text NOT NULL,
    work_item_id bigint,
    work_item_url text,
    -- creating | linked | deleted | gone
    state text NOT NULL DEFAULT 'creating',
    -- Set, and committed, before a create is sent: after a crash or a lost answer the
    -- next attempt searches ADO for the marker before creating again.
    create_attempted_at timestamptz,
    last_synced_version bigint NOT NULL DEFAULT 0,
    lease_until timestamptz,
    -- What ADO holds as far as we know, and the revision that set each field.
    known_title text,
    title_rev bigint,
    known_description text,
    description_rev bigint,
    known_state text,
    state_rev bigint,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE UNIQUE INDEX links_work_item_idx
    ON ado_sync.links (organization, work_item_id) WHERE work_item_id IS NOT NULL;

-- Revisions ado-sync wrote itself: their service hook deliveries are echoes to drop.
CREATE TABLE ado_sync.written_revisions (
    organization text NOT NULL,
    work_item_id bigint NOT NULL,
    rev bigint NOT NULL,
    written_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (organization, work_item_id, rev)
);

-- Service hook notifications already handled (ADO may deliver one twice).
CREATE TABLE ado_sync.inbox (
    subscription_id text NOT NULL,
    notification_id bigint NOT NULL,
    received_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (subscription_id, notification_id)
);

-- Action item events that wait for an admin (e.g. a rejected PAT): kept here, neither
-- lost nor spinning, and sent back to the queue once the integration works again.
CREATE TABLE ado_sync.parked (
    id bigserial PRIMARY KEY,
    integration_id uuid NOT NULL,
    body bytea NOT NULL,
    message_id text,
    reason text NOT NULL,
    parked_at timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX parked_integration_id_idx ON ado_sync.parked (integration_id, id);

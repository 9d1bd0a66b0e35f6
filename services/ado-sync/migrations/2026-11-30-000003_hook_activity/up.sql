-- Whether ADO's service hooks still reach us, per company: ado-sync writes to ADO fire
-- `workitem.updated` (our own echoes included), so a write that no webhook followed for
-- NAVSYNC_HOOK_WATCH__SILENCE_SECS means the hooks are missing, disabled or failing.
CREATE TABLE ado_sync.hook_activity (
    company_id uuid PRIMARY KEY,
    integration_id uuid NOT NULL,
    last_outbound_at timestamptz,
    last_inbound_at timestamptz,
    -- The first write to ADO since the last webhook arrived; NULL: none pending.
    unanswered_since timestamptz,
    -- ado-sync asked integrations to flag `no_webhooks` and has not cleared it yet.
    flagged boolean NOT NULL DEFAULT false
);

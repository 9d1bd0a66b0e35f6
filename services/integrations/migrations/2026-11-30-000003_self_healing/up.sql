-- Self-healing (issue #11): when the PAT expires, which expiry warning was last announced,
-- and what ADO last said about the service hooks that call our Webhook URL.
ALTER TABLE integrations.integrations
    -- Given by the admin (ADO's PAT listing needs another API and scope); NULL: unknown.
    ADD COLUMN pat_expires_at timestamptz,
    -- The last threshold (30, 7, 1, 0 days) announced as `pat_expiring`; NULL: none yet.
    ADD COLUMN pat_expiry_warned_days integer,
    -- enabled | onProbation | disabledBySystem | disabledByInactiveIdentity |
    -- disabledByUser | none_found | unknown; NULL: never checked.
    ADD COLUMN hook_status text,
    ADD COLUMN hook_checked_at timestamptz;

ALTER TABLE integrations.integrations
    DROP COLUMN pat_expires_at,
    DROP COLUMN pat_expiry_warned_days,
    DROP COLUMN hook_status,
    DROP COLUMN hook_checked_at;

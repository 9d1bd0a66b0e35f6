ALTER TABLE ado_sync.links
    DROP COLUMN title_reported_rev,
    DROP COLUMN description_reported_rev,
    DROP COLUMN state_reported_rev;

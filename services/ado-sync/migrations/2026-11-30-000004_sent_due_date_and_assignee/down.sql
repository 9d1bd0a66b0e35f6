ALTER TABLE ado_sync.links
    DROP COLUMN sent_due_date,
    DROP COLUMN sent_assignee;

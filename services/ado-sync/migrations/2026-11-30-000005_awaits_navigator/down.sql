ALTER TABLE ado_sync.links
    DROP COLUMN title_awaits_navigator,
    DROP COLUMN description_awaits_navigator,
    DROP COLUMN state_awaits_navigator;

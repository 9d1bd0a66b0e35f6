ALTER TABLE ado_sync.links
    DROP COLUMN unconfirmed_titles,
    DROP COLUMN unconfirmed_descriptions,
    DROP COLUMN unconfirmed_states;

-- The values of each field that ado-sync sent to ADO in a write whose answer it has not
-- seen (a lost connection, a timeout, a crash). ADO may have carried the write out: its
-- service hook echo then carries one of these values and is recognised as ours, not taken
-- for a person's edit. Emptied by the next write ADO confirms.
ALTER TABLE ado_sync.links
    ADD COLUMN unconfirmed_titles text[] NOT NULL DEFAULT '{}',
    ADD COLUMN unconfirmed_descriptions text[] NOT NULL DEFAULT '{}',
    ADD COLUMN unconfirmed_states text[] NOT NULL DEFAULT '{}';

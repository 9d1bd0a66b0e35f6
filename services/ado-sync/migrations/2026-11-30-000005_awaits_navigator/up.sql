-- A change of the field made in ADO by someone else was reported to Navigator and no
-- action-item event has shown it yet: until one does, the value an event carries for the
-- field is older than ADO's, not an edit, and is not written over the change.
ALTER TABLE ado_sync.links
    ADD COLUMN title_awaits_navigator boolean NOT NULL DEFAULT false,
    ADD COLUMN description_awaits_navigator boolean NOT NULL DEFAULT false,
    ADD COLUMN state_awaits_navigator boolean NOT NULL DEFAULT false;

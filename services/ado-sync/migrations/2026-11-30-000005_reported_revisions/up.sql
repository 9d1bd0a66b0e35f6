-- The revision of the newest change of each field made in ADO by someone else that
-- ado-sync reported to Navigator. An action-item event whose `ado_revisions` has not
-- caught up with it carries a value older than ADO's, which is not written over it.
ALTER TABLE ado_sync.links
    ADD COLUMN title_reported_rev bigint,
    ADD COLUMN description_reported_rev bigint,
    ADD COLUMN state_reported_rev bigint;

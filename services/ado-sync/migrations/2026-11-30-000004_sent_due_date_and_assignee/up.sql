-- What ado-sync last set in ADO for the two fields it does not read back from ADO (due
-- date, assignee), compared with the item on every change: a change whose own event
-- failed and was overtaken by a newer version is still sent. '' = cleared; NULL = not
-- known (links made before this column), then only a change the event names is sent.
ALTER TABLE ado_sync.links
    ADD COLUMN sent_due_date text,
    ADD COLUMN sent_assignee text;

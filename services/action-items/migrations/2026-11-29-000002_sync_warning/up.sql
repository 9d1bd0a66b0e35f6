-- What did not go along with a successful sync (e.g. an assignee ADO does not know),
-- shown on the item beside the sync state.
ALTER TABLE action_items.action_items ADD COLUMN ado_warning text;

ALTER TABLE action_items.action_items DROP COLUMN ado_warning;

DROP TABLE ado_sync.dead_letter_audit;

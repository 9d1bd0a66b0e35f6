DROP TABLE ado_sync.hook_activity;

DROP TABLE ado_sync.parked;
DROP TABLE ado_sync.inbox;
DROP TABLE ado_sync.written_revisions;
DROP TABLE ado_sync.links;

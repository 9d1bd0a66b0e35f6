DROP TABLE integrations.audit_log;
DROP TABLE integrations.integrations;

-- An organisation's history of changes (auditLog(organization:)) finds its
-- entries by containment in the organisations a write was made for.
CREATE INDEX audit_log_organizations_idx ON audit_log USING gin (organizations);

-- The organisations a partner's key or token acted for (db.AuditEntry.Orgs),
-- as global ids; empty for every other caller and for entries written before.
ALTER TABLE audit_log ADD COLUMN organizations text[] COLLATE "C" NOT NULL DEFAULT '{}';

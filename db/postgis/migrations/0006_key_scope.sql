-- A key can be bound to organisations (db/scope.go): their global ids,
-- ascending. Existing keys get none and keep the rights of their role. Ids
-- rather than a link table: a key's scope is read with the key on every
-- request, and an organisation deleted later leaves a scope that speaks for
-- nothing, since ids are never reused.
ALTER TABLE api_keys ADD COLUMN organizations text[] COLLATE "C" NOT NULL DEFAULT '{}'
	CONSTRAINT api_keys_organizations_check CHECK (role = 'EDITOR' OR cardinality(organizations) = 0);

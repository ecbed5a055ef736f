-- Writes through the API: versions for optimistic locking, ids the
-- database hands out, the audit log and API keys. Existing rows take
-- version 1 and keep their ids.

-- An update or delete names the version it read; the store refuses it when
-- the row has moved on since (see db/write.go).
ALTER TABLE areas
	ADD COLUMN version bigint NOT NULL DEFAULT 1 CONSTRAINT areas_version_check CHECK (version > 0);
ALTER TABLE organizations
	ADD COLUMN version bigint NOT NULL DEFAULT 1 CONSTRAINT organizations_version_check CHECK (version > 0);
ALTER TABLE initiatives
	ADD COLUMN version bigint NOT NULL DEFAULT 1 CONSTRAINT initiatives_version_check CHECK (version > 0);
ALTER TABLE indicators
	ADD COLUMN version bigint NOT NULL DEFAULT 1 CONSTRAINT indicators_version_check CHECK (version > 0);

-- Records created through the API get their ids from sequences, so a new
-- id is above every id ever handed out and one freed by a delete is never
-- handed out again (a link to a deleted record kept elsewhere must not
-- come to name another one). Loads and imports that bring their own ids
-- advance the sequences past them. Each starts above the ids already
-- stored.
CREATE SEQUENCE areas_id_seq OWNED BY areas.id;
ALTER TABLE areas ALTER COLUMN id SET DEFAULT nextval('areas_id_seq');
SELECT setval('areas_id_seq', max(id)) FROM areas HAVING max(id) IS NOT NULL;

CREATE SEQUENCE organizations_id_seq OWNED BY organizations.id;
ALTER TABLE organizations ALTER COLUMN id SET DEFAULT nextval('organizations_id_seq');
SELECT setval('organizations_id_seq', max(id)) FROM organizations HAVING max(id) IS NOT NULL;

CREATE SEQUENCE initiatives_id_seq OWNED BY initiatives.id;
ALTER TABLE initiatives ALTER COLUMN id SET DEFAULT nextval('initiatives_id_seq');
SELECT setval('initiatives_id_seq', max(id)) FROM initiatives HAVING max(id) IS NOT NULL;

-- One row per changed record. before and after are json, not jsonb: json
-- keeps the text as written, so an entry reads back byte for byte as the
-- store rendered it (db.AuditJSON), key order and number formatting
-- included. Ids ascend in commit order: writers append under a lock on
-- this table taken just before they commit.
CREATE TABLE audit_log (
	id        bigserial PRIMARY KEY,
	at        timestamptz NOT NULL,
	actor     text NOT NULL,
	action    text NOT NULL CONSTRAINT audit_log_action_check CHECK (action IN ('CREATE', 'UPDATE', 'DELETE')),
	type      text NOT NULL,
	record_id text NOT NULL,
	before    json,
	after     json,
	-- A create has nothing before it, a delete nothing after it.
	CONSTRAINT audit_log_records_check CHECK ((before IS NULL) = (action = 'CREATE') AND (after IS NULL) = (action = 'DELETE'))
);
-- The two ways the log is read: the history of one record and the writes
-- of one actor, each newest first.
CREATE INDEX audit_log_record_id_idx ON audit_log (record_id, id DESC);
CREATE INDEX audit_log_actor_idx ON audit_log (actor, id DESC);

-- API keys as stored: the SHA-256 of the secret, never the secret. Every
-- authenticated request finds its key by that hash, through the unique
-- index. Ids sort byte-wise ("C"), the order keys are listed in.
CREATE TABLE api_keys (
	id         text COLLATE "C" PRIMARY KEY CONSTRAINT api_keys_id_check CHECK (id <> '' AND length(id) <= 32),
	name       text NOT NULL CONSTRAINT api_keys_name_check CHECK (name <> ''),
	role       text NOT NULL CONSTRAINT api_keys_role_check CHECK (role IN ('READER', 'EDITOR', 'ADMIN')),
	hash       bytea NOT NULL CONSTRAINT api_keys_hash_key UNIQUE CONSTRAINT api_keys_hash_check CHECK (length(hash) = 32),
	created_at timestamptz NOT NULL,
	expires_at timestamptz,
	revoked_at timestamptz
);

-- The change feed (db/changes.go): one row per event, numbered in commit
-- order.
--
-- Commit order. A sequence's nextval is handed out when asked, not when
-- the transaction that asked commits, so on its own it would let a reader
-- see 12 before 11 commits, step past 11 and never see it. Every write
-- that records events therefore numbers them while it holds the audit
-- log's EXCLUSIVE lock (lockAudit in db/postgis/write.go), which it keeps
-- to its commit: writers take their numbers one after the other, each
-- after the one before has committed, so numbers ascend in commit order and
-- a number a reader has not seen yet is never below one it has. A write
-- that rolls back gives its numbers up: the feed skips them, and no later
-- write fills them in. The writers were serialised by that lock already
-- (the audit log's ids keep commit order by it), so numbering costs no
-- extra waiting.
--
-- Numbering starts after the microseconds since 1970 of the migration
-- (db.SeqBase), so that a database made again numbers above every seq of
-- an earlier one.
CREATE SEQUENCE changes_seq CACHE 1;
SELECT setval('changes_seq', (extract(epoch FROM clock_timestamp()) * 1000000)::bigint);

CREATE TABLE changes (
	seq           bigint PRIMARY KEY,
	at            timestamptz NOT NULL,
	type          text COLLATE "C" NOT NULL,
	record_id     text COLLATE "C" NOT NULL,
	action        text NOT NULL CONSTRAINT changes_action_check CHECK (action IN ('CREATED', 'UPDATED', 'DELETED')),
	version       integer NOT NULL,
	areas         text[] COLLATE "C" NOT NULL DEFAULT '{}',
	organizations text[] COLLATE "C" NOT NULL DEFAULT '{}'
);

-- A reader walks seq (the primary key) from its cursor; a filter by area
-- or organisation that matches few events is answered from these instead
-- of a walk through every event after the cursor.
CREATE INDEX changes_areas_idx ON changes USING gin (areas);
CREATE INDEX changes_organizations_idx ON changes USING gin (organizations);
CREATE INDEX changes_type_idx ON changes (type, seq);

-- The last seq per type, kept by the trigger below, so that Heads reads a
-- handful of rows however long the feed is.
CREATE TABLE change_heads (
	type text COLLATE "C" PRIMARY KEY,
	seq  bigint NOT NULL
);

-- Every insert of events moves the heads and announces the newest seq on
-- a channel of the schema (named as the areas' channel of migration 0004
-- is). NOTIFY is delivered after commit, in commit order, and not at all
-- for a write that rolls back; one statement's events make one
-- notification.
CREATE FUNCTION changes_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF NOT EXISTS (SELECT 1 FROM new_rows) THEN
		RETURN NULL;
	END IF;
	INSERT INTO change_heads (type, seq)
		SELECT type, max(seq) FROM new_rows GROUP BY type
		ON CONFLICT (type) DO UPDATE SET seq = greatest(change_heads.seq, excluded.seq);
	PERFORM pg_notify('areagraph_changes_' || md5(TG_TABLE_SCHEMA), (SELECT max(seq)::text FROM new_rows));
	RETURN NULL;
END
$$;

CREATE TRIGGER changes_notify AFTER INSERT ON changes
	REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION changes_notify();

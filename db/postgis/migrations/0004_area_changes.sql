-- Every change to areas is announced with NOTIFY, so that a store can keep
-- the areas in memory and answer point-in-area questions without a round
-- trip, exactly in step with the database (see replica.go).
--
-- The channel is named after the schema the table lives in: stores in
-- different schemas of one database (the tests run each in its own) must
-- not hear each other. Channel names are identifiers of at most 63 bytes,
-- and a schema name alone may use all of them, so it is hashed.
--
-- The payload lists the ids that changed, comma-separated; the reader
-- fetches those rows again and drops the ids it no longer finds. One
-- statement may change thousands of rows (a load, an import), so the
-- triggers are per statement, reading the transition tables, and split the
-- ids into notifications of 200, well under the 8000-byte payload limit
-- even for 19-digit ids. A TRUNCATE has no transition table; it sends "*",
-- which asks for everything to be read again.
--
-- NOTIFY is transactional: a rolled-back write announces nothing, and
-- listeners receive notifications in commit order, after the commit, when
-- a fetch sees the committed rows.
CREATE FUNCTION areas_notify() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
	channel text := 'areagraph_areas_' || md5(TG_TABLE_SCHEMA);
	ids text;
BEGIN
	IF TG_OP = 'TRUNCATE' THEN
		PERFORM pg_notify(channel, '*');
		RETURN NULL;
	END IF;
	-- Each branch names only the transition tables its trigger declares.
	IF TG_OP = 'INSERT' THEN
		FOR ids IN SELECT string_agg(id::text, ',') FROM (
				SELECT id, (row_number() OVER () - 1) / 200 AS chunk FROM (SELECT DISTINCT id FROM new_rows) d) c
			GROUP BY chunk LOOP
			PERFORM pg_notify(channel, ids);
		END LOOP;
	ELSIF TG_OP = 'UPDATE' THEN
		-- Old ids too: an update may change an id.
		FOR ids IN SELECT string_agg(id::text, ',') FROM (
				SELECT id, (row_number() OVER () - 1) / 200 AS chunk FROM (
					SELECT id FROM new_rows UNION SELECT id FROM old_rows) d) c
			GROUP BY chunk LOOP
			PERFORM pg_notify(channel, ids);
		END LOOP;
	ELSE
		FOR ids IN SELECT string_agg(id::text, ',') FROM (
				SELECT id, (row_number() OVER () - 1) / 200 AS chunk FROM (SELECT DISTINCT id FROM old_rows) d) c
			GROUP BY chunk LOOP
			PERFORM pg_notify(channel, ids);
		END LOOP;
	END IF;
	RETURN NULL;
END
$$;

-- A trigger with transition tables serves one event only, so there are
-- three of them, plus one for TRUNCATE.
CREATE TRIGGER areas_notify_insert AFTER INSERT ON areas
	REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION areas_notify();
CREATE TRIGGER areas_notify_update AFTER UPDATE ON areas
	REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION areas_notify();
CREATE TRIGGER areas_notify_delete AFTER DELETE ON areas
	REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION areas_notify();
CREATE TRIGGER areas_notify_truncate AFTER TRUNCATE ON areas
	FOR EACH STATEMENT EXECUTE FUNCTION areas_notify();

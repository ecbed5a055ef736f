-- When each record was last written (db.Area.UpdatedAt and the others; the
-- rule is UpdatedAt in db/store.go): set by a trigger on every insert and
-- update, so that no write can forget it, to the start of the write's
-- transaction, one time for everything a write touches. Rows stored
-- before this migration get its time.
CREATE FUNCTION stamp_updated_at() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	NEW.updated_at := now();
	RETURN NEW;
END
$$;

ALTER TABLE areas ADD COLUMN updated_at timestamptz NOT NULL DEFAULT now();
ALTER TABLE organizations ADD COLUMN updated_at timestamptz NOT NULL DEFAULT now();
ALTER TABLE initiatives ADD COLUMN updated_at timestamptz NOT NULL DEFAULT now();
ALTER TABLE indicators ADD COLUMN updated_at timestamptz NOT NULL DEFAULT now();

CREATE TRIGGER areas_updated_at BEFORE INSERT OR UPDATE ON areas
	FOR EACH ROW EXECUTE FUNCTION stamp_updated_at();
CREATE TRIGGER organizations_updated_at BEFORE INSERT OR UPDATE ON organizations
	FOR EACH ROW EXECUTE FUNCTION stamp_updated_at();
CREATE TRIGGER initiatives_updated_at BEFORE INSERT OR UPDATE ON initiatives
	FOR EACH ROW EXECUTE FUNCTION stamp_updated_at();
CREATE TRIGGER indicators_updated_at BEFORE INSERT OR UPDATE ON indicators
	FOR EACH ROW EXECUTE FUNCTION stamp_updated_at();

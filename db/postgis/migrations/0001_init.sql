-- The extension is database-wide. Pinning it to public keeps it out of a
-- schema that may be dropped later (the tests run each store in a schema of
-- its own); when it already exists, wherever it lives, this does nothing.
CREATE EXTENSION IF NOT EXISTS postgis SCHEMA public;

-- Ids are assigned by whoever builds a dataset and kept as they are, so the
-- tables have plain bigint keys rather than sequences.

CREATE TABLE areas (
	id          bigint PRIMARY KEY CONSTRAINT areas_id_check CHECK (id > 0),
	code        text NOT NULL CONSTRAINT areas_code_key UNIQUE CONSTRAINT areas_code_check CHECK (code <> ''),
	name        text NOT NULL,
	kind        text NOT NULL CONSTRAINT areas_kind_check
		CHECK (kind IN ('MUNICIPALITY', 'DISTRICT', 'PRIORITY_AREA', 'STATISTICAL_AREA')),
	area_type   smallint CONSTRAINT areas_area_type_check CHECK (area_type BETWEEN 1 AND 5),
	-- Deferred, so that a dataset may list a child before its parent.
	parent_id   bigint CONSTRAINT areas_parent_id_fkey REFERENCES areas (id) DEFERRABLE INITIALLY DEFERRED,
	geom        geometry(Geometry, 4326) NOT NULL
		CONSTRAINT areas_geom_type_check CHECK (GeometryType(geom) IN ('POLYGON', 'MULTIPOLYGON'))
		-- Out-of-range coordinates would make every geography cast, and so
		-- every distance query, fail.
		CONSTRAINT areas_geom_range_check
		CHECK (ST_XMin(geom) >= -180 AND ST_XMax(geom) <= 180 AND ST_YMin(geom) >= -90 AND ST_YMax(geom) <= 90),
	valid_from  date,
	valid_to    date,
	description text NOT NULL DEFAULT ''
);
CREATE INDEX areas_geom_idx ON areas USING gist (geom);
CREATE INDEX areas_parent_id_idx ON areas (parent_id, id);

CREATE TABLE organizations (
	id         bigint PRIMARY KEY CONSTRAINT organizations_id_check CHECK (id > 0),
	kind       text NOT NULL CONSTRAINT organizations_kind_check CHECK (kind IN ('EMPLOYER', 'ASSOCIATION')),
	name       text NOT NULL,
	org_number text NOT NULL DEFAULT '',
	location   geometry(Point, 4326) CONSTRAINT organizations_location_range_check
		CHECK (ST_X(location) BETWEEN -180 AND 180 AND ST_Y(location) BETWEEN -90 AND 90),
	website    text NOT NULL DEFAULT '',
	industry   text NOT NULL DEFAULT '',
	size       text NOT NULL DEFAULT '' CONSTRAINT organizations_size_check
		CHECK (size IN ('', 'MICRO', 'SMALL', 'MEDIUM', 'LARGE')),
	activity   text NOT NULL DEFAULT ''
);
CREATE INDEX organizations_location_idx ON organizations USING gist (location);

CREATE TABLE organization_areas (
	organization_id bigint NOT NULL CONSTRAINT organization_areas_organization_id_fkey REFERENCES organizations (id),
	area_id         bigint NOT NULL CONSTRAINT organization_areas_area_id_fkey REFERENCES areas (id),
	PRIMARY KEY (organization_id, area_id)
);
CREATE INDEX organization_areas_area_id_idx ON organization_areas (area_id, organization_id);

CREATE TABLE initiatives (
	id                 bigint PRIMARY KEY CONSTRAINT initiatives_id_check CHECK (id > 0),
	title              text NOT NULL,
	description        text NOT NULL DEFAULT '',
	status             text NOT NULL CONSTRAINT initiatives_status_check
		CHECK (status IN ('PLANNED', 'ACTIVE', 'COMPLETED', 'CANCELLED')),
	start_date         date,
	end_date           date,
	goal_area          text NOT NULL CONSTRAINT initiatives_goal_area_check
		CHECK (goal_area IN ('GOOD_START_IN_LIFE', 'HOUSING_AND_LOCAL_ENVIRONMENT', 'CONDITIONS_FOR_WORK')),
	focus_groups       text[] NOT NULL DEFAULT '{}' CONSTRAINT initiatives_focus_groups_check
		CHECK (focus_groups <@ ARRAY['BORN_OUTSIDE_EUROPE', 'PEOPLE_WITH_DISABILITIES',
			'WITHOUT_UPPER_SECONDARY_EDUCATION']::text[]),
	themes             text[] NOT NULL DEFAULT '{}' CONSTRAINT initiatives_themes_check
		CHECK (themes <@ ARRAY['JOBS', 'INTERNSHIPS', 'MENTORING', 'EDUCATION', 'LANGUAGE', 'HEALTH', 'LEISURE',
			'HOUSING', 'SAFETY', 'ENTREPRENEURSHIP', 'PARENTING']::text[]),
	-- An initiative without a known place has NULL, never an empty
	-- multipoint, so spatial filters simply do not match it.
	locations          geometry(MultiPoint, 4326) CONSTRAINT initiatives_locations_range_check
		CHECK (ST_XMin(locations) >= -180 AND ST_XMax(locations) <= 180
			AND ST_YMin(locations) >= -90 AND ST_YMax(locations) <= 90),
	lead_id            bigint CONSTRAINT initiatives_lead_id_fkey REFERENCES organizations (id),
	reach_participants integer CONSTRAINT initiatives_reach_participants_check CHECK (reach_participants >= 0),
	reach_into_work    integer CONSTRAINT initiatives_reach_into_work_check CHECK (reach_into_work >= 0),
	reach_into_study   integer CONSTRAINT initiatives_reach_into_study_check CHECK (reach_into_study >= 0)
);
CREATE INDEX initiatives_locations_idx ON initiatives USING gist (locations);
CREATE INDEX initiatives_lead_id_idx ON initiatives (lead_id, id);
CREATE INDEX initiatives_focus_groups_idx ON initiatives USING gin (focus_groups);
CREATE INDEX initiatives_themes_idx ON initiatives USING gin (themes);

CREATE TABLE initiative_areas (
	initiative_id bigint NOT NULL CONSTRAINT initiative_areas_initiative_id_fkey REFERENCES initiatives (id),
	area_id       bigint NOT NULL CONSTRAINT initiative_areas_area_id_fkey REFERENCES areas (id),
	PRIMARY KEY (initiative_id, area_id)
);
CREATE INDEX initiative_areas_area_id_idx ON initiative_areas (area_id, initiative_id);

CREATE TABLE initiative_partners (
	initiative_id   bigint NOT NULL CONSTRAINT initiative_partners_initiative_id_fkey REFERENCES initiatives (id),
	organization_id bigint NOT NULL CONSTRAINT initiative_partners_organization_id_fkey REFERENCES organizations (id),
	role            text NOT NULL CONSTRAINT initiative_partners_role_check
		CHECK (role IN ('CO_ORGANISER', 'FUNDER', 'PLACEMENTS', 'MENTORS', 'VENUE', 'OUTREACH')),
	PRIMARY KEY (initiative_id, organization_id)
);
CREATE INDEX initiative_partners_organization_id_idx ON initiative_partners (organization_id, initiative_id);

-- Codes sort byte-wise ("C"), the order every backend lists indicators in.
CREATE TABLE indicators (
	code             text COLLATE "C" PRIMARY KEY CONSTRAINT indicators_code_check CHECK (code <> ''),
	name             text NOT NULL,
	description      text NOT NULL DEFAULT '',
	unit             text NOT NULL DEFAULT '',
	higher_is_better boolean NOT NULL DEFAULT false,
	source           text NOT NULL DEFAULT '',
	license          text NOT NULL DEFAULT '',
	attribution      text NOT NULL DEFAULT ''
);

CREATE TABLE indicator_values (
	area_id        bigint NOT NULL CONSTRAINT indicator_values_area_id_fkey REFERENCES areas (id),
	indicator_code text COLLATE "C" NOT NULL
		CONSTRAINT indicator_values_indicator_code_fkey REFERENCES indicators (code),
	year           integer NOT NULL,
	sex            text NOT NULL CONSTRAINT indicator_values_sex_check CHECK (sex IN ('TOTAL', 'FEMALE', 'MALE')),
	-- double precision admits NaN and infinities; a figure never is one.
	value          double precision NOT NULL CONSTRAINT indicator_values_value_check
		CHECK (value NOT IN ('NaN', 'Infinity', '-Infinity')),
	PRIMARY KEY (area_id, indicator_code, year, sex)
);
CREATE INDEX indicator_values_indicator_code_idx ON indicator_values (indicator_code, year);

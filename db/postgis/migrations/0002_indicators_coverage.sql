-- Indicators get their Swedish name and the smallest count a value may
-- rest on before it is suppressed; values get that count. Existing rows
-- take the defaults: no Swedish name, no rule, no count known.
ALTER TABLE indicators
	ADD COLUMN name_sv   text NOT NULL DEFAULT '',
	ADD COLUMN min_count integer NOT NULL DEFAULT 0 CONSTRAINT indicators_min_count_check CHECK (min_count >= 0);

ALTER TABLE indicator_values
	ADD COLUMN count integer CONSTRAINT indicator_values_count_check CHECK (count >= 0);

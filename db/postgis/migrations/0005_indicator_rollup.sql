-- Indicators say how their values of statistical areas roll up into a
-- value for an area drawn across them (db.Rollup: '' none, SUM,
-- WEIGHTED_MEAN), and which count indicator, if any, weighs a weighted
-- mean. Existing rows roll up nothing.
ALTER TABLE indicators
	ADD COLUMN rollup text NOT NULL DEFAULT ''
		CONSTRAINT indicators_rollup_check CHECK (rollup IN ('', 'SUM', 'WEIGHTED_MEAN')),
	ADD COLUMN weight_indicator text NOT NULL DEFAULT '';

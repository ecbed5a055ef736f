package db

import (
	"fmt"
	"time"
)

// The rule of areas in time, in one place: every path that asks which
// areas are in use on a day (AreaFilter.ValidOn, AreasAt, the comparisons
// and coverage above the store, the map layers) goes through it, and both
// backends implement exactly this predicate (the SQL of db/postgis is
// written next to its use and pinned against this one by db/dbtest).
//
// An area is in use on day d when
//
//	(ValidFrom is nil or ValidFrom <= d) and (ValidTo is nil or d < ValidTo)
//
// The period is half-open, [ValidFrom, ValidTo): ValidFrom is the first
// day in use, ValidTo the first day no longer in use. That is how
// statistical and GIS editions are dated: Statistics Sweden's DeSO 2025
// is valid from 1 January 2025, the day DeSO 2018 stops, so the retired
// edition ends on the successor's first day and the two meet without a
// gap or a day of overlap, with no "31 December" arithmetic (INSPIRE's
// endLifespanVersion and PostgreSQL's daterange '[)' read the same way).
// A nil end is open: in use since always, or still in use. An empty
// period (ValidTo equal to ValidFrom) would never be in use and is
// refused when the area is written (Area.check).
//
// Codes stay unique across editions (the areas_code_key constraint of
// PostGIS, the code index of the embedded store): imports, indicator
// values and layer filters name areas by code, and a code that named two
// areas would make each of them ambiguous. Statistics Sweden's editions
// fit this: an area a revision leaves unchanged keeps its code and its one
// record, open-ended; a retired one keeps its code and gets a ValidTo; a
// new one comes with a code of its own. A code reused for another area
// would need keys of (code, ValidFrom) on every path that names areas by
// code, and is refused as a duplicate until then.
//
// Days are calendar dates: only the year, month and day of a time.Time
// count, never its clock or zone, so a stored date at UTC midnight and a
// day read off a clock in another zone compare as dates.

// MinDay and MaxDay bound a day a question may name: the first and the
// last day of the years MinYear to MaxYear.
var (
	MinDay = time.Date(MinYear, time.January, 1, 0, 0, 0, 0, time.UTC)
	MaxDay = time.Date(MaxYear, time.December, 31, 0, 0, 0, 0, time.UTC)
)

// Day is the calendar date of t as a time.Time at UTC midnight, the form
// the stores keep dates in.
func Day(t time.Time) time.Time {
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// Today is the day the clock now reads, in the clock's own zone: the day
// a question is answered for when it names none.
func Today(now time.Time) time.Time { return Day(now) }

// CheckDay checks a day a question names (arg is the argument, for the
// message): from MinDay to MaxDay, the years every question may name.
// Year 0 or 10000 is an EINVALID error, never an empty answer from one
// store and an overflow from another.
func CheckDay(arg string, d time.Time) error {
	d = Day(d)
	if d.Before(MinDay) || d.After(MaxDay) {
		return Errorf(EINVALID, "%s must be a date from %s to %s, got %s", arg,
			MinDay.Format(time.DateOnly), MaxDay.Format(time.DateOnly), formatDay(d))
	}
	return nil
}

// formatDay writes d as YYYY-MM-DD, with the sign and digits the year
// needs when it has not four.
func formatDay(d time.Time) string {
	y, m, dd := d.Date()
	if y >= 0 && y <= 9999 {
		return d.Format(time.DateOnly)
	}
	return fmt.Sprintf("%d-%02d-%02d", y, int(m), dd)
}

// CheckValidOn checks the day of a store read: the zero time (every
// edition) or a day CheckDay accepts.
func CheckValidOn(d time.Time) error {
	if d.IsZero() {
		return nil
	}
	return CheckDay("validOn", d)
}

// ValidOn says whether the area is in use on day d (see the rule above).
func (a *Area) ValidOn(d time.Time) bool { return InPeriod(a.ValidFrom, a.ValidTo, d) }

// InPeriod is the rule on a bare period: from inclusive, to exclusive,
// nil open.
func InPeriod(from, to *time.Time, d time.Time) bool {
	d = Day(d)
	return (from == nil || !Day(*from).After(d)) && (to == nil || d.Before(Day(*to)))
}

// YearDay is the day that stands for a year when areas are chosen for it
// (the comparison of a year, the edition of statistical areas a year's
// values are rolled up on): 1 July. An area that changes during a year
// then counts with the edition in use for the larger part of it, and a
// code retired and reused within a year never appears twice in one
// year's answer. Editions that change on 1 January, as Statistics
// Sweden's do, give the same answer for every day of the year.
func YearDay(year int) time.Time { return time.Date(year, time.July, 1, 0, 0, 0, 0, time.UTC) }

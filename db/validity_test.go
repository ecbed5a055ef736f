package db_test

import (
	"strings"
	"testing"
	"time"

	"github.com/areagraph/areagraph/db"
)

func day(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

func TestValidOn(t *testing.T) {
	ptr := func(t time.Time) *time.Time { return &t }
	deso2018 := &db.Area{ValidFrom: ptr(day(2018, 1, 1)), ValidTo: ptr(day(2025, 1, 1))}
	deso2025 := &db.Area{ValidFrom: ptr(day(2025, 1, 1))}
	open := &db.Area{}
	untilOnly := &db.Area{ValidTo: ptr(day(2020, 6, 1))}
	stockholm := time.FixedZone("CET", 3600)
	for _, c := range []struct {
		name string
		a    *db.Area
		d    time.Time
		want bool
	}{
		{"the day before the first", deso2018, day(2017, 12, 31), false},
		{"the first day", deso2018, day(2018, 1, 1), true},
		{"the last day", deso2018, day(2024, 12, 31), true},
		{"the end day is the successor's", deso2018, day(2025, 1, 1), false},
		{"the successor's first day", deso2025, day(2025, 1, 1), true},
		{"the successor, the day before", deso2025, day(2024, 12, 31), false},
		{"open at both ends, early", open, db.MinDay, true},
		{"open at both ends, late", open, db.MaxDay, true},
		{"open start", untilOnly, db.MinDay, true},
		{"open start, the end day", untilOnly, day(2020, 6, 1), false},
		{"open end, far ahead", deso2025, db.MaxDay, true},
		// The calendar date counts, not the clock: 00:30 on 1 January
		// in Stockholm is 1 January, though UTC still reads 31 December.
		{"a clock in another zone", deso2025, time.Date(2025, 1, 1, 0, 30, 0, 0, stockholm), true},
		{"late on the last day", deso2018, time.Date(2024, 12, 31, 23, 59, 59, 0, time.UTC), true},
	} {
		if got := c.a.ValidOn(c.d); got != c.want {
			t.Errorf("%s: ValidOn(%s) = %v, want %v", c.name, c.d, got, c.want)
		}
	}
	// Two editions of one code side by side: every day has exactly one.
	for d := day(2024, 12, 25); d.Before(day(2025, 1, 8)); d = d.AddDate(0, 0, 1) {
		if deso2018.ValidOn(d) == deso2025.ValidOn(d) {
			t.Errorf("%s: both or neither edition in use", d.Format(time.DateOnly))
		}
	}
}

func TestYearDay(t *testing.T) {
	if got := db.YearDay(2024); !got.Equal(day(2024, 7, 1)) {
		t.Errorf("YearDay(2024) = %s", got)
	}
}

func TestCheckDay(t *testing.T) {
	for _, d := range []time.Time{db.MinDay, db.MaxDay, day(2024, 6, 30)} {
		if err := db.CheckDay("validAt", d); err != nil {
			t.Errorf("%s: %v", d, err)
		}
	}
	for _, c := range []struct {
		d    time.Time
		want string
	}{
		{day(0, 1, 1), "validAt must be a date from 1800-01-01 to 2200-12-31, got 0000-01-01"},
		{day(10000, 1, 1), "validAt must be a date from 1800-01-01 to 2200-12-31, got 10000-01-01"},
		{day(1799, 12, 31), "got 1799-12-31"},
		{day(2201, 1, 1), "got 2201-01-01"},
	} {
		err := db.CheckDay("validAt", c.d)
		if db.ErrorCode(err) != db.EINVALID || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: got %v, want EINVALID with %q", c.d, err, c.want)
		}
	}
}

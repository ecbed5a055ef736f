package memory

import (
	"reflect"
	"testing"
	"time"

	"github.com/areagraph/areagraph/db"
)

// TestCompactLog: the log keeps events with their ids as numbers, and
// hands them out as they were written, an id of an unusual form included
// (kept whole, which no write of the store makes); a filter finds them by
// their global ids.
func TestCompactLog(t *testing.T) {
	s := New()
	at := time.Date(2026, 12, 7, 10, 0, 0, 0, time.UTC)
	events := []db.Change{
		{Type: db.TypeInitiative, ID: "Initiative:12", Action: db.ChangeCreated, Version: 1,
			Areas: []string{"Area:10", "Area:9"}, Orgs: []string{"Association:3", "Employer:20"}},
		{Type: db.TypeArea, ID: "Area:9", Action: db.ChangeUpdated, Version: 4, Areas: []string{"Area:9"}, Orgs: []string{}},
		{Type: db.TypeIndicatorValue, ID: "Indicator:pop", Action: db.ChangeUpdated, Areas: []string{"Area:10"}},
		{Type: db.TypeEmployer, ID: "Employer:20", Action: db.ChangeDeleted, Version: 2},
		{Type: db.TypeInitiative, ID: "Initiative:13", Action: db.ChangeCreated, Version: 1, Areas: []string{"Area:007"}},
	}
	s.mu.Lock()
	s.appendChanges(at, events)
	s.mu.Unlock()
	for i, l := range s.log {
		if (l.raw != nil) != (i == 4) {
			t.Errorf("event %d kept whole: %v", i, l.raw != nil)
		}
	}
	read := func(f db.ChangeFilter) []db.Change {
		t.Helper()
		got, err := s.Changes(t.Context(), 0, f, 100)
		if err != nil {
			t.Fatal(err)
		}
		return got
	}
	want := make([]db.Change, len(events))
	for i, c := range events {
		c.Seq, c.At = s.base+int64(i)+1, at
		want[i] = c
	}
	if got := read(db.ChangeFilter{}); !reflect.DeepEqual(got, want) {
		t.Errorf("the log hands out\n%+v\nwant\n%+v", got, want)
	}
	for _, c := range []struct {
		f    db.ChangeFilter
		want []int
	}{
		{db.ChangeFilter{Areas: []string{"Area:10"}}, []int{0, 2}},
		{db.ChangeFilter{Areas: []string{"Area:9"}}, []int{0, 1}},
		{db.ChangeFilter{Areas: []string{"Area:7"}}, nil},
		{db.ChangeFilter{Organizations: []string{"Association:3"}}, []int{0}},
		{db.ChangeFilter{Organizations: []string{"Employer:3"}}, nil},
		{db.ChangeFilter{Types: []string{db.TypeInitiative}}, []int{0, 4}},
		{db.ChangeFilter{Types: []string{db.TypeInitiative}, Areas: []string{"Area:10"}}, []int{0}},
	} {
		var w []db.Change
		for _, i := range c.want {
			w = append(w, want[i])
		}
		got := read(c.f)
		if len(got) == 0 && len(w) == 0 {
			continue
		}
		if !reflect.DeepEqual(got, w) {
			t.Errorf("%+v: %d events %+v, want %v", c.f, len(got), got, c.want)
		}
	}
}

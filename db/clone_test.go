package db_test

import (
	"reflect"
	"testing"
	"time"

	"github.com/paulmach/orb"

	"github.com/areagraph/areagraph/db"
)

// TestCloneSharesNothing checks that every record's Clone is equal to the
// record and shares no memory with it: a store hands out clones, and a
// caller's edit must not reach what the store holds.
func TestCloneSharesNothing(t *testing.T) {
	n, day := 7, time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC)
	poly := orb.Polygon{{{18, 59}, {18.1, 59}, {18.1, 59.1}, {18, 59}}}
	pt := orb.Point{18, 59}
	recs := []struct {
		rec   any
		clone func() any
	}{}
	add := func(rec any, clone func() any) {
		recs = append(recs, struct {
			rec   any
			clone func() any
		}{rec, clone})
	}
	a := &db.Area{ID: 1, Code: "A", Geometry: poly, ValidFrom: &day, ValidTo: &day}
	add(a, func() any { return a.Clone() })
	ai := &db.AreaInput{Code: "A", Geometry: poly, ValidFrom: &day, ValidTo: &day}
	add(ai, func() any { return ai.Clone() })
	o := &db.Organization{ID: 1, Location: &pt, AreaIDs: []int64{1, 2}}
	add(o, func() any { return o.Clone() })
	in := &db.Initiative{ID: 1, StartDate: &day, EndDate: &day, FocusGroups: db.FocusGroups, Themes: db.Themes,
		AreaIDs: []int64{1}, Locations: []orb.Point{pt}, Partners: []db.Partner{{OrganizationID: 2, Role: db.RoleFunder}},
		Reach: db.Reach{Participants: &n, IntoWork: &n, IntoStudy: &n}}
	add(in, func() any { return in.Clone() })
	ind := &db.Indicator{Code: "x", MinCount: 3}
	add(ind, func() any { return ind.Clone() })
	v := &db.IndicatorValue{AreaID: 1, Count: &n}
	add(v, func() any { c := v.Clone(); return &c })
	vi := &db.ValueInput{AreaCode: "A", Count: &n}
	add(vi, func() any { return vi.Clone() })
	k := &db.APIKey{ID: "k1", Hash: make([]byte, 32), ExpiresAt: &day, RevokedAt: &day}
	add(k, func() any { return k.Clone() })
	e := &db.AuditEntry{ID: 1, Before: []byte("{}"), After: []byte("{}")}
	add(e, func() any { return e.Clone() })

	for _, r := range recs {
		c := r.clone()
		if !reflect.DeepEqual(c, r.rec) {
			t.Errorf("%T: the clone differs: %+v", r.rec, c)
		}
		if c == r.rec {
			t.Errorf("%T: the clone is the record itself", r.rec)
		}
		if path := shared(reflect.ValueOf(r.rec).Elem(), reflect.ValueOf(c).Elem(), reflect.TypeOf(r.rec).Elem().Name()); path != "" {
			t.Errorf("%s is shared by the record and its clone", path)
		}
	}
	var nilArea *db.Area
	if nilArea.Clone() != nil {
		t.Error("a nil area's clone is not nil")
	}
}

// shared returns the path of the first pointer, slice or interface that a
// and b share, or "".
func shared(a, b reflect.Value, path string) string {
	switch a.Kind() {
	case reflect.Pointer:
		if a.IsNil() {
			return ""
		}
		if a.Pointer() == b.Pointer() {
			return path
		}
		return shared(a.Elem(), b.Elem(), path)
	case reflect.Slice:
		if a.Len() == 0 {
			return ""
		}
		if a.Pointer() == b.Pointer() {
			return path
		}
		for i := range a.Len() {
			if p := shared(a.Index(i), b.Index(i), path+"[i]"); p != "" {
				return p
			}
		}
	case reflect.Interface:
		if a.IsNil() {
			return ""
		}
		return shared(a.Elem(), b.Elem(), path)
	case reflect.Struct:
		for i := range a.NumField() {
			if p := shared(a.Field(i), b.Field(i), path+"."+a.Type().Field(i).Name); p != "" {
				return p
			}
		}
	}
	return ""
}

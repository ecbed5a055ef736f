package dbtest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/paulmach/orb"

	"github.com/areagraph/areagraph/db"
)

// The write half of the contract (Writer in db/store.go): versions, the order in
// which problems are found, all-or-nothing writes, detach, the audit log
// and API keys.

// Callers of the writes, as the audit log names them.
var (
	testActor  = db.Actor{ID: "key:ktest", Role: db.RoleAdmin}
	otherActor = db.Actor{ID: "oidc:planner-7", Role: db.RoleEditor}
)

// state is everything a reader can see of a store, through every read
// method and index, to show that a failed write changed none of it.
type state struct {
	Areas       []*db.Area
	Orgs        []*db.Organization
	Inits       []*db.Initiative
	Indicators  []*db.Indicator
	Values      []db.IndicatorValue
	Children    []db.List[*db.Area]
	OrgsByArea  []db.List[*db.Organization]
	InitsByArea []db.List[*db.Initiative]
	InitsByOrg  []db.List[*db.Initiative]
	Coverage    []db.CoverageCell
	At          [][]*db.Area // AreasAt at the probes
	OrgsInBox   db.List[*db.Organization]
	InitsInBox  db.List[*db.Initiative]
	Audit       db.List[*db.AuditEntry]
	Keys        []*db.APIKey
}

// probes are points where AreasAt is asked, inside every fixture area and
// around it.
var probes = []orb.Point{{12.1, 57.1}, {12.3, 57.3}, {12.5, 57.45}, {12.9, 57.9}, {13.3, 57.3},
	{13.75, 57.75}, {13.53125, 57.125}, {13.6, 57.1}, {20, 60}}

func stateOf(t *testing.T, s db.Store) state {
	t.Helper()
	all := db.Page{Limit: 10000}
	var st state
	st.Areas = must[db.List[*db.Area]](t)(s.Areas(ctx(t), db.AreaFilter{}, all)).Items
	st.Orgs = must[db.List[*db.Organization]](t)(s.Organizations(ctx(t), db.OrganizationFilter{}, all)).Items
	st.Inits = must[db.List[*db.Initiative]](t)(s.Initiatives(ctx(t), db.InitiativeFilter{}, all)).Items
	st.Indicators = must[[]*db.Indicator](t)(s.Indicators(ctx(t), nil))
	st.Values = must[[]db.IndicatorValue](t)(s.IndicatorValues(ctx(t), db.ValueFilter{}))
	areaIDs := ids(st.Areas)
	orgIDs := ids(st.Orgs)
	st.Children = must[[]db.List[*db.Area]](t)(s.ChildAreas(ctx(t), areaIDs, db.AreaFilter{}, all))
	st.OrgsByArea = must[[]db.List[*db.Organization]](t)(s.OrganizationsByArea(ctx(t), areaIDs, db.OrganizationFilter{}, all))
	st.InitsByArea = must[[]db.List[*db.Initiative]](t)(s.InitiativesByArea(ctx(t), areaIDs, db.InitiativeFilter{}, all))
	st.InitsByOrg = must[[]db.List[*db.Initiative]](t)(s.InitiativesByOrganization(ctx(t), orgIDs, db.InitiativeFilter{}, all))
	if len(areaIDs) > 0 {
		st.Coverage = must[[]db.CoverageCell](t)(s.Coverage(ctx(t), db.CoverageFilter{AreaIDs: areaIDs}))
	}
	for _, p := range probes {
		st.At = append(st.At, must[[]*db.Area](t)(s.AreasAt(ctx(t), p, nil, anyDay)))
	}
	box := &orb.Bound{Min: orb.Point{11, 56}, Max: orb.Point{15, 59}}
	st.OrgsInBox = must[db.List[*db.Organization]](t)(s.Organizations(ctx(t), db.OrganizationFilter{Spatial: db.Spatial{BBox: box}}, all))
	st.InitsInBox = must[db.List[*db.Initiative]](t)(s.Initiatives(ctx(t), db.InitiativeFilter{Spatial: db.Spatial{BBox: box}}, all))
	st.Audit = must[db.List[*db.AuditEntry]](t)(s.AuditLog(ctx(t), db.AuditFilter{}, all))
	st.Keys = must[[]*db.APIKey](t)(s.Keys(ctx(t), testActor))
	return st
}

// wantNoChange checks that nothing a reader can see differs from before,
// the audit log and the keys included.
func wantNoChange(t *testing.T, what string, s db.Store, before state) {
	t.Helper()
	after := stateOf(t, s)
	ga, wa := reflect.ValueOf(normalize(after)), reflect.ValueOf(normalize(before))
	for i := range ga.NumField() {
		if g, w := ga.Field(i).Interface(), wa.Field(i).Interface(); !reflect.DeepEqual(g, w) {
			t.Errorf("%s: %s changed:\n got  %s\n want %s", what, ga.Type().Field(i).Name, show(g), show(w))
		}
	}
}

// show renders a value for a failure message: as JSON, so that records
// behind pointers are seen, not their addresses.
func show(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprintf("%+v", v)
	}
	return string(b)
}

// wantRefused checks that err has the code and that its message holds
// every one of parts; errors.Is must agree with the code.
func wantRefused(t *testing.T, what string, err error, code string, parts ...string) {
	t.Helper()
	wantCode(t, what, err, code)
	if err == nil {
		return
	}
	sentinel := map[string]error{db.EINVALID: db.ErrInvalid, db.ENOTFOUND: db.ErrNotFound, db.ECONFLICT: db.ErrConflict}[code]
	if sentinel != nil && !errors.Is(err, sentinel) {
		t.Errorf("%s: errors.Is(%v, %s sentinel) is false", what, err, code)
	}
	for _, p := range parts {
		if !strings.Contains(db.ErrorMessage(err), p) {
			t.Errorf("%s: message %q does not say %q", what, db.ErrorMessage(err), p)
		}
	}
}

// auditAll returns the whole audit log, newest first.
func auditAll(t *testing.T, s db.Store) []*db.AuditEntry {
	t.Helper()
	return must[db.List[*db.AuditEntry]](t)(s.AuditLog(ctx(t), db.AuditFilter{}, db.Page{Limit: 10000})).Items
}

// lastAuditID is the id of the newest audit entry, 0 when there is none.
func lastAuditID(t *testing.T, s db.Store) int64 {
	t.Helper()
	l := must[db.List[*db.AuditEntry]](t)(s.AuditLog(ctx(t), db.AuditFilter{}, db.Page{Limit: 1}))
	if len(l.Items) == 0 {
		return 0
	}
	return l.Items[0].ID
}

// auditAfter returns the entries newer than the entry with id after, in
// the order they were written (oldest first).
func auditAfter(t *testing.T, s db.Store, after int64) []*db.AuditEntry {
	t.Helper()
	var out []*db.AuditEntry
	for _, e := range auditAll(t, s) {
		if e.ID > after {
			out = append(out, e)
		}
	}
	slices.Reverse(out)
	return out
}

// entry is an expected audit entry: the action, the record, and the
// record before and after as the read methods return it (nil for none).
type entry struct {
	action        db.Action
	rec           db.Audited // what AuditType and AuditRecordID name
	before, after db.Audited
}

func created(rec db.Audited) entry           { return entry{db.ActionCreate, rec, nil, rec} }
func updated(before, after db.Audited) entry { return entry{db.ActionUpdate, after, before, after} }
func deleted(rec db.Audited) entry           { return entry{db.ActionDelete, rec, rec, nil} }

func auditBytes(rec db.Audited) []byte {
	if rec == nil {
		return nil
	}
	return db.AuditJSON(rec)
}

// wantAudit checks the entries one write (or a run of them) appended, in
// the order they were written: every field, with Before and After byte
// for byte as AuditJSON renders the records given.
func wantAudit(t *testing.T, what string, got []*db.AuditEntry, by db.Actor, want ...entry) {
	t.Helper()
	if len(got) != len(want) {
		var names []string
		for _, e := range got {
			names = append(names, string(e.Action)+" "+e.RecordID)
		}
		t.Errorf("%s: got %d audit entries %v, want %d", what, len(got), names, len(want))
		return
	}
	for i, w := range want {
		e := got[i]
		where := what + ": entry " + string(w.action) + " " + db.AuditRecordID(w.rec)
		if e.Action != w.action || e.Type != db.AuditType(w.rec) || e.RecordID != db.AuditRecordID(w.rec) {
			t.Errorf("%s: got %s %s %s", where, e.Action, e.Type, e.RecordID)
		}
		if e.Actor != by.ID {
			t.Errorf("%s: actor %q, want %q", where, e.Actor, by.ID)
		}
		if !slices.Equal(e.Orgs, by.Orgs) || (e.Orgs == nil) != (by.Orgs == nil) {
			t.Errorf("%s: on behalf of %q, want %q", where, e.Orgs, by.Orgs)
		}
		if i > 0 && e.ID <= got[i-1].ID {
			t.Errorf("%s: id %d does not follow %d", where, e.ID, got[i-1].ID)
		}
		if !e.At.Equal(e.At.Truncate(time.Microsecond)) {
			t.Errorf("%s: time %v is finer than a microsecond", where, e.At)
		}
		if b := auditBytes(w.before); !bytes.Equal(e.Before, b) {
			t.Errorf("%s: before\n got  %s\n want %s", where, e.Before, b)
		}
		if a := auditBytes(w.after); !bytes.Equal(e.After, a) {
			t.Errorf("%s: after\n got  %s\n want %s", where, e.After, a)
		}
	}
}

// One record read back by id; nil when it does not exist.

func areaByID(t *testing.T, s db.Store, id int64) *db.Area {
	t.Helper()
	return must[[]*db.Area](t)(s.AreasByID(ctx(t), []int64{id}))[0]
}

func orgByID(t *testing.T, s db.Store, id int64) *db.Organization {
	t.Helper()
	return must[[]*db.Organization](t)(s.OrganizationsByID(ctx(t), []int64{id}))[0]
}

func initByID(t *testing.T, s db.Store, id int64) *db.Initiative {
	t.Helper()
	return must[[]*db.Initiative](t)(s.InitiativesByID(ctx(t), []int64{id}))[0]
}

func indicatorByCode(t *testing.T, s db.Store, code string) *db.Indicator {
	t.Helper()
	got := must[[]*db.Indicator](t)(s.Indicators(ctx(t), []string{code}))
	if len(got) == 0 {
		return nil
	}
	return got[0]
}

func valuesOf(t *testing.T, s db.Store, f db.ValueFilter) []db.IndicatorValue {
	t.Helper()
	return must[[]db.IndicatorValue](t)(s.IndicatorValues(ctx(t), f))
}

var everything = db.Page{Limit: 1000}

func coverageOf(t *testing.T, s db.Store, areas ...int64) []db.CoverageCell {
	t.Helper()
	return must[[]db.CoverageCell](t)(s.Coverage(ctx(t), db.CoverageFilter{AreaIDs: areas}))
}

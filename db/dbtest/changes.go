package dbtest

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/areagraph/areagraph/db"
)

// The change feed (db/changes.go): which writes yield which events, in
// commit order, and how a reader pages, filters and waits for them.

// showChange renders an event without its Seq and At, which the tests
// check apart.
func showChange(c db.Change) string {
	return fmt.Sprintf("%s %s %s v%d areas=%s orgs=%s", c.Type, c.ID, c.Action, c.Version,
		strings.Join(c.Areas, ","), strings.Join(c.Orgs, ","))
}

func showChanges(cs []db.Change) []string {
	out := make([]string, len(cs))
	for i, c := range cs {
		out[i] = showChange(c)
	}
	return out
}

// allChanges reads every event after after, page by page.
func allChanges(t *testing.T, s db.Store, after int64, f db.ChangeFilter) []db.Change {
	t.Helper()
	var out []db.Change
	for {
		page := must[[]db.Change](t)(s.Changes(ctx(t), after, f, db.MaxChanges))
		out = append(out, page...)
		if len(page) < db.MaxChanges {
			return out
		}
		after = page[len(page)-1].Seq
	}
}

// wantSeqs checks that cs ascend strictly, all after after.
func wantSeqs(t *testing.T, what string, cs []db.Change, after int64) {
	t.Helper()
	for _, c := range cs {
		if c.Seq <= after {
			t.Errorf("%s: Seq %d after %d: Seqs must ascend", what, c.Seq, after)
		}
		after = c.Seq
	}
}

// feedStep checks the events a write yielded: those after *cursor, which
// it moves past them. All events of one write carry its time, the audit
// entries' time when it wrote any.
func feedStep(t *testing.T, s db.Store, what string, cursor *int64, audited bool, want ...string) {
	t.Helper()
	got := allChanges(t, s, *cursor, db.ChangeFilter{})
	wantSeqs(t, what, got, *cursor)
	if want == nil {
		want = []string{}
	}
	wantEqual(t, what, showChanges(got), want)
	if len(got) == 0 {
		return
	}
	at := got[0].At
	if at.IsZero() || at.Location() != time.UTC || !at.Equal(at.Truncate(time.Microsecond)) {
		t.Errorf("%s: At %v: want a UTC time to the microsecond", what, at)
	}
	for _, c := range got {
		if !c.At.Equal(at) {
			t.Errorf("%s: %s at %v, the write's first event at %v: one write, one time", what, showChange(c), c.At, at)
		}
	}
	if audited {
		if e := auditAll(t, s); len(e) == 0 || !e[0].At.Equal(at) {
			t.Errorf("%s: events at %v, not at the time of the write's audit entries", what, at)
		}
	}
	*cursor = got[len(got)-1].Seq
}

// fixtureChanges are the events of loading the fixture.
var fixtureChanges = []string{
	"Area Area:1 CREATED v1 areas=Area:1 orgs=",
	"Area Area:2 CREATED v1 areas=Area:2 orgs=",
	"Area Area:3 CREATED v1 areas=Area:3 orgs=",
	"Area Area:4 CREATED v1 areas=Area:4 orgs=",
	"Area Area:5 CREATED v1 areas=Area:5 orgs=",
	"Area Area:6 CREATED v1 areas=Area:6 orgs=",
	"Employer Employer:1 CREATED v1 areas=Area:2,Area:4 orgs=Employer:1",
	"Employer Employer:2 CREATED v1 areas=Area:3,Area:5 orgs=Employer:2",
	"Association Association:3 CREATED v1 areas=Area:4 orgs=Association:3",
	"Association Association:4 CREATED v1 areas= orgs=Association:4",
	"Initiative Initiative:1 CREATED v1 areas=Area:4 orgs=Association:3,Employer:1",
	"Initiative Initiative:2 CREATED v1 areas=Area:4,Area:5 orgs=Association:3,Employer:1,Employer:2",
	"Initiative Initiative:3 CREATED v1 areas=Area:5 orgs=Employer:2",
	"Initiative Initiative:4 CREATED v1 areas=Area:2 orgs=Association:4",
	"Indicator Indicator:population CREATED v1 areas= orgs=",
	"Indicator Indicator:unemployment CREATED v1 areas= orgs=",
	"IndicatorValue Indicator:population CREATED v0 areas=Area:1 orgs=",
	"IndicatorValue Indicator:unemployment CREATED v0 areas=Area:1,Area:4,Area:5 orgs=",
}

func testChangesOfEveryWrite(t *testing.T, s db.Store) {
	if got := must[[]db.Change](t)(s.Changes(ctx(t), 0, db.ChangeFilter{}, 10)); len(got) != 0 {
		t.Fatalf("a new store has events: %v", showChanges(got))
	}
	var cursor int64
	loaded(t, s)
	// A new feed numbers above every feed made before it (db.SeqBase).
	if first := must[[]db.Change](t)(s.Changes(ctx(t), 0, db.ChangeFilter{}, 1)); first[0].Seq <= db.SeqBase(time.Now().Add(-24*time.Hour)) {
		t.Errorf("a new feed starts at %d, below the numbers of a feed made a day ago", first[0].Seq)
	}
	feedStep(t, s, "Load", &cursor, false, fixtureChanges...)

	must[*db.Area](t)(s.CreateArea(ctx(t), testActor, newPriorityArea()))
	feedStep(t, s, "CreateArea", &cursor, true, "Area Area:7 CREATED v1 areas=Area:7 orgs=")
	must[*db.Area](t)(s.UpdateArea(ctx(t), testActor, 7, 1, db.AreaPatch{Name: db.Set("Priority R2")}))
	feedStep(t, s, "UpdateArea", &cursor, true, "Area Area:7 UPDATED v2 areas=Area:7 orgs=")

	must[*db.Organization](t)(s.CreateOrganization(ctx(t), testActor, newEmployer()))
	feedStep(t, s, "CreateOrganization", &cursor, true,
		"Employer Employer:5 CREATED v1 areas=Area:3,Area:5 orgs=Employer:5")
	// An update concerns the areas the organisation left as well as those
	// it joined.
	must[*db.Organization](t)(s.UpdateOrganization(ctx(t), testActor, db.OrgEmployer, 5, 1,
		db.OrganizationPatch{AreaIDs: db.Set([]int64{7})}))
	feedStep(t, s, "UpdateOrganization", &cursor, true,
		"Employer Employer:5 UPDATED v2 areas=Area:3,Area:5,Area:7 orgs=Employer:5")

	must[*db.Initiative](t)(s.CreateInitiative(ctx(t), testActor, newInitiative()))
	feedStep(t, s, "CreateInitiative", &cursor, true,
		"Initiative Initiative:5 CREATED v1 areas=Area:4,Area:5 orgs=Association:3,Association:4,Employer:1,Employer:2")
	must[*db.Initiative](t)(s.UpdateInitiative(ctx(t), testActor, 5, 1, db.InitiativePatch{AreaIDs: db.Set([]int64{7})}))
	feedStep(t, s, "UpdateInitiative", &cursor, true,
		"Initiative Initiative:5 UPDATED v2 areas=Area:4,Area:5,Area:7 orgs=Association:3,Association:4,Employer:1,Employer:2")

	must[*db.Indicator](t)(s.CreateIndicator(ctx(t), testActor, newIndicator()))
	feedStep(t, s, "CreateIndicator", &cursor, true, "Indicator Indicator:upper_secondary CREATED v1 areas= orgs=")
	must[*db.Indicator](t)(s.UpdateIndicator(ctx(t), testActor, "upper_secondary", 1, db.IndicatorPatch{Name: db.Set("Upper secondary")}))
	feedStep(t, s, "UpdateIndicator", &cursor, true, "Indicator Indicator:upper_secondary UPDATED v2 areas= orgs=")

	// Values: one event per indicator, naming the areas whose values
	// changed; a value written as stored changes nothing.
	values := []db.IndicatorValue{
		{AreaID: 7, IndicatorCode: "upper_secondary", Year: 2021, Sex: db.SexTotal, Value: 80, Count: intp(40)},
		{AreaID: 7, IndicatorCode: "population", Year: 2021, Sex: db.SexTotal, Value: 500},
		{AreaID: 7, IndicatorCode: "population", Year: 2022, Sex: db.SexTotal, Value: 510},
		{AreaID: 1, IndicatorCode: "population", Year: 2021, Sex: db.SexTotal, Value: 113000},
	}
	must[int](t)(s.PutIndicatorValues(ctx(t), testActor, values))
	feedStep(t, s, "PutIndicatorValues", &cursor, true,
		"IndicatorValue Indicator:population UPDATED v0 areas=Area:7 orgs=",
		"IndicatorValue Indicator:upper_secondary UPDATED v0 areas=Area:7 orgs=")
	must[int](t)(s.PutIndicatorValues(ctx(t), testActor, values))
	feedStep(t, s, "PutIndicatorValues unchanged", &cursor, false)

	// An import of areas: an event per area added or changed, in the
	// order of the file; none for an area named as stored.
	p2 := areaByID(t, s, 5)
	must[db.ImportCounts](t)(s.UpsertAreas(ctx(t), testActor, seqOf(t,
		&db.AreaInput{Code: "9999-P1", Name: "Priority P, renamed", Kind: db.KindPriorityArea, AreaType: 1,
			ParentCode: "9999-D1", Geometry: areaByID(t, s, 4).Geometry},
		&db.AreaInput{Code: p2.Code, Name: p2.Name, Kind: p2.Kind, AreaType: p2.AreaType, ParentCode: "9999-D2",
			Geometry: p2.Geometry, ValidFrom: p2.ValidFrom, ValidTo: p2.ValidTo, Description: p2.Description},
		&db.AreaInput{Code: "9999-P4", Name: "Priority S", Kind: db.KindPriorityArea, ParentCode: "9999-D2",
			Geometry: areaByID(t, s, 7).Geometry},
	)))
	feedStep(t, s, "UpsertAreas", &cursor, true,
		"Area Area:4 UPDATED v2 areas=Area:4 orgs=",
		"Area Area:8 CREATED v1 areas=Area:8 orgs=")

	must[db.ImportCounts](t)(s.UpsertIndicatorValues(ctx(t), testActor, db.ImportFile{Name: "v.csv", SHA256: strings.Repeat("ab", 32)},
		seqOf(t,
			&db.ValueInput{AreaCode: "9999-P4", IndicatorCode: "unemployment", Year: 2021, Sex: db.SexTotal, Value: 12, Count: intp(100)},
			&db.ValueInput{AreaCode: "9999-P1", IndicatorCode: "unemployment", Year: 2021, Sex: db.SexTotal, Value: 38, Count: intp(1510)},
			&db.ValueInput{AreaCode: "9999", IndicatorCode: "population", Year: 2022, Sex: db.SexTotal, Value: 114000},
		)))
	feedStep(t, s, "UpsertIndicatorValues", &cursor, true,
		"IndicatorValue Indicator:population UPDATED v0 areas=Area:1 orgs=",
		"IndicatorValue Indicator:unemployment UPDATED v0 areas=Area:8 orgs=")

	must[struct{}](t)(struct{}{}, s.DeleteInitiative(ctx(t), testActor, 5, 2))
	feedStep(t, s, "DeleteInitiative", &cursor, true,
		"Initiative Initiative:5 DELETED v2 areas=Area:7 orgs=Association:3,Association:4,Employer:1,Employer:2")

	// A delete with detach: the target, then every record it detached,
	// which still concern what they left.
	must[struct{}](t)(struct{}{}, s.DeleteOrganization(ctx(t), testActor, db.OrgAssociation, 3, 1, true))
	feedStep(t, s, "DeleteOrganization", &cursor, true,
		"Association Association:3 DELETED v1 areas=Area:4 orgs=Association:3",
		"Initiative Initiative:1 UPDATED v2 areas=Area:4 orgs=Association:3,Employer:1",
		"Initiative Initiative:2 UPDATED v2 areas=Area:4,Area:5 orgs=Association:3,Employer:1,Employer:2")

	must[struct{}](t)(struct{}{}, s.DeleteArea(ctx(t), testActor, 4, 2, true))
	feedStep(t, s, "DeleteArea", &cursor, true,
		"Area Area:4 DELETED v2 areas=Area:4 orgs=",
		"Employer Employer:1 UPDATED v2 areas=Area:2,Area:4 orgs=Employer:1",
		"Initiative Initiative:1 UPDATED v3 areas=Area:4 orgs=Employer:1",
		"Initiative Initiative:2 UPDATED v3 areas=Area:4,Area:5 orgs=Employer:1,Employer:2",
		"IndicatorValue Indicator:unemployment DELETED v0 areas=Area:4 orgs=")

	must[struct{}](t)(struct{}{}, s.DeleteIndicator(ctx(t), testActor, "upper_secondary", 2, true))
	feedStep(t, s, "DeleteIndicator", &cursor, true,
		"Indicator Indicator:upper_secondary DELETED v2 areas= orgs=",
		"IndicatorValue Indicator:upper_secondary DELETED v0 areas=Area:7 orgs=")

	// Keys are not public records.
	must[*db.APIKey](t)(s.CreateKey(ctx(t), testActor, &db.APIKey{ID: "kf", Name: "Feed", Role: db.RoleReader, Hash: KeyHash("kf")}))
	must[*db.APIKey](t)(s.RevokeKey(ctx(t), testActor, "kf"))
	feedStep(t, s, "keys", &cursor, false)

	// Nothing is forgotten: the whole feed from 0 is every event above.
	if all := allChanges(t, s, 0, db.ChangeFilter{}); len(all) != 43 || all[len(all)-1].Seq != cursor {
		t.Errorf("the feed from 0 has %d events ending at %d, want 43 ending at %d", len(all), all[len(all)-1].Seq, cursor)
	}
}

func testChangesOfFailedWrites(t *testing.T, s db.Store) {
	loaded(t, s)
	_, head := must2(t)(s.Heads(ctx(t)))
	fails := map[string]error{}
	_, fails["stale update"] = s.UpdateArea(ctx(t), testActor, 4, 9, db.AreaPatch{Name: db.Set("x")})
	_, fails["invalid create"] = s.CreateArea(ctx(t), testActor, &db.Area{})
	fails["delete with dependents"] = s.DeleteArea(ctx(t), testActor, 4, 1, false)
	_, fails["values of an unknown area"] = s.PutIndicatorValues(ctx(t), testActor, []db.IndicatorValue{
		{AreaID: 4, IndicatorCode: "population", Year: 2021, Sex: db.SexTotal, Value: 1},
		{AreaID: 99, IndicatorCode: "population", Year: 2021, Sex: db.SexTotal, Value: 1}})
	_, fails["import of areas with an unknown parent"] = s.UpsertAreas(ctx(t), testActor, seqOf(t,
		&db.AreaInput{Code: "9999-P9", Name: "New", Kind: db.KindPriorityArea, ParentCode: "9999-D1",
			Geometry: areaByID(t, s, 4).Geometry},
		&db.AreaInput{Code: "9999-P8", Name: "New", Kind: db.KindPriorityArea, ParentCode: "nowhere",
			Geometry: areaByID(t, s, 4).Geometry}))
	_, fails["import of values of an unknown indicator"] = s.UpsertIndicatorValues(ctx(t), testActor,
		db.ImportFile{Name: "v.csv", SHA256: strings.Repeat("cd", 32)}, seqOf(t,
			&db.ValueInput{AreaCode: "9999", IndicatorCode: "population", Year: 2023, Sex: db.SexTotal, Value: 1},
			&db.ValueInput{AreaCode: "9999", IndicatorCode: "nothing", Year: 2023, Sex: db.SexTotal, Value: 1}))
	fails["load of records that exist"] = s.Load(ctx(t), Fixture())
	canceled, cancel := context.WithCancel(ctx(t))
	cancel()
	_, fails["canceled create"] = s.CreateArea(canceled, testActor, newPriorityArea())
	for what, err := range fails {
		if err == nil {
			t.Errorf("%s: succeeded", what)
		}
	}
	heads, after := must2(t)(s.Heads(ctx(t)))
	if after != head {
		t.Errorf("failed writes moved the head from %d to %d", head, after)
	}
	if got := must[[]db.Change](t)(s.Changes(ctx(t), head, db.ChangeFilter{}, 10)); len(got) != 0 {
		t.Errorf("failed writes yielded events: %v", showChanges(got))
	}
	if len(heads) != 6 {
		t.Errorf("heads %v: want one for each of the six types the fixture has", heads)
	}
}

// must2 is must for a call that returns two values.
func must2(t *testing.T) func(map[string]int64, int64, error) (map[string]int64, int64) {
	return func(m map[string]int64, n int64, err error) (map[string]int64, int64) {
		t.Helper()
		if err != nil {
			t.Fatalf("unexpected error: %v", err)
		}
		return m, n
	}
}

func testChangesFilter(t *testing.T, s db.Store) {
	loaded(t, s)
	cases := []struct {
		name string
		f    db.ChangeFilter
		want []string // the ids of the events, in order
	}{
		{"a type", db.ChangeFilter{Types: []string{db.TypeInitiative}},
			[]string{"Initiative:1", "Initiative:2", "Initiative:3", "Initiative:4"}},
		{"two types, repeated", db.ChangeFilter{Types: []string{db.TypeIndicatorValue, db.TypeAssociation, db.TypeIndicatorValue}},
			[]string{"Association:3", "Association:4", "Indicator:population", "Indicator:unemployment"}},
		{"an area", db.ChangeFilter{Areas: []string{"Area:5"}},
			[]string{"Area:5", "Employer:2", "Initiative:2", "Initiative:3", "Indicator:unemployment"}},
		{"an organisation", db.ChangeFilter{Organizations: []string{"Association:3"}},
			[]string{"Association:3", "Initiative:1", "Initiative:2"}},
		{"a type and an organisation", db.ChangeFilter{Types: []string{db.TypeInitiative}, Organizations: []string{"Employer:2"}},
			[]string{"Initiative:2", "Initiative:3"}},
		{"an area and an organisation", db.ChangeFilter{Areas: []string{"Area:4"}, Organizations: []string{"Employer:1"}},
			[]string{"Employer:1", "Initiative:1", "Initiative:2"}},
		{"either of two areas", db.ChangeFilter{Areas: []string{"Area:2", "Area:3"}, Types: []string{db.TypeArea, db.TypeInitiative}},
			[]string{"Area:2", "Area:3", "Initiative:4"}},
		{"an indicator concerns no area", db.ChangeFilter{Types: []string{db.TypeIndicator}, Areas: []string{"Area:1"}},
			[]string{}},
		{"an organisation of the other kind", db.ChangeFilter{Organizations: []string{"Employer:3"}}, []string{}},
		{"an area nothing concerns", db.ChangeFilter{Areas: []string{"Area:99"}}, []string{}},
	}
	for _, c := range cases {
		got := allChanges(t, s, 0, c.f)
		wantSeqs(t, c.name, got, 0)
		ids := []string{}
		for _, e := range got {
			ids = append(ids, e.ID)
		}
		wantEqual(t, c.name, ids, c.want)
	}
	// A filter counts against the limit only what passes it.
	got := must[[]db.Change](t)(s.Changes(ctx(t), 0, db.ChangeFilter{Types: []string{db.TypeInitiative}}, 2))
	if ids := []string{got[0].ID, got[1].ID}; len(got) != 2 || ids[0] != "Initiative:1" || ids[1] != "Initiative:2" {
		t.Errorf("two initiatives: got %v", showChanges(got))
	}
}

func testChangesPaging(t *testing.T, s db.Store) {
	loaded(t, s)
	all := allChanges(t, s, 0, db.ChangeFilter{})
	wantEqual(t, "whole feed", showChanges(all), fixtureChanges)
	wantSeqs(t, "whole feed", all, 0)
	for _, limit := range []int{1, 5, 17, 18, 1000} {
		var got []db.Change
		after := int64(0)
		for {
			page := must[[]db.Change](t)(s.Changes(ctx(t), after, db.ChangeFilter{}, limit))
			if len(page) > limit {
				t.Fatalf("limit %d: a page of %d", limit, len(page))
			}
			got = append(got, page...)
			if len(page) < limit {
				break
			}
			after = page[len(page)-1].Seq
		}
		wantEqual(t, fmt.Sprintf("pages of %d", limit), got, all)
	}
	// From the middle: exactly the events after the Seq given.
	mid := all[7].Seq
	wantEqual(t, "after the eighth", must[[]db.Change](t)(s.Changes(ctx(t), mid, db.ChangeFilter{}, 1000)), all[8:])
	// Past the head: nothing yet, not an error.
	head := all[len(all)-1].Seq
	for _, after := range []int64{head, head + 1, 1 << 62} {
		if got := must[[]db.Change](t)(s.Changes(ctx(t), after, db.ChangeFilter{}, 10)); len(got) != 0 {
			t.Errorf("after %d: got %v", after, showChanges(got))
		}
	}
	// A reader's copy is its own.
	all[0].Areas[0] = "Area:99"
	if again := must[[]db.Change](t)(s.Changes(ctx(t), 0, db.ChangeFilter{}, 1)); again[0].Areas[0] != "Area:1" {
		t.Errorf("a caller changed the stored event: %v", again[0])
	}
}

func testChangesRejects(t *testing.T, s db.Store) {
	loaded(t, s)
	many := make([]string, db.MaxChangeFilter+1)
	for i := range many {
		many[i] = db.GlobalID(db.TypeArea, int64(i+1))
	}
	cases := []struct {
		name  string
		after int64
		f     db.ChangeFilter
		limit int
	}{
		{"negative after", -1, db.ChangeFilter{}, 10},
		{"no limit", 0, db.ChangeFilter{}, 0},
		{"negative limit", 0, db.ChangeFilter{}, -1},
		{"limit too large", 0, db.ChangeFilter{}, db.MaxChanges + 1},
		{"unknown type", 0, db.ChangeFilter{Types: []string{"Key"}}, 10},
		{"ApiKey is no type of the feed", 0, db.ChangeFilter{Types: []string{db.TypeAPIKey}}, 10},
		{"an area that is no area", 0, db.ChangeFilter{Areas: []string{"Employer:1"}}, 10},
		{"a malformed area", 0, db.ChangeFilter{Areas: []string{"Area:01"}}, 10},
		{"an organisation that is no organisation", 0, db.ChangeFilter{Organizations: []string{"Area:1"}}, 10},
		{"too many areas", 0, db.ChangeFilter{Areas: many}, 10},
	}
	for _, c := range cases {
		_, err := s.Changes(ctx(t), c.after, c.f, c.limit)
		wantCode(t, c.name, err, db.EINVALID)
	}
}

func testChangesHeads(t *testing.T, s db.Store) {
	heads, head := must2(t)(s.Heads(ctx(t)))
	if len(heads) != 0 || head != 0 {
		t.Errorf("a new store's heads: %v, %d", heads, head)
	}
	loaded(t, s)
	want := func() (map[string]int64, int64) {
		all := allChanges(t, s, 0, db.ChangeFilter{})
		m := map[string]int64{}
		for _, c := range all {
			m[c.Type] = c.Seq
		}
		return m, all[len(all)-1].Seq
	}
	wantHeads := func(what string) {
		t.Helper()
		heads, head := must2(t)(s.Heads(ctx(t)))
		wm, wh := want()
		wantEqual(t, what+": heads", heads, wm)
		if head != wh {
			t.Errorf("%s: head %d, want %d", what, head, wh)
		}
	}
	wantHeads("after the load")
	before, _ := must2(t)(s.Heads(ctx(t)))
	must[*db.Initiative](t)(s.CreateInitiative(ctx(t), testActor, newInitiative()))
	wantHeads("after an initiative")
	after, _ := must2(t)(s.Heads(ctx(t)))
	for typ, seq := range before {
		if typ != db.TypeInitiative && after[typ] != seq {
			t.Errorf("an initiative moved the head of %s from %d to %d", typ, seq, after[typ])
		}
	}
	if after[db.TypeInitiative] <= before[db.TypeInitiative] {
		t.Errorf("an initiative left its type's head at %d", after[db.TypeInitiative])
	}
}

// receive waits for a value on ch: a store announces a commit as it
// happens, so the bound is only there to end a test that would hang.
func receive(t *testing.T, what string, ch <-chan int64) (int64, bool) {
	t.Helper()
	select {
	case seq, ok := <-ch:
		return seq, ok
	case <-time.After(20 * time.Second):
		t.Fatalf("%s: nothing received", what)
		return 0, false
	}
}

// waitFor receives from ch until it announces head; it returns how many
// values it took.
func waitFor(t *testing.T, what string, ch <-chan int64, head int64) int {
	t.Helper()
	n, last := 0, int64(0)
	for {
		seq, ok := receive(t, what, ch)
		if !ok {
			t.Fatalf("%s: the channel closed", what)
		}
		n++
		if seq < last {
			t.Errorf("%s: announced %d after %d", what, seq, last)
		}
		last = seq
		if seq > head {
			t.Fatalf("%s: announced %d, beyond the head %d", what, seq, head)
		}
		if seq == head {
			return n
		}
	}
}

func testChangesWatch(t *testing.T, s db.Store) {
	loaded(t, s)
	wctx, cancel := context.WithCancel(ctx(t))
	ch := must[<-chan int64](t)(s.Watch(wctx))
	other := must[<-chan int64](t)(s.Watch(ctx(t)))

	must[*db.Area](t)(s.CreateArea(ctx(t), testActor, newPriorityArea()))
	_, head := must2(t)(s.Heads(ctx(t)))
	waitFor(t, "a write", ch, head)

	// A reader that does not keep up sees the newest, not every one.
	for i := range 3 {
		must[*db.Area](t)(s.UpdateArea(ctx(t), testActor, 7, int64(i+1), db.AreaPatch{Name: db.Set(fmt.Sprint("R", i))}))
	}
	_, head = must2(t)(s.Heads(ctx(t)))
	if n := waitFor(t, "three writes", ch, head); n > 3 {
		t.Errorf("three writes: %d values, want at most one a write", n)
	}
	// Every watcher hears it.
	waitFor(t, "another watcher", other, head)

	// A failed write announces nothing new: whatever comes is the head.
	_, err := s.UpdateArea(ctx(t), testActor, 7, 1, db.AreaPatch{})
	wantCode(t, "stale update", err, db.ECONFLICT)
	select {
	case seq := <-ch:
		if seq != head {
			t.Errorf("a failed write announced %d; the head is %d", seq, head)
		}
	default:
	}

	cancel()
	for {
		if _, ok := receive(t, "after cancel", ch); !ok {
			break
		}
	}
	if _, err := s.Watch(wctx); err == nil {
		t.Error("Watch with an ended context: no error")
	}
}

// Concurrent writers: a reader following the feed with its cursor while
// they commit gets exactly the events of the whole feed, once each. A
// backend that numbered events in another order than it commits them
// would let the reader step past an event committed later with a lower
// Seq, which the final reading from 0 would hold.
func testChangesConcurrentWriters(t *testing.T, s db.Store) {
	loaded(t, s)
	const writers, writes = 4, 12
	done := make(chan struct{})
	var seen []db.Change
	var readErr error
	var rd sync.WaitGroup
	rd.Add(1)
	go func() {
		defer rd.Done()
		var after int64
		finished := false
		for {
			select {
			case <-done:
				finished = true
			default:
			}
			page, err := s.Changes(context.Background(), after, db.ChangeFilter{}, 7)
			if err != nil {
				readErr = err
				return
			}
			seen = append(seen, page...)
			if len(page) > 0 {
				after = page[len(page)-1].Seq
			}
			if finished && len(page) < 7 {
				return
			}
		}
	}()
	var wg sync.WaitGroup
	errs := make([]error, writers)
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range writes {
				in := newInitiative()
				in.Title = fmt.Sprintf("Writer %d, initiative %d", w, i)
				// Some writes touch more than one record, so writes yield
				// runs of events.
				if i%3 == 2 {
					_, err := s.PutIndicatorValues(context.Background(), testActor, []db.IndicatorValue{
						{AreaID: int64(w%6 + 1), IndicatorCode: "population", Year: 2000 + i, Sex: db.SexTotal, Value: float64(w)},
						{AreaID: int64(w%6 + 1), IndicatorCode: "unemployment", Year: 2000 + i, Sex: db.SexTotal, Value: float64(w)}})
					if err != nil {
						errs[w] = err
						return
					}
					continue
				}
				if _, err := s.CreateInitiative(context.Background(), testActor, in); err != nil {
					errs[w] = err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(done)
	rd.Wait()
	for _, err := range errs {
		if err != nil {
			t.Fatalf("a writer: %v", err)
		}
	}
	if readErr != nil {
		t.Fatalf("the reader: %v", readErr)
	}
	all := allChanges(t, s, 0, db.ChangeFilter{})
	wantSeqs(t, "the whole feed", all, 0)
	wantSeqs(t, "the reader's", seen, 0)
	if want := len(fixtureChanges) + writers*(writes/3*2+writes/3*2); len(all) != want {
		t.Errorf("the feed holds %d events, want %d", len(all), want)
	}
	if !slices.EqualFunc(seen, all, func(a, b db.Change) bool { return a.Seq == b.Seq && a.ID == b.ID }) {
		t.Errorf("the reader following the feed saw %d events, the feed holds %d: an event was committed behind a cursor",
			len(seen), len(all))
	}
}

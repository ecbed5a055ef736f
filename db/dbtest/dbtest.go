// Package dbtest is the conformance suite of the storage contract. Every
// backend runs it through Run; where planar maths, PostGIS and rounding
// could disagree (boundaries, distances, order), the suite pins the answer.
package dbtest

import (
	"context"
	"errors"
	"fmt"
	"math"
	"reflect"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/areagraph/areagraph/db"
	"github.com/paulmach/orb"
)

// NewStore returns a fresh, empty store for one subtest.
type NewStore func(t *testing.T) db.Store

// Run runs the whole suite; each subtest gets its own store.
func Run(t *testing.T, newStore NewStore) {
	tests := []struct {
		name string
		fn   func(t *testing.T, s db.Store)
	}{
		{"LoadRoundTrip", testLoadRoundTrip},
		{"LoadIsAtomic", testLoadIsAtomic},
		{"LoadRejectsInvalid", testLoadRejectsInvalid},
		{"LoadRefusesBadText", testLoadRefusesBadText},
		{"AreasByID", testAreasByID},
		{"AreaByCode", testAreaByCode},
		{"AreasFilter", testAreasFilter},
		{"AreasPaging", testAreasPaging},
		{"KeysetPaging", testKeysetPaging},
		{"KeysetPagingUnderWrites", testKeysetPagingUnderWrites},
		{"AreasSpatial", testAreasSpatial},
		{"AreasAt", testAreasAt},
		{"AreasAtOutOfRange", testAreasAtOutOfRange},
		{"AreaParts", testAreaParts},
		{"ChildAreas", testChildAreas},
		{"AreaOverlaps", testAreaOverlaps},
		{"AreaOverlapsGenerated", testAreaOverlapsGenerated},
		{"RollupNeverStale", testRollupNeverStale},
		{"ValuesOrDerived", testValuesOrDerived},
		{"Validity", testValidity},
		{"ValidityOutOfRange", testValidityOutOfRange},
		{"Organizations", testOrganizations},
		{"OrganizationsByArea", testOrganizationsByArea},
		{"Initiatives", testInitiatives},
		{"NearWithoutTotal", testNearWithoutTotal},
		{"ListParts", testListParts},
		{"InitiativesByParent", testInitiativesByParent},
		{"InitiativeLocations", testInitiativeLocations},
		{"ReadTree", testReadTree},
		{"Indicators", testIndicators},
		{"IndicatorValues", testIndicatorValues},
		{"IndicatorCounts", testIndicatorCounts},
		{"WithinOrganizations", testWithinOrganizations},
		{"WithinInitiatives", testWithinInitiatives},
		{"WithinRejects", testWithinRejects},
		{"Coverage", testCoverage},
		{"CoverageRejects", testCoverageRejects},
		{"UpsertAreasInsert", testUpsertAreasInsert},
		{"UpsertAreasUpdateInPlace", testUpsertAreasUpdateInPlace},
		{"UpsertAreasParentAfterChild", testUpsertAreasParentAfterChild},
		{"UpsertAreasAllOrNothing", testUpsertAreasAllOrNothing},
		{"UpsertAreasConcurrently", testUpsertAreasConcurrently},
		{"LoadRejectsCycles", testLoadRejectsCycles},
		{"UpsertAreasRejectsCycles", testUpsertAreasRejectsCycles},
		{"UpsertAreasReparents", testUpsertAreasReparents},
		{"UpsertAreasAudit", testUpsertAreasAudit},
		{"UpsertAreasKeepsAbsent", testUpsertAreasKeepsAbsent},
		{"UpsertValuesAudit", testUpsertValuesAudit},
		{"HierarchyConcurrently", testHierarchyConcurrently},
		{"UpsertValues", testUpsertValues},
		{"UpsertValuesAllOrNothing", testUpsertValuesAllOrNothing},
		{"WriteAreaCreate", testWriteAreaCreate},
		{"WriteAreaRejects", testWriteAreaRejects},
		{"WriteAreaUpdate", testWriteAreaUpdate},
		{"WriteAreaPatch", testWriteAreaPatch},
		{"WriteAreaChecksInOrder", testWriteAreaChecksInOrder},
		{"WriteAreaDelete", testWriteAreaDelete},
		{"WriteAreaDeleteDetach", testWriteAreaDeleteDetach},
		{"WriteDeleteDependents", testWriteDeleteDependents},
		{"WriteOrganizations", testWriteOrganizations},
		{"WriteOrganizationRejects", testWriteOrganizationRejects},
		{"WriteOrganizationDelete", testWriteOrganizationDelete},
		{"WriteInitiatives", testWriteInitiatives},
		{"WriteInitiativeRejects", testWriteInitiativeRejects},
		{"WriteInitiativePatch", testWriteInitiativePatch},
		{"WriteInitiativeDelete", testWriteInitiativeDelete},
		{"WriteIndicators", testWriteIndicators},
		{"WriteIndicatorPatch", testWriteIndicatorPatch},
		{"WriteValues", testWriteValues},
		{"WriteValuesRejects", testWriteValuesRejects},
		{"WriteStaleVersions", testWriteStaleVersions},
		{"WriteConcurrentUpdates", testWriteConcurrentUpdates},
		{"WriteConcurrentPatches", testWriteConcurrentPatches},
		{"WriteConcurrentDeleteUpdate", testWriteConcurrentDeleteUpdate},
		{"WriteConcurrentCreates", testWriteConcurrentCreates},
		{"WriteIDsNeverReused", testWriteIDsNeverReused},
		{"WriteAudit", testWriteAudit},
		{"WriteKeys", testWriteKeys},
		{"WriteScopeRefuses", testWriteScopeRefuses},
		{"WriteScopeAllows", testWriteScopeAllows},
		{"WriteScopedKeys", testWriteScopedKeys},
		{"WriteKeyScope", testWriteKeyScope},
		{"WriteKeyRotation", testWriteKeyRotation},
		{"WriteRefusesBadText", testWriteRefusesBadText},
		{"UpdatedAt", testUpdatedAt},
		{"ChangesOfEveryWrite", testChangesOfEveryWrite},
		{"ChangesOfFailedWrites", testChangesOfFailedWrites},
		{"ChangesFilter", testChangesFilter},
		{"ChangesPaging", testChangesPaging},
		{"ChangesRejects", testChangesRejects},
		{"ChangesHeads", testChangesHeads},
		{"ChangesWatch", testChangesWatch},
		{"ChangesConcurrentWriters", testChangesConcurrentWriters},
		{"ConcurrentReads", testConcurrentReads},
		{"Ping", testPing},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.fn(t, newStore(t))
		})
	}
}

func ctx(t *testing.T) context.Context { return t.Context() }

// anyDay asks a store for every edition of the areas, retired and future
// ones included (the zero time; see db.AreaFilter.ValidOn).
var anyDay time.Time

// loaded loads the fixture into s.
func loaded(t *testing.T, s db.Store) db.Store {
	t.Helper()
	if err := s.Load(ctx(t), Fixture()); err != nil {
		t.Fatalf("Load(fixture): %v", err)
	}
	return s
}

func must[T any](t *testing.T) func(v T, err error) T {
	return func(v T, err error) T {
		t.Helper()
		if err != nil {
			t.Fatalf("unexpected error: %v", err)
		}
		return v
	}
}

type identified interface {
	*db.Area | *db.Organization | *db.Initiative
}

func idOf[T identified](v T) int64 {
	switch v := any(v).(type) {
	case *db.Area:
		return v.ID
	case *db.Organization:
		return v.ID
	case *db.Initiative:
		return v.ID
	}
	return 0
}

// ids lists the ids of items, 0 for a nil entry.
func ids[T identified](items []T) []int64 {
	out := []int64{}
	for _, v := range items {
		if any(v) == any(T(nil)) {
			out = append(out, 0)
			continue
		}
		out = append(out, idOf(v))
	}
	return out
}

func wantIDs[T identified](t *testing.T, what string, got []T, want ...int64) {
	t.Helper()
	if want == nil {
		want = []int64{}
	}
	if g := ids(got); !slices.Equal(g, want) {
		t.Errorf("%s: got ids %v, want %v", what, g, want)
	}
}

func wantList[T identified](t *testing.T, what string, got db.List[T], total int, want ...int64) {
	t.Helper()
	wantIDs(t, what, got.Items, want...)
	if got.Total != total {
		t.Errorf("%s: got total %d, want %d", what, got.Total, total)
	}
}

func wantCode(t *testing.T, what string, err error, code string) {
	t.Helper()
	if err == nil {
		t.Errorf("%s: got no error, want %s", what, code)
		return
	}
	if got := db.ErrorCode(err); got != code {
		t.Errorf("%s: got code %s (%v), want %s", what, got, err, code)
	}
}

// normalize makes values from different backends comparable: empty and nil
// slices are the same, times compare by instant. A record's UpdatedAt is
// left out: it is the time of the write that the store chose, which
// testUpdatedAt pins, not what the record says.
func normalize(v any) any {
	rv := reflect.ValueOf(v)
	out := reflect.New(rv.Type()).Elem()
	normalizeInto(out, rv)
	return out.Interface()
}

var timeType = reflect.TypeOf(time.Time{})

func normalizeInto(dst, src reflect.Value) {
	switch src.Kind() {
	case reflect.Pointer:
		if src.IsNil() {
			return
		}
		n := reflect.New(src.Type().Elem())
		normalizeInto(n.Elem(), src.Elem())
		dst.Set(n)
	case reflect.Struct:
		if src.Type() == timeType {
			dst.Set(reflect.ValueOf(src.Interface().(time.Time).UTC()))
			return
		}
		for i := range src.NumField() {
			if src.Type().Field(i).Name == "UpdatedAt" {
				continue
			}
			if dst.Field(i).CanSet() {
				normalizeInto(dst.Field(i), src.Field(i))
			}
		}
	case reflect.Slice:
		if src.Len() == 0 {
			return
		}
		n := reflect.MakeSlice(src.Type(), src.Len(), src.Len())
		for i := range src.Len() {
			normalizeInto(n.Index(i), src.Index(i))
		}
		dst.Set(n)
	case reflect.Interface:
		if src.IsNil() {
			return
		}
		e := reflect.New(src.Elem().Type()).Elem()
		normalizeInto(e, src.Elem())
		dst.Set(e)
	default:
		dst.Set(src)
	}
}

func wantEqual(t *testing.T, what string, got, want any) {
	t.Helper()
	if g, w := normalize(got), normalize(want); !reflect.DeepEqual(g, w) {
		t.Errorf("%s:\n got  %+v\n want %+v", what, g, w)
	}
}

func testLoadRoundTrip(t *testing.T, s db.Store) {
	loaded(t, s)
	// Records loaded without a version are stored with version 1.
	f := asStored(Fixture())
	areas := must[[]*db.Area](t)(s.AreasByID(ctx(t), []int64{1, 2, 3, 4, 5, 6}))
	for i, a := range f.Areas {
		wantEqual(t, fmt.Sprintf("area %d", a.ID), areas[i], a)
	}
	// Every geometry kind comes back as the kind it went in.
	if _, ok := areas[3].Geometry.(orb.Polygon); !ok || len(areas[3].Geometry.(orb.Polygon)) != 2 {
		t.Errorf("polygon with a hole came back as %T %v", areas[3].Geometry, areas[3].Geometry)
	}
	if _, ok := areas[4].Geometry.(orb.MultiPolygon); !ok {
		t.Errorf("multipolygon came back as %T", areas[4].Geometry)
	}
	orgs := must[[]*db.Organization](t)(s.OrganizationsByID(ctx(t), []int64{1, 2, 3, 4}))
	for i, o := range f.Organizations {
		wantEqual(t, fmt.Sprintf("organization %d", o.ID), orgs[i], o)
	}
	inits := must[[]*db.Initiative](t)(s.InitiativesByID(ctx(t), []int64{1, 2, 3, 4}))
	for i, in := range f.Initiatives {
		wantEqual(t, fmt.Sprintf("initiative %d", in.ID), inits[i], in)
	}
	defs := must[[]*db.Indicator](t)(s.Indicators(ctx(t), nil))
	wantEqual(t, "indicators", defs, []*db.Indicator{f.Indicators[1], f.Indicators[0]})

	// The store owns its copies: changing what was loaded or returned
	// changes nothing inside it.
	areas[0].Geometry.(orb.Polygon)[0][0] = orb.Point{0, 0}
	orgs[0].AreaIDs[0] = 99
	inits[0].Locations[0] = orb.Point{0, 0}
	again := must[[]*db.Area](t)(s.AreasByID(ctx(t), []int64{1}))
	wantEqual(t, "area 1 after the caller changed a copy", again[0], f.Areas[0])
	againOrg := must[[]*db.Organization](t)(s.OrganizationsByID(ctx(t), []int64{1}))
	wantEqual(t, "organization 1 after the caller changed a copy", againOrg[0], f.Organizations[0])
	againInit := must[[]*db.Initiative](t)(s.InitiativesByID(ctx(t), []int64{1}))
	wantEqual(t, "initiative 1 after the caller changed a copy", againInit[0], f.Initiatives[0])

	// A version a record carries is kept, and the next update goes on
	// from it.
	ds := &db.Dataset{
		Areas: []*db.Area{{ID: 20, Code: "V20", Name: "Versioned", Kind: db.KindDistrict, ParentID: 1,
			Geometry: orb.Polygon{box(12, 57, 12.5, 57.5)}, Version: 7}},
		Organizations: []*db.Organization{{ID: 20, Kind: db.OrgAssociation, Name: "Versioned", Version: 3}},
		Initiatives: []*db.Initiative{{ID: 20, Title: "Versioned", Status: db.StatusPlanned,
			GoalArea: db.GoalGoodStart, Version: 12}},
		Indicators: []*db.Indicator{{Code: "versioned", Name: "Versioned", Unit: "%", Version: 5}},
	}
	if err := s.Load(ctx(t), ds); err != nil {
		t.Fatalf("Load with versions: %v", err)
	}
	wantEqual(t, "area loaded with version 7", must[[]*db.Area](t)(s.AreasByID(ctx(t), []int64{20}))[0], ds.Areas[0])
	wantEqual(t, "organization loaded with version 3", must[[]*db.Organization](t)(s.OrganizationsByID(ctx(t), []int64{20}))[0], ds.Organizations[0])
	wantEqual(t, "initiative loaded with version 12", must[[]*db.Initiative](t)(s.InitiativesByID(ctx(t), []int64{20}))[0], ds.Initiatives[0])
	wantEqual(t, "indicator loaded with version 5", must[[]*db.Indicator](t)(s.Indicators(ctx(t), []string{"versioned"})), ds.Indicators)
	a := *ds.Areas[0]
	a.Name = "Versioned, renamed"
	if got := must[*db.Area](t)(s.UpdateArea(ctx(t), testActor, a.ID, a.Version, a.Patch())); got.Version != 8 {
		t.Errorf("update of an area loaded with version 7: got version %d, want 8", got.Version)
	}
}

func wantEmpty(t *testing.T, s db.Store) {
	t.Helper()
	a := must[db.List[*db.Area]](t)(s.Areas(ctx(t), db.AreaFilter{}, db.Page{Limit: 10}))
	o := must[db.List[*db.Organization]](t)(s.Organizations(ctx(t), db.OrganizationFilter{}, db.Page{Limit: 10}))
	i := must[db.List[*db.Initiative]](t)(s.Initiatives(ctx(t), db.InitiativeFilter{}, db.Page{Limit: 10}))
	d := must[[]*db.Indicator](t)(s.Indicators(ctx(t), nil))
	v := must[[]db.IndicatorValue](t)(s.IndicatorValues(ctx(t), db.ValueFilter{}))
	if a.Total+o.Total+i.Total+len(d)+len(v) != 0 {
		t.Errorf("store not empty after a failed load: %d areas, %d organizations, %d initiatives, %d indicators, %d values",
			a.Total, o.Total, i.Total, len(d), len(v))
	}
}

func testLoadIsAtomic(t *testing.T, s db.Store) {
	// A bad reference at the very end must undo everything before it.
	ds := Fixture()
	ds.Values = append(ds.Values, db.IndicatorValue{AreaID: 99, IndicatorCode: "unemployment", Year: 2021, Sex: db.SexTotal, Value: 1})
	wantCode(t, "value for a missing area", s.Load(ctx(t), ds), db.EINVALID)
	wantEmpty(t, s)

	ds = Fixture()
	ds.Initiatives[3].LeadID = 99
	wantCode(t, "initiative led by a missing organization", s.Load(ctx(t), ds), db.EINVALID)
	wantEmpty(t, s)

	ds = Fixture()
	ds.Initiatives[0].Partners = append(ds.Initiatives[0].Partners, db.Partner{OrganizationID: 77, Role: db.RoleFunder})
	wantCode(t, "missing partner", s.Load(ctx(t), ds), db.EINVALID)
	wantEmpty(t, s)

	ds = Fixture()
	ds.Areas[5].ParentID = 42
	wantCode(t, "missing parent", s.Load(ctx(t), ds), db.EINVALID)
	wantEmpty(t, s)

	ds = Fixture()
	ds.Values = append(ds.Values, db.IndicatorValue{AreaID: 1, IndicatorCode: "nope", Year: 2021, Sex: db.SexTotal, Value: 1})
	wantCode(t, "value of a missing indicator", s.Load(ctx(t), ds), db.EINVALID)
	wantEmpty(t, s)

	ds = Fixture()
	ds.Areas[2].Code = ds.Areas[1].Code
	wantCode(t, "two areas with one code", s.Load(ctx(t), ds), db.ECONFLICT)
	wantEmpty(t, s)

	// A second load of the same records conflicts and adds nothing.
	loaded(t, s)
	ds = Fixture()
	ds.Areas = []*db.Area{{ID: 50, Code: "new", Name: "New", Kind: db.KindDistrict, ParentID: 1,
		Geometry: orb.Polygon{box(12, 57, 12.1, 57.1)}}}
	ds.Organizations = ds.Organizations[:1]
	ds.Initiatives, ds.Indicators, ds.Values = nil, nil, nil
	wantCode(t, "loading an existing organization id again", s.Load(ctx(t), ds), db.ECONFLICT)
	if got := must[[]*db.Area](t)(s.AreasByID(ctx(t), []int64{50})); got[0] != nil {
		t.Errorf("area 50 was stored although its load failed")
	}
	// Records may point at what an earlier load stored.
	ds.Organizations = nil
	if err := s.Load(ctx(t), ds); err != nil {
		t.Fatalf("load of an area whose parent was loaded before: %v", err)
	}
	wantList(t, "children of 1 after the second load", must[db.List[*db.Area]](t)(
		s.Areas(ctx(t), db.AreaFilter{ParentIDs: []int64{1}}, db.Page{Limit: 10})), 3, 2, 3, 50)
}

func testLoadRejectsInvalid(t *testing.T, s db.Store) {
	cases := []struct {
		name   string
		change func(ds *db.Dataset)
	}{
		{"point as area geometry", func(ds *db.Dataset) { ds.Areas[1].Geometry = orb.Point{12, 57} }},
		{"no geometry", func(ds *db.Dataset) { ds.Areas[1].Geometry = nil }},
		{"unknown kind", func(ds *db.Dataset) { ds.Areas[1].Kind = "COUNTY" }},
		{"area type 6", func(ds *db.Dataset) { ds.Areas[3].AreaType = 6 }},
		{"empty code", func(ds *db.Dataset) { ds.Areas[3].Code = "" }},
		{"zero id", func(ds *db.Dataset) { ds.Areas[3].ID = 0 }},
		{"unknown status", func(ds *db.Dataset) { ds.Initiatives[0].Status = "DONE" }},
		{"unknown focus group", func(ds *db.Dataset) { ds.Initiatives[0].FocusGroups = []db.FocusGroup{"YOUTH"} }},
		{"unknown theme", func(ds *db.Dataset) { ds.Initiatives[0].Themes = []db.Theme{"FUN"} }},
		{"unknown role", func(ds *db.Dataset) { ds.Initiatives[0].Partners[0].Role = "BOSS" }},
		{"unknown organization kind", func(ds *db.Dataset) { ds.Organizations[0].Kind = "CLUB" }},
		{"unknown sex", func(ds *db.Dataset) { ds.Values[0].Sex = "X" }},
		{"non-finite value", func(ds *db.Dataset) { ds.Values[0].Value = math.NaN() }},
		{"duplicate value", func(ds *db.Dataset) { ds.Values = append(ds.Values, ds.Values[0]) }},
		{"location out of range", func(ds *db.Dataset) { ds.Organizations[0].Location = ptp(200, 57) }},
		{"missing area", func(ds *db.Dataset) { ds.Areas[2] = nil }},
		{"missing indicator", func(ds *db.Dataset) { ds.Indicators = append(ds.Indicators, nil) }},
		{"reach beyond 32 bits", func(ds *db.Dataset) { ds.Initiatives[1].Reach.IntoWork = intp(math.MaxInt32 + 1) }},
		{"negative reach", func(ds *db.Dataset) { ds.Initiatives[1].Reach.IntoWork = intp(-1) }},
		{"negative min count", func(ds *db.Dataset) { ds.Indicators[0].MinCount = -1 }},
		{"min count beyond 32 bits", func(ds *db.Dataset) { ds.Indicators[1].MinCount = math.MaxInt32 + 1 }},
		{"negative count", func(ds *db.Dataset) { ds.Values[2].Count = intp(-1) }},
		{"count beyond 32 bits", func(ds *db.Dataset) { ds.Values[3].Count = intp(math.MaxInt32 + 1) }},
		{"a ring is not a GeoJSON geometry", func(ds *db.Dataset) { ds.Areas[1].Geometry = box(12, 57, 13, 58) }},
		{"unclosed ring", func(ds *db.Dataset) { ds.Areas[1].Geometry = orb.Polygon{box(12, 57, 13, 58)[:4]} }},
		{"negative area version", func(ds *db.Dataset) { ds.Areas[1].Version = -1 }},
		{"negative organization version", func(ds *db.Dataset) { ds.Organizations[0].Version = -1 }},
		{"negative initiative version", func(ds *db.Dataset) { ds.Initiatives[0].Version = -1 }},
		{"negative indicator version", func(ds *db.Dataset) { ds.Indicators[0].Version = -1 }},
		{"lead among the partners", func(ds *db.Dataset) {
			ds.Initiatives[0].Partners = []db.Partner{{OrganizationID: 1, Role: db.RoleFunder}}
		}},
	}
	for _, c := range cases {
		ds := Fixture()
		c.change(ds)
		err := s.Load(ctx(t), ds)
		if code := db.ErrorCode(err); code != db.EINVALID && code != db.ECONFLICT {
			t.Errorf("%s: got %v, want a BAD_USER_INPUT or CONFLICT error", c.name, err)
		}
		wantEmpty(t, s)
	}
}

func testAreasByID(t *testing.T, s db.Store) {
	loaded(t, s)
	wantIDs(t, "AreasByID in input order with a gap", must[[]*db.Area](t)(s.AreasByID(ctx(t), []int64{5, 99, 1, 5})), 5, 0, 1, 5)
	wantIDs(t, "AreasByID of nothing", must[[]*db.Area](t)(s.AreasByID(ctx(t), nil)))
	wantIDs(t, "OrganizationsByID", must[[]*db.Organization](t)(s.OrganizationsByID(ctx(t), []int64{4, 0, 2})), 4, 0, 2)
	wantIDs(t, "InitiativesByID", must[[]*db.Initiative](t)(s.InitiativesByID(ctx(t), []int64{3, 1, 1000})), 3, 1, 0)
}

func testAreaByCode(t *testing.T, s db.Store) {
	loaded(t, s)
	a := must[*db.Area](t)(s.AreaByCode(ctx(t), "9999-P2"))
	if a.ID != 5 {
		t.Errorf("AreaByCode(9999-P2) = %d, want 5", a.ID)
	}
	_, err := s.AreaByCode(ctx(t), "nope")
	if !errors.Is(err, db.ErrNotFound) {
		t.Errorf("AreaByCode(nope): got %v, want ErrNotFound", err)
	}
}

func testAreasFilter(t *testing.T, s db.Store) {
	loaded(t, s)
	page := db.Page{Limit: 100}
	cases := []struct {
		name string
		f    db.AreaFilter
		want []int64
	}{
		{"everything", db.AreaFilter{}, []int64{1, 2, 3, 4, 5, 6}},
		{"kinds", db.AreaFilter{Kinds: []db.AreaKind{db.KindPriorityArea, db.KindMunicipality}}, []int64{1, 4, 5}},
		{"codes", db.AreaFilter{Codes: []string{"9999S0001", "9999-D2", "missing"}}, []int64{3, 6}},
		{"parents", db.AreaFilter{ParentIDs: []int64{2}}, []int64{4, 6}},
		{"area types", db.AreaFilter{AreaTypes: []int{2}}, []int64{5}},
		{"name, any case", db.AreaFilter{NameContains: "pRIORITY"}, []int64{4, 5}},
		{"name, lower case", db.AreaFilter{NameContains: "statistical s"}, []int64{6}},
		{"name: % is a letter, not a wildcard", db.AreaFilter{NameContains: "%"}, nil},
		{"combined", db.AreaFilter{Kinds: []db.AreaKind{db.KindDistrict}, NameContains: "b"}, []int64{3}},
	}
	for _, c := range cases {
		got := must[db.List[*db.Area]](t)(s.Areas(ctx(t), c.f, page))
		wantList(t, c.name, got, len(c.want), c.want...)
		if got.Distances != nil {
			t.Errorf("%s: distances without a near filter: %v", c.name, got.Distances)
		}
	}
}

func testAreasPaging(t *testing.T, s db.Store) {
	empty := must[db.List[*db.Area]](t)(s.Areas(ctx(t), db.AreaFilter{}, db.Page{Limit: 10}))
	wantList(t, "empty store", empty, 0)
	loaded(t, s)
	cases := []struct {
		name string
		p    db.Page
		want []int64
	}{
		{"first page", db.Page{Limit: 4}, []int64{1, 2, 3, 4}},
		{"exact page", db.Page{Limit: 6}, []int64{1, 2, 3, 4, 5, 6}},
		{"last, partial page", db.Page{Offset: 4, Limit: 4}, []int64{5, 6}},
		{"page ending at the end", db.Page{Offset: 3, Limit: 3}, []int64{4, 5, 6}},
		{"past the end", db.Page{Offset: 6, Limit: 4}, nil},
		{"far past the end", db.Page{Offset: 1000, Limit: 4}, nil},
		{"count only", db.Page{Limit: 0}, nil},
	}
	for _, c := range cases {
		wantList(t, c.name, must[db.List[*db.Area]](t)(s.Areas(ctx(t), db.AreaFilter{}, c.p)), 6, c.want...)
	}
	none := must[db.List[*db.Area]](t)(s.Areas(ctx(t), db.AreaFilter{Codes: []string{"x"}}, db.Page{Limit: 10}))
	wantList(t, "no match", none, 0)
}

func wantDistances(t *testing.T, what string, got, want []float64) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("%s: got distances %v, want %v", what, got, want)
		return
	}
	for i := range got {
		// A millimetre: both backends measure on the WGS 84 ellipsoid
		// to the nearest point found on the sphere, as PostGIS does.
		if math.Abs(got[i]-want[i]) > 1e-3 {
			t.Errorf("%s: distance %d = %.6f, want %.6f", what, i, got[i], want[i])
		}
	}
}

func testAreasSpatial(t *testing.T, s db.Store) {
	loaded(t, s)
	page := db.Page{Limit: 100}
	bound := func(x0, y0, x1, y1 float64) *orb.Bound {
		return &orb.Bound{Min: orb.Point{x0, y0}, Max: orb.Point{x1, y1}}
	}
	cases := []struct {
		name string
		f    db.Spatial
		want []int64
	}{
		{"bbox inside the statistical area", db.Spatial{BBox: bound(12.1, 57.1, 12.2, 57.2)}, []int64{1, 2, 6}},
		{"bbox touching the outer edge counts", db.Spatial{BBox: bound(14, 57.5, 15, 57.6)}, []int64{1, 3}},
		{"bbox outside", db.Spatial{BBox: bound(20, 60, 21, 61)}, nil},
		{"bbox inside a hole misses the holed area", db.Spatial{BBox: bound(12.55, 57.55, 12.6, 57.6)}, []int64{1, 2}},
		{"intersects a polygon in the hole",
			db.Spatial{Intersects: orb.Polygon{box(12.55, 57.55, 12.6, 57.6)}}, []int64{1, 2}},
		{"intersects a point on a shared edge", db.Spatial{Intersects: orb.Point{13, 57.1}}, []int64{1, 2, 3}},
		{"intersects a line across both squares of the multipolygon",
			db.Spatial{Intersects: orb.LineString{{13.3, 57.3}, {13.7, 57.7}}}, []int64{1, 3, 5}},
		{"bbox and intersects together",
			db.Spatial{BBox: bound(12.9, 57.9, 13.1, 58), Intersects: orb.Point{13.5, 57.95}}, []int64{1, 3}},
	}
	for _, c := range cases {
		got := must[db.List[*db.Area]](t)(s.Areas(ctx(t), db.AreaFilter{Spatial: c.f}, page))
		wantList(t, c.name, got, len(c.want), c.want...)
	}

	// Nearest first; distances are geodesic on the WGS 84 ellipsoid to
	// the polygon's edges (0 inside). The expected figures are PostGIS's
	// ST_Distance on geography (use_spheroid, the default).
	near := db.AreaFilter{Spatial: db.Spatial{Near: &db.Near{Point: orb.Point{12.9, 57.5}, RadiusMeters: 20000}}}
	got := must[db.List[*db.Area]](t)(s.Areas(ctx(t), near, page))
	wantList(t, "near", got, 4, 1, 2, 3, 4)
	wantDistances(t, "near", got.Distances, []float64{0, 0, 5995.48131649, 8993.2179151})

	paged := must[db.List[*db.Area]](t)(s.Areas(ctx(t), near, db.Page{Offset: 2, Limit: 1}))
	wantList(t, "near, second page", paged, 4, 3)
	wantDistances(t, "near, second page", paged.Distances, []float64{5995.48131649})

	near.Kinds = []db.AreaKind{db.KindPriorityArea}
	near.Near.RadiusMeters = 21000
	got = must[db.List[*db.Area]](t)(s.Areas(ctx(t), near, page))
	wantList(t, "near priority areas", got, 2, 4, 5)
	wantDistances(t, "near priority areas", got.Distances, []float64{8993.2179151, 20984.16897806})
}

func testAreasAt(t *testing.T, s db.Store) {
	loaded(t, s)
	cases := []struct {
		name  string
		pt    orb.Point
		kinds []db.AreaKind
		want  []int64
	}{
		{"inside, innermost first", orb.Point{12.3, 57.3}, nil, []int64{6, 4, 2, 1}},
		{"on the edge two districts share: both", orb.Point{13, 57.5}, nil, []int64{2, 3, 1}},
		{"on a vertex", orb.Point{12.5, 57.5}, nil, []int64{6, 2, 1}},
		{"in a hole: not in the holed area", orb.Point{12.5, 57.45}, nil, []int64{6, 2, 1}},
		{"on a hole's edge: in the area", orb.Point{12.375, 57.55}, nil, []int64{4, 2, 1}},
		{"on the outer corner", orb.Point{14, 58}, nil, []int64{3, 1}},
		{"in the second part of a multipolygon", orb.Point{13.75, 57.75}, nil, []int64{5, 3, 1}},
		{"kinds", orb.Point{13, 57.5}, []db.AreaKind{db.KindDistrict}, []int64{2, 3}},
		{"outside everything", orb.Point{20, 60}, nil, nil},
	}
	for _, c := range cases {
		wantIDs(t, c.name, must[[]*db.Area](t)(s.AreasAt(ctx(t), c.pt, c.kinds, anyDay)), c.want...)
	}
}

func testChildAreas(t *testing.T, s db.Store) {
	loaded(t, s)
	got := must[[]db.List[*db.Area]](t)(s.ChildAreas(ctx(t), []int64{1, 2, 99, 2}, db.AreaFilter{}, db.Page{Limit: 10}))
	if len(got) != 4 {
		t.Fatalf("ChildAreas: %d lists for 4 parents", len(got))
	}
	wantList(t, "children of 1", got[0], 2, 2, 3)
	wantList(t, "children of 2", got[1], 2, 4, 6)
	wantList(t, "children of 99", got[2], 0)
	wantList(t, "children of 2 again", got[3], 2, 4, 6)

	got = must[[]db.List[*db.Area]](t)(s.ChildAreas(ctx(t), []int64{1, 2}, db.AreaFilter{}, db.Page{Offset: 1, Limit: 1}))
	wantList(t, "second child of 1", got[0], 2, 3)
	wantList(t, "second child of 2", got[1], 2, 6)

	got = must[[]db.List[*db.Area]](t)(s.ChildAreas(ctx(t), []int64{1, 2, 3}, db.AreaFilter{Kinds: []db.AreaKind{db.KindPriorityArea}}, db.Page{Limit: 10}))
	wantList(t, "priority children of 1", got[0], 0)
	wantList(t, "priority children of 2", got[1], 1, 4)
	wantList(t, "priority children of 3", got[2], 1, 5)

	if got := must[[]db.List[*db.Area]](t)(s.ChildAreas(ctx(t), nil, db.AreaFilter{}, db.Page{Limit: 10})); len(got) != 0 {
		t.Errorf("ChildAreas of no parents: %d lists", len(got))
	}
}

func testOrganizations(t *testing.T, s db.Store) {
	loaded(t, s)
	page := db.Page{Limit: 100}
	cases := []struct {
		name string
		f    db.OrganizationFilter
		want []int64
	}{
		{"everything", db.OrganizationFilter{}, []int64{1, 2, 3, 4}},
		{"employers", db.OrganizationFilter{Kinds: []db.OrgKind{db.OrgEmployer}}, []int64{1, 2}},
		{"associations", db.OrganizationFilter{Kinds: []db.OrgKind{db.OrgAssociation}}, []int64{3, 4}},
		{"engaged in area 4 or 3", db.OrganizationFilter{AreaIDs: []int64{4, 3}}, []int64{1, 2, 3}},
		{"name, folding non-ASCII letters", db.OrganizationFilter{NameContains: "VÅRD"}, []int64{2}},
		{"name with a literal %", db.OrganizationFilter{NameContains: "100%"}, []int64{4}},
		{"bbox, organizations without a location never match",
			db.OrganizationFilter{Spatial: db.Spatial{BBox: &orb.Bound{Min: orb.Point{12, 57}, Max: orb.Point{12.5, 57.5}}}}, []int64{1, 3}},
		{"a box collapsed to a point matches the point", db.OrganizationFilter{Spatial: db.Spatial{BBox: &orb.Bound{Min: orb.Point{12.5, 57.5}, Max: orb.Point{12.5, 57.5}}}}, []int64{1}},
		{"a box collapsed to a line matches points on it", db.OrganizationFilter{Spatial: db.Spatial{BBox: &orb.Bound{Min: orb.Point{12, 57.5}, Max: orb.Point{14, 57.5}}}}, []int64{1, 2}},
		{"intersects a polygon; one in its hole does not", db.OrganizationFilter{Spatial: db.Spatial{Intersects: Fixture().Areas[3].Geometry}}, []int64{3}},
	}
	for _, c := range cases {
		wantList(t, c.name, must[db.List[*db.Organization]](t)(s.Organizations(ctx(t), c.f, page)), len(c.want), c.want...)
	}
	near := db.OrganizationFilter{Spatial: db.Spatial{Near: &db.Near{Point: orb.Point{12.5, 57.5}, RadiusMeters: 30000}}}
	got := must[db.List[*db.Organization]](t)(s.Organizations(ctx(t), near, page))
	wantList(t, "near", got, 2, 1, 3)
	wantDistances(t, "near", got.Distances, []float64{0, 25311.52686955})
	near.Near.RadiusMeters = 25311
	wantList(t, "near, just short of the second", must[db.List[*db.Organization]](t)(s.Organizations(ctx(t), near, page)), 1, 1)
	wantList(t, "paged", must[db.List[*db.Organization]](t)(s.Organizations(ctx(t), db.OrganizationFilter{}, db.Page{Offset: 3, Limit: 2})), 4, 4)
}

func testOrganizationsByArea(t *testing.T, s db.Store) {
	loaded(t, s)
	got := must[[]db.List[*db.Organization]](t)(s.OrganizationsByArea(ctx(t), []int64{4, 5, 1}, db.OrganizationFilter{}, db.Page{Limit: 10}))
	wantList(t, "in 4", got[0], 2, 1, 3)
	wantList(t, "in 5", got[1], 1, 2)
	wantList(t, "in 1", got[2], 0)
	got = must[[]db.List[*db.Organization]](t)(s.OrganizationsByArea(ctx(t), []int64{4}, db.OrganizationFilter{Kinds: []db.OrgKind{db.OrgAssociation}}, db.Page{Limit: 10}))
	wantList(t, "associations in 4", got[0], 1, 3)
}

func testInitiatives(t *testing.T, s db.Store) {
	loaded(t, s)
	page := db.Page{Limit: 100}
	cases := []struct {
		name string
		f    db.InitiativeFilter
		want []int64
	}{
		{"everything", db.InitiativeFilter{}, []int64{1, 2, 3, 4}},
		{"statuses", db.InitiativeFilter{Statuses: []db.InitiativeStatus{db.StatusActive, db.StatusPlanned}}, []int64{1, 2, 3}},
		{"goal area", db.InitiativeFilter{GoalAreas: []db.GoalArea{db.GoalGoodStart}}, []int64{4}},
		{"focus groups, any of", db.InitiativeFilter{FocusGroups: []db.FocusGroup{db.FocusDisability, db.FocusNoUpperSecondary}}, []int64{2, 3, 4}},
		{"themes, any of", db.InitiativeFilter{Themes: []db.Theme{db.ThemeJobs}}, []int64{1, 3}},
		{"areas served", db.InitiativeFilter{AreaIDs: []int64{5}}, []int64{2, 3}},
		{"led or partnered by 1", db.InitiativeFilter{OrganizationIDs: []int64{1}}, []int64{1, 2}},
		{"led or partnered by 4", db.InitiativeFilter{OrganizationIDs: []int64{4}}, []int64{4}},
		{"title", db.InitiativeFilter{TitleContains: "CAFÉ"}, []int64{2}},
		{"bbox on locations; no location never matches",
			db.InitiativeFilter{Spatial: db.Spatial{BBox: &orb.Bound{Min: orb.Point{13, 57}, Max: orb.Point{14, 58}}}}, []int64{2, 3}},
		{"a box collapsed to a shared location", db.InitiativeFilter{Spatial: db.Spatial{BBox: &orb.Bound{Min: orb.Point{12.3, 57.3}, Max: orb.Point{12.3, 57.3}}}}, []int64{1, 2}},
		{"intersects any location",
			db.InitiativeFilter{Spatial: db.Spatial{Intersects: orb.Polygon{box(12, 57, 12.5, 57.5)}}}, []int64{1, 2}},
		{"combined", db.InitiativeFilter{Statuses: []db.InitiativeStatus{db.StatusActive}, Themes: []db.Theme{db.ThemeJobs, db.ThemeLanguage},
			AreaIDs: []int64{5}}, []int64{2}},
	}
	for _, c := range cases {
		wantList(t, c.name, must[db.List[*db.Initiative]](t)(s.Initiatives(ctx(t), c.f, page)), len(c.want), c.want...)
	}
	// The distance of an initiative is to its nearest location.
	near := db.InitiativeFilter{Spatial: db.Spatial{Near: &db.Near{Point: orb.Point{13.3, 57.3}, RadiusMeters: 100000}}}
	got := must[db.List[*db.Initiative]](t)(s.Initiatives(ctx(t), near, page))
	wantList(t, "near", got, 3, 2, 3, 1)
	wantDistances(t, "near", got.Distances, []float64{0, 0, 60281.79133912})
	near.Statuses = []db.InitiativeStatus{db.StatusActive}
	got = must[db.List[*db.Initiative]](t)(s.Initiatives(ctx(t), near, db.Page{Offset: 1, Limit: 5}))
	wantList(t, "near, active, second page", got, 2, 1)
	wantDistances(t, "near, active, second page", got.Distances, []float64{60281.79133912})
}

func testInitiativesByParent(t *testing.T, s db.Store) {
	loaded(t, s)
	page := db.Page{Limit: 10}
	byArea := must[[]db.List[*db.Initiative]](t)(s.InitiativesByArea(ctx(t), []int64{5, 4, 2, 1}, db.InitiativeFilter{}, page))
	wantList(t, "serving 5", byArea[0], 2, 2, 3)
	wantList(t, "serving 4", byArea[1], 2, 1, 2)
	wantList(t, "serving 2", byArea[2], 1, 4)
	wantList(t, "serving 1", byArea[3], 0)
	byArea = must[[]db.List[*db.Initiative]](t)(s.InitiativesByArea(ctx(t), []int64{5, 4}, db.InitiativeFilter{Statuses: []db.InitiativeStatus{db.StatusActive}}, db.Page{Limit: 1}))
	wantList(t, "active serving 5, first", byArea[0], 1, 2)
	wantList(t, "active serving 4, first", byArea[1], 2, 1)

	byOrg := must[[]db.List[*db.Initiative]](t)(s.InitiativesByOrganization(ctx(t), []int64{1, 2, 3, 4, 9}, db.InitiativeFilter{}, page))
	wantList(t, "by 1", byOrg[0], 2, 1, 2)
	wantList(t, "by 2", byOrg[1], 2, 2, 3)
	wantList(t, "by 3", byOrg[2], 2, 1, 2)
	wantList(t, "by 4", byOrg[3], 1, 4)
	wantList(t, "by 9", byOrg[4], 0)
	byOrg = must[[]db.List[*db.Initiative]](t)(s.InitiativesByOrganization(ctx(t), []int64{2}, db.InitiativeFilter{}, db.Page{Offset: 1, Limit: 1}))
	wantList(t, "by 2, second", byOrg[0], 2, 3)
}

func testIndicators(t *testing.T, s db.Store) {
	loaded(t, s)
	f := asStored(Fixture())
	wantEqual(t, "one code", must[[]*db.Indicator](t)(s.Indicators(ctx(t), []string{"unemployment", "missing"})), []*db.Indicator{f.Indicators[0]})
	if got := must[[]*db.Indicator](t)(s.Indicators(ctx(t), []string{"missing"})); len(got) != 0 {
		t.Errorf("unknown code: got %d definitions", len(got))
	}
}

func testIndicatorValues(t *testing.T, s db.Store) {
	loaded(t, s)
	v := func(area int64, code string, year int, sex db.Sex, value float64, count *int) db.IndicatorValue {
		return db.IndicatorValue{AreaID: area, IndicatorCode: code, Year: year, Sex: sex, Value: value, Count: count}
	}
	cases := []struct {
		name string
		f    db.ValueFilter
		want []db.IndicatorValue
	}{
		{"all, in order", db.ValueFilter{}, []db.IndicatorValue{
			v(1, "population", 2021, db.SexTotal, 113000, nil),
			v(1, "unemployment", 2020, db.SexTotal, 8.25, intp(71800)),
			v(1, "unemployment", 2021, db.SexTotal, 7.5, intp(72400)),
			v(4, "unemployment", 2020, db.SexTotal, 41.25, intp(1490)),
			v(4, "unemployment", 2021, db.SexTotal, 38, intp(1510)),
			v(4, "unemployment", 2021, db.SexFemale, 35.5, intp(50)),
			v(4, "unemployment", 2021, db.SexMale, 40.5, intp(1460)),
			v(5, "unemployment", 2021, db.SexTotal, 30.5, intp(46)),
		}},
		{"areas, code, years", db.ValueFilter{AreaIDs: []int64{4, 1}, Codes: []string{"unemployment"}, FromYear: 2021, ToYear: 2021}, []db.IndicatorValue{
			v(1, "unemployment", 2021, db.SexTotal, 7.5, intp(72400)),
			v(4, "unemployment", 2021, db.SexTotal, 38, intp(1510)),
			v(4, "unemployment", 2021, db.SexFemale, 35.5, intp(50)),
			v(4, "unemployment", 2021, db.SexMale, 40.5, intp(1460)),
		}},
		{"sexes and an upper bound", db.ValueFilter{Sexes: []db.Sex{db.SexMale, db.SexFemale}, ToYear: 2021}, []db.IndicatorValue{
			v(4, "unemployment", 2021, db.SexFemale, 35.5, intp(50)),
			v(4, "unemployment", 2021, db.SexMale, 40.5, intp(1460)),
		}},
		{"nothing", db.ValueFilter{FromYear: 2030}, nil},
	}
	for _, c := range cases {
		wantEqual(t, c.name, must[[]db.IndicatorValue](t)(s.IndicatorValues(ctx(t), c.f)), c.want)
	}
}

// testConcurrentReads runs every kind of read at once; with -race it
// checks that the backend is safe for concurrent use.
func testConcurrentReads(t *testing.T, s db.Store) {
	loaded(t, s)
	var wg sync.WaitGroup
	errs := make(chan error, 64)
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c := context.Background()
			for range 20 {
				_, err1 := s.AreasAt(c, orb.Point{12.3, 57.3}, nil, anyDay)
				_, err2 := s.Areas(c, db.AreaFilter{NameContains: "a"}, db.Page{Offset: i % 3, Limit: 2})
				_, err3 := s.InitiativesByArea(c, []int64{4, 5}, db.InitiativeFilter{}, db.Page{Limit: 5})
				_, err4 := s.IndicatorValues(c, db.ValueFilter{AreaIDs: []int64{4}})
				if err := errors.Join(err1, err2, err3, err4); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

func testPing(t *testing.T, s db.Store) {
	if err := s.Ping(ctx(t)); err != nil {
		t.Errorf("Ping: %v", err)
	}
}

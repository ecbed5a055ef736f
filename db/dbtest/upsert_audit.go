package dbtest

import (
	"fmt"
	"testing"

	"github.com/paulmach/orb"

	"github.com/areagraph/areagraph/db"
)

// importActor is who the imports of these tests are by, as the command
// line names its user.
var importActor = db.Actor{ID: "cli:operator", Role: db.RoleAdmin}

// testUpsertAreasAudit pins the audit entries of an import of areas: one
// per area added (CREATE) or changed (UPDATE, with before and after as
// UpdateArea leaves them), in import order, none for an area named
// unchanged, all in the import's transaction.
func testUpsertAreasAudit(t *testing.T, s db.Store) {
	loaded(t, s)
	last := lastAuditID(t, s)
	before := must[[]*db.Area](t)(s.AreasByID(ctx(t), []int64{2, 6}))
	renamed := fixtureArea("9999-D1", "9999")
	renamed.Name = "District A, renamed"
	added := areaIn("9999S0002", "Statistical T", db.KindStatisticalArea, "9999-D1", orb.Polygon{box(12.5, 57, 13, 57.5)})
	n := must[db.ImportCounts](t)(s.UpsertAreas(ctx(t), importActor, seqOf(t,
		added, fixtureArea("9999S0001", "9999-D1"), renamed)))
	wantEqual(t, "counts", n, db.ImportCounts{Added: 1, Changed: 1, Unchanged: 1})
	after := must[[]*db.Area](t)(s.AreasByID(ctx(t), []int64{7, 2, 6}))
	if after[1].Version != 2 || after[2].Version != before[1].Version {
		t.Errorf("versions: changed %d (want 2), unchanged %d (want %d)", after[1].Version, after[2].Version, before[1].Version)
	}
	entries := auditAfter(t, s, last)
	wantAudit(t, "an import of areas", entries, importActor, created(after[0]), updated(before[0], after[1]))
	if len(entries) == 2 && !entries[0].At.Equal(entries[1].At) {
		t.Errorf("entries of one import at %v and %v, want one time", entries[0].At, entries[1].At)
	}

	// A failed import leaves neither areas nor entries: here the last
	// item names a parent that does not exist, after a change and an
	// addition that would have been audited.
	st := stateOf(t, s)
	renamed.Name = "District A, renamed again"
	_, err := s.UpsertAreas(ctx(t), importActor, seqOf(t, renamed,
		areaIn("9999S0003", "Statistical U", db.KindStatisticalArea, "9999-D1", orb.Polygon{box(12.5, 57.5, 13, 58)}),
		areaIn("9999S0004", "Statistical V", db.KindStatisticalArea, "NOWHERE", orb.Polygon{box(12.5, 57.5, 13, 58)})))
	wantItemError(t, "an unknown parent", err, 3, `parent "NOWHERE" does not exist`)
	wantNoChange(t, "a failed import of areas", s, st)
	// So does one that fails at its last check, a cycle.
	_, err = s.UpsertAreas(ctx(t), importActor, seqOf(t, renamed, fixtureArea("9999", "9999S0001")))
	wantItemError(t, "a cycle", err, 1, "cycle")
	wantNoChange(t, "an import of areas that closes a cycle", s, st)

	// An import that changes nothing writes no entry.
	n = must[db.ImportCounts](t)(s.UpsertAreas(ctx(t), importActor, seqOf(t, fixtureArea("9999-D2", "9999"))))
	wantEqual(t, "counts of an import of what is stored", n, db.ImportCounts{Unchanged: 1})
	wantNoChange(t, "an import of what is stored", s, st)
}

// testUpsertAreasKeepsAbsent pins what an import does with the optional
// fields a file does not carry (AreaInput.Absent): a known area keeps its
// stored values, given empty ones clear them, a new area has none.
func testUpsertAreasKeepsAbsent(t *testing.T, s db.Store) {
	loaded(t, s)
	// District B has a parent and a validity period; P2 an area type.
	partial := func(code, name string, kind db.AreaKind, g orb.Geometry) *db.AreaInput {
		return &db.AreaInput{Code: code, Name: name, Kind: kind, Geometry: g, Absent: db.AllOptionalAreaFields}
	}
	stored := must[[]*db.Area](t)(s.AreasByID(ctx(t), []int64{1, 3, 5}))
	n := must[db.ImportCounts](t)(s.UpsertAreas(ctx(t), importActor, seqOf(t,
		partial("9999", "Municipality M", db.KindMunicipality, stored[0].Geometry),
		partial("9999-D2", "District B", db.KindDistrict, stored[1].Geometry),
		partial("9999-P2", "Priority Q, renamed", db.KindPriorityArea, stored[2].Geometry),
		partial("9999-N1", "New", db.KindDistrict, orb.Polygon{box(13, 57, 13.5, 57.5)}))))
	wantEqual(t, "counts of a partial import", n, db.ImportCounts{Added: 1, Changed: 1, Unchanged: 2})
	got := must[[]*db.Area](t)(s.AreasByID(ctx(t), []int64{1, 3, 5, 7}))
	want := []*db.Area{stored[0], stored[1], stored[2].Clone(),
		{ID: 7, Code: "9999-N1", Name: "New", Kind: db.KindDistrict, Geometry: orb.Polygon{box(13, 57, 13.5, 57.5)}, Version: 1}}
	want[2].Name, want[2].Version = "Priority Q, renamed", 2
	wantEqual(t, "areas after a partial import", got, want)

	// Fields given empty are cleared; the absent ones stay.
	clear := &db.AreaInput{Code: "9999-D2", Name: "District B", Kind: db.KindDistrict, Geometry: stored[1].Geometry,
		Absent: db.FieldValidTo | db.FieldDescription}
	n = must[db.ImportCounts](t)(s.UpsertAreas(ctx(t), importActor, seqOf(t, clear)))
	wantEqual(t, "counts of an import that clears", n, db.ImportCounts{Changed: 1})
	b := areaByID(t, s, 3)
	if b.ParentID != 0 || b.ValidFrom != nil || b.ValidTo == nil || !b.ValidTo.Equal(*stored[1].ValidTo) {
		t.Errorf("district B after clearing its parent and start: parent %d, from %v, to %v; want 0, nil, %v",
			b.ParentID, b.ValidFrom, b.ValidTo, stored[1].ValidTo)
	}

	// A start the file gives on the end it keeps (the first day no
	// longer in use) is refused, and nothing is written.
	st := stateOf(t, s)
	late := &db.AreaInput{Code: "9999-D2", Name: "District B", Kind: db.KindDistrict, Geometry: stored[1].Geometry,
		ValidFrom: date(2030, 12, 31), Absent: db.FieldValidTo}
	_, err := s.UpsertAreas(ctx(t), importActor, seqOf(t,
		partial("9999-N2", "New", db.KindDistrict, orb.Polygon{box(13, 57, 13.5, 57.5)}), late))
	wantItemError(t, "a start after the kept end", err, 2, `area 2 (code "9999-D2")`, "valid to must come after valid from")
	wantNoChange(t, "an import whose kept end comes before its start", s, st)

	// A kept parent counts in the cycle check.
	_, err = s.UpsertAreas(ctx(t), importActor, seqOf(t, fixtureArea("9999", "9999S0001"),
		partial("9999S0001", "Statistical S", db.KindStatisticalArea, orb.Polygon{box(12, 57, 12.5, 57.5)})))
	wantItemError(t, "a cycle through a kept parent", err, 1, "cycle")
	wantNoChange(t, "an import that closes a cycle through a kept parent", s, st)
}

// testUpsertValuesAudit pins the one audit entry of an import of values:
// the file, its SHA-256, the counts, the indicators and years of the
// values added or changed; written with the values or not at all.
func testUpsertValuesAudit(t *testing.T, s db.Store) {
	loaded(t, s)
	last := lastAuditID(t, s)
	counted := valueIn("9999-P1", "unemployment", 2021, db.SexTotal, 38)
	counted.Count = intp(1510) // as stored
	n := must[db.ImportCounts](t)(s.UpsertIndicatorValues(ctx(t), importActor, testFile, seqOf(t,
		valueIn("9999-P1", "unemployment", 2022, db.SexTotal, 34.5), // added
		valueIn("9999-D2", "population", 2019, db.SexTotal, 50000),  // added
		valueIn("9999-P1", "unemployment", 2021, db.SexMale, 41),    // changed
		counted, // unchanged
	)))
	wantEqual(t, "counts", n, db.ImportCounts{Added: 2, Changed: 1, Unchanged: 1})
	rec := db.NewValueImport(testFile, n, []string{"unemployment", "population"}, []int{2022, 2019, 2021})
	wantAudit(t, "an import of values", auditAfter(t, s, last), importActor, created(rec))
	wantBytes := fmt.Sprintf(`{"file":"values.csv","sha256":"%s","added":2,"changed":1,"unchanged":1,`+
		`"indicators":["population","unemployment"],"years":[2019,2021,2022]}`, testFile.SHA256)
	if got := string(db.AuditJSON(rec)); got != wantBytes {
		t.Errorf("the entry's record:\n got  %s\n want %s", got, wantBytes)
	}
	if got := db.AuditRecordID(rec); got != "ValueImport:"+testFile.SHA256 {
		t.Errorf("the entry's record id: %s", got)
	}

	// A failed import leaves neither values nor its entry.
	st := stateOf(t, s)
	_, err := s.UpsertIndicatorValues(ctx(t), importActor, testFile, seqOf(t,
		valueIn("9999-P1", "unemployment", 2023, db.SexTotal, 1),
		valueIn("NOWHERE", "unemployment", 2023, db.SexTotal, 1)))
	wantItemError(t, "an unknown area", err, 2)
	wantNoChange(t, "a failed import of values", s, st)

	// An import that changes nothing, an empty one included, is still
	// recorded: the log says the file was read.
	last = lastAuditID(t, s)
	n = must[db.ImportCounts](t)(s.UpsertIndicatorValues(ctx(t), importActor, testFile, seqOf(t, counted)))
	wantEqual(t, "counts of an import of what is stored", n, db.ImportCounts{Unchanged: 1})
	empty := db.ImportFile{Name: "empty.csv", SHA256: "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"}
	n = must[db.ImportCounts](t)(s.UpsertIndicatorValues(ctx(t), importActor, empty, seqOf[db.ValueInput](t)))
	wantEqual(t, "counts of an empty import", n, db.ImportCounts{})
	wantAudit(t, "imports that change nothing", auditAfter(t, s, last), importActor,
		created(db.NewValueImport(testFile, db.ImportCounts{Unchanged: 1}, nil, nil)),
		created(db.NewValueImport(empty, db.ImportCounts{}, nil, nil)))
	if got := string(db.AuditJSON(db.NewValueImport(empty, db.ImportCounts{}, nil, nil))); got !=
		`{"file":"empty.csv","sha256":"`+empty.SHA256+`","added":0,"changed":0,"unchanged":0,"indicators":[],"years":[]}` {
		t.Errorf("an empty import's record: %s", got)
	}
}

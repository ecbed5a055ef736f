package db

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/areagraph/areagraph/geo"
	"github.com/paulmach/orb"
)

// AreaKind says what an area is in the programme's hierarchy.
type AreaKind string

// Area kinds, from the outermost to the innermost.
const (
	KindMunicipality    AreaKind = "MUNICIPALITY"
	KindDistrict        AreaKind = "DISTRICT"
	KindPriorityArea    AreaKind = "PRIORITY_AREA"
	KindStatisticalArea AreaKind = "STATISTICAL_AREA"
)

// AreaKinds lists every kind from the outermost to the innermost.
var AreaKinds = []AreaKind{KindMunicipality, KindDistrict, KindPriorityArea, KindStatisticalArea}

// Depth orders kinds from the outermost (0) to the innermost; -1 for an
// unknown kind. AreasAt sorts its answer by it, innermost first.
func (k AreaKind) Depth() int {
	for i, kk := range AreaKinds {
		if kk == k {
			return i
		}
	}
	return -1
}

// Area is a place: the municipality, a district, a priority area or a
// statistical area. Geometry is an orb.Polygon or orb.MultiPolygon in WGS 84.
type Area struct {
	ID       int64
	Code     string // unique across editions (see db/validity.go), e.g. a municipality or DeSO code
	Name     string
	Kind     AreaKind
	AreaType int   // the programme's area type 1–5 (1 = largest challenges); 0 when not set
	ParentID int64 // 0 for a root
	Geometry orb.Geometry
	// ValidFrom is the first day the area is in use, ValidTo the first day
	// it no longer is; nil is open. The rule is ValidOn (db/validity.go).
	ValidFrom   *time.Time
	ValidTo     *time.Time
	Description string
	// Version counts the area's writes: 1 when created (or loaded without
	// one), one more with every update. See Writer in store.go.
	Version int64
	// UpdatedAt is when the record was last written: created, updated,
	// detached by a delete, imported or loaded (see UpdatedAt in store.go).
	// The store sets it; what a write is given is ignored.
	UpdatedAt time.Time
}

func (a *Area) version() int64 { return a.Version }

// NodeID is the area's global id.
func (a *Area) NodeID() string { return GlobalID(TypeArea, a.ID) }

// Clone returns a copy of a that shares nothing with it (orb geometries are
// slices), so a store can hand out records without a caller's edit changing
// what it holds; nil for nil.
func (a *Area) Clone() *Area {
	if a == nil {
		return nil
	}
	c := *a
	c.Geometry = orb.Clone(a.Geometry)
	c.ValidFrom, c.ValidTo = clonePtr(a.ValidFrom), clonePtr(a.ValidTo)
	return &c
}

// AuditRef names the area in the audit log by its global id.
func (a *Area) AuditRef() (typ, id string) { return TypeArea, a.NodeID() }

func (a *Area) auditView() any {
	return struct {
		ID          string          `json:"id"`
		Version     int64           `json:"version"`
		Code        string          `json:"code"`
		Name        string          `json:"name"`
		Kind        AreaKind        `json:"kind"`
		AreaType    *int            `json:"areaType"`
		Parent      *string         `json:"parent"`
		ValidFrom   *string         `json:"validFrom"`
		ValidTo     *string         `json:"validTo"`
		Description string          `json:"description"`
		Geometry    json.RawMessage `json:"geometry"`
	}{a.NodeID(), a.Version, a.Code, a.Name, a.Kind, positive(a.AreaType), ref(TypeArea, a.ParentID),
		date(a.ValidFrom), date(a.ValidTo), a.Description, geometryJSON(a.Geometry)}
}

// AreaFilter selects areas. Empty fields select everything.
type AreaFilter struct {
	Kinds        []AreaKind
	Codes        []string
	ParentIDs    []int64
	AreaTypes    []int
	NameContains string // case-insensitive substring
	// ValidOn keeps the areas in use on that day (Area.ValidOn); the zero
	// time keeps every edition, retired and future ones included.
	ValidOn time.Time
	Spatial
}

// Validate checks the parts of an area filter a store cannot answer:
// within, which applies to points only, and a day out of range.
func (f *AreaFilter) Validate() error {
	if err := f.ValidateWithin(false); err != nil {
		return err
	}
	return CheckValidOn(f.ValidOn)
}

// MaxAreaVertices caps the vertices of one area's geometry. The largest
// Swedish municipality outline at full resolution has about 60,000; the
// cap keeps one record from taking a server's memory.
const MaxAreaVertices = 250_000

// CheckArea checks an area on its own before a write: code and name, kind,
// area type, geometry (closed, simple rings, holes inside shells,
// coordinates in range, the vertex cap; the message names the ring or
// position at fault), validity period, and that it is not its own parent.
func CheckArea(a *Area) error { return checkArea(a, true) }

// checkArea is CheckArea, with the geometry left out when it is known to
// be valid.
func checkArea(a *Area, geometry bool) error {
	if a == nil {
		return Errorf(EINVALID, "the area is missing")
	}
	if a.ParentID < 0 {
		return Errorf(EINVALID, "parent id must be positive")
	}
	if a.ID != 0 && a.ParentID == a.ID {
		return Errorf(EINVALID, "an area cannot be its own parent")
	}
	if err := a.check(geometry); err != nil {
		return Errorf(EINVALID, "%s", err.Error())
	}
	return nil
}

// MaxAreaType is the largest of the programme's area types, numbered from
// 1 (the largest socio-economic challenges).
const MaxAreaType = 5

// check is what an area must be on its own, however it arrives: the rules
// Dataset.Validate and AreaInput.Check share. The geometry is checked when
// geometry is set.
func (a *Area) check(geometry bool) error {
	if a.Code == "" || a.Name == "" {
		return fmt.Errorf("code and name are required")
	}
	if err := checkText(text{"code", a.Code}, text{"name", a.Name}, text{"description", a.Description}); err != nil {
		return err
	}
	if a.Kind.Depth() < 0 {
		return fmt.Errorf("unknown kind %q", a.Kind)
	}
	if a.AreaType < 0 || a.AreaType > MaxAreaType {
		return fmt.Errorf("area type %d is not in 1–5", a.AreaType)
	}
	if geometry {
		if err := ValidateAreaGeometry(a.Geometry); err != nil {
			return err
		}
	}
	// ValidTo is the first day no longer in use (db/validity.go): on or
	// before ValidFrom, the area would never be in use.
	if a.ValidFrom != nil && a.ValidTo != nil && !Day(*a.ValidTo).After(Day(*a.ValidFrom)) {
		return fmt.Errorf("valid to must come after valid from: it is the first day the area is no longer in use")
	}
	return nil
}

// AreaPatch is an update of an area (see Field): the fields it sets.
type AreaPatch struct {
	Code        Field[string]
	Name        Field[string]
	Kind        Field[AreaKind]
	AreaType    Field[int]   // 0 clears it
	ParentID    Field[int64] // 0 makes the area a root
	Geometry    Field[orb.Geometry]
	ValidFrom   Field[*time.Time] // nil leaves the period open (see ValidOn)
	ValidTo     Field[*time.Time]
	Description Field[string]
}

// Patch is the patch that sets every field of a, for a caller that writes
// an area whole.
func (a *Area) Patch() AreaPatch {
	return AreaPatch{Code: Set(a.Code), Name: Set(a.Name), Kind: Set(a.Kind), AreaType: Set(a.AreaType),
		ParentID: Set(a.ParentID), Geometry: Set(a.Geometry), ValidFrom: Set(a.ValidFrom), ValidTo: Set(a.ValidTo),
		Description: Set(a.Description)}
}

// Check checks the patch of the area with id on its own, as CheckArea
// checks an area whose other fields are valid (step 1).
func (p *AreaPatch) Check(id int64) error {
	a := Area{ID: id, Code: "-", Name: "-", Kind: KindStatisticalArea}
	p.set(&a)
	return checkArea(&a, p.Geometry.Given)
}

// Apply sets the fields of p on a, the stored area or a copy of it, and
// checks a as it leaves it. It comes after Check, which has checked the
// geometry p sets; a stored geometry was checked when it was stored.
func (p *AreaPatch) Apply(a *Area) error {
	p.set(a)
	return checkArea(a, false)
}

func (p *AreaPatch) set(a *Area) {
	p.Code.apply(&a.Code)
	p.Name.apply(&a.Name)
	p.Kind.apply(&a.Kind)
	p.AreaType.apply(&a.AreaType)
	p.ParentID.apply(&a.ParentID)
	p.Geometry.apply(&a.Geometry)
	p.ValidFrom.apply(&a.ValidFrom)
	p.ValidTo.apply(&a.ValidTo)
	p.Description.apply(&a.Description)
}

// ValidateAreaGeometry checks that g can be an area's geometry: a valid
// Polygon or MultiPolygon within the vertex cap.
func ValidateAreaGeometry(g orb.Geometry) error {
	switch g.(type) {
	case orb.Polygon, orb.MultiPolygon:
	case nil:
		return fmt.Errorf("geometry is required")
	default:
		// orb.Ring and orb.Bound are polygons to orb, but not GeoJSON
		// types; the stores keep exactly what they are given.
		return fmt.Errorf("geometry must be a Polygon or MultiPolygon, not %s", g.GeoJSONType())
	}
	return geo.Validate(g, geo.Options{MaxVertices: MaxAreaVertices, Allowed: []string{"Polygon", "MultiPolygon"}})
}

// AreaInput is an area as an import file gives it: keyed on its code, its
// parent named by code.
type AreaInput struct {
	Code        string
	Name        string
	Kind        AreaKind
	AreaType    int
	ParentCode  string // "" for a root
	Geometry    orb.Geometry
	ValidFrom   *time.Time
	ValidTo     *time.Time
	Description string
	// Absent are the optional fields the file does not carry at all (a
	// property missing from the feature, or not read), as opposed to ones
	// it gives empty. An upsert keeps the stored value of each for a known
	// code, so a partial file never clears what it does not mention; a new
	// area has none of them. The zero value carries every field.
	Absent AreaFields
}

// AreaFields is a set of the optional fields of an area.
type AreaFields uint8

// The optional fields of an area, as AreaInput.Absent names them.
const (
	FieldParent AreaFields = 1 << iota
	FieldAreaType
	FieldValidFrom
	FieldValidTo
	FieldDescription

	// AllOptionalAreaFields is every optional field.
	AllOptionalAreaFields = FieldParent | FieldAreaType | FieldValidFrom | FieldValidTo | FieldDescription
)

// KeepAbsent sets on a, an area as an import writes it over stored, the
// stored value of every optional field in absent: the one rule of what an
// import keeps, which the PostGIS backend states again in SQL.
func KeepAbsent(a, stored *Area, absent AreaFields) {
	if absent&FieldParent != 0 {
		a.ParentID = stored.ParentID
	}
	if absent&FieldAreaType != 0 {
		a.AreaType = stored.AreaType
	}
	if absent&FieldValidFrom != 0 {
		a.ValidFrom = clonePtr(stored.ValidFrom)
	}
	if absent&FieldValidTo != 0 {
		a.ValidTo = clonePtr(stored.ValidTo)
	}
	if absent&FieldDescription != 0 {
		a.Description = stored.Description
	}
}

// SameArea says whether a and b agree on every field but id and version:
// geometries with the same coordinates in the same order, dates on the
// same day. An import leaves an area it would not change alone.
func SameArea(a, b *Area) bool {
	return a.Code == b.Code && a.Name == b.Name && a.Kind == b.Kind && a.AreaType == b.AreaType &&
		a.ParentID == b.ParentID && a.Description == b.Description && sameDate(a.ValidFrom, b.ValidFrom) &&
		sameDate(a.ValidTo, b.ValidTo) && orb.Equal(a.Geometry, b.Geometry)
}

func sameDate(a, b *time.Time) bool {
	if a == nil || b == nil {
		return a == b
	}
	return a.Equal(*b)
}

// PeriodAfterKeepError is the error about an imported area whose validity
// period ends no later than it starts once the stored end or start it keeps is
// taken with the one the file gives.
func PeriodAfterKeepError(item int, code string) error {
	return AreaItemError(item, code, "valid to must come after valid from once the stored date the file does not give is kept; "+
		"give both dates")
}

// Check checks the item-th area of an upsert on its own, as
// Dataset.Validate checks a stored one: code and name, kind, area type,
// geometry, validity period, and that it is not its own parent.
func (a *AreaInput) Check(item int) error {
	if a == nil {
		return AreaItemError(item, "", "the area is missing")
	}
	if a.ParentCode != "" && a.ParentCode == a.Code {
		return AreaItemError(item, a.Code, "an area cannot be its own parent")
	}
	area := Area{Code: a.Code, Name: a.Name, Kind: a.Kind, AreaType: a.AreaType, Geometry: a.Geometry,
		ValidFrom: a.ValidFrom, ValidTo: a.ValidTo}
	if err := area.check(true); err != nil {
		return AreaItemError(item, a.Code, "%s", err.Error())
	}
	return nil
}

// Clone returns a copy of a that shares nothing with it, as Area.Clone.
func (a *AreaInput) Clone() *AreaInput {
	if a == nil {
		return nil
	}
	c := *a
	c.Geometry = orb.Clone(a.Geometry)
	c.ValidFrom, c.ValidTo = clonePtr(a.ValidFrom), clonePtr(a.ValidTo)
	return &c
}

// AreaItemError is the EINVALID error about the item-th area of an upsert,
// named by its code, with a reason.
func AreaItemError(item int, code string, format string, args ...any) error {
	return &ItemError{Item: item, Err: Errorf(EINVALID, "area %d (code %q): %s", item, code, fmt.Sprintf(format, args...))}
}

// DuplicateAreaError is the error about an area whose code an earlier item
// of the same upsert already has.
func DuplicateAreaError(item, first int, code string) error {
	return AreaItemError(item, code, "the code appears twice in the import (first as area %d)", first)
}

// UnknownParentError is the error about an area whose parent code names no
// area, neither in the import nor in the store.
func UnknownParentError(item int, code, parent string) error {
	return AreaItemError(item, code, "parent %q does not exist", parent)
}

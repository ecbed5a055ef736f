package db

import (
	"fmt"
	"math"
	"slices"

	"github.com/areagraph/areagraph/geo"
	"github.com/paulmach/orb"
)

// MaxAreaVertices caps the vertices of one area's geometry. The largest
// Swedish municipality outline at full resolution has about 60,000; the
// cap keeps one record from taking a server's memory.
const MaxAreaVertices = 250_000

// Validate checks every record of the dataset on its own: required fields,
// known enum values, valid geometry, no duplicates within the dataset.
// References between records are the backend's to check, since they may
// point at records loaded earlier. Both backends call it first, so they
// reject the same datasets with the same messages.
func (ds *Dataset) Validate() error {
	if err := noNil("area", ds.Areas); err != nil {
		return err
	}
	if err := noNil("organization", ds.Organizations); err != nil {
		return err
	}
	if err := noNil("initiative", ds.Initiatives); err != nil {
		return err
	}
	if err := noNil("indicator", ds.Indicators); err != nil {
		return err
	}
	areaIDs := map[int64]bool{}
	codes := map[string]bool{}
	for i, a := range ds.Areas {
		where := fmt.Sprintf("area %d (id %d)", i, a.ID)
		if a.ID <= 0 {
			return Errorf(EINVALID, "%s: id must be positive", where)
		}
		if areaIDs[a.ID] {
			return Errorf(ECONFLICT, "%s: id appears twice", where)
		}
		areaIDs[a.ID] = true
		if a.Code == "" || a.Name == "" {
			return Errorf(EINVALID, "%s: code and name are required", where)
		}
		if codes[a.Code] {
			return Errorf(ECONFLICT, "%s: code %q appears twice", where, a.Code)
		}
		codes[a.Code] = true
		if a.Kind.Depth() < 0 {
			return Errorf(EINVALID, "%s: unknown kind %q", where, a.Kind)
		}
		if a.AreaType < 0 || a.AreaType > 5 {
			return Errorf(EINVALID, "%s: area type %d is not in 1–5", where, a.AreaType)
		}
		if a.ParentID == a.ID {
			return Errorf(EINVALID, "%s: an area cannot be its own parent", where)
		}
		if err := ValidateAreaGeometry(a.Geometry); err != nil {
			return Errorf(EINVALID, "%s: %s", where, err.Error())
		}
		if a.ValidFrom != nil && a.ValidTo != nil && a.ValidTo.Before(*a.ValidFrom) {
			return Errorf(EINVALID, "%s: valid to is before valid from", where)
		}
	}
	orgIDs := map[int64]bool{}
	for i, o := range ds.Organizations {
		where := fmt.Sprintf("organization %d (id %d)", i, o.ID)
		if o.ID <= 0 {
			return Errorf(EINVALID, "%s: id must be positive", where)
		}
		if orgIDs[o.ID] {
			return Errorf(ECONFLICT, "%s: id appears twice", where)
		}
		orgIDs[o.ID] = true
		if o.Name == "" {
			return Errorf(EINVALID, "%s: name is required", where)
		}
		if o.Kind != OrgEmployer && o.Kind != OrgAssociation {
			return Errorf(EINVALID, "%s: unknown kind %q", where, o.Kind)
		}
		if o.Size != "" && !slices.Contains([]EmployerSize{SizeMicro, SizeSmall, SizeMedium, SizeLarge}, o.Size) {
			return Errorf(EINVALID, "%s: unknown size %q", where, o.Size)
		}
		if o.Location != nil {
			if err := ValidatePoint(*o.Location); err != nil {
				return Errorf(EINVALID, "%s: location: %s", where, err.Error())
			}
		}
		if err := sortedUnique(o.AreaIDs); err != nil {
			return Errorf(EINVALID, "%s: area ids: %s", where, err.Error())
		}
	}
	initIDs := map[int64]bool{}
	for i, in := range ds.Initiatives {
		where := fmt.Sprintf("initiative %d (id %d)", i, in.ID)
		if in.ID <= 0 {
			return Errorf(EINVALID, "%s: id must be positive", where)
		}
		if initIDs[in.ID] {
			return Errorf(ECONFLICT, "%s: id appears twice", where)
		}
		initIDs[in.ID] = true
		if err := in.validate(); err != nil {
			return Errorf(EINVALID, "%s: %s", where, err.Error())
		}
	}
	defs := map[string]bool{}
	for i, d := range ds.Indicators {
		if d.Code == "" || d.Name == "" {
			return Errorf(EINVALID, "indicator %d: code and name are required", i)
		}
		if defs[d.Code] {
			return Errorf(ECONFLICT, "indicator %d: code %q appears twice", i, d.Code)
		}
		defs[d.Code] = true
	}
	type key struct {
		area int64
		code string
		year int
		sex  Sex
	}
	seen := make(map[key]bool, len(ds.Values))
	for i, v := range ds.Values {
		where := fmt.Sprintf("indicator value %d (%s, area %d, %d)", i, v.IndicatorCode, v.AreaID, v.Year)
		if v.Sex != SexTotal && v.Sex != SexFemale && v.Sex != SexMale {
			return Errorf(EINVALID, "%s: unknown sex %q", where, v.Sex)
		}
		if math.IsNaN(v.Value) || math.IsInf(v.Value, 0) {
			return Errorf(EINVALID, "%s: value must be a finite number", where)
		}
		if v.Year < 1800 || v.Year > 2200 {
			return Errorf(EINVALID, "%s: year out of range", where)
		}
		k := key{v.AreaID, v.IndicatorCode, v.Year, v.Sex}
		if seen[k] {
			return Errorf(EINVALID, "%s: appears twice", where)
		}
		seen[k] = true
	}
	return nil
}

func (in *Initiative) validate() error {
	if in.Title == "" {
		return fmt.Errorf("title is required")
	}
	if !slices.Contains([]InitiativeStatus{StatusPlanned, StatusActive, StatusCompleted, StatusCancelled}, in.Status) {
		return fmt.Errorf("unknown status %q", in.Status)
	}
	if !slices.Contains([]GoalArea{GoalGoodStart, GoalHousingLocal, GoalConditionsForWork}, in.GoalArea) {
		return fmt.Errorf("unknown goal area %q", in.GoalArea)
	}
	if err := inOrder(in.FocusGroups, FocusGroups); err != nil {
		return fmt.Errorf("focus groups: %w", err)
	}
	if err := inOrder(in.Themes, Themes); err != nil {
		return fmt.Errorf("themes: %w", err)
	}
	if err := sortedUnique(in.AreaIDs); err != nil {
		return fmt.Errorf("area ids: %w", err)
	}
	for i, p := range in.Locations {
		if err := ValidatePoint(p); err != nil {
			return fmt.Errorf("location %d: %w", i, err)
		}
	}
	roles := []PartnerRole{RoleCoOrganiser, RoleFunder, RolePlacements, RoleMentors, RoleVenue, RoleOutreach}
	for i, p := range in.Partners {
		if !slices.Contains(roles, p.Role) {
			return fmt.Errorf("partner %d: unknown role %q", i, p.Role)
		}
		if p.OrganizationID == in.LeadID {
			return fmt.Errorf("partner %d: the lead organisation is not also a partner", i)
		}
		if i > 0 && p.OrganizationID <= in.Partners[i-1].OrganizationID {
			return fmt.Errorf("partners must be in ascending organisation order, each once")
		}
	}
	if in.StartDate != nil && in.EndDate != nil && in.EndDate.Before(*in.StartDate) {
		return fmt.Errorf("end date is before start date")
	}
	for _, n := range []*int{in.Reach.Participants, in.Reach.IntoWork, in.Reach.IntoStudy} {
		// GraphQL's Int is 32 bits, and so is the column.
		if n != nil && (*n < 0 || *n > math.MaxInt32) {
			return fmt.Errorf("reach figures must be between 0 and %d", math.MaxInt32)
		}
	}
	return nil
}

func noNil[T any](what string, recs []*T) error {
	for i, r := range recs {
		if r == nil {
			return Errorf(EINVALID, "%s %d of the dataset is missing", what, i)
		}
	}
	return nil
}

// inOrder checks that vals are known, each once, in the canonical order of
// all, which is how the stores keep them.
func inOrder[T comparable](vals, all []T) error {
	last := -1
	for _, v := range vals {
		i := slices.Index(all, v)
		if i < 0 {
			return fmt.Errorf("unknown value %v", v)
		}
		if i <= last {
			return fmt.Errorf("%v out of order or repeated", v)
		}
		last = i
	}
	return nil
}

func sortedUnique(ids []int64) error {
	for i, id := range ids {
		if id <= 0 || (i > 0 && id <= ids[i-1]) {
			return fmt.Errorf("must be positive, ascending and unique")
		}
	}
	return nil
}

// ValidatePoint checks that p is a WGS 84 position.
func ValidatePoint(p orb.Point) error {
	if math.IsNaN(p[0]) || math.IsNaN(p[1]) || p[0] < -180 || p[0] > 180 || p[1] < -90 || p[1] > 90 {
		return fmt.Errorf("position [%g, %g] is out of range (longitude -180–180, latitude -90–90)", p[0], p[1])
	}
	return nil
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

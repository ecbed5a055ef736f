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
	areaIDs := make(map[int64]bool, len(ds.Areas))
	codes := make(map[string]bool, len(ds.Areas))
	for i, a := range ds.Areas {
		where := recordAt{"area", i, a.ID}
		if a.ID <= 0 {
			return Errorf(EINVALID, "%s: id must be positive", where)
		}
		if areaIDs[a.ID] {
			return Errorf(ECONFLICT, "%s: id appears twice", where)
		}
		areaIDs[a.ID] = true
		if a.ParentID == a.ID {
			return Errorf(EINVALID, "%s: an area cannot be its own parent", where)
		}
		if a.Version < 0 {
			return Errorf(EINVALID, "%s: version must not be negative", where)
		}
		if err := a.check(); err != nil {
			return Errorf(EINVALID, "%s: %s", where, err.Error())
		}
		if codes[a.Code] {
			return Errorf(ECONFLICT, "%s: code %q appears twice", where, a.Code)
		}
		codes[a.Code] = true
	}
	orgIDs := make(map[int64]bool, len(ds.Organizations))
	for i, o := range ds.Organizations {
		where := recordAt{"organization", i, o.ID}
		if o.ID <= 0 {
			return Errorf(EINVALID, "%s: id must be positive", where)
		}
		if orgIDs[o.ID] {
			return Errorf(ECONFLICT, "%s: id appears twice", where)
		}
		orgIDs[o.ID] = true
		if o.Version < 0 {
			return Errorf(EINVALID, "%s: version must not be negative", where)
		}
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
	initIDs := make(map[int64]bool, len(ds.Initiatives))
	for i, in := range ds.Initiatives {
		where := recordAt{"initiative", i, in.ID}
		if in.ID <= 0 {
			return Errorf(EINVALID, "%s: id must be positive", where)
		}
		if initIDs[in.ID] {
			return Errorf(ECONFLICT, "%s: id appears twice", where)
		}
		initIDs[in.ID] = true
		if in.Version < 0 {
			return Errorf(EINVALID, "%s: version must not be negative", where)
		}
		if err := in.validate(); err != nil {
			return Errorf(EINVALID, "%s: %s", where, err.Error())
		}
	}
	defs := map[string]bool{}
	for i, d := range ds.Indicators {
		if d.Code == "" || d.Name == "" {
			return Errorf(EINVALID, "indicator %d: code and name are required", i)
		}
		if !fitsInt32(d.MinCount) {
			return Errorf(EINVALID, "indicator %d (%s): min count must be between 0 and %d", i, d.Code, math.MaxInt32)
		}
		if d.Version < 0 {
			return Errorf(EINVALID, "indicator %d (%s): version must not be negative", i, d.Code)
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
		where := valueAt{i, &ds.Values[i]}
		if err := checkValue(v.Sex, v.Value, v.Year, v.Count); err != nil {
			return Errorf(EINVALID, "%s: %s", where, err.Error())
		}
		k := key{v.AreaID, v.IndicatorCode, v.Year, v.Sex}
		if seen[k] {
			return Errorf(EINVALID, "%s: appears twice", where)
		}
		seen[k] = true
	}
	return nil
}

// recordAt names the i-th record of a dataset in an error message. It is
// formatted only when an error is made: Validate runs over every record of
// a national dataset at each start of the embedded server.
type recordAt struct {
	what string
	i    int
	id   int64
}

func (r recordAt) String() string { return fmt.Sprintf("%s %d (id %d)", r.what, r.i, r.id) }

// valueAt names the i-th indicator value of a dataset, as recordAt does.
type valueAt struct {
	i int
	v *IndicatorValue
}

func (r valueAt) String() string {
	return fmt.Sprintf("indicator value %d (%s, area %d, %d)", r.i, r.v.IndicatorCode, r.v.AreaID, r.v.Year)
}

var initiativeStatuses = []InitiativeStatus{StatusPlanned, StatusActive, StatusCompleted, StatusCancelled}

func (in *Initiative) validate() error {
	if in.Title == "" {
		return fmt.Errorf("title is required")
	}
	if !slices.Contains(initiativeStatuses, in.Status) {
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
		if n != nil && !fitsInt32(*n) {
			return fmt.Errorf("reach figures must be between 0 and %d", math.MaxInt32)
		}
	}
	return nil
}

// fitsInt32 says whether n can be a count: GraphQL's Int is 32 bits, and so
// are the columns counts are kept in.
func fitsInt32(n int) bool { return n >= 0 && n <= math.MaxInt32 }

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

// Validate checks a Within filter before a store runs it: a distance that
// is a finite number of metres, 0 or more, and a geometry with at least one
// position, every one of them in WGS 84 range, which geography needs.
// The geometry is not checked for topology: it is usually an area's own
// outline, checked when the area was stored.
func (w *Within) Validate() error {
	if math.IsNaN(w.Meters) || math.IsInf(w.Meters, 0) || w.Meters < 0 {
		return Errorf(EINVALID, "within: the distance must be a finite number of metres, 0 or more, got %g", w.Meters)
	}
	if w.Geometry == nil {
		return Errorf(EINVALID, "within: a geometry is required")
	}
	n := 0
	var bad error
	eachChain(w.Geometry, func(pts []orb.Point) {
		for _, p := range pts {
			n++
			if err := ValidatePoint(p); err != nil && bad == nil {
				bad = err
			}
		}
	})
	if bad != nil {
		return Errorf(EINVALID, "within: %s", bad.Error())
	}
	if n == 0 {
		return Errorf(EINVALID, "within: the geometry is empty")
	}
	return nil
}

// withinPad absorbs the rounding of the arc maths in Bound: about a
// centimetre, far above that rounding and far below a distance anyone
// filters by.
const withinPad = 1e-7

// Bound returns a box that holds every point within Meters of Geometry, so
// that a spatial index can pick the candidates the exact distance test then
// judges. Both stores use it, so they look at the same candidates.
//
// Edges are great-circle arcs, which bow poleward out of the box of their
// vertices (by over 400 m for an edge two degrees long at 58° N), so the
// box first takes in the latitude each arc reaches; then every corner is
// widened by the distance with geo.RadiusBound. An edge that crosses the
// antimeridian widens the box to every longitude. w must be valid.
func (w *Within) Bound() orb.Bound {
	var b orb.Bound
	empty := true
	eachChain(w.Geometry, func(pts []orb.Point) {
		for i, p := range pts {
			if empty {
				b, empty = p.Bound(), false
			}
			b = b.Extend(p)
			if i == 0 {
				continue
			}
			lo, hi := arcLatitudes(pts[i-1], p)
			b.Min[1], b.Max[1] = math.Min(b.Min[1], lo), math.Max(b.Max[1], hi)
			if math.Abs(p[0]-pts[i-1][0]) > 180 {
				b.Min[0], b.Max[0] = -180, 180
			}
		}
	})
	if empty {
		return b
	}
	b = b.Pad(withinPad)
	out := geo.RadiusBound(b.Min, w.Meters)
	for _, c := range []orb.Point{b.Max, {b.Min[0], b.Max[1]}, {b.Max[0], b.Min[1]}} {
		out = out.Union(geo.RadiusBound(c, w.Meters))
	}
	return out
}

// arcLatitudes returns the least and greatest latitude on the great-circle
// arc from a to b: its ends', unless the arc passes the northernmost or
// southernmost point of its great circle on the way.
func arcLatitudes(a, b orb.Point) (lo, hi float64) {
	lo, hi = math.Min(a[1], b[1]), math.Max(a[1], b[1])
	av, bv := unitVector(a), unitVector(b)
	n := cross(av, bv)
	l := math.Sqrt(dot(n, n))
	if l == 0 || math.IsNaN(l) {
		return lo, hi // coincident or antipodal ends: no single great circle
	}
	n = [3]float64{n[0] / l, n[1] / l, n[2] / l}
	// The great circle's northernmost point is top/h, at latitude asin(h).
	h := math.Hypot(n[0], n[1])
	if h == 0 {
		return lo, hi // the equator
	}
	top := [3]float64{-n[2] * n[0], -n[2] * n[1], h * h}
	onArc := func(v [3]float64) bool { return dot(cross(av, v), n) > 0 && dot(cross(v, bv), n) > 0 }
	peak := math.Asin(math.Min(1, h)) * 180 / math.Pi
	if onArc(top) {
		hi = math.Max(hi, peak)
	}
	if onArc([3]float64{-top[0], -top[1], -top[2]}) {
		lo = math.Min(lo, -peak)
	}
	return lo, hi
}

func unitVector(p orb.Point) [3]float64 {
	lon, lat := p[0]*math.Pi/180, p[1]*math.Pi/180
	return [3]float64{math.Cos(lat) * math.Cos(lon), math.Cos(lat) * math.Sin(lon), math.Sin(lat)}
}

func cross(a, b [3]float64) [3]float64 {
	return [3]float64{a[1]*b[2] - a[2]*b[1], a[2]*b[0] - a[0]*b[2], a[0]*b[1] - a[1]*b[0]}
}

func dot(a, b [3]float64) float64 { return a[0]*b[0] + a[1]*b[1] + a[2]*b[2] }

// eachChain calls fn with every run of connected positions in g: a point
// on its own, a line, or a ring, closed if it was not.
func eachChain(g orb.Geometry, fn func(pts []orb.Point)) {
	switch g := g.(type) {
	case orb.Point:
		fn([]orb.Point{g})
	case orb.MultiPoint:
		for _, p := range g {
			fn([]orb.Point{p})
		}
	case orb.LineString:
		fn(g)
	case orb.MultiLineString:
		for _, l := range g {
			fn(l)
		}
	case orb.Ring:
		if len(g) > 0 && g[0] != g[len(g)-1] {
			g = append(g[:len(g):len(g)], g[0])
		}
		fn(g)
	case orb.Polygon:
		for _, r := range g {
			eachChain(r, fn)
		}
	case orb.MultiPolygon:
		for _, p := range g {
			eachChain(p, fn)
		}
	case orb.Bound:
		eachChain(g.ToRing(), fn)
	case orb.Collection:
		for _, m := range g {
			eachChain(m, fn)
		}
	}
}

// Validate checks a coverage filter: at least one area, known statuses.
func (f *CoverageFilter) Validate() error {
	if len(f.AreaIDs) == 0 {
		return Errorf(EINVALID, "coverage: at least one area is required")
	}
	for _, s := range f.Statuses {
		if !slices.Contains(initiativeStatuses, s) {
			return Errorf(EINVALID, "coverage: unknown status %q", s)
		}
	}
	return nil
}

// ValidateWithin checks the Within part of a filter on records that are
// points (organisations, initiatives) or not (areas): the contract defines
// Within on locations only, so on areas it is refused rather than given a
// meaning of the store's own.
func (sp *Spatial) ValidateWithin(points bool) error {
	if sp.Within == nil {
		return nil
	}
	if !points {
		return Errorf(EINVALID, "within applies to organisations and initiatives")
	}
	return sp.Within.Validate()
}

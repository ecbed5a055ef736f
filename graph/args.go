package graph

import (
	"context"
	"maps"
	"math"
	"slices"

	"github.com/areagraph/areagraph/db"
	"github.com/areagraph/areagraph/db/outline"
	"github.com/areagraph/areagraph/geo"
	"github.com/areagraph/areagraph/graph/loader"
	"github.com/areagraph/areagraph/graph/model"
	"github.com/paulmach/orb"
)

// Limits of what one request may ask for.
const (
	// MaxFirst caps every page, so no list is unbounded. Within it the
	// complexity limit decides (limits.go): a page's items count once
	// for every field they select, so a page of a thousand outlines with
	// a few fields each is one request, and one that nests lists in its
	// items is refused by its cost. The cap does not raise what a request
	// may fetch: nested pages of 100 already reached 10,000 items, and
	// the complexity limit is what bounds every answer, in bytes and in
	// the records the store reads.
	MaxFirst = 1_000
	// MaxQueryVertices caps the vertices of a geometry given as a filter.
	MaxQueryVertices = 10_000
	// MaxRadius caps a near filter; beyond it a bbox is the better tool.
	MaxRadius = 1_000_000
)

// pageArgs are a list field's paging arguments as GraphQL hands them over,
// with the page size the field has when neither first nor last is given.
type pageArgs struct {
	first, last   *int
	after, before *string
	size          int
}

// pages gathers a list field's paging arguments, with the usual default
// page size.
func pages(first *int, after *string, last *int, before *string) pageArgs {
	return pageArgs{first: first, after: after, last: last, before: before, size: defaultPageSize}
}

// page turns the paging arguments into a store page: first or last (not
// both) counts from the start or the end of the range after and before
// leave, each a place in the list's order (model.DecodeCursor).
func page(a pageArgs) (db.Page, error) {
	p := db.Page{Limit: a.size}
	if a.first != nil && a.last != nil {
		return p, db.Errorf(db.EINVALID, "give first or last, not both")
	}
	for _, n := range []struct {
		name string
		v    *int
	}{{"first", a.first}, {"last", a.last}} {
		if n.v == nil {
			continue
		}
		if *n.v < 0 || *n.v > MaxFirst {
			return p, db.Errorf(db.EINVALID, "%s must be between 0 and %d, got %d", n.name, MaxFirst, *n.v)
		}
		p.Limit = *n.v
	}
	p.FromEnd = a.last != nil
	for _, c := range []struct {
		v   *string
		key **db.Key
	}{{a.after, &p.After}, {a.before, &p.Before}} {
		if c.v == nil {
			continue
		}
		k, err := model.DecodeCursor(*c.v)
		if err != nil {
			return p, err
		}
		*c.key = &k
	}
	return p, nil
}

// checkYears refuses a year argument (named by its key) outside the years
// an indicator value may have. Checked here, before any backend: PostGIS
// keeps years in int4 and overflowed on the year before the smallest Int,
// where the embedded store answered.
func checkYears(years map[string]*int) error {
	for _, arg := range slices.Sorted(maps.Keys(years)) {
		if y := years[arg]; y != nil && (*y < db.MinYear || *y > db.MaxYear) {
			return db.Errorf(db.EINVALID, "%s must be a year from %d to %d, got %d", arg, db.MinYear, db.MaxYear, *y)
		}
	}
	return nil
}

// checkAreaType refuses an area type outside 1 to db.MaxAreaType. The
// store keeps 0 for "none", which a client says with null or by leaving
// the field out, so a 0 given is refused, not taken for none.
func checkAreaType(arg string, t *int) error {
	if t != nil && (*t < 1 || *t > db.MaxAreaType) {
		return db.Errorf(db.EINVALID, "%s: area type %d is not in 1 to %d", arg, *t, db.MaxAreaType)
	}
	return nil
}

// checkLonLat is geo.CheckLonLat as a client's mistake, named by what.
func checkLonLat(what string, lon, lat float64) error {
	if err := geo.CheckLonLat(lon, lat); err != nil {
		return db.Errorf(db.EINVALID, "%s: %v", what, err)
	}
	return nil
}

// spatial checks and converts the location filters shared by every filter.
func spatial(bbox *model.BBox, intersects orb.Geometry, near *model.Near) (db.Spatial, error) {
	var sp db.Spatial
	if bbox != nil {
		if err := checkLonLat("bbox min", bbox.MinLon, bbox.MinLat); err != nil {
			return sp, err
		}
		if err := checkLonLat("bbox max", bbox.MaxLon, bbox.MaxLat); err != nil {
			return sp, err
		}
		if bbox.MinLon > bbox.MaxLon || bbox.MinLat > bbox.MaxLat {
			return sp, db.Errorf(db.EINVALID, "bbox: min must not exceed max (minLon %g, maxLon %g, minLat %g, maxLat %g)",
				bbox.MinLon, bbox.MaxLon, bbox.MinLat, bbox.MaxLat)
		}
		sp.BBox = &orb.Bound{Min: orb.Point{bbox.MinLon, bbox.MinLat}, Max: orb.Point{bbox.MaxLon, bbox.MaxLat}}
	}
	if intersects != nil {
		if err := geo.Validate(intersects, geo.Options{MaxVertices: MaxQueryVertices}); err != nil {
			return sp, db.Errorf(db.EINVALID, "intersects: %s", err.Error())
		}
		sp.Intersects = intersects
	}
	if near != nil {
		if err := checkLonLat("near", near.Lon, near.Lat); err != nil {
			return sp, err
		}
		if math.IsNaN(near.RadiusMeters) || near.RadiusMeters < 0 || near.RadiusMeters > MaxRadius {
			return sp, db.Errorf(db.EINVALID, "near: radiusMeters must be between 0 and %d, got %g", MaxRadius, near.RadiusMeters)
		}
		sp.Near = &db.Near{Point: orb.Point{near.Lon, near.Lat}, RadiusMeters: near.RadiusMeters}
	}
	return sp, nil
}

// MaxWithin caps a within filter: beyond it, other areas are the question.
const MaxWithin = 100_000

// within resolves "within so many metres of an area" to the area's outline.
func within(ctx context.Context, w *model.WithinArea) (*db.Within, error) {
	if w == nil {
		return nil, nil
	}
	if math.IsNaN(w.Meters) || w.Meters < 0 || w.Meters > MaxWithin {
		return nil, db.Errorf(db.EINVALID, "within: meters must be between 0 and %d, got %g", MaxWithin, w.Meters)
	}
	id, err := db.ParseGlobalIDOf(db.TypeArea, w.Area)
	if err != nil {
		return nil, err
	}
	a, err := loader.For(ctx).Area(ctx, id)
	if err != nil {
		return nil, err
	}
	if a == nil {
		return nil, db.Errorf(db.ENOTFOUND, "within: no area with id %q", w.Area)
	}
	return &db.Within{Geometry: a.Geometry, Meters: w.Meters}, nil
}

// ids parses global ids of one type.
func ids(typ string, gids []string) ([]int64, error) {
	var out []int64
	for _, g := range gids {
		id, err := db.ParseGlobalIDOf(typ, g)
		if err != nil {
			return nil, err
		}
		out = append(out, id)
	}
	return out, nil
}

// orgIDs parses ids of employers and associations alike.
func orgIDs(gids []string) ([]int64, error) {
	var out []int64
	for _, g := range gids {
		typ, id, err := db.ParseGlobalID(g)
		if err != nil {
			return nil, err
		}
		if typ != db.TypeEmployer && typ != db.TypeAssociation {
			return nil, db.Errorf(db.EINVALID, "id %q is not an Employer or Association id", g)
		}
		out = append(out, id)
	}
	return out, nil
}

// changesFirst is the size of a page of the change feed: 1 to
// db.MaxChanges, defaultChanges when not given.
func changesFirst(first *int) (int, error) {
	if first == nil {
		return defaultChanges, nil
	}
	if *first < 1 || *first > db.MaxChanges {
		return 0, db.Errorf(db.EINVALID, "first must be between 1 and %d, got %d", db.MaxChanges, *first)
	}
	return *first, nil
}

// defaultChanges is the page of the change feed when first is not given.
const defaultChanges = 100

func str(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// areaFilter reads an area filter, its day today when it names none (see
// Resolver.validAt): a question about areas is answered for a day.
func (r *Resolver) areaFilter(f *model.AreaFilter) (db.AreaFilter, error) {
	var out db.AreaFilter
	if f == nil {
		var err error
		out.ValidOn, err = r.validAt("validAt", nil)
		return out, err
	}
	on, err := r.validAt("validAt", f.ValidAt)
	if err != nil {
		return out, err
	}
	sp, err := spatial(f.Bbox, f.Intersects, f.Near)
	if err != nil {
		return out, err
	}
	for _, t := range f.AreaTypes {
		if err := checkAreaType("areaTypes", &t); err != nil {
			return out, err
		}
	}
	out = db.AreaFilter{Kinds: f.Kinds, Codes: f.Codes, AreaTypes: f.AreaTypes, NameContains: str(f.NameContains),
		ValidOn: on, Spatial: sp}
	if f.Parent != nil {
		id, err := db.ParseGlobalIDOf(db.TypeArea, *f.Parent)
		if err != nil {
			return out, err
		}
		out.ParentIDs = []int64{id}
	}
	return out, nil
}

// place reads where a filter of records placed in areas looks: its
// spatial bounds, the area it lies within and the areas it names.
func place(ctx context.Context, bbox *model.BBox, intersects orb.Geometry, near *model.Near, w *model.WithinArea, areaGIDs []string) (db.Spatial, []int64, error) {
	sp, err := spatial(bbox, intersects, near)
	if err != nil {
		return sp, nil, err
	}
	if sp.Within, err = within(ctx, w); err != nil {
		return sp, nil, err
	}
	areas, err := ids(db.TypeArea, areaGIDs)
	return sp, areas, err
}

func initiativeFilter(ctx context.Context, f *model.InitiativeFilter) (db.InitiativeFilter, error) {
	var out db.InitiativeFilter
	if f == nil {
		return out, nil
	}
	sp, areas, err := place(ctx, f.Bbox, f.Intersects, f.Near, f.Within, f.Areas)
	if err != nil {
		return out, err
	}
	orgs, err := orgIDs(f.Organizations)
	if err != nil {
		return out, err
	}
	return db.InitiativeFilter{
		Statuses: f.Statuses, GoalAreas: f.GoalAreas, FocusGroups: f.FocusGroups, Themes: f.Themes,
		AreaIDs: areas, OrganizationIDs: orgs, TitleContains: str(f.TitleContains), Spatial: sp,
	}, nil
}

func orgFilter(ctx context.Context, f *model.OrganizationFilter, kinds ...db.OrgKind) (db.OrganizationFilter, error) {
	out := db.OrganizationFilter{Kinds: kinds}
	if f == nil {
		return out, nil
	}
	sp, areas, err := place(ctx, f.Bbox, f.Intersects, f.Near, f.Within, f.Areas)
	if err != nil {
		return out, err
	}
	out.AreaIDs, out.NameContains, out.Spatial = areas, str(f.NameContains), sp
	return out, nil
}

// MaxSimplify caps a simplification tolerance: beyond 100 km nothing of a
// city is left to draw.
const MaxSimplify = 100_000

// areaGeometry shapes an outline for the zoom a client draws at.
//
// A simplified outline comes from outlines, simplified with the other
// areas of its kind and period so that neighbours keep their common
// border (db/outline). The outline as stored comes as its GeoJSON text,
// rounded and written once and kept in texts (outline.Texts): the same
// text the geometry would be written as, at a copy's cost.
func areaGeometry(ctx context.Context, outlines *outline.Cache, texts *outline.Texts, a *db.Area, zoom, simplifyMeters *float64, precision *int) (orb.Geometry, error) {
	if zoom != nil && simplifyMeters != nil {
		return nil, db.Errorf(db.EINVALID, "geometry: give zoom or simplifyMeters, not both")
	}
	if zoom != nil && (math.IsNaN(*zoom) || *zoom < 0 || *zoom > 22) {
		return nil, db.Errorf(db.EINVALID, "geometry: zoom must be between 0 and 22, got %g", *zoom)
	}
	if simplifyMeters != nil && (math.IsNaN(*simplifyMeters) || *simplifyMeters < 0 || *simplifyMeters > MaxSimplify) {
		return nil, db.Errorf(db.EINVALID, "geometry: simplifyMeters must be between 0 and %d, got %g", MaxSimplify, *simplifyMeters)
	}
	d, err := model.Decimals("geometry", precision)
	if err != nil {
		return nil, err
	}
	asStored := zoom == nil && (simplifyMeters == nil || *simplifyMeters == 0)
	if asStored && a.Geometry == nil && loader.OutlineOmitted(ctx, a) {
		// Read without its outline (areaOmit): its text as kept, else
		// the area read again, with the others the cache did not hold.
		if text, ok := texts.Cached(a, d); ok {
			return model.Encoded(nil, text), nil
		}
		whole, err := loader.For(ctx).WithOutline(ctx, a)
		if err != nil || whole == nil {
			return nil, err
		}
		a = whole
	}
	g := a.Geometry
	switch {
	case g == nil:
		return nil, nil
	case asStored:
		if text, ok := texts.GeoJSON(a, d); ok {
			return model.Encoded(g, text), nil
		}
	case zoom != nil:
		// One pixel at the border's latitude: what the map cannot show.
		g, err = outlines.Zoom(ctx, a, *zoom)
	case simplifyMeters != nil && *simplifyMeters > 0:
		g, err = outlines.Meters(ctx, a, *simplifyMeters)
	}
	if err != nil {
		return nil, err
	}
	return model.Rounded("geometry", g, precision)
}

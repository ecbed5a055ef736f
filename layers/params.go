package layers

import (
	"maps"
	"math"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/areagraph/areagraph/db"
	"github.com/areagraph/areagraph/geo"
	"github.com/paulmach/orb"
)

// Limits of one request. Messages name them, so clients can correct a
// request without reading the source.
const (
	// DefaultLimit is the page size of a FeatureCollection when limit is
	// not given: every priority area or district of a city, and the
	// initiatives of a town, in one request.
	DefaultLimit = 1000
	// MaxLimit caps a FeatureCollection page and the features of one tile,
	// so no response is unbounded.
	MaxLimit = 10_000
	// MaxRadius caps near, as in the GraphQL API.
	MaxRadius = 1_000_000
	// MaxZoom is the deepest tile served.
	MaxZoom = 22
	// DefaultPrecision keeps six decimals, about 0.1 m, finer than any
	// boundary is drawn.
	DefaultPrecision = 6
	// MaxPrecision is beyond what a float64 degree carries anyway.
	MaxPrecision = 15
	// MaxSimplify caps simplify; a tolerance wider than a municipality
	// would leave nothing to draw.
	MaxSimplify = 100_000
)

// source is the kind of record a layer shows.
type source int

const (
	fromAreas source = iota
	fromInitiatives
	fromEmployers
	fromAssociations
)

// nodeType is the type of the records of a source, as global ids name it.
func (s source) nodeType() string {
	switch s {
	case fromInitiatives:
		return db.TypeInitiative
	case fromEmployers:
		return db.OrgEmployer.NodeType()
	case fromAssociations:
		return db.OrgAssociation.NodeType()
	}
	return db.TypeArea
}

// layer is one of the layers served.
type layer struct {
	name        string
	source      source
	kinds       []db.AreaKind // the fixed kind of a shortcut; nil lets kind= choose
	description string
	// minZoom is the shallowest zoom the layer has tiles for, as its
	// TileJSON says; a tile above it (a lower zoom) is empty. Statistical
	// areas start at zoom 6, where a pixel is about 1.3 km at Borås'
	// latitude: further out a tile would hold thousands of areas, most
	// of them smaller than a pixel, for a map that cannot show them.
	minZoom int
}

// statisticalMinZoom is the statistical areas' layer's minZoom.
const statisticalMinZoom = 6

var layerList = []*layer{
	{"areas", fromAreas, nil, "Areas of every kind: the municipality, its districts, priority areas and statistical areas", 0},
	{"municipalities", fromAreas, []db.AreaKind{db.KindMunicipality}, "Municipalities", 0},
	{"districts", fromAreas, []db.AreaKind{db.KindDistrict}, "Districts of the municipality", 0},
	{"priority-areas", fromAreas, []db.AreaKind{db.KindPriorityArea}, "Priority areas of the programme, with their area type (1 = largest socio-economic challenges)", 0},
	{"statistical-areas", fromAreas, []db.AreaKind{db.KindStatisticalArea}, "Statistical areas (such as DeSO)", statisticalMinZoom},
	{"initiatives", fromInitiatives, nil, "Initiatives at their locations; one with several locations is a MultiPoint", 0},
	{"employers", fromEmployers, nil, "Employers at their locations", 0},
	{"associations", fromAssociations, nil, "Associations at their locations", 0},
}

func layerNames() string {
	names := make([]string, len(layerList))
	for i, l := range layerList {
		names[i] = l.name
	}
	return strings.Join(names, ", ")
}

func findLayer(name string) (*layer, error) {
	for _, l := range layerList {
		if l.name == name {
			return l, nil
		}
	}
	return nil, invalid("unknown layer %q; want one of %s", name, layerNames())
}

// output is what a request asks for; some parameters only make sense for
// one of them.
type output int

const (
	outFeatures output = iota
	outTile
	outTileJSON
	// outQuery is a Query of another front door, which reads the box,
	// paging and output parameters itself.
	outQuery
)

// request is a parsed, checked layer request. Area codes given where an
// area is expected still need a store look-up (see resolveAreaRefs).
type request struct {
	layer *layer
	// The filter of the layer's source; its Spatial part is left empty
	// and spatial applies, since a tile narrows it to the tile's box.
	area     db.AreaFilter
	init     db.InitiativeFilter
	org      db.OrganizationFilter
	spatial  db.Spatial
	areaRefs areaRefs

	indicator string
	year      int

	page      db.Page
	precision int
	// tolerance is the simplification tolerance in metres; zoom, when
	// not -1, asks for the tolerance that suits that zoom instead.
	tolerance float64
	zoom      int

	// locationsOnly asks fetch for the ids and locations of point
	// records and nothing else: all a tile of clusters needs, at a
	// fraction of the cost of their properties.
	locationsOnly bool
	// withoutOutlines asks fetch for areas without their outlines
	// (db.PartGeometry): a tile takes them
	// simplified from the outline cache, and the store need not copy
	// or ship them at full resolution.
	withoutOutlines bool
}

// areaRefs are areas named in a filter, by global id or by code.
type areaRefs struct {
	param string // the parameter that named them, for messages
	ids   []int64
	codes []string
}

// Statuses and goal areas, in the order messages list them.
var (
	statuses  = []db.InitiativeStatus{db.StatusPlanned, db.StatusActive, db.StatusCompleted, db.StatusCancelled}
	goalAreas = []db.GoalArea{db.GoalGoodStart, db.GoalHousingLocal, db.GoalConditionsForWork}
)

// parameters lists what each layer and output accepts, so that a misspelt
// parameter is an error rather than a filter silently ignored.
func parameters(l *layer, out output) []string {
	ps := []string{"bbox", "near"}
	if out == outQuery {
		ps = []string{"near"}
	}
	if out == outFeatures {
		ps = append(ps, "limit", "offset", "after", "precision")
	}
	switch l.source {
	case fromAreas:
		ps = append(ps, "code", "parent", "areaType", "name", "indicator", "year")
		// Another front door (OGC API) reads datetime itself, instants
		// and intervals, and filters by the same rule (db.InPeriod).
		if out != outQuery {
			ps = append(ps, "datetime")
		}
		if l.kinds == nil {
			ps = append(ps, "kind")
		}
		if out == outFeatures || out == outQuery {
			ps = append(ps, "zoom", "simplify")
		}
	case fromInitiatives:
		ps = append(ps, "status", "focusGroup", "theme", "goalArea", "area", "organization", "title")
	default:
		ps = append(ps, "area", "name")
	}
	return ps
}

// parseRequest checks the query of a request for layer l; today is the
// day areas are shown for when the request names none. Parameters named
// in own are the caller's: taken, but not read here.
func parseRequest(l *layer, q url.Values, out output, today time.Time, own ...string) (*request, error) {
	known := append(parameters(l, out), own...)
	// Sorted, so that of several unknown parameters the same one is named
	// every time.
	for _, name := range slices.Sorted(maps.Keys(q)) {
		// A leading underscore is the usual cache-buster (jQuery's _=…);
		// it is no filter, and refusing it would break such clients.
		if strings.HasPrefix(name, "_") || slices.Contains(known, name) {
			continue
		}
		if name == "kind" && l.source == fromAreas {
			return nil, invalid("kind is fixed by the layer %s; use the layer areas to choose kinds", l.name)
		}
		slices.Sort(known)
		return nil, invalid("unknown parameter %q for the layer %s; it takes %s", name, l.name, strings.Join(known, ", "))
	}
	// Text reaches the store's filters (name, codes): a NUL or bytes that
	// are not UTF-8 are refused here, as GraphQL refuses them, so both
	// backends answer alike (PostgreSQL cannot take a NUL in text).
	for _, name := range slices.Sorted(maps.Keys(q)) {
		if slices.Contains(own, name) {
			continue
		}
		for _, v := range q[name] {
			if strings.ContainsRune(v, 0) || !utf8.ValidString(v) {
				return nil, invalid("%s has a NUL character or bytes that are not UTF-8", name)
			}
		}
	}
	p := params(q)
	req := &request{layer: l, zoom: -1, precision: DefaultPrecision, page: db.Page{Limit: DefaultLimit}}
	var err error
	if out != outQuery {
		if req.spatial, err = p.spatial(); err != nil {
			return nil, err
		}
	} else if req.spatial.Near, err = p.near(); err != nil {
		return nil, err
	}
	if out == outFeatures {
		if req.page, err = p.page(); err != nil {
			return nil, err
		}
		if v, ok, err := p.integer("precision", 0, MaxPrecision); err != nil {
			return nil, err
		} else if ok {
			req.precision = v
		}
	}
	switch l.source {
	case fromAreas:
		err = p.areaFilter(req, out, today)
	case fromInitiatives:
		err = p.initiativeFilter(req)
	case fromEmployers:
		err = p.orgFilter(req, db.OrgEmployer)
	case fromAssociations:
		err = p.orgFilter(req, db.OrgAssociation)
	}
	if err != nil {
		return nil, err
	}
	return req, nil
}

// params reads query parameters with the checks every one of them shares.
type params url.Values

func invalid(format string, args ...any) error {
	return db.Errorf(db.EINVALID, format, args...)
}

// one returns the single value of a parameter; a parameter given twice
// is an error, since which one wins would be a guess.
func (p params) one(name string) (string, bool, error) {
	vs := p[name]
	switch len(vs) {
	case 0:
		return "", false, nil
	case 1:
		return vs[0], true, nil
	}
	return "", false, invalid("%s is given %d times; give it once", name, len(vs))
}

// list returns the values of a parameter that may repeat or hold a
// comma-separated list, or both.
func (p params) list(name string) []string {
	var out []string
	for _, v := range p[name] {
		for s := range strings.SplitSeq(v, ",") {
			if s = strings.TrimSpace(s); s != "" {
				out = append(out, s)
			}
		}
	}
	return out
}

func (p params) integer(name string, lo, hi int) (int, bool, error) {
	s, ok, err := p.one(name)
	if err != nil || !ok {
		return 0, false, err
	}
	v, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil {
		return 0, false, invalid("%s: want an integer, got %q", name, s)
	}
	if v < lo || v > hi {
		return 0, false, invalid("%s must be between %d and %d, got %d", name, lo, hi, v)
	}
	return v, true, nil
}

// numbers parses a comma-separated list of n numbers.
func (p params) numbers(name, want string, n int) ([]float64, bool, error) {
	s, ok, err := p.one(name)
	if err != nil || !ok {
		return nil, false, err
	}
	parts := strings.Split(s, ",")
	if len(parts) != n {
		return nil, false, invalid("%s: want %s, got %q", name, want, s)
	}
	out := make([]float64, n)
	for i, part := range parts {
		v, err := strconv.ParseFloat(strings.TrimSpace(part), 64)
		if err != nil || math.IsInf(v, 0) {
			return nil, false, invalid("%s: want %s, got %q", name, want, s)
		}
		out[i] = v
	}
	return out, true, nil
}

// checkLonLat and the messages below match the GraphQL API's, so a client
// reads the same words whichever door it came through: the range check is
// geo.CheckLonLat for both.
func checkLonLat(what string, lon, lat float64) error {
	if err := geo.CheckLonLat(lon, lat); err != nil {
		return invalid("%s: %v", what, err)
	}
	return nil
}

func (p params) spatial() (db.Spatial, error) {
	var sp db.Spatial
	b, ok, err := p.numbers("bbox", "minLon,minLat,maxLon,maxLat", 4)
	if err != nil {
		return sp, err
	}
	if ok {
		if err := checkLonLat("bbox min", b[0], b[1]); err != nil {
			return sp, err
		}
		if err := checkLonLat("bbox max", b[2], b[3]); err != nil {
			return sp, err
		}
		if b[0] > b[2] || b[1] > b[3] {
			return sp, invalid("bbox: min must not exceed max (minLon %g, maxLon %g, minLat %g, maxLat %g)", b[0], b[2], b[1], b[3])
		}
		sp.BBox = &orb.Bound{Min: orb.Point{b[0], b[1]}, Max: orb.Point{b[2], b[3]}}
	}
	sp.Near, err = p.near()
	return sp, err
}

func (p params) near() (*db.Near, error) {
	n, ok, err := p.numbers("near", "lon,lat,radiusMeters", 3)
	if err != nil || !ok {
		return nil, err
	}
	if err := checkLonLat("near", n[0], n[1]); err != nil {
		return nil, err
	}
	if math.IsNaN(n[2]) || n[2] < 0 || n[2] > MaxRadius {
		return nil, invalid("near: radiusMeters must be between 0 and %d, got %g", MaxRadius, n[2])
	}
	return &db.Near{Point: orb.Point{n[0], n[1]}, RadiusMeters: n[2]}, nil
}

func (p params) page() (db.Page, error) {
	pg := db.Page{Limit: DefaultLimit}
	if v, ok, err := p.integer("limit", 0, MaxLimit); err != nil {
		return pg, err
	} else if ok {
		pg.Limit = v
	}
	if v, ok, err := p.integer("offset", 0, math.MaxInt32); err != nil {
		return pg, err
	} else if ok {
		pg.Offset = v
	}
	// after= is the cursor a next link carries: the page starts after that
	// place in the layer's order. offset= still reads a position, for
	// clients that count pages themselves.
	s, ok, err := p.one("after")
	if err != nil || !ok {
		return pg, err
	}
	if _, hasOffset := p["offset"]; hasOffset {
		return pg, invalid("give offset or after, not both: after continues from a next link, offset counts from the start")
	}
	k, err := db.ParseCursor(s)
	if err != nil {
		return pg, invalid("after: %s", db.ErrorMessage(err))
	}
	pg.After = &k
	return pg, nil
}

// enums parses a list parameter of enum values. Case and dashes are
// forgiven (priority-area for PRIORITY_AREA): they are how the values are
// typed into an address bar.
func enums[T ~string](p params, name string, all []T) ([]T, error) {
	var out []T
	for _, s := range p.list(name) {
		v := T(strings.ToUpper(strings.ReplaceAll(s, "-", "_")))
		if !slices.Contains(all, v) {
			want := make([]string, len(all))
			for i, a := range all {
				want[i] = string(a)
			}
			return nil, invalid("%s: unknown value %q; want one of %s", name, s, strings.Join(want, ", "))
		}
		if !slices.Contains(out, v) {
			out = append(out, v)
		}
	}
	return out, nil
}

// areaRefs reads areas given by global id ("Area:13") or by code
// ("1490-P01"); codes hold no colon, ids always do.
func (p params) areaRefs(name string) (areaRefs, error) {
	refs := areaRefs{param: name}
	for _, s := range p.list(name) {
		if !strings.Contains(s, ":") {
			refs.codes = append(refs.codes, s)
			continue
		}
		id, err := db.ParseGlobalIDOf(db.TypeArea, s)
		if err != nil {
			return refs, invalid("%s: %s", name, db.ErrorMessage(err))
		}
		refs.ids = append(refs.ids, id)
	}
	return refs, nil
}

// datetime reads the OGC API parameter of that name (OGC API – Features
// Part 1, 7.15.4) as the day areas are shown for: an instant, a date
// (2024-06-30) or an RFC 3339 date-time whose date in UTC is the day, as
// the OGC API door (package ogcapi) reads it. Intervals are refused: an
// area layer is a map of one day.
func (p params) datetime() (time.Time, bool, error) {
	s, ok, err := p.one("datetime")
	if err != nil || !ok {
		return time.Time{}, false, err
	}
	s = strings.TrimSpace(s)
	if strings.Contains(s, "/") {
		return time.Time{}, false, invalid("datetime: intervals are not supported; give one day, such as 2024-06-30")
	}
	d, err := time.Parse(time.DateOnly, s)
	if err != nil {
		if d, err = time.Parse(time.RFC3339Nano, s); err != nil {
			return time.Time{}, false, invalid("datetime: want a date such as 2024-06-30 or an RFC 3339 date-time, got %q", s)
		}
		d = d.UTC()
	}
	if err := db.CheckDay("datetime", d); err != nil {
		return time.Time{}, false, err
	}
	return db.Day(d), true, nil
}

func (p params) areaFilter(req *request, out output, today time.Time) error {
	f := db.AreaFilter{Kinds: req.layer.kinds, Codes: p.list("code")}
	if req.layer.kinds == nil {
		kinds, err := enums(p, "kind", db.AreaKinds)
		if err != nil {
			return err
		}
		f.Kinds = kinds
	}
	for _, s := range p.list("areaType") {
		t, err := strconv.Atoi(s)
		if err != nil || t < 1 || t > 5 {
			return invalid("areaType: %q is not an area type; want 1–5", s)
		}
		if !slices.Contains(f.AreaTypes, t) {
			f.AreaTypes = append(f.AreaTypes, t)
		}
	}
	name, _, err := p.one("name")
	if err != nil {
		return err
	}
	f.NameContains = name
	if req.areaRefs, err = p.areaRefs("parent"); err != nil {
		return err
	}
	f.ParentIDs = req.areaRefs.ids
	req.area = f

	ind, hasInd, err := p.one("indicator")
	if err != nil {
		return err
	}
	year, hasYear, err := p.integer("year", db.MinYear, db.MaxYear)
	if err != nil {
		return err
	}
	switch {
	case hasInd && strings.TrimSpace(ind) == "":
		return invalid("indicator: give an indicator code, such as unemployment")
	case hasInd && !hasYear:
		return invalid("year is required with indicator: which year's value should the areas carry?")
	case hasYear && !hasInd:
		return invalid("year is only meaningful with indicator")
	}
	req.indicator, req.year = strings.TrimSpace(ind), year

	// The day the areas are shown for: the one asked, else the day that
	// stands for the indicator's year (the areas its values are for),
	// else today. Another front door applies its own datetime, and its
	// query holds every edition.
	if out != outQuery {
		on, hasOn, err := p.datetime()
		switch {
		case err != nil:
			return err
		case hasOn:
			req.area.ValidOn = on
		case hasYear:
			req.area.ValidOn = db.YearDay(year)
		default:
			req.area.ValidOn = db.Today(today)
		}
	}

	zoom, hasZoom, err := p.integer("zoom", 0, MaxZoom)
	if err != nil {
		return err
	}
	tol, hasTol, err := p.numbers("simplify", "a tolerance in metres", 1)
	if err != nil {
		return err
	}
	switch {
	case hasZoom && hasTol:
		return invalid("give zoom or simplify, not both")
	case hasZoom:
		req.zoom = zoom
	case hasTol:
		if math.IsNaN(tol[0]) || tol[0] < 0 || tol[0] > MaxSimplify {
			return invalid("simplify must be between 0 and %d metres, got %g", MaxSimplify, tol[0])
		}
		req.tolerance = tol[0]
	}
	return nil
}

func (p params) initiativeFilter(req *request) error {
	var f db.InitiativeFilter
	var err error
	if f.Statuses, err = enums(p, "status", statuses); err != nil {
		return err
	}
	if f.FocusGroups, err = enums(p, "focusGroup", db.FocusGroups); err != nil {
		return err
	}
	if f.Themes, err = enums(p, "theme", db.Themes); err != nil {
		return err
	}
	if f.GoalAreas, err = enums(p, "goalArea", goalAreas); err != nil {
		return err
	}
	if req.areaRefs, err = p.areaRefs("area"); err != nil {
		return err
	}
	f.AreaIDs = req.areaRefs.ids
	for _, s := range p.list("organization") {
		typ, id, err := db.ParseGlobalID(s)
		if err != nil {
			return invalid("organization: %s", db.ErrorMessage(err))
		}
		if typ != db.TypeEmployer && typ != db.TypeAssociation {
			return invalid("organization: id %q is not an Employer or Association id", s)
		}
		f.OrganizationIDs = append(f.OrganizationIDs, id)
	}
	if f.TitleContains, _, err = p.one("title"); err != nil {
		return err
	}
	req.init = f
	return nil
}

func (p params) orgFilter(req *request, kind db.OrgKind) error {
	f := db.OrganizationFilter{Kinds: []db.OrgKind{kind}}
	var err error
	if req.areaRefs, err = p.areaRefs("area"); err != nil {
		return err
	}
	f.AreaIDs = req.areaRefs.ids
	if f.NameContains, _, err = p.one("name"); err != nil {
		return err
	}
	req.org = f
	return nil
}

// tileAddress parses z, x and y of a tile path; y comes with its suffix
// already cut.
func tileAddress(zs, xs, ys string) (z, x, y int, err error) {
	z, err = strconv.Atoi(zs)
	if err != nil || z < 0 || z > MaxZoom {
		return 0, 0, 0, invalid("z must be an integer between 0 and %d, got %q", MaxZoom, zs)
	}
	n := 1 << z
	x, err = strconv.Atoi(xs)
	if err != nil || x < 0 || x >= n {
		return 0, 0, 0, invalid("x must be an integer between 0 and %d at zoom %d, got %q", n-1, z, xs)
	}
	y, err = strconv.Atoi(ys)
	if err != nil || y < 0 || y >= n {
		return 0, 0, 0, invalid("y must be an integer between 0 and %d at zoom %d, got %q", n-1, z, ys)
	}
	return z, x, y, nil
}

package ogcapi

import (
	"bytes"
	"context"
	"encoding/json"
	"math"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/areagraph/areagraph/db"
	"github.com/areagraph/areagraph/geo"
	"github.com/areagraph/areagraph/internal/httpx"
	"github.com/areagraph/areagraph/layers"
	"github.com/areagraph/areagraph/ogcapi/cql2"
	"github.com/paulmach/orb"
)

// Limits of a request for items. Messages name them.
const (
	// DefaultLimit is the page size when limit is not given.
	DefaultLimit = 100
	// MaxLimit caps a page: a larger limit is served as this one, as OGC
	// API – Features asks (the next link carries on from there).
	MaxLimit = layers.MaxLimit
	// MaxScan bounds the features a filter the store cannot apply (a
	// datetime, a CQL2 filter) is checked against in one request: past it the request
	// is refused and asks for a narrower one (bbox, property filters),
	// so no request reads a whole large table.
	MaxScan = 20_000
	// scanChunk is how many features a scan reads from the store at once.
	scanChunk = 1000
	// precision is the decimals of longitudes and latitudes, about 0.1 m.
	precision = 6
)

// maxScan is MaxScan, lowered by tests.
var maxScan = MaxScan

// itemsParams are the parameters of /items that are OGC's own; every
// other is a filter of the layer.
var itemsParams = []string{"f", "limit", "offset", "after", "before", "bbox", "bbox-crs", "datetime", "crs", "filter", "filter-lang", "filter-crs"}

// itemParams are the parameters /items/{featureId} takes.
var itemParams = []string{"f", "crs", "indicator", "year"}

// itemsRequest is what OGC's own parameters ask of /items.
type itemsRequest struct {
	// page is limit with offset, or with the cursor of after or before,
	// the places next and prev links carry.
	page db.Page
	// crs is the system of the coordinates written.
	crs *crs
	// bbox is the box asked for in longitude and latitude; box, when a
	// box in SWEREF 99 TM was asked for, is that box in longitude and
	// latitude, a polygon.
	bbox *orb.Bound
	box  orb.Geometry
	// period is the datetime asked for, nil when none.
	period *period
	// filter is the CQL2 filter asked for, nil when none.
	filter *cql2.Filter
}

// one returns the value of a parameter that is given once; the same value
// given again is taken (GDAL adds the parameters of its connection URL to
// every request, links included), different values are an error.
func one(q url.Values, name string) (string, bool, error) {
	vs := q[name]
	if len(vs) == 0 {
		return "", false, nil
	}
	for _, v := range vs[1:] {
		if v != vs[0] {
			return "", false, invalid("%s is given %d times with different values; give it once", name, len(vs))
		}
	}
	return vs[0], true, nil
}

// checkText refuses a NUL or bytes that are not UTF-8 in OGC's own
// parameters, as layers does in its own.
func checkText(q url.Values, names []string) error {
	for _, name := range names {
		for _, v := range q[name] {
			if strings.ContainsRune(v, 0) || !utf8.ValidString(v) {
				return invalid("%s has a NUL character or bytes that are not UTF-8", name)
			}
		}
	}
	return nil
}

func parseItems(l *layers.Layer, q url.Values) (*itemsRequest, error) {
	if err := checkText(q, itemsParams); err != nil {
		return nil, err
	}
	p := &itemsRequest{page: db.Page{Limit: DefaultLimit}}
	var err error
	if p.crs, err = crsParam(q, "crs"); err != nil {
		return nil, err
	}
	bboxCRS, err := crsParam(q, "bbox-crs")
	if err != nil {
		return nil, err
	}
	if s, ok, err := one(q, "limit"); err != nil {
		return nil, err
	} else if ok {
		v, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || v < 1 {
			return nil, invalid("limit: want a whole number from 1 to %d, got %q", MaxLimit, s)
		}
		p.page.Limit = min(v, MaxLimit)
	}
	if s, ok, err := one(q, "offset"); err != nil {
		return nil, err
	} else if ok {
		v, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || v < 0 || v > math.MaxInt32 {
			return nil, invalid("offset: want a whole number from 0 to %d, got %q", math.MaxInt32, s)
		}
		p.page.Offset = v
	}
	if err := parseCursors(q, &p.page); err != nil {
		return nil, err
	}
	if s, ok, err := one(q, "bbox"); err != nil {
		return nil, err
	} else if ok {
		b, err := parseBBox(s)
		if err != nil {
			return nil, err
		}
		if p.bbox, p.box, err = boxToWGS84(bboxCRS, b); err != nil {
			return nil, err
		}
	} else if _, given := q["bbox-crs"]; given {
		return nil, invalid("bbox-crs is only meaningful with bbox")
	}
	if s, ok, err := one(q, "datetime"); err != nil {
		return nil, err
	} else if ok {
		pd, err := parsePeriod(s)
		if err != nil {
			return nil, err
		}
		p.period = &pd
	}
	if p.filter, err = parseFilter(l, q); err != nil {
		return nil, err
	}
	return p, nil
}

// parseCursors reads after and before, the places next and prev links
// carry (db.Key's cursors, as GraphQL's): the page starts after the one
// or ends before the other, so a walk along the links hands out every
// feature present throughout it once, whatever is written meanwhile.
// offset still counts from the start, for clients that page by count.
func parseCursors(q url.Values, pg *db.Page) error {
	given := 0
	for _, c := range []struct {
		name string
		dst  **db.Key
	}{{"after", &pg.After}, {"before", &pg.Before}} {
		s, ok, err := one(q, c.name)
		if err != nil {
			return err
		}
		if !ok {
			continue
		}
		k, err := db.ParseCursor(s)
		if err != nil {
			return invalid("%s: %s", c.name, db.ErrorMessage(err))
		}
		*c.dst = &k
		given++
	}
	if given > 0 && q.Has("offset") || given > 1 {
		return invalid("give one of offset, after and before: after and before continue from a next or prev link, offset counts from the start")
	}
	pg.FromEnd = pg.Before != nil
	return nil
}

// crsParam reads a coordinate reference system parameter; CRS84 when it
// is not given.
func crsParam(q url.Values, name string) (*crs, error) {
	s, ok, err := one(q, name)
	if err != nil || !ok {
		return crsCRS84, err
	}
	return parseCRS(name, s)
}

// parseBBox reads the four numbers of a box, lower corner then upper, in
// the axis order of its system (minLon,minLat,maxLon,maxLat in CRS84), or
// six with heights, which are dropped: the data has none.
func parseBBox(s string) (orb.Bound, error) {
	parts := strings.Split(s, ",")
	if len(parts) != 4 && len(parts) != 6 {
		return orb.Bound{}, invalid("bbox: want four numbers, the lower corner then the upper (minLon,minLat,maxLon,maxLat in CRS84), or six with heights; got %q", s)
	}
	v := make([]float64, len(parts))
	for i, part := range parts {
		f, err := strconv.ParseFloat(strings.TrimSpace(part), 64)
		if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
			return orb.Bound{}, invalid("bbox: %q is not a number", part)
		}
		v[i] = f
	}
	if len(v) == 6 {
		v = []float64{v[0], v[1], v[3], v[4]}
	}
	b := orb.Bound{Min: orb.Point{v[0], v[1]}, Max: orb.Point{v[2], v[3]}}
	if b.Min[0] > b.Max[0] || b.Min[1] > b.Max[1] {
		return orb.Bound{}, invalid("bbox: the lower corner %g,%g exceeds the upper %g,%g on an axis; a box across the antimeridian is not served, the data lies in Sweden", v[0], v[1], v[2], v[3])
	}
	return b, nil
}

// period is a datetime instant or interval; nil ends are open. every is
// the interval ../..: every edition of the areas, retired and future
// ones included.
type period struct {
	start, end *time.Time
	every      bool
}

// instant reports whether the period is one day.
func (p *period) instant() bool {
	return p.start != nil && p.end != nil && p.start.Equal(*p.end)
}

// parsePeriod reads RFC 3339 dates and times, alone or as an interval
// start/end, with .. or nothing for an open end; ../.. is every time.
func parsePeriod(s string) (period, error) {
	startS, endS, isInterval := strings.Cut(s, "/")
	if !isInterval {
		t, err := parseTime(s)
		if err != nil {
			return period{}, err
		}
		return period{start: &t, end: &t}, nil
	}
	var p period
	for _, e := range []struct {
		s   string
		dst **time.Time
	}{{startS, &p.start}, {endS, &p.end}} {
		if e.s == ".." || e.s == "" {
			continue
		}
		t, err := parseTime(e.s)
		if err != nil {
			return period{}, err
		}
		*e.dst = &t
	}
	if p.start == nil && p.end == nil {
		return period{every: true}, nil
	}
	if p.start != nil && p.end != nil && p.end.Before(*p.start) {
		return period{}, invalid("datetime: the interval ends before it starts: %q", s)
	}
	return p, nil
}

// parseTime reads a date or a date and time; the day is what counts, as
// periods are dated in days, and it must be a day questions may name.
func parseTime(s string) (time.Time, error) {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		t, err = time.Parse(time.DateOnly, s)
	}
	if err == nil {
		t = db.Day(t.UTC())
		return t, db.CheckDay("datetime", t)
	}
	return time.Time{}, invalid("datetime: %q is neither a date (2024-05-01) nor a date and time (2024-05-01T12:00:00Z), nor an interval of them (start/end, .. for an open end)", s)
}

// overlaps reports whether a feature in use from..to meets the period,
// by the rule of areas in time, db.InPeriod: days count, from is the
// first day in use, to the first day no longer in use, nil is open.
func (p *period) overlaps(from, to *time.Time) bool {
	if p.instant() {
		return db.InPeriod(from, to, *p.start)
	}
	if p.end != nil && from != nil && db.Day(*from).After(db.Day(*p.end)) {
		return false
	}
	if p.start != nil && to != nil && !db.Day(*p.start).Before(db.Day(*to)) {
		return false
	}
	return true
}

func (h *Handler) serveItems(w http.ResponseWriter, r *http.Request) {
	l, ok := h.findLayer(w, r)
	if !ok {
		return
	}
	contentType, ok := negotiate(w, r, typeGeoJSON, typeJSON)
	if !ok {
		return
	}
	q := r.URL.Query()
	p, err := parseItems(l, q)
	if err != nil {
		sendError(w, r, h.log, err)
		return
	}
	query, err := layers.ParseQuery(l.Name, q, itemsParams...)
	if err != nil {
		sendError(w, r, h.log, err)
		return
	}
	query.Spatial().BBox = p.bbox
	if p.box != nil {
		query.Spatial().Intersects = p.box
	}
	// Areas are shown as they are on a day, today unless datetime names
	// another, as the map layers and GraphQL show them; ../.. shows every
	// edition. The store picks the areas of one day itself; an interval,
	// or an initiative's run, is checked here.
	pd := p.period
	if pd == nil && !l.Points {
		today := db.Today(h.now())
		pd = &period{start: &today, end: &today}
	}
	switch {
	case pd == nil || pd.every || !l.Temporal:
		pd = nil
	case pd.instant() && !l.Points:
		query.ValidOn(*pd.start)
		pd = nil
	}
	// What the store cannot filter on is checked here, on a bounded scan.
	var keep func(*layers.Feature) bool
	if pd != nil || p.filter != nil {
		keep = func(f *layers.Feature) bool {
			return (pd == nil || pd.overlaps(f.ValidFrom, f.ValidTo)) && (p.filter == nil || p.filter.Match(record{f}))
		}
	}
	if p.filter != nil && query.Spatial().BBox == nil {
		// A filter that needs the geometry to meet a literal lets the
		// store's index pick the candidates: the literal's box holds
		// every match.
		if b, ok := p.filter.Bound(); ok {
			query.Spatial().BBox = &b
		}
	}
	// A cursor of a list nearest first marks no place in one by id, and
	// the other way round; the scan compares keys itself, so it is
	// checked here for both paths.
	if err := p.page.Check(query.Spatial().Near != nil); err != nil {
		sendError(w, r, h.log, err)
		return
	}
	var page *layers.Page
	if keep == nil {
		page, err = query.Fetch(r.Context(), h.store, p.page)
	} else {
		page, err = scan(r.Context(), h.store, query, keep, p.page)
	}
	if err != nil {
		sendError(w, r, h.log, err)
		return
	}
	// After the filter, which meets the outlines as they are.
	if err := query.SimplifyOutlines(r.Context(), h.outlines, page.Features); err != nil {
		sendError(w, r, h.log, err)
		return
	}
	body, err := featureCollection(r, p, page)
	if err != nil {
		sendError(w, r, h.log, err)
		return
	}
	w.Header().Set("Content-Crs", "<"+p.crs.uri+">")
	send(w, r, contentType, body)
}

// scan reads the features the query matches in chunks and keeps those
// keep accepts: it counts them all, for numberMatched, and returns the
// page pg asks for of them, after or before a place or from an offset.
// Each chunk starts after the last one's place, so a write during the scan
// shifts nothing. It reads at most MaxScan features: a query matching
// more in the store is refused before any is read, so a filter costs a
// bounded number of store calls and bounded memory.
//
// A page after a place could be read from that place on and stop once
// full, but numberMatched would then be lost, and QGIS and GDAL show it as
// the layer's feature count; within MaxScan, reading the whole set for an
// exact count is the better trade.
func scan(ctx context.Context, store db.Reader, query *layers.Query, keep func(*layers.Feature) bool, pg db.Page) (*layers.Page, error) {
	out := &layers.Page{Features: []layers.Feature{}}
	var after *db.Key
	for {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		chunk, err := query.Fetch(ctx, store, db.Page{After: after, Limit: scanChunk})
		if err != nil {
			return nil, err
		}
		out.Indicator = chunk.Indicator
		if chunk.Total > maxScan {
			return nil, invalid("the filter would be checked against %d features, more than the %d one request may check; narrow it with bbox or a property filter", chunk.Total, maxScan)
		}
		for i := range chunk.Features {
			f := &chunk.Features[i]
			if !keep(f) {
				continue
			}
			out.Total++
			switch {
			case pg.After != nil && !pg.After.Precedes(f.Key), pg.After == nil && pg.Before == nil && out.Total <= pg.Offset:
				out.Start++ // before the page
			case pg.Before != nil && !f.Key.Precedes(*pg.Before):
				// after the page
			case len(out.Features) < pg.Limit:
				out.Features = append(out.Features, *f)
			case pg.Before != nil:
				// The last Limit before the place: the page slides on.
				out.Features = append(out.Features[1:], *f)
				out.Start++
			}
		}
		n := len(chunk.Features)
		if n == 0 || chunk.Start+n >= chunk.Total {
			return out, nil
		}
		after = &chunk.Features[n-1].Key
	}
}

// featureCollection writes a page of features as GeoJSON with OGC's
// members: numberMatched, numberReturned, timeStamp and the links.
func featureCollection(r *http.Request, p *itemsRequest, page *layers.Page) ([]byte, error) {
	b := make([]byte, 0, 4096)
	b = append(b, `{"type":"FeatureCollection","numberMatched":`...)
	b = strconv.AppendInt(b, int64(page.Total), 10)
	b = append(b, `,"numberReturned":`...)
	b = strconv.AppendInt(b, int64(len(page.Features)), 10)
	b = append(b, `,"timeStamp":`...)
	b = appendJSON(b, time.Now().UTC().Format(time.RFC3339))
	links := []link{
		{Href: pageURL(r, ""), Rel: "self", Type: typeGeoJSON, Title: "This page"},
		{Href: httpx.BaseURL(r) + "/collections/" + r.PathValue("id"), Rel: "collection", Type: typeJSON, Title: "The collection"},
	}
	// The links mark places, not counts (db.Page): the page after the
	// last feature, the page before the first.
	if n := len(page.Features); n > 0 && page.Start+n < page.Total {
		links = append(links, link{Href: pageURL(r, "after="+page.Features[n-1].Key.Cursor()), Rel: "next", Type: typeGeoJSON, Title: "The next page"})
	}
	if len(page.Features) > 0 && page.Start > 0 {
		links = append(links, link{Href: pageURL(r, "before="+page.Features[0].Key.Cursor()), Rel: "prev", Type: typeGeoJSON, Title: "The previous page"})
	}
	b = append(b, `,"links":`...)
	b = appendJSON(b, links)
	if ind := page.Indicator; ind != nil {
		// The values come with their terms, as on the map layers, so that
		// a GIS tool's user can credit the source as its licence asks.
		b = append(b, `,"attribution":`...)
		b = appendJSON(b, layers.Credit(ind))
		b = append(b, `,"license":`...)
		b = appendJSON(b, ind.License)
	}
	b = append(b, `,"features":[`...)
	for i := range page.Features {
		if i > 0 {
			b = append(b, ',')
		}
		var err error
		if b, err = appendFeature(b, p.crs, &page.Features[i]); err != nil {
			return nil, err
		}
	}
	return append(b, "]}\n"...), nil
}

// pagingParams are what pageURL replaces in a link to another page.
var pagingParams = []string{"offset", "after", "before"}

// pageURL is this request's URL with the paging parameter place (after=…
// or before=…) in place of its own; "" keeps it as it is. The query is
// kept as the client wrote it, order and spelling, so that a client that
// adds its own parameters to every URL (GDAL does) finds them there and
// does not add them twice. A cursor is base64url: it needs no escaping.
func pageURL(r *http.Request, place string) string {
	href := httpx.BaseURL(r) + r.URL.EscapedPath()
	var parts []string
	for part := range strings.SplitSeq(r.URL.RawQuery, "&") {
		if part == "" {
			continue
		}
		key, _, _ := strings.Cut(part, "=")
		if k, err := url.QueryUnescape(key); place != "" && err == nil && slices.Contains(pagingParams, k) {
			continue
		}
		parts = append(parts, part)
	}
	if place != "" {
		parts = append(parts, place)
	}
	if len(parts) == 0 {
		return href
	}
	return href + "?" + strings.Join(parts, "&")
}

// appendFeature writes one feature as a GeoJSON Feature, its coordinates
// in c; an outline asked for simplified is simplified already
// (Query.SimplifyOutlines).
func appendFeature(b []byte, c *crs, f *layers.Feature) ([]byte, error) {
	b = append(b, `{"type":"Feature","id":`...)
	b = appendJSON(b, f.ID)
	b = append(b, `,"geometry":`...)
	if f.Geometry == nil {
		b = append(b, "null"...)
	} else {
		// Simplified in degrees, as every layer simplifies, then converted.
		g := geo.Round(c.toCRS(f.Geometry), c.decimals)
		var err error
		// AppendGeoJSON winds rings counter-clockwise, as RFC 7946 asks.
		if b, err = geo.AppendGeoJSON(b, g); err != nil {
			return nil, err
		}
	}
	b = append(b, `,"properties":{`...)
	for i, p := range f.Properties {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendJSON(b, p.Name)
		b = append(b, ':')
		b = appendJSON(b, p.Value)
	}
	return append(b, "}}"...), nil
}

// appendJSON appends v as JSON; the values written here (strings,
// numbers, string lists, links) cannot fail to encode. & stays as it is,
// so links read as written.
func appendJSON(b []byte, v any) []byte {
	buf := bytes.NewBuffer(b)
	enc := json.NewEncoder(buf)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v)
	b = buf.Bytes()
	return b[:len(b)-1] // Encode ends with a newline
}

func (h *Handler) serveItem(w http.ResponseWriter, r *http.Request) {
	l, ok := h.findLayer(w, r)
	if !ok {
		return
	}
	contentType, ok := negotiate(w, r, typeGeoJSON, typeJSON)
	if !ok {
		return
	}
	q := r.URL.Query()
	for name := range q {
		if !slices.Contains(itemParams, name) && !strings.HasPrefix(name, "_") {
			sendError(w, r, h.log, invalid("unknown parameter %q for a feature; it takes %s", name, strings.Join(itemParams, ", ")))
			return
		}
	}
	if err := checkText(q, []string{"f", "crs"}); err != nil {
		sendError(w, r, h.log, err)
		return
	}
	c, err := crsParam(q, "crs")
	if err != nil {
		sendError(w, r, h.log, err)
		return
	}
	query, err := layers.ParseQuery(l.Name, q, "f", "crs")
	if err != nil {
		sendError(w, r, h.log, err)
		return
	}
	id := r.PathValue("featureId")
	f, err := query.FetchByID(r.Context(), h.store, id)
	if err != nil {
		sendError(w, r, h.log, err)
		return
	}
	b, err := appendFeature(make([]byte, 0, 1024), c, f)
	if err != nil {
		sendError(w, r, h.log, err)
		return
	}
	base := httpx.BaseURL(r) + "/collections/" + l.Name
	b = b[:len(b)-1] // reopen the feature for its links
	b = append(b, `,"links":`...)
	b = appendJSON(b, []link{
		{Href: base + "/items/" + url.PathEscape(id), Rel: "self", Type: typeGeoJSON, Title: "This feature"},
		{Href: base, Rel: "collection", Type: typeJSON, Title: "The collection"},
	})
	w.Header().Set("Content-Crs", "<"+c.uri+">")
	send(w, r, contentType, append(b, "}\n"...))
}

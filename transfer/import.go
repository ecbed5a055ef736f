package transfer

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"iter"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/paulmach/orb"

	"github.com/areagraph/areagraph/db"
	"github.com/areagraph/areagraph/geo"
)

// An import reads its file twice. The first pass checks every record
// (parsing, property mapping, coordinate system, geometry, values) and
// stops at the first bad one with the file, the record and the reason; only
// a file that passes is read a second time, straight into the store's
// upsert, which writes all of it in one transaction or nothing. Neither
// pass holds more than one record at a time, so files of any size import in
// a small, fixed amount of memory.

// AreaMapping says where in a feature's properties each field of an area
// is, and in which coordinate system its geometry is.
type AreaMapping struct {
	CodeProp, NameProp, KindProp, ParentProp, AreaTypeProp string
	ValidFromProp, ValidToProp, DescriptionProp            string
	Kind                                                   db.AreaKind // when set, every feature's kind
	CRS                                                    string      // "auto", or a geo CRS name
}

// importAreas imports the features of the file at path as areas, in two
// passes, and returns how many it wrote and the coordinate system it read
// them in.
func ImportAreas(ctx context.Context, store db.Store, path string, m *AreaMapping, prog io.Writer) (int, string, error) {
	crs := m.CRS
	if strings.EqualFold(crs, "auto") {
		crs = ""
	}
	n, err := twoPasses(ctx, prog, store.UpsertAreas, func(p *progress, fn func(int, *db.AreaInput) bool) error {
		// The first pass settles the system; holding to it in the second
		// keeps a file that changed in between from being read in another.
		found, err := eachArea(path, m, crs, p, fn)
		crs = found
		return err
	})
	var ie *db.ItemError
	if errors.As(err, &ie) {
		return 0, "", fmt.Errorf("%s: feature %d: %s", path, ie.Item, db.ErrorMessage(err))
	}
	return n, crs, err
}

// twoPasses runs each over the whole file to check it, then again as the
// sequence upsert writes. each hands every record to fn until fn returns
// false.
func twoPasses[T any](ctx context.Context, prog io.Writer, upsert func(context.Context, iter.Seq2[*T, error]) (int, error),
	each func(p *progress, fn func(line int, v *T) bool) error) (int, error) {
	if err := each(newProgress(prog, "checking"), func(int, *T) bool { return true }); err != nil {
		return 0, err
	}
	return upsert(ctx, func(yield func(*T, error) bool) {
		if err := each(newProgress(prog, "importing"), func(_ int, v *T) bool { return yield(v, nil) }); err != nil {
			yield(nil, err)
		}
	})
}

// eachArea reads the features of the file at path one at a time, maps each
// to an area, converts its geometry to WGS 84 and checks it, and hands it
// to fn until fn returns false. crs is the file's coordinate system, or ""
// to tell it from the first feature; every later feature must be in the
// same one. It returns that system.
func eachArea(path string, m *AreaMapping, crs string, prog *progress, fn func(feature int, a *db.AreaInput) bool) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	fr, err := newFeatureReader(prog.reader(f))
	if err != nil {
		return "", fmt.Errorf("%s: %w", path, err)
	}
	// A legacy "crs" member before the features names the system for
	// files that are not RFC 7946.
	if crs == "" && fr.crs != "" {
		if crs, err = geo.ParseCRS(fr.crs); err != nil {
			return "", fmt.Errorf("%s: the file's \"crs\" member: %w; convert the file to WGS 84", path, err)
		}
	}
	detected := crs == ""
	n := 0
	defer func() { prog.done(n) }()
	for {
		feat, err := fr.next()
		if errors.Is(err, io.EOF) {
			break
		}
		n++
		if err != nil {
			return "", fmt.Errorf("%s: feature %d: %w", path, n, err)
		}
		a, err := m.area(feat)
		if err == nil {
			a.Geometry, crs, err = toWGS84(a.Geometry, crs, detected)
		}
		if err == nil {
			err = a.Check(n)
		}
		if err != nil {
			return "", fmt.Errorf("%s: feature %d: %s", path, n, messageOf(err))
		}
		prog.tick(n)
		if !fn(n, a) {
			return crs, nil
		}
	}
	if crs == "" {
		crs = geo.CRSWGS84 // an empty collection
	}
	return crs, nil
}

// messageOf is the text of err meant for the person who wrote the file.
func messageOf(err error) string {
	var e *db.Error
	if errors.As(err, &e) {
		return e.Message
	}
	return err.Error()
}

// toWGS84 converts g, in the system crs, to WGS 84 and gives it RFC 7946
// winding. With crs "" the system is told from g itself and becomes the
// file's; when it was told that way (detected), a feature that looks like
// another system is an error rather than a silent mix.
func toWGS84(g orb.Geometry, crs string, detected bool) (orb.Geometry, string, error) {
	if detected {
		this, err := geo.DetectCRS(g.Bound())
		if err != nil {
			return nil, crs, err
		}
		switch {
		case crs == "":
			crs = this
		case this != crs:
			return nil, crs, fmt.Errorf("its coordinates look like %s, but the features before it are in %s; "+
				"name the system with --crs", this, crs)
		}
	}
	out, err := geo.ToWGS84(g, crs)
	if err != nil {
		return nil, crs, err
	}
	return geo.Normalize(out), crs, nil
}

// area maps one feature to an area as m says.
func (m *AreaMapping) area(f *rawFeature) (*db.AreaInput, error) {
	if f.Type != "Feature" {
		return nil, fmt.Errorf("want an object of type \"Feature\", got %q", f.Type)
	}
	if len(f.Geometry) == 0 || string(f.Geometry) == "null" {
		return nil, errors.New("the feature has no geometry")
	}
	g, err := geo.ParseGeoJSON(f.Geometry)
	if err != nil {
		return nil, err
	}
	p := props(f.Properties)
	a := &db.AreaInput{Geometry: g, Kind: m.Kind}
	if a.Code, err = p.required(m.CodeProp, "code", "--code-prop"); err != nil {
		return nil, err
	}
	if a.Name, err = p.required(m.NameProp, "name", "--name-prop"); err != nil {
		return nil, err
	}
	if a.Kind == "" {
		kind, err := p.required(m.KindProp, "kind", "--kind-prop, or give every area one kind with --kind")
		if err != nil {
			return nil, err
		}
		a.Kind = db.AreaKind(strings.ToUpper(kind))
	}
	if a.ParentCode, _, err = p.text(m.ParentProp); err != nil {
		return nil, err
	}
	if a.AreaType, err = p.integer(m.AreaTypeProp); err != nil {
		return nil, err
	}
	if a.ValidFrom, err = p.date(m.ValidFromProp); err != nil {
		return nil, err
	}
	if a.ValidTo, err = p.date(m.ValidToProp); err != nil {
		return nil, err
	}
	if a.Description, _, err = p.text(m.DescriptionProp); err != nil {
		return nil, err
	}
	return a, nil
}

// rawFeature is one feature as it comes out of the file; its geometry is
// parsed by geo.ParseGeoJSON, its properties on demand.
type rawFeature struct {
	Type       string                     `json:"type"`
	Geometry   json.RawMessage            `json:"geometry"`
	Properties map[string]json.RawMessage `json:"properties"`
}

// props reads feature properties. Codes are often numbers in files made
// by spreadsheets, so text properties take numbers too, as written.
type props map[string]json.RawMessage

// text returns the property name as text; ok is false when the feature
// does not have it (or it is null, or no property is named).
func (p props) text(name string) (s string, ok bool, err error) {
	raw, ok := p[name]
	if name == "" || !ok || string(raw) == "null" {
		return "", false, nil
	}
	if len(raw) > 0 && raw[0] == '"' {
		if err := json.Unmarshal(raw, &s); err != nil {
			return "", false, fmt.Errorf("property %q: %w", name, err)
		}
		return s, true, nil
	}
	var num json.Number
	if err := json.Unmarshal(raw, &num); err != nil {
		return "", false, fmt.Errorf("property %q must be a string or a number, got %s", name, raw)
	}
	return num.String(), true, nil
}

func (p props) required(name, what, flagHint string) (string, error) {
	s, ok, err := p.text(name)
	switch {
	case err != nil:
		return "", err
	case name == "":
		return "", fmt.Errorf("no property holds the %s; name one with %s", what, flagHint)
	case !ok || s == "":
		return "", fmt.Errorf("property %q (the %s) is missing or empty; name another with %s", name, what, flagHint)
	}
	return s, nil
}

func (p props) integer(name string) (int, error) {
	s, ok, err := p.text(name)
	if err != nil || !ok || s == "" {
		return 0, err
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		return 0, fmt.Errorf("property %q must be a whole number, got %s", name, s)
	}
	return n, nil
}

func (p props) date(name string) (*time.Time, error) {
	s, ok, err := p.text(name)
	if err != nil || !ok || s == "" {
		return nil, err
	}
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return nil, fmt.Errorf("property %q must be a date as YYYY-MM-DD, got %q", name, s)
	}
	return &t, nil
}

// featureReader walks a GeoJSON FeatureCollection with a streaming
// decoder: members before "features" are read (and the legacy "crs"
// member noted), then each feature is decoded on its own.
type featureReader struct {
	dec *json.Decoder
	crs string // the name in a "crs" member before the features
}

func newFeatureReader(r io.Reader) (*featureReader, error) {
	fr := &featureReader{dec: json.NewDecoder(r)}
	fr.dec.UseNumber()
	if err := fr.expect(json.Delim('{'), "a GeoJSON FeatureCollection object"); err != nil {
		return nil, err
	}
	for fr.dec.More() {
		key, err := fr.key()
		if err != nil {
			return nil, err
		}
		switch key {
		case "features":
			return fr, fr.expect(json.Delim('['), `"features" to be an array`)
		case "type":
			var t string
			if err := fr.dec.Decode(&t); err != nil || t != "FeatureCollection" {
				return nil, fmt.Errorf("want a GeoJSON FeatureCollection, got type %q", t)
			}
		case "crs":
			var c struct {
				Properties struct {
					Name string `json:"name"`
				} `json:"properties"`
			}
			if err := fr.dec.Decode(&c); err != nil {
				return nil, fmt.Errorf("the \"crs\" member: %w", err)
			}
			fr.crs = c.Properties.Name
		default:
			var skip json.RawMessage
			if err := fr.dec.Decode(&skip); err != nil {
				return nil, fmt.Errorf("member %q: %w", key, err)
			}
		}
	}
	return nil, errors.New(`the FeatureCollection has no "features" array`)
}

// next returns the next feature, or io.EOF after the last.
func (fr *featureReader) next() (*rawFeature, error) {
	if !fr.dec.More() {
		// The rest of the collection is not read: nothing after the
		// features changes what they say.
		return nil, io.EOF
	}
	var f rawFeature
	if err := fr.dec.Decode(&f); err != nil {
		return nil, fmt.Errorf("not a valid feature: %w", err)
	}
	return &f, nil
}

func (fr *featureReader) expect(want json.Delim, what string) error {
	tok, err := fr.dec.Token()
	if err != nil {
		return fmt.Errorf("want %s: %w", what, err)
	}
	if tok != want {
		return fmt.Errorf("want %s, got %v", what, tok)
	}
	return nil
}

func (fr *featureReader) key() (string, error) {
	tok, err := fr.dec.Token()
	if err != nil {
		return "", fmt.Errorf("not valid JSON: %w", err)
	}
	return tok.(string), nil // inside an object the decoder yields only string keys here
}

// importValues imports the values in the CSV file at path in two passes
// and returns how many it wrote.
func ImportValues(ctx context.Context, store db.Store, path string, prog io.Writer) (int, error) {
	n, err := twoPasses(ctx, prog, store.UpsertIndicatorValues, func(p *progress, fn func(int, *db.ValueInput) bool) error {
		return eachValue(path, p, fn)
	})
	var ie *db.ItemError
	if errors.As(err, &ie) {
		// The store counts values; people look for lines, which quoted
		// fields spanning lines make differ from the count.
		line, left := 0, ie.Item
		_ = eachValue(path, newProgress(nil, ""), func(l int, _ *db.ValueInput) bool {
			line, left = l, left-1
			return left > 0
		})
		return 0, fmt.Errorf("%s:%d: %s", path, line, db.ErrorMessage(err))
	}
	return n, err
}

// valueColumns are the columns of the long format, the required first.
var valueColumns = []string{"area_code", "indicator_code", "year", "value", "sex", "count"}

// eachValue reads the CSV file at path one row at a time, parses and
// checks each, and hands it to fn with its line until fn returns false.
func eachValue(path string, prog *progress, fn func(line int, v *db.ValueInput) bool) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	r := csv.NewReader(prog.reader(f))
	r.ReuseRecord = true
	header, err := r.Read()
	if err != nil {
		return fmt.Errorf("%s: the header: %w", path, err)
	}
	col := map[string]int{}
	for i, h := range header {
		h = strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\uFEFF"))) // spreadsheets write a BOM
		if !slices.Contains(valueColumns, h) {
			return fmt.Errorf("%s:1: unknown column %q; the columns are %s", path, h, strings.Join(valueColumns, ","))
		}
		if _, dup := col[h]; dup {
			return fmt.Errorf("%s:1: column %q appears twice", path, h)
		}
		col[h] = i
	}
	for _, c := range valueColumns[:4] {
		if _, ok := col[c]; !ok {
			return fmt.Errorf("%s:1: column %q is missing; the header must name %s, and may add sex and count",
				path, c, strings.Join(valueColumns[:4], ","))
		}
	}
	n := 0
	defer func() { prog.done(n) }()
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			// csv's own errors name the line.
			return fmt.Errorf("%s: %w", path, err)
		}
		n++
		line, _ := r.FieldPos(0)
		v, err := parseValue(rec, col)
		if err == nil {
			err = v.Check(n)
		}
		if err != nil {
			return fmt.Errorf("%s:%d: %s", path, line, messageOf(err))
		}
		prog.tick(n)
		if !fn(line, v) {
			return nil
		}
	}
	return nil
}

// parseValue reads one row of the long format.
func parseValue(rec []string, col map[string]int) (*db.ValueInput, error) {
	field := func(name string) string {
		if i, ok := col[name]; ok {
			return strings.TrimSpace(rec[i])
		}
		return ""
	}
	v := &db.ValueInput{AreaCode: field("area_code"), IndicatorCode: field("indicator_code"), Sex: db.SexTotal}
	if v.AreaCode == "" || v.IndicatorCode == "" {
		return nil, errors.New("area_code and indicator_code are required")
	}
	var err error
	if v.Year, err = strconv.Atoi(field("year")); err != nil {
		return nil, fmt.Errorf("year must be a whole number, got %q", field("year"))
	}
	if v.Value, err = strconv.ParseFloat(field("value"), 64); err != nil {
		return nil, fmt.Errorf("value must be a number with a decimal point, got %q", field("value"))
	}
	if s := field("sex"); s != "" {
		v.Sex = db.Sex(strings.ToUpper(s))
	}
	if s := field("count"); s != "" {
		c, err := strconv.Atoi(s)
		if err != nil {
			return nil, fmt.Errorf("count must be a whole number or empty, got %q", s)
		}
		v.Count = &c
	}
	return v, nil
}

package transfer

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/areagraph/areagraph/db"
	"github.com/areagraph/areagraph/geo"
)

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

// rawFeature is one feature as it comes out of the file; its geometry is
// parsed by geo.ParseGeoJSON, its properties on demand.
type rawFeature struct {
	Type       string                     `json:"type"`
	Geometry   json.RawMessage            `json:"geometry"`
	Properties map[string]json.RawMessage `json:"properties"`
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

// areaProperties are an exported feature's properties, in this order.
// Every feature has all of them, null where unset, because GIS tools take
// a layer's columns from the first features they read.
type areaProperties struct {
	Code        string      `json:"code"`
	Name        string      `json:"name"`
	Kind        db.AreaKind `json:"kind"`
	AreaType    *int        `json:"areaType"`
	Parent      *string     `json:"parent"`
	ValidFrom   *string     `json:"validFrom"`
	ValidTo     *string     `json:"validTo"`
	Description string      `json:"description"`
}

// ExportAreas writes the areas f selects as a FeatureCollection, a page at
// a time.
func ExportAreas(ctx context.Context, store db.Store, f db.AreaFilter, w io.Writer) error {
	if _, err := io.WriteString(w, `{"type":"FeatureCollection","features":[`); err != nil {
		return err
	}
	codes := codeCache{store: store, codes: map[int64]string{}}
	var line bytes.Buffer
	enc := json.NewEncoder(&line)
	enc.SetEscapeHTML(false) // names and descriptions stay readable
	sep := "\n"
	err := eachAreaPage(ctx, store, f, func(page []*db.Area) error {
		for _, a := range page {
			codes.codes[a.ID] = a.Code
		}
		for _, a := range page {
			parent, err := codes.code(ctx, a.ParentID)
			if err != nil {
				return err
			}
			line.Reset()
			line.WriteString(sep + `{"type":"Feature","properties":`)
			if err := enc.Encode(areaProperties{Code: a.Code, Name: a.Name, Kind: a.Kind, AreaType: unlessZero(a.AreaType),
				Parent: unlessZero(parent), ValidFrom: dateText(a.ValidFrom), ValidTo: dateText(a.ValidTo),
				Description: a.Description}); err != nil {
				return err
			}
			line.Truncate(line.Len() - 1) // Encode's newline
			line.WriteString(`,"geometry":`)
			g, err := geo.AppendGeoJSON(line.AvailableBuffer(), a.Geometry)
			if err != nil {
				return fmt.Errorf("area %d (code %q): %w", a.ID, a.Code, err)
			}
			line.Write(g)
			line.WriteByte('}')
			if _, err := w.Write(line.Bytes()); err != nil {
				return err
			}
			sep = ",\n"
		}
		return nil
	})
	if err != nil {
		return err
	}
	_, err = io.WriteString(w, "\n]}\n")
	return err
}

// codeCache finds the codes of areas by id: those already exported, and
// parents outside the selection, fetched when first needed.
type codeCache struct {
	store db.Store
	codes map[int64]string
}

func (c *codeCache) code(ctx context.Context, id int64) (string, error) {
	if id == 0 {
		return "", nil
	}
	if code, ok := c.codes[id]; ok {
		return code, nil
	}
	got, err := c.store.AreasByID(ctx, []int64{id})
	if err != nil {
		return "", err
	}
	if got[0] == nil {
		return "", fmt.Errorf("area %d is missing", id)
	}
	c.codes[id] = got[0].Code
	return got[0].Code, nil
}

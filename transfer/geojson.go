package transfer

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"iter"

	"github.com/areagraph/areagraph/db"
	"github.com/areagraph/areagraph/geo"
	"github.com/paulmach/orb"
)

// ImportAreasGeoJSON imports the features of the GeoJSON FeatureCollection
// src as areas by by, mapped as m says, in two passes with the parent
// check (MinShareInParent) between them, and returns what it did and the
// coordinate system it read them in.
func ImportAreasGeoJSON(ctx context.Context, store AreaStore, by db.Actor, src Source, m AreaMapping, prog io.Writer) (db.ImportCounts, string, error) {
	// The first pass settles the system in m.CRS; holding to it in the
	// second keeps a file that changed in between from being read in
	// another.
	read := func(r io.Reader) iter.Seq2[*db.AreaInput, error] { return ReadAreasGeoJSON(r, src.Name, &m) }
	n, err := importAreas(ctx, store, by, src, prog, streamed(src, read), m.Force)
	var ie *db.ItemError
	if errors.As(err, &ie) {
		return db.ImportCounts{}, "", fmt.Errorf("%s: feature %d: %s", src.Name, ie.Item, db.ErrorMessage(err))
	}
	return n, m.CRS, err
}

// ReadAreasGeoJSON reads the features of the GeoJSON FeatureCollection in
// r one at a time, maps each to an area as m says, converts its geometry to
// WGS 84 and checks it, and that it lies in Sweden (checkInSwedenFrom).
// It stops at the first error, which names the file (name) and the
// feature.
//
// When m.CRS is empty, the system is told from the file: its legacy "crs"
// member, or else the first feature's coordinates, and every later feature
// must be in the same one. Once the features are read, m.CRS holds the
// system they were in, so that a second read with m holds to it.
func ReadAreasGeoJSON(r io.Reader, name string, m *AreaMapping) iter.Seq2[*db.AreaInput, error] {
	return func(yield func(*db.AreaInput, error) bool) {
		fr, err := newFeatureReader(r)
		if err != nil {
			yield(nil, fmt.Errorf("%s: %w", name, err))
			return
		}
		// A legacy "crs" member before the features names the system for
		// files that are not RFC 7946.
		crs := m.CRS
		if crs == "" && fr.crs != "" {
			if crs, err = geo.ParseCRS(fr.crs); err != nil {
				yield(nil, fmt.Errorf("%s: the file's \"crs\" member: %w; convert the file to WGS 84", name, err))
				return
			}
		}
		detected := crs == ""
		for n := 1; ; n++ {
			feat, err := fr.next()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				yield(nil, fmt.Errorf("%s: feature %d: %w", name, n, err))
				return
			}
			a, err := m.area(feat)
			var src orb.Bound
			if err == nil {
				src = a.Geometry.Bound()
				a.Geometry, crs, err = toWGS84(a.Geometry, crs, detected)
			}
			if err == nil {
				err = a.Check(n)
			}
			if err == nil {
				// After the check, which refuses coordinates that are
				// no longitude and latitude at all.
				err = checkInSwedenFrom(a.Code, src, crs, a.Geometry.Bound())
			}
			if err != nil {
				yield(nil, fmt.Errorf("%s: feature %d: %s", name, n, messageOf(err)))
				return
			}
			if !yield(a, nil) {
				m.CRS = crs
				return
			}
		}
		if crs == "" {
			crs = geo.CRSWGS84 // an empty collection
		}
		m.CRS = crs
	}
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

// ExportAreasGeoJSON writes the areas f selects as a FeatureCollection, a
// page at a time, with the properties DefaultAreaMapping names.
func ExportAreasGeoJSON(ctx context.Context, store db.AreaReader, f db.AreaFilter, w io.Writer) error {
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
	store db.AreaReader
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

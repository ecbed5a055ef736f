package transfer

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/areagraph/areagraph/db"
	"github.com/areagraph/areagraph/geo"
	"github.com/paulmach/orb"
)

// AreaMapping says where in a feature's properties each field of an area
// is, in which coordinate system its geometry is and, in a GeoPackage,
// which layer holds the features. A property named "" is not read.
type AreaMapping struct {
	CodeProp, NameProp, KindProp, ParentProp, AreaTypeProp string
	ValidFromProp, ValidToProp, DescriptionProp            string
	Kind                                                   db.AreaKind // when set, every feature's kind
	CRS                                                    string      // a geo CRS name; "" to tell it from the file
	Layer                                                  string      // a GeoPackage's layer (table); "" for its only one
	// Force lets areas through the parent check (MinShareInParent), for
	// an import meant to break it; never through the check that they lie
	// in Sweden.
	Force bool
	// Replace makes each area the file's whole truth: an optional field
	// (parent, area type, validity dates, description) a feature does not
	// carry is cleared. Without it, a stored area keeps such a field
	// (db.AreaInput.Absent), so a partial file, say a statistics office's
	// codes, names and shapes, updates those and wipes nothing else. A
	// property the feature gives as null or "" is carried, and clears the
	// field either way.
	Replace bool
}

// DefaultAreaMapping names the properties ExportAreasGeoJSON writes, so
// that an export imports again without naming any.
var DefaultAreaMapping = AreaMapping{CodeProp: "code", NameProp: "name", KindProp: "kind", ParentProp: "parent",
	AreaTypeProp: "areaType", ValidFromProp: "validFrom", ValidToProp: "validTo", DescriptionProp: "description"}

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
	return m.fields(g, props(f.Properties))
}

// fields maps one feature, its geometry g and properties p, to an area as
// m says; every format's features come through here, whatever they are
// stored as.
func (m *AreaMapping) fields(g orb.Geometry, p props) (*db.AreaInput, error) {
	a := &db.AreaInput{Geometry: g, Kind: m.Kind}
	var err error
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
	if !m.Replace {
		for _, f := range []struct {
			prop  string
			field db.AreaFields
		}{{m.ParentProp, db.FieldParent}, {m.AreaTypeProp, db.FieldAreaType}, {m.ValidFromProp, db.FieldValidFrom},
			{m.ValidToProp, db.FieldValidTo}, {m.DescriptionProp, db.FieldDescription}} {
			if !p.has(f.prop) {
				a.Absent |= f.field
			}
		}
	}
	return a, nil
}

// props reads feature properties. Codes are often numbers in files made
// by spreadsheets, so text properties take numbers too, as written.
type props map[string]json.RawMessage

// has says whether the feature carries the property name at all, null
// included; a property named "" is never carried.
func (p props) has(name string) bool {
	_, ok := p[name]
	return name != "" && ok
}

// text returns the property name as text; ok is false when the feature
// does not have it (or it is null, or no property is named).
func (p props) text(name string) (s string, ok bool, err error) {
	raw, ok := p[name]
	if name == "" || !ok || string(raw) == "null" {
		return "", false, nil
	}
	if len(raw) > 0 && raw[0] == '"' {
		// Checked before decoding: json.Unmarshal would turn bytes that
		// are not UTF-8 into U+FFFD without a word.
		if !utf8.Valid(raw) {
			return "", false, fmt.Errorf("property %q %w", name, checkText(string(raw)))
		}
		if err := json.Unmarshal(raw, &s); err != nil {
			return "", false, fmt.Errorf("property %q: %w", name, err)
		}
		if err := checkText(s); err != nil {
			return "", false, fmt.Errorf("property %q %w", name, err)
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

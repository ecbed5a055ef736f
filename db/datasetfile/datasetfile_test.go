package datasetfile_test

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/paulmach/orb"

	"github.com/areagraph/areagraph/db"
	"github.com/areagraph/areagraph/db/datasetfile"
	"github.com/areagraph/areagraph/db/demo"
	"github.com/areagraph/areagraph/db/synth"
)

// fill sets every field of the struct v points to to a value that is not
// its zero value, so a round trip shows that every field is written: a
// field added to a record type later and forgotten by the file format
// makes the comparison fail.
func fill(t *testing.T, v reflect.Value, seed int) {
	t.Helper()
	for i := range v.NumField() {
		f := v.Field(i)
		name := v.Type().Field(i).Name
		if name == "UpdatedAt" {
			// Not kept: a load stamps its records with its own time
			// (db/store.go).
			continue
		}
		if !fillValue(f, seed+i) {
			t.Fatalf("%s.%s: the test cannot fill a %s; teach fillValue the type", v.Type(), name, f.Type())
		}
	}
}

var (
	geometryType = reflect.TypeFor[orb.Geometry]()
	timeType     = reflect.TypeFor[time.Time]()
)

func fillValue(f reflect.Value, n int) bool {
	switch {
	case f.Type() == geometryType:
		f.Set(reflect.ValueOf(orb.MultiPolygon{
			{{{1, 2}, {3, 4}, {5, float64(n)}, {1, 2}}},
			{{{-1, -2}, {-3, -4}, {-5, -6}, {-1, -2}}, {{0.1, 0.2}, {0.3, 0.4}, {0.5, 0.6}, {0.1, 0.2}}},
		}))
		return true
	case f.Type() == timeType:
		f.Set(reflect.ValueOf(time.Date(2000+n, 2, 3, 4, 5, 6, 7, time.FixedZone("", 3600))))
		return true
	case f.Type() == reflect.TypeFor[orb.Point]():
		f.Set(reflect.ValueOf(orb.Point{float64(n) + 0.5, -float64(n)}))
		return true
	}
	switch f.Kind() {
	case reflect.String:
		f.SetString(fmt.Sprintf("s%d é", n))
	case reflect.Int, reflect.Int64:
		f.SetInt(int64(n + 1))
	case reflect.Float64:
		f.SetFloat(float64(n) + 0.25)
	case reflect.Bool:
		f.SetBool(true)
	case reflect.Pointer:
		p := reflect.New(f.Type().Elem())
		if !fillValue(p.Elem(), n) {
			return false
		}
		f.Set(p)
	case reflect.Slice:
		s := reflect.MakeSlice(f.Type(), 2, 2)
		for k := range 2 {
			if !fillValue(s.Index(k), n+k) {
				return false
			}
		}
		f.Set(s)
	case reflect.Struct:
		for i := range f.NumField() {
			if !fillValue(f.Field(i), n+i) {
				return false
			}
		}
	default:
		return false
	}
	return true
}

func roundTrip(t *testing.T, ds *db.Dataset) *db.Dataset {
	t.Helper()
	var buf bytes.Buffer
	if err := datasetfile.Write(&buf, ds); err != nil {
		t.Fatal(err)
	}
	got, err := datasetfile.Read(&buf)
	if err != nil {
		t.Fatal(err)
	}
	return got
}

func TestDatasetFileKeepsEveryField(t *testing.T) {
	var a db.Area
	var o db.Organization
	var in db.Initiative
	var d db.Indicator
	var v db.IndicatorValue
	fill(t, reflect.ValueOf(&a).Elem(), 1)
	fill(t, reflect.ValueOf(&o).Elem(), 100)
	fill(t, reflect.ValueOf(&in).Elem(), 200)
	fill(t, reflect.ValueOf(&d).Elem(), 300)
	fill(t, reflect.ValueOf(&v).Elem(), 400)
	ds := &db.Dataset{Areas: []*db.Area{&a}, Organizations: []*db.Organization{&o},
		Initiatives: []*db.Initiative{&in}, Indicators: []*db.Indicator{&d}, Values: []db.IndicatorValue{v}}
	if n := reflect.TypeFor[db.Dataset]().NumField(); n != 5 {
		t.Fatalf("db.Dataset has %d fields; the dataset file writes 5", n)
	}
	got := roundTrip(t, ds)
	if !reflect.DeepEqual(got, ds) {
		t.Errorf("round trip changed the records:\n got %+v\nwant %+v", got, ds)
	}
	// Every geometry kind the domain can hold, and none.
	for _, g := range []orb.Geometry{nil, orb.Point{1, 2}, orb.MultiPoint{{1, 2}, {3, 4}}, orb.LineString{{1, 2}, {3, 4}},
		orb.MultiLineString{{{1, 2}, {3, 4}}}, orb.Polygon{{{0, 0}, {1, 0}, {1, 1}, {0, 0}}},
		orb.Collection{orb.Point{5, 6}, orb.LineString{{1, 2}, {3, 4}}}} {
		a.Geometry = g
		got := roundTrip(t, &db.Dataset{Areas: []*db.Area{&a}})
		if !reflect.DeepEqual(got.Areas[0].Geometry, g) {
			t.Errorf("%T: got %v, want %v", g, got.Areas[0].Geometry, g)
		}
	}
}

// sameDataset compares through the file's bytes, since the file does not
// tell an empty slice from nil, and the areas field by field as well.
func sameDataset(t *testing.T, got, want *db.Dataset) {
	t.Helper()
	if len(got.Areas) != len(want.Areas) || len(got.Organizations) != len(want.Organizations) ||
		len(got.Initiatives) != len(want.Initiatives) || len(got.Indicators) != len(want.Indicators) ||
		len(got.Values) != len(want.Values) {
		t.Fatalf("counts differ")
	}
	var a, b bytes.Buffer
	if err := datasetfile.Write(&a, got); err != nil {
		t.Fatal(err)
	}
	if err := datasetfile.Write(&b, want); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a.Bytes(), b.Bytes()) {
		t.Fatal("the dataset read back writes other bytes")
	}
	for i := range want.Areas {
		if !reflect.DeepEqual(got.Areas[i], want.Areas[i]) {
			t.Fatalf("area %d: got %+v, want %+v", i, got.Areas[i], want.Areas[i])
		}
	}
}

func TestDatasetFileRoundTrip(t *testing.T) {
	dir := t.TempDir()
	for _, c := range []struct {
		name string
		ds   *db.Dataset
	}{
		{"demo", demo.Dataset()},
		{"synth", synth.Generate(synth.Config{Seed: 3, StatisticalAreas: 45, Initiatives: 300, Organizations: 60, Years: 2})},
		{"empty", &db.Dataset{}},
	} {
		for _, file := range []string{c.name + ".agds", c.name + ".agds.gz"} {
			path := filepath.Join(dir, file)
			if err := datasetfile.WriteFile(path, c.ds); err != nil {
				t.Fatal(err)
			}
			got, err := datasetfile.ReadFile(path)
			if err != nil {
				t.Fatalf("%s: %v", file, err)
			}
			sameDataset(t, got, c.ds)
			if err := got.Validate(); err != nil {
				t.Errorf("%s: read back, it does not validate: %v", file, err)
			}
		}
	}
}

func TestDatasetFileBroken(t *testing.T) {
	var buf bytes.Buffer
	if err := datasetfile.Write(&buf, demo.Dataset()); err != nil {
		t.Fatal(err)
	}
	whole := buf.Bytes()
	for _, cut := range []int{0, 3, 5, 100, len(whole) / 2, len(whole) - 1} {
		_, err := datasetfile.Read(bytes.NewReader(whole[:cut]))
		if err == nil {
			t.Errorf("a file cut at %d of %d bytes reads without error", cut, len(whole))
		}
		if cut > 0 && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
			t.Errorf("cut at %d: %v, want an unexpected end of file", cut, err)
		}
	}
	other := bytes.Clone(whole)
	other[4] = 99
	if _, err := datasetfile.Read(bytes.NewReader(other)); err == nil {
		t.Error("a file of another format version reads without error")
	}
	if _, err := datasetfile.Read(bytes.NewReader([]byte("{\"areas\": []}"))); err == nil {
		t.Error("JSON reads as a dataset")
	}
}

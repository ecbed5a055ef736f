// Package datasetfile reads and writes a whole db.Dataset as one compact
// binary file, which the embedded store starts from.
package datasetfile

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"strings"
	"time"

	"github.com/paulmach/orb"

	"github.com/areagraph/areagraph/db"
)

// A dataset file holds a whole db.Dataset, for the embedded store to start
// from without a database and without generating or importing anything.
//
// The format is a compact binary one rather than gob or JSON because what
// matters is how fast a server is ready: a national dataset has over a
// million vertices, and reading them must cost little more than copying
// bytes. So coordinates are raw little-endian float64s (exact, read in bulk
// per ring), integers are varints, strings carry their length, and the
// short strings that repeat thousands of times (kinds, statuses, codes of
// indicators) are interned on reading, so a loaded dataset holds each of
// them once. There is no reflection anywhere on the path.
//
// Layout: the magic "AGDS", a format version byte, then the areas,
// organisations, initiatives, indicators and values, each section a count
// followed by its records, and the magic again at the end, so that a
// truncated file is an error rather than a smaller dataset. A name ending
// in ".gz" is written gzip-compressed; reading detects compression by its
// magic bytes, whatever the name.
//
// Every field of every record is written; datasetfile_test.go fails when a
// record type gains a field the format does not know, so the version byte
// goes up with the layout.

const (
	datasetMagic   = "AGDS"
	datasetVersion = 2
)

// Geometry tags of the format.
const (
	geomNone byte = iota
	geomPoint
	geomMultiPoint
	geomLineString
	geomMultiLineString
	geomPolygon
	geomMultiPolygon
	geomCollection
)

// WriteFile writes ds to the file at path, gzip-compressed when the
// name ends in ".gz". The file is written in place; a failed write leaves
// a partial file behind and returns the error.
func WriteFile(path string, ds *db.Dataset) (err error) {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	defer func() {
		if cerr := f.Close(); err == nil {
			err = cerr
		}
	}()
	var w io.Writer = f
	if strings.HasSuffix(path, ".gz") {
		// Coordinates are near-random float64 bits, which compress little;
		// the fastest level gets most of what there is to get.
		zw, _ := gzip.NewWriterLevel(f, gzip.BestSpeed)
		defer func() {
			if cerr := zw.Close(); err == nil {
				err = cerr
			}
		}()
		w = zw
	}
	return Write(w, ds)
}

// ReadFile reads a dataset that WriteFile wrote.
func ReadFile(path string) (*db.Dataset, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	ds, err := Decode(b)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return ds, nil
}

// Write writes ds to w in the dataset file format, uncompressed.
func Write(w io.Writer, ds *db.Dataset) error {
	e := &encoder{w: bufio.NewWriterSize(w, 1<<16)}
	e.raw([]byte(datasetMagic))
	e.byte(datasetVersion)

	e.uint(uint64(len(ds.Areas)))
	for _, a := range ds.Areas {
		e.int(a.ID)
		e.string(a.Code)
		e.string(a.Name)
		e.string(string(a.Kind))
		e.int(int64(a.AreaType))
		e.int(a.ParentID)
		e.geometry(a.Geometry)
		e.time(a.ValidFrom)
		e.time(a.ValidTo)
		e.string(a.Description)
		e.int(a.Version)
	}

	e.uint(uint64(len(ds.Organizations)))
	for _, o := range ds.Organizations {
		e.int(o.ID)
		e.string(string(o.Kind))
		e.string(o.Name)
		e.string(o.OrgNumber)
		if o.Location == nil {
			e.byte(0)
		} else {
			e.byte(1)
			e.point(*o.Location)
		}
		e.string(o.Website)
		e.ids(o.AreaIDs)
		e.string(o.Industry)
		e.string(string(o.Size))
		e.string(o.Activity)
		e.int(o.Version)
	}

	e.uint(uint64(len(ds.Initiatives)))
	for _, in := range ds.Initiatives {
		e.int(in.ID)
		e.string(in.Title)
		e.string(in.Description)
		e.string(string(in.Status))
		e.time(in.StartDate)
		e.time(in.EndDate)
		e.string(string(in.GoalArea))
		e.strings(len(in.FocusGroups), func(i int) string { return string(in.FocusGroups[i]) })
		e.strings(len(in.Themes), func(i int) string { return string(in.Themes[i]) })
		e.ids(in.AreaIDs)
		e.points(in.Locations)
		e.int(in.LeadID)
		e.uint(uint64(len(in.Partners)))
		for _, p := range in.Partners {
			e.int(p.OrganizationID)
			e.string(string(p.Role))
		}
		e.optInt(in.Reach.Participants)
		e.optInt(in.Reach.IntoWork)
		e.optInt(in.Reach.IntoStudy)
		e.int(in.Version)
	}

	e.uint(uint64(len(ds.Indicators)))
	for _, d := range ds.Indicators {
		e.string(d.Code)
		e.string(d.Name)
		e.string(d.NameSv)
		e.string(d.Description)
		e.string(d.Unit)
		e.bool(d.HigherIsBetter)
		e.string(d.Source)
		e.string(d.License)
		e.string(d.Attribution)
		e.int(int64(d.MinCount))
		e.string(string(d.Rollup))
		e.string(d.WeightIndicator)
		e.int(d.Version)
	}

	e.uint(uint64(len(ds.Values)))
	for _, v := range ds.Values {
		e.int(v.AreaID)
		e.string(v.IndicatorCode)
		e.int(int64(v.Year))
		e.string(string(v.Sex))
		e.float(v.Value)
		e.optInt(v.Count)
	}

	e.raw([]byte(datasetMagic))
	if e.err != nil {
		return e.err
	}
	return e.w.Flush()
}

// Read reads a dataset in the dataset file format from r, gzip'd or
// not.
func Read(r io.Reader) (*db.Dataset, error) {
	b, err := io.ReadAll(r)
	if err != nil {
		return nil, err
	}
	return Decode(b)
}

// Decode decodes a dataset file held in b, gzip'd or not. Nothing
// of the result refers to b.
func Decode(b []byte) (*db.Dataset, error) {
	if len(b) >= 2 && b[0] == 0x1f && b[1] == 0x8b {
		zr, err := gzip.NewReader(bytes.NewReader(b))
		if err != nil {
			return nil, err
		}
		if b, err = io.ReadAll(zr); err != nil {
			return nil, err
		}
	}
	d := &decoder{b: b, interned: map[string]string{}}
	d.magic()
	if v := d.byte(); d.err == nil && v != datasetVersion {
		return nil, fmt.Errorf("dataset file format version %d, this build reads version %d", v, datasetVersion)
	}
	ds := &db.Dataset{}

	ds.Areas = make([]*db.Area, d.count())
	// One allocation for all the records of a section: fewer objects for
	// the collector to trace, and the records lie together in memory.
	areas := make([]db.Area, len(ds.Areas))
	for i := range ds.Areas {
		a := &areas[i]
		a.ID = d.int()
		a.Code = d.string()
		a.Name = d.string()
		a.Kind = db.AreaKind(d.short())
		a.AreaType = int(d.int())
		a.ParentID = d.int()
		a.Geometry = d.geometry(0)
		a.ValidFrom = d.time()
		a.ValidTo = d.time()
		a.Description = d.short()
		a.Version = d.int()
		ds.Areas[i] = a
	}

	ds.Organizations = make([]*db.Organization, d.count())
	orgs := make([]db.Organization, len(ds.Organizations))
	for i := range ds.Organizations {
		o := &orgs[i]
		o.ID = d.int()
		o.Kind = db.OrgKind(d.short())
		o.Name = d.string()
		o.OrgNumber = d.string()
		if d.byte() != 0 {
			p := d.point()
			o.Location = &p
		}
		o.Website = d.string()
		o.AreaIDs = d.ids()
		o.Industry = d.short()
		o.Size = db.EmployerSize(d.short())
		o.Activity = d.short()
		o.Version = d.int()
		ds.Organizations[i] = o
	}

	ds.Initiatives = make([]*db.Initiative, d.count())
	inits := make([]db.Initiative, len(ds.Initiatives))
	for i := range ds.Initiatives {
		in := &inits[i]
		in.ID = d.int()
		in.Title = d.string()
		in.Description = d.string()
		in.Status = db.InitiativeStatus(d.short())
		in.StartDate = d.time()
		in.EndDate = d.time()
		in.GoalArea = db.GoalArea(d.short())
		if n := d.count(); n > 0 {
			in.FocusGroups = make([]db.FocusGroup, n)
			for k := range in.FocusGroups {
				in.FocusGroups[k] = db.FocusGroup(d.short())
			}
		}
		if n := d.count(); n > 0 {
			in.Themes = make([]db.Theme, n)
			for k := range in.Themes {
				in.Themes[k] = db.Theme(d.short())
			}
		}
		in.AreaIDs = d.ids()
		in.Locations = d.points()
		in.LeadID = d.int()
		if n := d.count(); n > 0 {
			in.Partners = make([]db.Partner, n)
			for k := range in.Partners {
				in.Partners[k] = db.Partner{OrganizationID: d.int(), Role: db.PartnerRole(d.short())}
			}
		}
		in.Reach.Participants = d.optInt()
		in.Reach.IntoWork = d.optInt()
		in.Reach.IntoStudy = d.optInt()
		in.Version = d.int()
		ds.Initiatives[i] = in
	}

	ds.Indicators = make([]*db.Indicator, d.count())
	for i := range ds.Indicators {
		ds.Indicators[i] = &db.Indicator{
			Code: d.short(), Name: d.string(), NameSv: d.string(), Description: d.string(), Unit: d.short(),
			HigherIsBetter: d.bool(), Source: d.short(), License: d.short(), Attribution: d.short(),
			MinCount: int(d.int()), Rollup: db.Rollup(d.short()), WeightIndicator: d.short(), Version: d.int(),
		}
	}

	ds.Values = make([]db.IndicatorValue, d.count())
	for i := range ds.Values {
		v := &ds.Values[i]
		v.AreaID = d.int()
		v.IndicatorCode = d.short()
		v.Year = int(d.int())
		v.Sex = db.Sex(d.short())
		v.Value = d.float()
		v.Count = d.optInt()
	}

	d.magic()
	if d.err == nil && len(d.b) > 0 {
		d.fail(errors.New("data after the end of the dataset"))
	}
	if d.err != nil {
		return nil, fmt.Errorf("reading dataset: %w", d.err)
	}
	return ds, nil
}

type encoder struct {
	w   *bufio.Writer
	buf [binary.MaxVarintLen64]byte
	err error
}

func (e *encoder) raw(b []byte) {
	if e.err == nil {
		_, e.err = e.w.Write(b)
	}
}

func (e *encoder) byte(b byte) {
	if e.err == nil {
		e.err = e.w.WriteByte(b)
	}
}

func (e *encoder) uint(v uint64) { e.raw(binary.AppendUvarint(e.buf[:0], v)) }
func (e *encoder) int(v int64)   { e.raw(binary.AppendVarint(e.buf[:0], v)) }

func (e *encoder) bool(v bool) {
	if v {
		e.byte(1)
	} else {
		e.byte(0)
	}
}

func (e *encoder) float(v float64) {
	e.raw(binary.LittleEndian.AppendUint64(e.buf[:0], math.Float64bits(v)))
}

func (e *encoder) string(s string) {
	e.uint(uint64(len(s)))
	if e.err == nil {
		_, e.err = e.w.WriteString(s)
	}
}

func (e *encoder) strings(n int, at func(int) string) {
	e.uint(uint64(n))
	for i := range n {
		e.string(at(i))
	}
}

func (e *encoder) ids(ids []int64) {
	e.uint(uint64(len(ids)))
	for _, id := range ids {
		e.int(id)
	}
}

func (e *encoder) optInt(v *int) {
	if v == nil {
		e.byte(0)
		return
	}
	e.byte(1)
	e.int(int64(*v))
}

// time writes a time with its zone offset (time.Time.MarshalBinary), so
// that it reads back equal; nil is a zero length.
func (e *encoder) time(t *time.Time) {
	if t == nil {
		e.uint(0)
		return
	}
	b, err := t.MarshalBinary()
	if err != nil {
		if e.err == nil {
			e.err = err
		}
		return
	}
	e.uint(uint64(len(b)))
	e.raw(b)
}

func (e *encoder) point(p orb.Point) {
	e.float(p[0])
	e.float(p[1])
}

func (e *encoder) points(ps []orb.Point) {
	e.uint(uint64(len(ps)))
	for _, p := range ps {
		e.point(p)
	}
}

// geometry writes a tag, then the geometry's parts. A nil slice and an
// empty one read back alike, as empty; orb gives them no different
// meaning.
func (e *encoder) geometry(g orb.Geometry) {
	switch g := g.(type) {
	case nil:
		e.byte(geomNone)
	case orb.Point:
		e.byte(geomPoint)
		e.point(g)
	case orb.MultiPoint:
		e.byte(geomMultiPoint)
		e.points(g)
	case orb.LineString:
		e.byte(geomLineString)
		e.points(g)
	case orb.MultiLineString:
		e.byte(geomMultiLineString)
		e.uint(uint64(len(g)))
		for _, l := range g {
			e.points(l)
		}
	case orb.Polygon:
		e.byte(geomPolygon)
		e.polygon(g)
	case orb.MultiPolygon:
		e.byte(geomMultiPolygon)
		e.uint(uint64(len(g)))
		for _, p := range g {
			e.polygon(p)
		}
	case orb.Collection:
		e.byte(geomCollection)
		e.uint(uint64(len(g)))
		for _, m := range g {
			e.geometry(m)
		}
	default:
		if e.err == nil {
			e.err = fmt.Errorf("dataset file: cannot write a %T", g)
		}
	}
}

func (e *encoder) polygon(p orb.Polygon) {
	e.uint(uint64(len(p)))
	for _, r := range p {
		e.points(r)
	}
}

// decoder reads a dataset file from its bytes in memory: indexing a slice
// is several times faster than pulling varints through an io.ByteReader,
// and the whole file is read at once anyway.
type decoder struct {
	b        []byte
	err      error
	interned map[string]string
}

// maxCount bounds a count read from the file before anything is
// allocated for it: a corrupt file must fail, not exhaust memory.
const maxCount = 1 << 28

func (d *decoder) fail(err error) {
	if d.err == nil {
		d.err = err
	}
	d.b = nil
}

// take returns the next n bytes, or nil (and the error) past the end.
func (d *decoder) take(n int) []byte {
	if n > len(d.b) {
		d.fail(io.ErrUnexpectedEOF)
		return nil
	}
	b := d.b[:n:n]
	d.b = d.b[n:]
	return b
}

func (d *decoder) magic() {
	if b := d.take(len(datasetMagic)); d.err == nil && string(b) != datasetMagic {
		d.fail(errors.New("not a dataset file"))
	}
}

func (d *decoder) byte() byte {
	if len(d.b) == 0 {
		d.fail(io.ErrUnexpectedEOF)
		return 0
	}
	c := d.b[0]
	d.b = d.b[1:]
	return c
}

func (d *decoder) bool() bool { return d.byte() != 0 }

func (d *decoder) uint() uint64 {
	v, n := binary.Uvarint(d.b)
	if !d.varint(n) {
		return 0
	}
	return v
}

func (d *decoder) int() int64 {
	v, n := binary.Varint(d.b)
	if !d.varint(n) {
		return 0
	}
	return v
}

// varint moves past a varint of n bytes, as binary.Uvarint and
// binary.Varint report n, or fails for the file ends or overflows.
func (d *decoder) varint(n int) bool {
	switch {
	case n > 0:
		d.b = d.b[n:]
		return true
	case n == 0:
		d.fail(io.ErrUnexpectedEOF)
	default:
		d.fail(errors.New("a number overflows 64 bits"))
	}
	return false
}

// count reads a length; 0 once anything has failed, so that the loops
// reading a broken file end at once.
func (d *decoder) count() int {
	n := d.uint()
	if n > maxCount {
		d.fail(fmt.Errorf("a count of %d is past any dataset", n))
	}
	if d.err != nil {
		return 0
	}
	return int(n)
}

func (d *decoder) float() float64 {
	b := d.take(8)
	if b == nil {
		return 0
	}
	return math.Float64frombits(binary.LittleEndian.Uint64(b))
}

func (d *decoder) bytes() []byte { return d.take(d.count()) }

// string copies: a string sharing the file's buffer would keep all of it
// alive.
func (d *decoder) string() string { return string(d.bytes()) }

// short reads a string that is likely to repeat, and keeps one copy of
// each; long ones are not worth the lookup.
func (d *decoder) short() string {
	b := d.bytes()
	if len(b) == 0 || len(b) > 64 {
		return string(b)
	}
	if s, ok := d.interned[string(b)]; ok {
		return s
	}
	s := string(b)
	d.interned[s] = s
	return s
}

func (d *decoder) ids() []int64 {
	n := d.count()
	if n == 0 {
		return nil
	}
	out := make([]int64, n)
	for i := range out {
		out[i] = d.int()
	}
	return out
}

func (d *decoder) optInt() *int {
	if d.byte() == 0 {
		return nil
	}
	v := int(d.int())
	return &v
}

func (d *decoder) time() *time.Time {
	b := d.bytes()
	if len(b) == 0 {
		return nil
	}
	var t time.Time
	if err := t.UnmarshalBinary(b); err != nil {
		d.fail(err)
		return nil
	}
	return &t
}

func (d *decoder) point() orb.Point {
	b := d.take(16)
	if b == nil {
		return orb.Point{}
	}
	return orb.Point{
		math.Float64frombits(binary.LittleEndian.Uint64(b)),
		math.Float64frombits(binary.LittleEndian.Uint64(b[8:])),
	}
}

func (d *decoder) points() []orb.Point {
	n := d.count()
	if n == 0 {
		return nil
	}
	b := d.take(16 * n)
	if b == nil {
		return nil
	}
	out := make([]orb.Point, n)
	for k := range out {
		out[k] = orb.Point{
			math.Float64frombits(binary.LittleEndian.Uint64(b[16*k:])),
			math.Float64frombits(binary.LittleEndian.Uint64(b[16*k+8:])),
		}
	}
	return out
}

// geometry reads what encoder.geometry wrote; depth bounds the nesting of
// collections in a corrupt file.
func (d *decoder) geometry(depth int) orb.Geometry {
	switch tag := d.byte(); tag {
	case geomNone:
		return nil
	case geomPoint:
		return d.point()
	case geomMultiPoint:
		return orb.MultiPoint(d.points())
	case geomLineString:
		return orb.LineString(d.points())
	case geomMultiLineString:
		out := make(orb.MultiLineString, d.count())
		for i := range out {
			out[i] = d.points()
		}
		return out
	case geomPolygon:
		return d.polygon()
	case geomMultiPolygon:
		out := make(orb.MultiPolygon, d.count())
		for i := range out {
			out[i] = d.polygon()
		}
		return out
	case geomCollection:
		if depth > 32 {
			d.fail(errors.New("geometry collections nested too deep"))
			return nil
		}
		out := make(orb.Collection, d.count())
		for i := range out {
			out[i] = d.geometry(depth + 1)
		}
		return out
	default:
		d.fail(fmt.Errorf("unknown geometry tag %d", tag))
		return nil
	}
}

func (d *decoder) polygon() orb.Polygon {
	out := make(orb.Polygon, d.count())
	for i := range out {
		out[i] = d.points()
	}
	return out
}

package db

import (
	"cmp"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/areagraph/areagraph/geo"
	"github.com/paulmach/orb"
)

// The checks, normalisation and audit rendering that both backends share,
// so that they accept, reject and record writes with the same words and
// the same bytes.

// text is one text field of a record, named as messages name it.
type text struct{ name, s string }

// checkText refuses text that one backend would keep and another refuse
// or change: a NUL character (PostgreSQL's text cannot hold one, so
// PostGIS failed on it where the embedded store kept it) and bytes that
// are not UTF-8. Every record's check runs it over all its texts, so both
// backends refuse alike, naming the field.
func checkText(texts ...text) error {
	for _, t := range texts {
		if strings.IndexByte(t.s, 0) >= 0 {
			return fmt.Errorf("%s must not contain a NUL character", t.name)
		}
		if !utf8.ValidString(t.s) {
			return fmt.Errorf("%s is not valid UTF-8", t.name)
		}
	}
	return nil
}

// fieldError is a check's error about one field of a record, named as the
// write's input names it; the record's Check… function makes it an *Error
// with that Field (asField).
type fieldError struct {
	field string
	err   error
}

func (e fieldError) Error() string { return e.err.Error() }

func (e fieldError) Unwrap() error { return e.err }

// onField marks err, when there is one, as about the input field field.
func onField(field string, err error) error {
	if err == nil {
		return nil
	}
	return fieldError{field, err}
}

// asField is the EINVALID *Error of a check's error, with the field it
// names, if it names one.
func asField(err error) *Error {
	e := Errorf(EINVALID, "%s", err.Error())
	var fe fieldError
	if errors.As(err, &fe) {
		e.Field = fe.field
	}
	return e
}

// fitsInt32 says whether n can be a count: GraphQL's Int is 32 bits, and so
// are the columns counts are kept in.
func fitsInt32(n int) bool { return n >= 0 && n <= math.MaxInt32 }

// clonePtr returns a new pointer to a copy of what p points to; nil for nil.
// The records' Clone methods use it for their optional fields.
func clonePtr[T any](p *T) *T {
	if p == nil {
		return nil
	}
	c := *p
	return &c
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

// sortedSet returns ids ascending, each once.
func sortedSet[T cmp.Ordered](ids []T) []T {
	if len(ids) == 0 {
		return ids
	}
	out := slices.Clone(ids)
	slices.Sort(out)
	return slices.Compact(out)
}

// canonicalOrder sorts vals into the order of all, each once; unknown values
// go last, in their order, for the check to report.
func canonicalOrder[T comparable](vals, all []T) []T {
	if len(vals) == 0 {
		return vals
	}
	var out, unknown []T
	for _, a := range all {
		if slices.Contains(vals, a) {
			out = append(out, a)
		}
	}
	for _, v := range vals {
		if !slices.Contains(all, v) {
			unknown = append(unknown, v)
		}
	}
	return append(out, unknown...)
}

// ValidatePoint checks that p is a WGS 84 position (geo.CheckLonLat); the
// error names the coordinate out of range, for the caller to prefix with
// what p is.
func ValidatePoint(p orb.Point) error { return geo.CheckLonLat(p[0], p[1]) }

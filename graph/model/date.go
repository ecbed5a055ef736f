package model

import (
	"encoding/json"
	"errors"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/areagraph/areagraph/db"
)

// Date is the GraphQL Date scalar: a calendar date in ISO 8601 form. Its Go
// side is time.Time at UTC midnight.
type Date = time.Time

const dateLayout = time.DateOnly

// MarshalDate writes t as "YYYY-MM-DD".
func MarshalDate(t time.Time) graphql.Marshaler {
	return graphql.WriterFunc(func(w io.Writer) {
		_, _ = io.WriteString(w, strconv.Quote(t.UTC().Format(dateLayout)))
	})
}

// UnmarshalDate reads a "YYYY-MM-DD" string.
func UnmarshalDate(v any) (time.Time, error) {
	s, ok := v.(string)
	if !ok {
		return time.Time{}, db.Errorf(db.EINVALID, "a Date is a string of the form YYYY-MM-DD, got %s", valueKind(v))
	}
	t, err := time.Parse(dateLayout, s)
	var pe *time.ParseError
	if errors.As(err, &pe) && strings.Contains(pe.Message, "out of range") {
		// The form is right; the day is not on the calendar (2024-02-30).
		return time.Time{}, db.Errorf(db.EINVALID, "%q is not a day of the calendar", s)
	}
	if err != nil {
		return time.Time{}, db.Errorf(db.EINVALID, "a Date is a string of the form YYYY-MM-DD, got %q", s)
	}
	return t, nil
}

// valueKind names the kind of a JSON value a client sent, in the client's
// terms rather than the decoder's Go types (int64, json.Number).
func valueKind(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case bool:
		return "a boolean"
	case int, int32, int64, float32, float64, json.Number:
		return "a number"
	case []any:
		return "a list"
	case map[string]any:
		return "an object"
	}
	return "a value of another kind"
}

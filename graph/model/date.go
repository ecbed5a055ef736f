package model

import (
	"io"
	"strconv"
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
		return time.Time{}, db.Errorf(db.EINVALID, "a Date is a string of the form YYYY-MM-DD, got %T", v)
	}
	t, err := time.Parse(dateLayout, s)
	if err != nil {
		return time.Time{}, db.Errorf(db.EINVALID, "a Date is a string of the form YYYY-MM-DD, got %q", s)
	}
	return t, nil
}

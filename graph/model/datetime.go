package model

import (
	"bytes"
	"encoding/json"
	"io"
	"strconv"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/areagraph/areagraph/db"
)

// DateTime is the GraphQL DateTime scalar: an instant in RFC 3339. Its Go
// side is time.Time.
type DateTime = time.Time

// MarshalDateTime writes t in UTC to the microsecond, the precision the
// stores keep, so that an instant reads the same from every backend.
func MarshalDateTime(t time.Time) graphql.Marshaler {
	return graphql.WriterFunc(func(w io.Writer) {
		_, _ = io.WriteString(w, strconv.Quote(t.UTC().Truncate(time.Microsecond).Format("2006-01-02T15:04:05.999999Z07:00")))
	})
}

// UnmarshalDateTime reads an RFC 3339 string with a time zone.
func UnmarshalDateTime(v any) (time.Time, error) {
	s, ok := v.(string)
	if !ok {
		return time.Time{}, db.Errorf(db.EINVALID, "a DateTime is an RFC 3339 string such as 2025-03-01T12:00:00Z, got %s", valueKind(v))
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, db.Errorf(db.EINVALID, "a DateTime is an RFC 3339 string such as 2025-03-01T12:00:00Z, got %q", s)
	}
	return t, nil
}

// RawJSON is the GraphQL JSON scalar: JSON text passed through. The audit
// log keeps records as JSON bytes, and they go out as the same JSON value.
type RawJSON = []byte

// MarshalRawJSON writes b compacted; empty is null. Compact, because JSON
// text from a store may hold spaces, and responses go out with their data
// as gqlgen writes it (graph's encodeResponse), which holds only while that
// is the compact JSON encoding/json would send. Text that is not JSON,
// which no store hands out, is written as it is.
func MarshalRawJSON(b []byte) graphql.Marshaler {
	return graphql.WriterFunc(func(w io.Writer) {
		if len(b) == 0 {
			_, _ = io.WriteString(w, "null")
			return
		}
		var buf bytes.Buffer
		if err := json.Compact(&buf, b); err != nil {
			_, _ = w.Write(b)
			return
		}
		_, _ = w.Write(buf.Bytes())
	})
}

// UnmarshalRawJSON reads any JSON value back into its text.
func UnmarshalRawJSON(v any) ([]byte, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, db.Errorf(db.EINVALID, "not a JSON value: %s", err.Error())
	}
	return b, nil
}

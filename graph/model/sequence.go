package model

import (
	"encoding/json"
	"io"
	"strconv"

	"github.com/99designs/gqlgen/graphql"
	"github.com/areagraph/areagraph/db"
)

// Sequence is the GraphQL Sequence scalar: a place in the change feed
// (db.Change.Seq), written as a decimal string, since a JavaScript number
// holds integers exactly only up to 2^53.
type Sequence = int64

// MarshalSequence writes seq as a decimal string.
func MarshalSequence(seq int64) graphql.Marshaler {
	return graphql.WriterFunc(func(w io.Writer) {
		_, _ = io.WriteString(w, strconv.Quote(strconv.FormatInt(seq, 10)))
	})
}

// UnmarshalSequence reads a decimal string of digits, or an Int: 0 or
// more, as the feed's numbers are. Only the spelling MarshalSequence gives
// is a sequence number ("007" and "+7" are refused), as with global ids.
func UnmarshalSequence(v any) (int64, error) {
	var n int64
	var err error
	switch v := v.(type) {
	case string:
		n, err = strconv.ParseInt(v, 10, 64)
		if err == nil && strconv.FormatInt(n, 10) != v {
			err = strconv.ErrSyntax
		}
	case json.Number:
		n, err = v.Int64()
	case int:
		n = int64(v)
	case int64:
		n = v
	default:
		return 0, db.Errorf(db.EINVALID, "a Sequence is a decimal string such as \"1765094400000017\" (or an Int), got %s", valueKind(v))
	}
	if err != nil || n < 0 {
		return 0, db.Errorf(db.EINVALID, "a Sequence is a whole number of 0 or more, as the change feed gives it, got %v", v)
	}
	return n, nil
}

package httperr

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"testing"

	"github.com/areagraph/areagraph/db"
)

func TestClient(t *testing.T) {
	for _, tc := range []struct {
		name     string
		err      error
		status   int
		code     string
		msg      string
		internal bool
	}{
		{"bad input", db.Errorf(db.EINVALID, "limit: want 1 to 10000"), http.StatusBadRequest, db.EINVALID, "limit: want 1 to 10000", false},
		{"missing", db.Errorf(db.ENOTFOUND, "no Area:9"), http.StatusNotFound, db.ENOTFOUND, "no Area:9", false},
		{"wrapped domain error", fmt.Errorf("reading: %w", db.Errorf(db.EFORBIDDEN, "not yours")), http.StatusForbidden, db.EFORBIDDEN, "not yours", false},
		{"deadline", fmt.Errorf("query: %w", context.DeadlineExceeded), http.StatusServiceUnavailable, db.EUNAVAILABLE, "the request took too long", false},
		{"cancelled", context.Canceled, http.StatusServiceUnavailable, db.EUNAVAILABLE, "the request was cancelled", false},
		{"anything else", errors.New(`pq: relation "x" does not exist`), http.StatusInternalServerError, db.EINTERNAL, "internal error", true},
	} {
		status, code, msg, internal := Client(tc.err)
		if status != tc.status || code != tc.code || internal != tc.internal || (tc.msg != "" && msg != tc.msg) {
			t.Errorf("%s: %d %s %q internal=%v, want %d %s %q internal=%v", tc.name, status, code, msg, internal, tc.status, tc.code, tc.msg, tc.internal)
		}
	}
}

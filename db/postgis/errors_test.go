package postgis

import (
	"context"
	"errors"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/areagraph/areagraph/db"
)

// A statement stopped for its time reads as the request's deadline, which
// the GraphQL layer answers "the request took too long", and not as a
// database that is unavailable or broken.
func TestTranslateTimeouts(t *testing.T) {
	canceled := &pgconn.PgError{Severity: "ERROR", Code: "57014", Message: "canceling statement due to statement timeout"}
	if err := translate(canceled, "test"); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("query_canceled: %v, want context.DeadlineExceeded", err)
	}

	ended, cancel := context.WithDeadline(t.Context(), time.Now().Add(-time.Second))
	defer cancel()
	socket := fmt.Errorf("read: %w", os.ErrDeadlineExceeded)
	for name, err := range map[string]error{
		"socket timeout":    socket,
		"closed connection": fmt.Errorf("query: %w", pgconn.ErrConnClosed),
		"query_canceled":    canceled,
	} {
		got := translateIn(ended, err, "test")
		if !errors.Is(got, context.DeadlineExceeded) || db.ErrorCode(got) != db.EINTERNAL {
			t.Errorf("%s after the deadline: %v, want context.DeadlineExceeded", name, got)
		}
	}
	// While the request is live, a socket timeout is still the database's.
	if got := translateIn(t.Context(), socket, "test"); db.ErrorCode(got) != db.EUNAVAILABLE {
		t.Errorf("socket timeout of a live request: %v, want UNAVAILABLE", got)
	}
	// Errors of the domain keep their word.
	if got := translateIn(ended, db.Errorf(db.EINVALID, "bad"), "test"); db.ErrorCode(got) != db.EINVALID {
		t.Errorf("a domain error after the deadline: %v", got)
	}
}

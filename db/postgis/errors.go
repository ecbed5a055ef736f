package postgis

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/areagraph/areagraph/db"
)

// errUnavailable is what callers see when the database cannot be reached;
// the driver's own text goes only into the error string, for the log.
func errUnavailable(cause error) error {
	return fmt.Errorf("%w (%v)", db.Errorf(db.EUNAVAILABLE, "database unavailable"), cause)
}

// constraintMessages words the violations the schema can raise in terms a
// client understands. Load checks most of them before writing, with the
// offending record named; these are the backstop for races between loads.
var constraintMessages = map[string]string{
	"areas_pkey":               "an area with that id already exists",
	"areas_code_key":           "an area with that code already exists",
	"organizations_pkey":       "an organization with that id already exists",
	"initiatives_pkey":         "an initiative with that id already exists",
	"indicators_pkey":          "an indicator with that code already exists",
	"indicator_values_pkey":    "a value for that area, indicator, year and sex already exists",
	"organization_areas_pkey":  "an organization lists the same area twice",
	"initiative_areas_pkey":    "an initiative lists the same area twice",
	"initiative_partners_pkey": "an initiative lists the same partner twice",

	"areas_parent_id_fkey":                     "an area's parent does not exist",
	"organization_areas_area_id_fkey":          "an organization's area does not exist",
	"initiative_areas_area_id_fkey":            "an initiative's area does not exist",
	"initiatives_lead_id_fkey":                 "an initiative's lead organization does not exist",
	"initiative_partners_organization_id_fkey": "an initiative's partner does not exist",
	"indicator_values_area_id_fkey":            "an indicator value's area does not exist",
	"indicator_values_indicator_code_fkey":     "an indicator value's indicator does not exist",

	"api_keys_pkey":     "a key with that id already exists",
	"api_keys_hash_key": keyHashTaken,
}

// translate turns an error from pgx into the db vocabulary: constraint
// violations become EINVALID or ECONFLICT, lost connections EUNAVAILABLE,
// cancellations stay recognisable with errors.Is, and anything else is an
// internal error whose text is for the log only. op names what was being
// done, for that log.
func translate(err error, op string) error {
	if err == nil {
		return nil
	}
	var dbErr *db.Error
	if errors.As(err, &dbErr) {
		return err
	}
	var pgErr *pgconn.PgError
	var connectErr *pgconn.ConnectError
	switch {
	case errors.As(err, &connectErr) && !errors.As(err, &pgErr):
		// Before the cancellations: the pool connects on a context of its
		// own, so a deadline inside a failed connect is connect_timeout,
		// the database's fault and not the caller's.
		return errUnavailable(fmt.Errorf("%s: %v", op, err))
	case errors.Is(err, context.Canceled):
		return fmt.Errorf("postgis: %s: %w", op, context.Canceled)
	case errors.Is(err, context.DeadlineExceeded):
		return fmt.Errorf("postgis: %s: %w", op, context.DeadlineExceeded)
	case errors.As(err, &pgErr):
		return translatePgError(pgErr, op)
	}
	if connectionLost(err) {
		return errUnavailable(fmt.Errorf("%s: %v", op, err))
	}
	// %v, not %w: driver types must not be reachable with errors.As
	// outside this package.
	return fmt.Errorf("postgis: %s: %v", op, err)
}

// translateIn is translate for an error of work done under ctx. Once ctx
// has ended, whatever the driver reports instead of the context's error (a
// connection whose deadline passed mid-read, a statement the server
// cancelled) is the end of the request, and says so: a query stopped by the
// request's deadline took too long, the database is not at fault.
func translateIn(ctx context.Context, err error, op string) error {
	var dbErr *db.Error
	if err != nil && ctx.Err() != nil && !errors.Is(err, ctx.Err()) && !errors.As(err, &dbErr) {
		return fmt.Errorf("postgis: %s: %w (%v)", op, ctx.Err(), err)
	}
	return translate(err, op)
}

// connectionLost tells the errors of a connection that broke, or could
// not be had, from the errors of a statement. The server answering with an
// error (a PgError) is handled before, so a refused login or a missing
// database, which waiting will not mend, stays internal.
func connectionLost(err error) bool {
	var netErr net.Error // refused, reset, timed out, unreachable, DNS
	return errors.As(err, &netErr) ||
		errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, pgconn.ErrConnClosed) ||
		// Nothing reached the server: the connection was unusable before
		// the statement was sent.
		pgconn.SafeToRetry(err) ||
		pgconn.Timeout(err)
}

// keyHashTaken is the conflict of a key whose secret another key has.
const keyHashTaken = "another key has the same secret; make a new one"

// concurrentWriteMessage is the client's word for a write that concurrent
// writes kept from going through.
const concurrentWriteMessage = "concurrent writes to the same records got in the way; try again"

func translatePgError(e *pgconn.PgError, op string) error {
	msg, known := constraintMessages[e.ConstraintName]
	switch {
	case e.Code == "23505": // unique_violation
		if !known {
			msg = "the data conflicts with stored records"
		}
		return db.Errorf(db.ECONFLICT, "%s", msg)
	case e.Code == "23503": // foreign_key_violation
		if !known {
			msg = "the data refers to a record that does not exist"
		}
		return db.Errorf(db.EINVALID, "%s", msg)
	case e.Code == "23514", e.Code == "23502": // check_violation, not_null_violation
		return db.Errorf(db.EINVALID, "a value is out of range or missing (%s)", e.ConstraintName)
	case e.Code == "40001", e.Code == "40P01": // serialization_failure, deadlock_detected
		// The database gave up on the transaction because of a
		// concurrent one; writes retry before they get here, so what is
		// left is a collision to report, not a fault.
		return db.Errorf(db.ECONFLICT, "%s", concurrentWriteMessage)
	case e.Code == "57014": // query_canceled: statement_timeout, or a cancel request
		// Stopped for its time, by the database's statement_timeout or
		// the caller's deadline: the request took too long.
		return fmt.Errorf("postgis: %s: %w (%v)", op, context.DeadlineExceeded, e)
	case strings.HasPrefix(e.Code, "22"): // data_exception
		return db.Errorf(db.EINVALID, "a value is malformed or out of range")
	case strings.HasPrefix(e.Code, "08"), // connection_exception
		strings.HasPrefix(e.Code, "53"),  // insufficient_resources
		strings.HasPrefix(e.Code, "57P"): // operator intervention: shutdown, cannot connect now
		return errUnavailable(fmt.Errorf("%s: %v", op, e))
	}
	return fmt.Errorf("postgis: %s: %v", op, e)
}

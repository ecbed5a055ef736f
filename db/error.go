package db

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// Error codes. They are the public vocabulary of the service: the GraphQL
// layer copies them into extensions.code, so clients can branch on them.
const (
	EINVALID         = "BAD_USER_INPUT"
	ENOTFOUND        = "NOT_FOUND"
	ECONFLICT        = "CONFLICT"
	EUNAUTHENTICATED = "UNAUTHENTICATED"
	EFORBIDDEN       = "FORBIDDEN"
	EUNAVAILABLE     = "UNAVAILABLE"
	EINTERNAL        = "INTERNAL"
)

// Error is a domain error: a code from the list above and a message that is
// safe to show to a client. Anything that is not an *Error is internal and
// its text is never shown.
type Error struct {
	Code    string
	Message string
	// Field names the input field a BAD_USER_INPUT error is about, as the
	// write's input names it ("title", "endDate", "partners[0].organization"),
	// so a form can show the message beside it; empty when the error is
	// about no one field. The GraphQL layer hands it out as
	// extensions.field.
	Field string
}

func (e *Error) Error() string { return fmt.Sprintf("%s: %s", e.Code, e.Message) }

// Is makes the sentinels below work with errors.Is: any *Error with the same
// code matches a sentinel, whatever its message.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Code == e.Code && t.Message == ""
}

// Sentinels for errors.Is.
var (
	ErrInvalid     = &Error{Code: EINVALID}
	ErrNotFound    = &Error{Code: ENOTFOUND}
	ErrConflict    = &Error{Code: ECONFLICT}
	ErrUnavailable = &Error{Code: EUNAVAILABLE}
)

// Errorf returns an *Error with a formatted, client-safe message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// FieldErrorf returns the EINVALID *Error about one input field (see
// Error.Field).
func FieldErrorf(field, format string, args ...any) *Error {
	return &Error{Code: EINVALID, Message: fmt.Sprintf(format, args...), Field: field}
}

// ErrorCode returns the code of the first *Error in err's chain, or EINTERNAL.
func ErrorCode(err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return EINTERNAL
}

// ErrorMessage returns the client-safe message of err. Internal errors get a
// generic text: their detail belongs in the log.
func ErrorMessage(err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Message
	}
	return "internal error"
}

// Upserts (Store.UpsertAreas, Store.UpsertIndicatorValues) take their
// records from files, so their errors name the record the way the file
// does: by its place in the sequence, counted from 1, and its key. Both
// backends build every such error here, so they reject the same input with
// the same words.
//
// They also find problems in the same order. Every item is first checked
// on its own as it is read (the first bad item wins); then, once the whole
// sequence is in, keys that appear twice (the first repeat wins); then
// references to areas, parents and indicators that exist neither in the
// import nor in the store (the first such item wins); then, for areas,
// validity periods made wrong by a stored date kept (KeepAbsent), and last
// parents that would make the hierarchy a cycle.
//
// A key that appears twice in one import is an error, not "last wins": a
// file that says two things about one area or one value is wrong, and
// silently keeping one of them would hide it.

// ItemError is an upsert's error about one item of its sequence. It wraps
// the *Error that carries the code and message, so ErrorCode, ErrorMessage
// and errors.Is work as for any other; Item lets a caller point at the
// record in its own terms, such as a line of a file.
type ItemError struct {
	Item int // the item's place in the sequence, from 1
	Err  *Error
}

// Error is the wrapped error's text.
func (e *ItemError) Error() string { return e.Err.Error() }

// Unwrap returns the *Error.
func (e *ItemError) Unwrap() error { return e.Err }

// Reference errors, step 5 of the order above Writer in store.go.

// UnknownReferenceError is the EINVALID error about a reference to a record
// that does not exist; what is e.g. "parent area", "area", "lead
// organization" or "partner organization".
func UnknownReferenceError(what string, id int64) error {
	return Errorf(EINVALID, "%s %d does not exist", what, id)
}

// NotFoundError is the ENOTFOUND error about a write's target.
func NotFoundError(typ, key string) error {
	return Errorf(ENOTFOUND, "%s %s does not exist", typ, key)
}

// Target is a record an update or delete names: an area, organisation,
// initiative or indicator definition, the records that carry a version.
type Target interface {
	comparable
	version() int64
}

// CheckTarget makes steps 2 and 3 of the order above Writer in store.go
// for the record an update or delete names, as the store holds it (nil
// when it has none): ENOTFOUND when there is none, ECONFLICT when its
// version is not the one the write names. typ and key name the record as
// the write named it ("Area" and "12", "Indicator" and `"unemployment"`).
// Every update and delete of both backends decides both here, so they say
// it in the same words.
func CheckTarget[R Target](typ, key string, stored R, version int64) error {
	var none R
	if stored == none {
		return NotFoundError(typ, key)
	}
	if v := stored.version(); v != version {
		return Errorf(ECONFLICT, "%s %s has version %d, not %d: it changed since it was read; read it again and reapply the change",
			typ, key, v, version)
	}
	return nil
}

// Dependents counts what points at a record a delete would remove.
type Dependents struct {
	ChildAreas    int
	Initiatives   int
	Organizations int
	Values        int
}

// Any says whether anything points at the record.
func (d Dependents) Any() bool {
	return d.ChildAreas+d.Initiatives+d.Organizations+d.Values > 0
}

// DependentsError is the ECONFLICT error about a delete without detach of a
// record that others point at.
func DependentsError(typ, key string, d Dependents) error {
	var parts []string
	add := func(n int, one, many string) {
		switch {
		case n == 1:
			parts = append(parts, "1 "+one)
		case n > 1:
			parts = append(parts, strconv.Itoa(n)+" "+many)
		}
	}
	add(d.ChildAreas, "child area", "child areas")
	add(d.Initiatives, "initiative", "initiatives")
	add(d.Organizations, "organization", "organizations")
	add(d.Values, "indicator value", "indicator values")
	return Errorf(ECONFLICT, "%s %s is still referenced by %s; delete it with detach to remove those links as well",
		typ, key, strings.Join(parts, ", "))
}

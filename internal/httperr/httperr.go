// Package httperr tells a client what an error means in HTTP: the status,
// the domain's code and a message safe to show, alike for every route that
// answers with a JSON error document. It is apart from httpx, whose
// decisions the static pages share and which so stays free of the domain.
package httperr

import (
	"context"
	"errors"
	"net/http"

	"github.com/areagraph/areagraph/db"
)

// statusOf maps the domain's error codes to HTTP statuses.
var statusOf = map[string]int{
	db.EINVALID:         http.StatusBadRequest,
	db.ENOTFOUND:        http.StatusNotFound,
	db.ECONFLICT:        http.StatusConflict,
	db.EUNAUTHENTICATED: http.StatusUnauthorized,
	db.EFORBIDDEN:       http.StatusForbidden,
	db.EUNAVAILABLE:     http.StatusServiceUnavailable,
	db.EINTERNAL:        http.StatusInternalServerError,
}

// Client is what a client is told of err, as every route that
// answers with a JSON error document tells it (the map layers, OGC API):
// the HTTP status, the domain's code and a message safe to show. A
// deadline or a cancellation is UNAVAILABLE; anything not a domain error
// is INTERNAL with a generic message, and internal reports that the caller
// must log err in full, so no SQL or driver text ever leaves the server.
func Client(err error) (status int, code, msg string, internal bool) {
	code, msg = db.ErrorCode(err), db.ErrorMessage(err)
	switch {
	case code != db.EINTERNAL:
	case errors.Is(err, context.DeadlineExceeded):
		code, msg = db.EUNAVAILABLE, "the request took too long"
	case errors.Is(err, context.Canceled):
		code, msg = db.EUNAVAILABLE, "the request was cancelled"
	default:
		internal = true
	}
	status, ok := statusOf[code]
	if !ok {
		status = http.StatusInternalServerError
	}
	return status, code, msg, internal
}

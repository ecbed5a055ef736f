package graph_test

import (
	"testing"
	"time"

	"github.com/areagraph/areagraph/db"
	"github.com/paulmach/orb"
)

// TestAreasAtOutOfRange: a point out of range is BAD_USER_INPUT from
// every backend, with the message the store's check words
// (db.CheckAreasAt), and the boundaries of the range are answered.
func TestAreasAtOutOfRange(t *testing.T) {
	bad := []struct {
		query string
		pt    orb.Point
		says  string
	}{
		{`{ areasAt(lon: 200, lat: 95) { name } }`, orb.Point{200, 95}, "areasAt: longitude 200 is out of range [-180, 180]"},
		{`{ areasAt(lon: 12.9, lat: 95) { name } }`, orb.Point{12.9, 95}, "areasAt: latitude 95 is out of range [-90, 90]"},
		{`{ areasAt(lon: -180.5, lat: 57.7) { name } }`, orb.Point{-180.5, 57.7}, "areasAt: longitude -180.5 is out of range [-180, 180]"},
	}
	eachBackend(t, func(t *testing.T, c client, _ db.Store) {
		for _, tc := range bad {
			r := c.query(tc.query, nil)
			if r.code() != "BAD_USER_INPUT" || len(r.Errors) != 1 {
				t.Errorf("%s: %+v, want one BAD_USER_INPUT error", tc.query, r.Errors)
				continue
			}
			if got := r.Errors[0].Message; got != tc.says {
				t.Errorf("%s: message %q, want %q", tc.query, got, tc.says)
			}
			if want := db.ErrorMessage(db.CheckAreasAt(tc.pt, time.Time{})); r.Errors[0].Message != want {
				t.Errorf("%s: message %q, the store's check says %q", tc.query, r.Errors[0].Message, want)
			}
		}
		var out struct{ AreasAt []struct{ Name string } }
		for _, q := range []string{
			`{ areasAt(lon: 180, lat: 90) { name } }`,
			`{ areasAt(lon: -180, lat: -90) { name } }`,
		} {
			c.ok(q, nil, &out)
			if len(out.AreasAt) != 0 {
				t.Errorf("%s: %+v, want no areas", q, out.AreasAt)
			}
		}
	})
}

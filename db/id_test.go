package db_test

import (
	"errors"
	"testing"

	"github.com/areagraph/areagraph/db"
)

// One record, one id: only the spelling GlobalID gives parses.
func TestParseGlobalIDTakesOneSpelling(t *testing.T) {
	typ, id, err := db.ParseGlobalID("Area:12")
	if err != nil || typ != db.TypeArea || id != 12 {
		t.Fatalf("ParseGlobalID(Area:12) = %q, %d, %v", typ, id, err)
	}
	for _, s := range []string{
		"Area:012", "Area:+12", "Area: 12", "Area:12 ", " Area:12", "Area:0", "Area:-12",
		"Area:1_2", "Area:0x0c", "Area:", ":12", "Area", "", "Area:12:1", "Area:９",
		"Area:99999999999999999999",
	} {
		_, _, err := db.ParseGlobalID(s)
		var dbErr *db.Error
		if !errors.As(err, &dbErr) || dbErr.Code != db.EINVALID {
			t.Errorf("ParseGlobalID(%q) = %v, want EINVALID", s, err)
		}
	}
}

package model

import (
	"bytes"
	"testing"
)

func TestMarshalRawJSONCompacts(t *testing.T) {
	for in, want := range map[string]string{
		"":                                   "null",
		`{"a": 1, "b": [1, 2], "c": "x  y"}`: `{"a":1,"b":[1,2],"c":"x  y"}`,
		"{\n  \"title\": \"<b>\"\n}":         `{"title":"<b>"}`,
		`{"a":1}`:                            `{"a":1}`,
		`not json`:                           `not json`,
	} {
		var buf bytes.Buffer
		MarshalRawJSON([]byte(in)).MarshalGQL(&buf)
		if buf.String() != want {
			t.Errorf("MarshalRawJSON(%q) wrote %q, want %q", in, buf.String(), want)
		}
	}
}

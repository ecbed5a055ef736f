package httpx

import (
	"compress/gzip"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestGzipKeepsStatusAndBody(t *testing.T) {
	body := strings.Repeat("areagraph ", 100)
	for _, tc := range []struct {
		name     string
		status   int
		body     string
		writes   int // the body in this many pieces
		encoding string
		gzipped  bool
	}{
		{"large, in small pieces", http.StatusTeapot, body, 100, "gzip", true},
		{"large, in one piece", http.StatusOK, body, 1, "gzip", true},
		{"large, not accepted", http.StatusOK, body, 1, "gzip;q=0", false},
		{"small", http.StatusBadRequest, "short", 1, "gzip", false},
		{"empty", http.StatusNoContent, "", 0, "gzip", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := Gzip(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.WriteHeader(tc.status)
				for i := range tc.writes {
					n := len(tc.body) / tc.writes
					piece := tc.body[i*n : (i+1)*n]
					if i == tc.writes-1 {
						piece = tc.body[i*n:]
					}
					_, _ = io.WriteString(w, piece)
				}
			}))
			req := httptest.NewRequest(http.MethodGet, "/", nil)
			req.Header.Set("Accept-Encoding", tc.encoding)
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if rec.Code != tc.status {
				t.Errorf("status %d, want %d", rec.Code, tc.status)
			}
			if got := rec.Header().Get("Content-Encoding") == "gzip"; got != tc.gzipped {
				t.Fatalf("gzipped %v, want %v", got, tc.gzipped)
			}
			var r io.Reader = rec.Body
			if tc.gzipped {
				zr, err := gzip.NewReader(rec.Body)
				if err != nil {
					t.Fatal(err)
				}
				r = zr
			}
			got, err := io.ReadAll(r)
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != tc.body {
				t.Errorf("body %q, want %q", got, tc.body)
			}
		})
	}
}

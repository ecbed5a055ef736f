package server_test

import (
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/areagraph/areagraph/db"
)

func TestHealthAndCORS(t *testing.T) {
	eachBackend(t, func(t *testing.T, c client, _ db.Store) {
		for _, path := range []string{"/healthz", "/readyz"} {
			res, err := http.Get(c.url + path)
			if err != nil {
				t.Fatal(err)
			}
			res.Body.Close()
			if res.StatusCode != http.StatusOK {
				t.Errorf("GET %s: %s", path, res.Status)
			}
		}
		// A map page on another origin sends a preflight with an
		// Authorization header; it must be allowed.
		req, _ := http.NewRequest(http.MethodOptions, c.url+"/graphql", nil)
		req.Header.Set("Origin", "http://localhost:5173")
		req.Header.Set("Access-Control-Request-Method", "POST")
		req.Header.Set("Access-Control-Request-Headers", "authorization,content-type") // sorted, as browsers send it
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if got := res.Header.Get("Access-Control-Allow-Origin"); got != "*" {
			t.Errorf("preflight Allow-Origin = %q, want *", got)
		}
		if got := strings.ToLower(res.Header.Get("Access-Control-Allow-Headers")); !strings.Contains(got, "authorization") {
			t.Errorf("preflight Allow-Headers = %q, want authorization among them", got)
		}
		if res.Header.Get("Access-Control-Allow-Credentials") != "" {
			t.Errorf("credentials allowed for any origin")
		}
		// GraphiQL for people with a browser.
		res, err = http.Get(c.url + "/graphiql")
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != http.StatusOK || !strings.Contains(string(body), "graphiql") {
			t.Errorf("GET /graphiql: %s, GraphiQL page expected", res.Status)
		}
	})
}

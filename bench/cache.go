package bench

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
)

// The response cache and revalidation, measured beside the rows without
// them. A server child serves a request that carries cacheHeader as
// production does, with answers tagged by the change feed and anonymous
// answers kept (Serve), and any other request without either, as the
// other rows have always been measured: the same process, the same store,
// side by side.
const cacheHeader = "Areagraph-Bench-Cache"

// Suffixes of the cached rows' names.
const (
	rowCached      = " cached"
	rowRevalidated = " 304"
)

// benchCacheBytes bounds the bench servers' response cache: every
// prepared answer of a query fits (256 of at most 100 KB), and the
// embedded server's memory stays near what it is measured at.
const benchCacheBytes = 32 << 20

// cacheTargets returns, for the server of backend at base, the prepared
// requests sent again through the response cache (the check pass that
// begins every target fills it), and each sent as a GET with the tag its
// answer came with in If-None-Match, which the server answers 304
// without running it. A store without a change feed tags nothing: then
// there are no cached rows.
func (e *env) cacheTargets(ctx context.Context, backend, base string, in *inputs) []*target {
	cached := &inputs{q: in.q}
	revalidated := &inputs{q: in.q}
	// As the loads send them: without Accept-Encoding.
	tr := &http.Transport{DisableCompression: true}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr}
	for _, r := range in.reqs {
		c := *r
		c.header = map[string]string{cacheHeader: "on"}
		cached.reqs = append(cached.reqs, &c)
		g := getForm(r)
		req, err := http.NewRequestWithContext(ctx, g.method, base+g.path, nil)
		if err != nil {
			e.cfg.logf("%s: %v", backend+rowRevalidated, err)
			return nil
		}
		req.Header.Set(cacheHeader, "on")
		res, err := client.Do(req)
		if err != nil {
			e.cfg.logf("%s: %v", backend+rowRevalidated, err)
			return nil
		}
		_, _ = io.Copy(io.Discard, res.Body)
		res.Body.Close()
		etag := res.Header.Get("ETag")
		if !strings.HasPrefix(etag, `W/"`) {
			// A tag of the data is weak; a strong one is a hash of the
			// bytes, made after the work.
			e.cfg.logf("%s answers %s without a tag of its data (is its change feed followed?): no cached rows", backend, g.path)
			return nil
		}
		g.header = map[string]string{cacheHeader: "on", "If-None-Match": etag}
		g.notModified = true
		g.response = nil
		revalidated.reqs = append(revalidated.reqs, g)
	}
	return []*target{
		e.httpTarget(ctx, backend+rowCached, base, cached),
		e.httpTarget(ctx, backend+rowRevalidated, base, revalidated),
	}
}

// getForm is r as a GET: a GraphQL POST becomes a GET with the query and
// variables in the URL, as a client that wants HTTP caching sends it.
func getForm(r *request) *request {
	g := *r
	if r.method != http.MethodPost {
		return &g
	}
	var body struct {
		Query     string          `json:"query"`
		Variables json.RawMessage `json:"variables"`
	}
	if err := json.Unmarshal(r.body, &body); err != nil {
		return &g
	}
	q := url.Values{"query": {body.Query}}
	if len(body.Variables) > 0 {
		q.Set("variables", string(body.Variables))
	}
	g.method, g.path, g.body = http.MethodGet, r.path+"?"+q.Encode(), nil
	return &g
}

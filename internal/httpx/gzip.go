package httpx

import (
	"compress/gzip"
	"net/http"
	"sync"
)

// GzipMin is the smallest body worth compressing: below it the gzip
// header and trailer (18 bytes) and the CPU cost outweigh the saving.
const GzipMin = 256

var gzipWriters = sync.Pool{New: func() any { return gzip.NewWriter(nil) }}

// Gzip compresses h's answers with gzip when the request accepts it (as
// AcceptsGzip decides, the same rule as every other route) and the body
// reaches GzipMin bytes. Answers of GraphQL run to hundreds of kilobytes
// of coordinates, which gzip shrinks several times over.
//
// The first GzipMin bytes are held back until the choice is made, so a
// small answer goes out plain with its Content-Length; a larger one goes
// out compressed as it is written, without being held whole. Every answer
// says Vary: Accept-Encoding, so a cache does not hand a gzipped body to a
// client that cannot read it.
func Gzip(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		AddVary(w.Header(), "Accept-Encoding")
		if !AcceptsGzip(r.Header) {
			h.ServeHTTP(w, r)
			return
		}
		gw := &gzipResponse{ResponseWriter: w}
		defer gw.finish()
		h.ServeHTTP(gw, r)
	})
}

// gzipResponse holds back the start of a body until it knows whether the
// body is worth compressing.
type gzipResponse struct {
	http.ResponseWriter
	status  int
	held    []byte
	zw      *gzip.Writer // set once the body is being compressed
	decided bool         // set once the header has gone down
}

func (g *gzipResponse) WriteHeader(status int) {
	if g.status == 0 && !g.decided {
		g.status = status
	}
}

func (g *gzipResponse) Write(p []byte) (int, error) {
	if g.decided {
		if g.zw != nil {
			return g.zw.Write(p)
		}
		return g.ResponseWriter.Write(p)
	}
	g.held = append(g.held, p...)
	if len(g.held) >= GzipMin {
		if err := g.decide(true); err != nil {
			return 0, err
		}
	}
	return len(p), nil
}

// decide sends the header, compressed or not, and what was held back.
func (g *gzipResponse) decide(compress bool) error {
	g.decided = true
	status := g.status
	if status == 0 {
		status = http.StatusOK
	}
	// A body that already has a coding, or an answer that has no body,
	// goes as it is.
	h := g.Header()
	if h.Get("Content-Encoding") != "" || status == http.StatusNoContent || status == http.StatusNotModified {
		compress = false
	}
	if compress {
		h.Set("Content-Encoding", "gzip")
		h.Del("Content-Length")
		g.zw = gzipWriters.Get().(*gzip.Writer)
		g.zw.Reset(g.ResponseWriter)
	}
	g.ResponseWriter.WriteHeader(status)
	held := g.held
	g.held = nil
	var err error
	if g.zw != nil {
		_, err = g.zw.Write(held)
	} else if len(held) > 0 {
		_, err = g.ResponseWriter.Write(held)
	}
	return err
}

// finish ends the answer: a short body goes out plain, a compressed one
// gets its trailer.
func (g *gzipResponse) finish() {
	if !g.decided {
		_ = g.decide(false)
	}
	if g.zw != nil {
		_ = g.zw.Close()
		gzipWriters.Put(g.zw)
		g.zw = nil
	}
}

// Unwrap lets http.ResponseController reach the connection (deadlines).
func (g *gzipResponse) Unwrap() http.ResponseWriter { return g.ResponseWriter }

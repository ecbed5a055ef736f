package server_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/areagraph/areagraph/graph"
	"github.com/areagraph/areagraph/server"
)

// abuseTimeout is the request timeout of the servers under attack: short,
// so that the test is, and what "fast" means below is relative to it.
const abuseTimeout = 4 * time.Second

// TestAbuse attacks a real server over HTTP on each backend, from several
// anonymous clients at once, while an honest client keeps asking what a
// map asks: alias floods, fragments that fan out and nest, bodies over
// the limit, many distinct large queries, and a client that trickles its
// body. Every refusal comes back well within the request timeout, every
// honest request is answered, and afterwards the heap is within the
// ceiling README states.
func TestAbuse(t *testing.T) {
	for _, b := range backends {
		t.Run(b.Name, func(t *testing.T) {
			store := b.Open(t)
			cfg := server.Config{Limits: graph.Limits{Timeout: abuseTimeout}, Log: slog.New(slog.DiscardHandler)}
			hs := httptest.NewUnstartedServer(nil)
			// Served as cmd/areagraph serves, with its connection timeouts.
			hs.Config = server.HTTPServer(server.New(store, cfg), cfg)
			hs.Start()
			t.Cleanup(hs.Close)
			base := hs.URL
			honest := `{"query":"{ areas(first: 5, filter: {kinds: [PRIORITY_AREA]}) { totalCount edges { node { id name code } } } }"}`
			if a := abusePost(base, honest); a.err != nil || a.status != http.StatusOK || len(a.Errors) > 0 {
				t.Fatalf("honest request before the attack: %+v", a)
			}
			before := heapAlloc()

			ctx, stop := context.WithCancel(t.Context())
			var honestRuns, honestFails atomic.Int64
			var honestErr atomic.Value
			honestDone := make(chan struct{})
			go func() {
				defer close(honestDone)
				for ctx.Err() == nil {
					start := time.Now()
					a := abusePost(base, honest)
					honestRuns.Add(1)
					if a.err != nil || a.status != http.StatusOK || len(a.Errors) > 0 || time.Since(start) > abuseTimeout {
						honestFails.Add(1)
						honestErr.Store(fmt.Sprintf("after %v: %v %d %.200s", time.Since(start), a.err, a.status, a.raw))
					}
					time.Sleep(20 * time.Millisecond)
				}
			}()

			var wg sync.WaitGroup
			var mu sync.Mutex
			var problems []string
			report := func(format string, args ...any) {
				mu.Lock()
				defer mu.Unlock()
				problems = append(problems, fmt.Sprintf(format, args...))
			}
			// refused runs body and wants a 4xx with errors within half the
			// request timeout: refusing must cost far less than serving.
			refused := func(what, body string) {
				start := time.Now()
				a := abusePost(base, body)
				took := time.Since(start)
				switch {
				case a.err != nil:
					report("%s: %v", what, a.err)
				case a.status < 400 || a.status >= 500 || len(a.Errors) == 0:
					report("%s: %d %.200s, want a 4xx with errors", what, a.status, a.raw)
				case took > abuseTimeout/2:
					report("%s: refused in %v, more than half the request timeout of %v", what, took, abuseTimeout)
				}
			}
			// answered runs body and wants an answer, data or a refusal but
			// no server failure, within half the request timeout.
			answered := func(what, body string) {
				start := time.Now()
				a := abusePost(base, body)
				took := time.Since(start)
				switch {
				case a.err != nil:
					report("%s: %v", what, a.err)
				case a.status >= 500 || len(a.Errors) == 0 && a.status != http.StatusOK:
					report("%s: %d %.200s", what, a.status, a.raw)
				case took > abuseTimeout/2:
					report("%s: answered in %v, more than half the request timeout of %v", what, took, abuseTimeout)
				}
			}
			attack := func(fn func()) {
				wg.Add(1)
				go func() { defer wg.Done(); fn() }()
			}

			attack(func() { // alias floods, as reported: 132 KB of __typename
				for i := range 20 {
					refused("alias flood", jsonQuery(fmt.Sprintf("query F%d {%s }", i, strings.Repeat(" __typename", 12_000))))
					refused("aliased coverage", jsonQuery(repeated("coverage { cells { initiatives } }", 15_000)))
				}
			})
			attack(func() { // fragments: deep nesting, fan-out, cycles
				for range 10 {
					refused("deep fields", jsonQuery("{ areas { edges { node "+strings.Repeat("{ children { edges { node ", 40)+
						"{ id"+strings.Repeat(" } } } }", 40)+" } } } }"))
					refused("fragment cycle", jsonQuery("{ ...A } fragment A on Query { ...B } fragment B on Query { ...A }"))
					// Spreads of one fragment merge into one field: an
					// answer, but a fast one.
					answered("fragment fan-out", jsonQuery(fanOut(40)))
					refused("fragment chain", jsonQuery(chain(2000)))
				}
			})
			attack(func() { // bodies over the limit, announced and not
				huge := jsonQuery("{ __typename }" + strings.Repeat(" ", 2<<20))
				for range 10 {
					refused("huge body", huge)
					start := time.Now()
					a := abuseDo(base, "application/json", io.MultiReader(strings.NewReader(huge), strings.NewReader(huge)), -1)
					if a.err == nil && a.status != http.StatusRequestEntityTooLarge || time.Since(start) > abuseTimeout/2 {
						report("huge chunked body: %v %d after %v", a.err, a.status, time.Since(start))
					}
				}
			})
			attack(func() { // many distinct large queries, each within the limits
				for i := range 150 {
					start := time.Now()
					a := abusePost(base, jsonQuery(aliases(fmt.Sprintf("abuse%d", i), 900)))
					if a.err != nil || a.status != http.StatusOK || len(a.Errors) > 0 || time.Since(start) > abuseTimeout {
						report("distinct large query %d: %v %d %.200s after %v", i, a.err, a.status, a.raw, time.Since(start))
					}
				}
			})
			for i := range 3 { // clients that trickle their bodies
				attack(func() {
					if err := slowBody(hs.Listener.Addr().String()); err != nil {
						report("slow client %d: %v", i, err)
					}
				})
			}
			wg.Wait()
			stop()
			<-honestDone

			for _, p := range problems {
				t.Error(p)
			}
			if n := honestFails.Load(); n > 0 {
				t.Errorf("%d of %d honest requests failed during the attack; the last: %s", n, honestRuns.Load(), honestErr.Load())
			}
			if honestRuns.Load() < 10 {
				t.Errorf("only %d honest requests were answered during the attack", honestRuns.Load())
			}
			hs.CloseClientConnections()
			after := heapAlloc()
			grown := int64(after) - int64(before)
			t.Logf("%d honest requests answered; heap after collection grew %.1f MiB (ceiling %d MiB)",
				honestRuns.Load(), float64(grown)/(1<<20), memoryCeiling>>20)
			if grown > memoryCeiling {
				t.Errorf("the heap grew by %.1f MiB under the attack, more than the ceiling of %d MiB", float64(grown)/(1<<20), memoryCeiling>>20)
			}
		})
	}
}

// fanOut is a query whose fragments each spread the next twice: 2^depth
// fields if expanded naively.
func fanOut(depth int) string {
	var b strings.Builder
	b.WriteString("{ ...F0 }")
	for i := range depth {
		fmt.Fprintf(&b, " fragment F%d on Query { ...F%d ...F%d }", i, i+1, i+1)
	}
	fmt.Fprintf(&b, " fragment F%d on Query { __typename }", depth)
	return b.String()
}

// chain is a query of n fragments, each spreading the next.
func chain(n int) string {
	var b strings.Builder
	b.WriteString("{ ...F0 }")
	for i := range n {
		fmt.Fprintf(&b, " fragment F%d on Query { a%d: __typename ...F%d }", i, i, i+1)
	}
	fmt.Fprintf(&b, " fragment F%d on Query { __typename }", n)
	return b.String()
}

func jsonQuery(q string) string {
	b, _ := json.Marshal(map[string]string{"query": q})
	return string(b)
}

// abuseAnswer is an answer read without a *testing.T, for goroutines.
type abuseAnswer struct {
	response
	status int
	raw    string
	err    error
}

func abusePost(base, body string) abuseAnswer {
	return abuseDo(base, "application/json", strings.NewReader(body), int64(len(body)))
}

func abuseDo(base, contentType string, body io.Reader, length int64) abuseAnswer {
	req, err := http.NewRequest(http.MethodPost, base+"/graphql", body)
	if err != nil {
		return abuseAnswer{err: err}
	}
	req.ContentLength = length
	req.Header.Set("Content-Type", contentType)
	req.Header.Set("Accept", grJSON)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return abuseAnswer{err: err}
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	a := abuseAnswer{status: res.StatusCode, raw: string(raw), err: err}
	if err == nil {
		if err := json.Unmarshal(raw, &a.response); err != nil {
			a.err = fmt.Errorf("not JSON: %v", err)
		}
	}
	return a
}

// slowBody announces a body of 1,000 bytes and sends one byte every
// 100 ms: the server must end the request within about its timeout,
// without answering it as a query, instead of waiting the 100 s the client
// would take.
func slowBody(addr string) error {
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		return err
	}
	defer conn.Close()
	start := time.Now()
	if _, err := fmt.Fprintf(conn, "POST /graphql HTTP/1.1\r\nHost: %s\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n", addr); err != nil {
		return err
	}
	ended := make(chan string, 1)
	go func() {
		res, err := http.ReadResponse(bufio.NewReader(conn), nil)
		if err != nil {
			ended <- "closed: " + err.Error()
			return
		}
		res.Body.Close()
		ended <- fmt.Sprintf("answered %d", res.StatusCode)
	}()
	limit := abuseTimeout + 3*time.Second
	for {
		select {
		case how := <-ended:
			if strings.HasPrefix(how, "answered 2") {
				return fmt.Errorf("a body of a few bytes was %s", how)
			}
			if took := time.Since(start); took > limit {
				return fmt.Errorf("%s after %v, more than the timeout of %v", how, took, abuseTimeout)
			}
			return nil
		case <-time.After(100 * time.Millisecond):
			if time.Since(start) > limit {
				return fmt.Errorf("still open after %v, with a request timeout of %v", time.Since(start), abuseTimeout)
			}
			conn.SetWriteDeadline(time.Now().Add(time.Second))
			conn.Write([]byte(" ")) // an error means the server gave up: the select sees how
		}
	}
}

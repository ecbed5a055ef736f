package bench

import (
	"bufio"
	"bytes"
	"context"
	"encoding/gob"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/areagraph/areagraph/db"
	"github.com/areagraph/areagraph/db/datasetfile"
	"github.com/areagraph/areagraph/db/memory"
	"github.com/areagraph/areagraph/db/postgis"
	"github.com/areagraph/areagraph/internal/httpcache"
	"github.com/areagraph/areagraph/internal/memlimit"
	"github.com/areagraph/areagraph/obs"
	httpserver "github.com/areagraph/areagraph/server"
)

// withCache serves s as production does: a request with cacheHeader gets
// answers tagged by the change feed, and anonymous ones kept; any other
// the handler without either, as every row but the cached ones measures.
func withCache(ctx context.Context, s db.Store, log *slog.Logger) http.Handler {
	plain := httpserver.New(s, httpserver.Config{Log: log, Context: ctx})
	cached := httpserver.New(s, httpserver.Config{Log: log, Context: ctx,
		Versions: httpcache.Follow(ctx, s, log), ResponseCacheBytes: benchCacheBytes})
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get(cacheHeader) != "" {
			cached.ServeHTTP(w, r)
			return
		}
		plain.ServeHTTP(w, r)
	})
}

// readyLine is what a server child prints on its standard output once it
// serves.
type readyLine struct {
	Addr string `json:"addr"`
	// ReadMillis is the time spent reading the dataset file, LoadMillis
	// loading it into the store (embedded) or the wait for the area
	// replica (PostGIS).
	ReadMillis float64 `json:"readMillis"`
	LoadMillis float64 `json:"loadMillis"`
	// MemoryLimit is the soft memory limit in force once serving, in
	// bytes (0 for none), and MemoryLimitSet says who set it: "self" for
	// the limit an embedded server sets itself (internal/memlimit),
	// "GOMEMLIMIT" for the environment's.
	MemoryLimit    int64  `json:"memoryLimit,omitempty"`
	MemoryLimitSet string `json:"memoryLimitSet,omitempty"`
}

// Serve is the main of a server child. With -data it serves the embedded
// store loaded from a dataset file, with -database the PostGIS store (once
// its area replica is live, unless the URL turns it off), with -bare the
// bare handler replaying the answers in a file. It prints a readyLine on
// stdout once it serves, and serves until stdin ends, which is when the
// benchmark closes it or goes away.
func Serve(ctx context.Context, args []string, stdin io.Reader, stdout io.Writer) error {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	data := fs.String("data", "", "serve the embedded store loaded from this dataset file")
	database := fs.String("database", "", "serve PostGIS at this URL")
	bare := fs.String("bare", "", "serve the bare handler with the answers in this file")
	addr := fs.String("addr", "127.0.0.1:0", "address to listen on")
	if err := fs.Parse(args); err != nil {
		return err
	}
	var handler http.Handler
	var ready readyLine
	// The access log is formatted as in production and then dropped: its
	// cost is part of serving a request, its lines are not wanted here.
	log, err := obs.NewLogger(io.Discard, obs.FormatJSON, slog.LevelInfo)
	if err != nil {
		return err
	}
	switch {
	case *data != "":
		// Loading builds a heap of some 150 MB from nothing; at the default
		// GOGC the collector would run ten times on the way, marking
		// everything built so far each time. Four times less often
		// shortens the start by a third, for a peak that lasts only
		// while loading.
		// The soft memory limit areagraph serve sets itself, unless the
		// benchmark's -memlimit set GOMEMLIMIT.
		own := memlimit.Own(os.Getenv)
		if own {
			memlimit.Loading(*data)
		}
		gc := debug.SetGCPercent(400)
		s, err := loadMemory(ctx, *data, &ready)
		debug.SetGCPercent(gc)
		if err != nil {
			return err
		}
		// The store holds copies of the records; the dataset as read, and
		// the garbage of reading it, go back to the system now rather
		// than whenever the scavenger gets to them.
		runtime.GC()
		debug.FreeOSMemory()
		if own {
			_, ready.MemoryLimit = memlimit.Serving()
			ready.MemoryLimitSet = "self"
		}
		handler = withCache(ctx, s, log)
	case *database != "":
		s, err := postgis.Open(ctx, *database)
		if err != nil {
			return err
		}
		defer s.Close()
		if !strings.Contains(*database, "area_replica=off") {
			began := time.Now()
			wctx, cancel := context.WithTimeout(ctx, 5*time.Minute)
			err := s.WaitReplica(wctx)
			cancel()
			if err != nil {
				return err
			}
			ready.LoadMillis = millis(time.Since(began))
		}
		handler = withCache(ctx, s, log)
	case *bare != "":
		h, err := readBare(*bare)
		if err != nil {
			return err
		}
		handler = h
	default:
		return errors.New("serve: give -data, -database or -bare")
	}

	if l := debug.SetMemoryLimit(-1); ready.MemoryLimitSet == "" && l != math.MaxInt64 {
		ready.MemoryLimit, ready.MemoryLimitSet = l, "GOMEMLIMIT"
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: handler, ReadHeaderTimeout: 10 * time.Second}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	ready.Addr = ln.Addr().String()
	if err := json.NewEncoder(stdout).Encode(ready); err != nil {
		return err
	}
	stop := make(chan struct{})
	go func() {
		_, _ = io.Copy(io.Discard, stdin)
		close(stop)
	}()
	select {
	case <-stop:
	case <-ctx.Done():
	case err := <-done:
		return err
	}
	sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return srv.Shutdown(sctx)
}

// loadMemory reads a dataset file into a new embedded store.
func loadMemory(ctx context.Context, file string, ready *readyLine) (*memory.Store, error) {
	began := time.Now()
	ds, err := datasetfile.ReadFile(file)
	if err != nil {
		return nil, err
	}
	ready.ReadMillis = millis(time.Since(began))
	began = time.Now()
	s := memory.New()
	if err := s.Load(ctx, ds); err != nil {
		return nil, err
	}
	ready.LoadMillis = millis(time.Since(began))
	return s, nil
}

func millis(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// bareAnswer is one request the bare handler knows, with its answer.
type bareAnswer struct {
	Method, Path, ContentType string
	Body, Response            []byte
}

func bareKey(method, path string, body []byte) string {
	return method + " " + path + "\x00" + string(body)
}

// bareHandler answers each known request with the bytes the real server
// gave, and nothing else: what serving costs on this machine before any
// GraphQL or store is involved.
type bareHandler map[string]*bareAnswer

func (h bareHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	a, ok := h[bareKey(r.Method, r.URL.RequestURI(), body)]
	if !ok {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", a.ContentType)
	w.Header().Set("Content-Length", strconv.Itoa(len(a.Response)))
	_, _ = w.Write(a.Response)
}

func writeBare(path string, in *inputs) error {
	answers := make([]bareAnswer, len(in.reqs))
	for i, r := range in.reqs {
		answers[i] = bareAnswer{Method: r.method, Path: r.path, ContentType: r.contentType, Body: r.body, Response: r.response}
	}
	var buf bytes.Buffer
	if err := gob.NewEncoder(&buf).Encode(answers); err != nil {
		return err
	}
	return os.WriteFile(path, buf.Bytes(), 0o644)
}

func readBare(path string) (bareHandler, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var answers []bareAnswer
	if err := gob.NewDecoder(bytes.NewReader(b)).Decode(&answers); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	h := bareHandler{}
	for i := range answers {
		a := &answers[i]
		h[bareKey(a.Method, a.Path, a.Body)] = a
	}
	return h, nil
}

// server is a running server child.
type server struct {
	name  string
	cmd   *exec.Cmd
	stdin io.WriteCloser
	url   string
	ready readyLine
	// startup is the time from starting the process to its ready line.
	startup time.Duration
	logFile *os.File

	mu                              sync.Mutex
	rssReady, hwmReady, rssMax, hwm int64 // bytes
	exited                          chan struct{}
}

// startServer starts a child with the flags of Serve, and env added to its
// environment, and waits until it serves. Its standard error goes to a log
// file in dir.
func startServer(ctx context.Context, cfg Config, name string, env []string, flags ...string) (*server, error) {
	logPath := filepath.Join(cfg.Dir, "areagraph-bench-"+strings.ReplaceAll(name, " ", "-")+".log")
	logFile, err := os.Create(logPath)
	if err != nil {
		return nil, err
	}
	args := append(append([]string{}, cfg.Server[1:]...), flags...)
	cmd := exec.Command(cfg.Server[0], args...)
	cmd.Stderr = logFile
	cmd.Env = append(os.Environ(), env...)
	stdin, err := cmd.StdinPipe()
	if err != nil {
		logFile.Close()
		return nil, err
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		logFile.Close()
		return nil, err
	}
	began := time.Now()
	if err := cmd.Start(); err != nil {
		logFile.Close()
		return nil, err
	}
	s := &server{name: name, cmd: cmd, stdin: stdin, logFile: logFile, exited: make(chan struct{})}
	lines := make(chan readyLine, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		if sc.Scan() {
			var l readyLine
			if json.Unmarshal(sc.Bytes(), &l) == nil {
				lines <- l
			}
		}
		_, _ = io.Copy(io.Discard, stdout)
	}()
	go func() {
		_ = cmd.Wait()
		close(s.exited)
	}()
	select {
	case l := <-lines:
		s.startup = time.Since(began)
		s.ready = l
		s.url = "http://" + l.Addr
	case <-s.exited:
		logFile.Close()
		tail, _ := os.ReadFile(logPath)
		return nil, fmt.Errorf("server %s exited before serving: %s", name, lastLines(tail, 5))
	case <-time.After(10 * time.Minute):
		s.stop()
		return nil, fmt.Errorf("server %s did not serve within 10 minutes", name)
	case <-ctx.Done():
		s.stop()
		return nil, ctx.Err()
	}
	s.rssReady, s.hwmReady = s.memory()
	s.sample()
	return s, nil
}

func lastLines(b []byte, n int) string {
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}

// memory reads the child's resident set and its peak from the kernel.
func (s *server) memory() (rss, hwm int64) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", s.cmd.Process.Pid))
	if err != nil {
		return 0, 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		k, v, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		kb, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
		switch k {
		case "VmRSS":
			rss = kb * 1024
		case "VmHWM":
			hwm = kb * 1024
		}
	}
	return rss, hwm
}

// sample records the child's memory now.
func (s *server) sample() {
	rss, hwm := s.memory()
	s.mu.Lock()
	defer s.mu.Unlock()
	s.rssMax = max(s.rssMax, rss)
	s.hwm = max(s.hwm, hwm)
}

// stop ends the child: its standard input closes, and it is killed if it
// has not gone a few seconds later.
func (s *server) stop() {
	_ = s.stdin.Close()
	select {
	case <-s.exited:
	case <-time.After(10 * time.Second):
		_ = s.cmd.Process.Kill()
		<-s.exited
	}
	s.logFile.Close()
}

// ServerStats is what a server child cost.
type ServerStats struct {
	Name string
	// Startup is from starting the process to serving; Read and Load are
	// the child's own account of reading the dataset file and loading
	// the store (or waiting for the area replica).
	Startup, Read, Load time.Duration
	// RSSReady is the resident set once serving and PeakLoading its
	// high-water mark then; RSSMax is the most seen after the loads, Peak
	// the high-water mark at the end.
	RSSReady, PeakLoading, RSSMax, Peak int64
	// MemoryLimit and MemoryLimitSet are the soft memory limit the child
	// served under and who set it (see readyLine).
	MemoryLimit    int64
	MemoryLimitSet string
}

// Limit says which soft memory limit the server ran under.
func (s *ServerStats) Limit() string {
	switch {
	case s.MemoryLimit == 0:
		return "no memory limit"
	case s.MemoryLimitSet == "self":
		return fmt.Sprintf("the limit it set itself, %d MiB", s.MemoryLimit>>20)
	default:
		return fmt.Sprintf("%s=%d MiB", s.MemoryLimitSet, s.MemoryLimit>>20)
	}
}

func (s *server) stats() ServerStats {
	s.mu.Lock()
	defer s.mu.Unlock()
	return ServerStats{
		Name: s.name, Startup: s.startup,
		Read:     time.Duration(s.ready.ReadMillis * float64(time.Millisecond)),
		Load:     time.Duration(s.ready.LoadMillis * float64(time.Millisecond)),
		RSSReady: s.rssReady, PeakLoading: s.hwmReady, RSSMax: s.rssMax, Peak: s.hwm,
		MemoryLimit: s.ready.MemoryLimit, MemoryLimitSet: s.ready.MemoryLimitSet,
	}
}

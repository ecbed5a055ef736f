package graph

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/executor"
	"github.com/99designs/gqlgen/graphql/handler/extension"
	"github.com/99designs/gqlgen/graphql/handler/lru"
	"github.com/99designs/gqlgen/graphql/playground"
	"github.com/areagraph/areagraph/auth"
	"github.com/areagraph/areagraph/db"
	"github.com/areagraph/areagraph/graph/loader"
	"github.com/areagraph/areagraph/layers"
	"github.com/areagraph/areagraph/obs"
	"github.com/areagraph/areagraph/web"
	"github.com/rs/cors"
	"github.com/vektah/gqlparser/v2/ast"
)

// NewGraphQLHandler returns the GraphQL endpoint over store, with the
// default limits.
func NewGraphQLHandler(store db.Store, log *slog.Logger) http.Handler {
	return newGraphQLHandler(store, ServerConfig{Log: log}.withDefaults())
}

func newGraphQLHandler(store db.Store, cfg ServerConfig) http.Handler {
	exec := executor.New(NewExecutableSchema(Config{Resolvers: &Resolver{Store: store}}))
	// Parsing and validating a query costs more than running most of
	// them; map frontends send the same few queries again and again.
	queries := lru.New[*ast.QueryDocument](cfg.QueryCacheSize)
	exec.SetQueryCache(queries)
	if cfg.APQCacheSize > 0 {
		// Clients that send a query's hash in place of its text, and the
		// text only when asked: smaller requests, and GETs short enough
		// for CDN caches.
		exec.Use(extension.AutomaticPersistedQuery{Cache: lru.New[string](cfg.APQCacheSize)})
	}
	exec.Use(getGuard{cache: queries})
	exec.Use(queryLimits{maxDepth: cfg.Limits.MaxDepth, maxComplexity: cfg.Limits.MaxComplexity, introspection: !cfg.DisableIntrospection})
	if !cfg.DisableIntrospection {
		exec.Use(extension.Introspection{})
	}
	exec.SetErrorPresenter(presentError(cfg.Log))
	exec.SetRecoverFunc(recoverPanic(cfg.Log))
	// Every operation gets its own loaders: batching and caching last as
	// long as one request, so no request sees another's data.
	exec.AroundOperations(func(ctx context.Context, next graphql.OperationHandler) graphql.ResponseHandler {
		return next(loader.With(ctx, loader.New(store)))
	})
	return &graphqlHandler{exec: exec, maxBody: cfg.Limits.MaxBodyBytes, apq: cfg.APQCacheSize > 0, log: cfg.Log}
}

// NewServer returns the whole HTTP surface: the map explorer at / (assets
// at /assets/), GraphQL at /graphql, GraphiQL at /graphiql, map layers at
// /layers/ and /tiles/ (GeoJSON, vector tiles, TileJSON),
// health at /healthz and /readyz, metrics at /metrics, all behind CORS and
// observed: every request gets an id, a log line and its metrics. With
// cfg.Auth, requests to GraphQL and the map layers are authenticated.
func NewServer(store db.Store, cfg ServerConfig) http.Handler {
	cfg = cfg.withDefaults()
	log := cfg.Log
	metrics := cfg.Metrics
	metrics.WatchPool(store)
	store = obs.InstrumentStore(store, metrics)
	// Authentication guards the routes that serve data. It sits inside
	// CORS, so a browser's preflight is answered without a token (browsers
	// never send one with it), and inside the observation, so refused
	// requests are logged and counted with their request ids like any
	// other. It wraps each route rather than the whole mux so that the
	// route a request took, refused or not, is still seen by the access
	// log and the metrics.
	authn := func(h http.Handler) http.Handler {
		if cfg.Auth == nil {
			return h
		}
		return cfg.Auth.Middleware(h)
	}
	mux := http.NewServeMux()
	mux.Handle("/graphql", authn(withTimeout(cfg.Limits.Timeout, newGraphQLHandler(store, cfg))))
	explorer := web.New(cfg.Explorer)
	mux.Handle("GET /{$}", explorer)
	mux.Handle("GET /assets/", explorer)
	if !cfg.DisableGraphiQL {
		mux.Handle("GET /graphiql", playground.Handler("areagraph", "/graphql"))
	}
	mapLayers := authn(withTimeout(cfg.Limits.Timeout, layers.New(store, log)))
	mux.Handle("/layers/", mapLayers)
	mux.Handle("/tiles/", mapLayers)
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
		defer cancel()
		if err := store.Ping(ctx); err != nil {
			log.WarnContext(ctx, "not ready", "error", err)
			writeJSON(w, http.StatusServiceUnavailable, map[string]string{"status": "unavailable", "database": "unreachable"})
			return
		}
		writeJSON(w, http.StatusOK, map[string]string{"status": "ok", "database": "ok"})
	})
	if !cfg.DisableMetrics {
		mux.Handle("GET /metrics", metrics.Handler())
	}
	return obs.Middleware(corsFor(cfg.AllowedOrigins).Handler(mux), obs.Options{
		Log:     log,
		Metrics: metrics,
		Route:   routeOf,
		Quiet:   []string{"/healthz", "/readyz", "/metrics"},
	})
}

// routeOf labels a request for the access log and the metrics by the route
// that served it, with the map layer for the map routes; the layers
// handler routes inside /layers/ and /tiles/ itself, so those are told
// apart here by their form.
func routeOf(r *http.Request) (route, layer string) {
	route = obs.PatternPath(r.Pattern)
	switch route {
	case "/layers/":
		name, _ := strings.CutPrefix(r.URL.Path, "/layers/")
		return "/layers/{layer}.geojson", strings.TrimSuffix(name, ".geojson")
	case "/tiles/":
		rest, _ := strings.CutPrefix(r.URL.Path, "/tiles/")
		if name, _, ok := strings.Cut(rest, "/"); ok {
			return "/tiles/{layer}/{z}/{x}/{y}.mvt", name
		}
		return "/tiles/{layer}.json", strings.TrimSuffix(rest, ".json")
	}
	return route, ""
}

// ServerConfig configures NewServer. Its zero value serves with every
// feature on and the default limits.
type ServerConfig struct {
	// AllowedOrigins narrows CORS to these origins; empty lets any origin
	// read, as a public API should (a map page on another host or port
	// works out of the box).
	AllowedOrigins []string
	// Log receives the access log and internal errors; nil means
	// slog.Default().
	Log *slog.Logger
	// Metrics records the server's metrics; nil means a registry of its
	// own.
	Metrics *obs.Metrics
	// Limits bound each request; zero fields take the defaults.
	Limits Limits
	// QueryCacheSize is how many parsed and validated queries are kept;
	// 0 means DefaultQueryCacheSize.
	QueryCacheSize int
	// APQCacheSize is how many automatic persisted queries are kept; 0
	// means DefaultAPQCacheSize, negative turns them off.
	APQCacheSize int
	// DisableIntrospection refuses __schema and __type queries.
	DisableIntrospection bool
	// DisableGraphiQL serves no GraphiQL page.
	DisableGraphiQL bool
	// DisableMetrics serves no /metrics; they are still recorded.
	DisableMetrics bool
	// Explorer configures the map explorer at /, e.g. its base map.
	Explorer web.Options
	// Auth reads each request's bearer token and puts the caller on its
	// context. Nil serves everyone as anonymous: reads work, every write
	// is UNAUTHENTICATED.
	Auth *auth.Authenticator
}

// Defaults of ServerConfig.
const (
	DefaultQueryCacheSize = 1000
	DefaultAPQCacheSize   = 1000
)

func (c ServerConfig) withDefaults() ServerConfig {
	c.Log = obs.WithRequestIDs(c.Log)
	if c.Metrics == nil {
		c.Metrics = obs.NewMetrics()
	}
	c.Limits = c.Limits.withDefaults()
	if c.QueryCacheSize <= 0 {
		c.QueryCacheSize = DefaultQueryCacheSize
	}
	switch {
	case c.APQCacheSize == 0:
		c.APQCacheSize = DefaultAPQCacheSize
	case c.APQCacheSize < 0:
		c.APQCacheSize = 0
	}
	return c
}

// corsFor answers preflights and sets CORS headers. With no allow-list any
// origin may read, but credentials are never allowed for "*": only origins
// an operator lists explicitly are trusted with them.
func corsFor(origins []string) *cors.Cors {
	opts := cors.Options{
		AllowedMethods: []string{http.MethodGet, http.MethodPost, http.MethodOptions},
		AllowedHeaders: []string{"Content-Type", "Authorization", "Accept", "X-Request-Id"},
		// A page must be able to read why it was refused (the bearer
		// challenge) and when to try again, not only the body.
		ExposedHeaders: []string{"ETag", "X-Request-Id", "WWW-Authenticate", "Retry-After"},
		MaxAge:         600,
	}
	if len(origins) == 0 {
		opts.AllowedOrigins = []string{"*"}
	} else {
		opts.AllowedOrigins = origins
		opts.AllowCredentials = true
	}
	return cors.New(opts)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// Package server is the HTTP house of areagraph: one handler that routes
// to GraphQL, the map layers, the map explorer, health, readiness and
// metrics, behind CORS, authentication and the observation of every
// request. What it mounts knows nothing of the others.
package server

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/areagraph/areagraph/auth"
	"github.com/areagraph/areagraph/db"
	"github.com/areagraph/areagraph/db/outline"
	"github.com/areagraph/areagraph/graph"
	"github.com/areagraph/areagraph/internal/httpcache"
	"github.com/areagraph/areagraph/internal/httpx"
	"github.com/areagraph/areagraph/layers"
	"github.com/areagraph/areagraph/obs"
	"github.com/areagraph/areagraph/ogcapi"
	"github.com/areagraph/areagraph/web"
	"github.com/areagraph/areagraph/web/graphiql"
	"github.com/rs/cors"
)

// New returns the whole HTTP surface: the map explorer at / (assets
// at /assets/), GraphQL at /graphql, GraphiQL at /graphiql, map layers at
// /layers/ and /tiles/ (GeoJSON, vector tiles, TileJSON), OGC API –
// Features at /collections, /conformance and /api (its landing page at /
// for clients asking for JSON),
// health at /healthz and /readyz, metrics at /metrics, all behind CORS and
// observed: every request gets an id, a log line and its metrics. With
// cfg.Auth, requests to GraphQL and the map layers are authenticated.
func New(store db.Store, cfg Config) http.Handler {
	cfg = cfg.withDefaults()
	log := cfg.Log
	metrics := cfg.Metrics
	metrics.WatchPool(store)
	metrics.WatchReplication(store)
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
	// The routes that read the data share one bound on the requests in
	// flight: what a request holds (its body, its parsed query, its
	// answer) is bounded per request, and this bounds how many hold it at
	// once. It sits outside authentication, so a flood is shed before it
	// costs a key lookup.
	shed := inFlightLimit(cfg.MaxInFlight)
	// The layers write absolute links (next pages, tile URLs), built by
	// httpx.BaseURL from the forwarding configuration.
	forwarding := cfg.Forwarding
	mux := http.NewServeMux()
	// Answers tagged with the data they read, revalidated with a 304 and
	// kept for anonymous readers until a write to what they read
	// (internal/httpcache); inside authentication, which says who asks.
	cache := httpcache.New(httpcache.Config{
		Versions: cfg.Versions, MaxBytes: cfg.ResponseCacheBytes, MaxAge: cfg.CacheMaxAge,
		Metrics: metrics, Now: cfg.Now,
	})
	// One cache of simplified outlines for every door that simplifies
	// them (GraphQL's geometry, the map layers' tiles and GeoJSON, OGC
	// API's items): a map reads the same groups and zooms through all of
	// them, and one budget bounds what they hold together.
	outlines := outline.New(store, cfg.OutlineCacheBytes)
	// A group of outlines whose area changed is dropped as the change
	// is committed, not left to the budget.
	outlines.Follow(cfg.Context, store, log)
	gqlConfig := cfg.graphQL()
	gqlConfig.Cache = cache
	gqlConfig.Outlines = outlines
	gql := graph.NewHandler(store, gqlConfig)
	// The routes that serve data also read and answer consistency tokens
	// (consistency.go); inside the mux, so that the request the access
	// log and the metrics see is the one the mux labelled with its route.
	requests := shed(withConsistency(authn(httpx.Gzip(withTimeout(cfg.Limits.Timeout, gql)))))
	// Streams have bounds of their own (streams.go). A WebSocket is
	// authenticated by the GraphQL handler from its connection_init
	// message, since browsers cannot put a header on the upgrade; Server-
	// Sent Events are requests like any other.
	streams := streamLimit(cfg.MaxStreams, cfg.MaxStreamsPerClient, &forwarding)
	sockets, events := streams(gql), streams(authn(gql))
	mux.Handle("/graphql", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case graph.IsWebSocket(r):
			sockets.ServeHTTP(w, r)
		case graph.IsEventStream(r):
			events.ServeHTTP(w, r)
		default:
			requests.ServeHTTP(w, r)
		}
	}))
	explorer := web.New(cfg.Explorer, log)
	mux.Handle("GET /assets/", explorer)
	if !cfg.DisableGraphiQL {
		// GraphiQL is served whole from this server; its page links its
		// assets and /graphql by relative URLs, which carry any base path
		// a proxy in front strips.
		ide := graphiql.New()
		mux.Handle("GET /graphiql", htmlPage(graphiql.ContentSecurityPolicy, ide))
		mux.Handle("GET /graphiql/assets/", ide)
	}
	layerLinks := func(h http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			h.ServeHTTP(w, httpx.WithForwarding(r, &forwarding))
		})
	}
	layerHandler := layers.New(store, log)
	layerHandler.Now = cfg.Now
	layerHandler.ShareOutlines(outlines)
	layerRoute := httpcache.Route{Name: "/layers/", Vary: append([]string{"Accept-Encoding"}, httpx.ForwardedHeaders...),
		Reads: func(r *http.Request) ([]string, bool) { return layers.ReadsPath(r.URL.Path) }}
	mapLayers := shed(withConsistency(authn(withTimeout(cfg.Limits.Timeout, layerLinks(cache.Wrap(layerRoute, layerHandler))))))
	mux.Handle("/layers/", mapLayers)
	mux.Handle("/tiles/", mapLayers)
	// OGC API – Features over the same layers, for GIS tools. Its landing
	// page shares / with the map explorer: a client asking for JSON gets
	// the one, a browser the other.
	ogcHandler := ogcapi.New(store, log)
	ogcHandler.ShareOutlines(outlines)
	ogcRoute := httpcache.Route{Name: "/collections/", Vary: append([]string{"Accept", "Accept-Encoding"}, httpx.ForwardedHeaders...),
		Reads: func(r *http.Request) ([]string, bool) { return ogcapi.Reads(r.URL.Path) }}
	ogc := shed(withConsistency(authn(withTimeout(cfg.Limits.Timeout, layerLinks(cache.Wrap(ogcRoute, ogcHandler))))))
	for _, p := range []string{"/api", "/conformance", "/collections", "/collections/"} {
		mux.Handle(p, ogc)
	}
	explorerPage := htmlPage(explorer.ContentSecurityPolicy(), explorer)
	mux.Handle("GET /{$}", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		httpx.AddVary(w.Header(), "Accept")
		if ogcapi.WantsJSON(r) {
			ogc.ServeHTTP(w, r)
			return
		}
		explorerPage.ServeHTTP(w, r)
	}))
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
	return obs.Middleware(withCommonHeaders(corsFor(cfg.AllowedOrigins).Handler(mux)), obs.Options{
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
	case "/collections/":
		rest, _ := strings.CutPrefix(r.URL.Path, "/collections/")
		name, sub, _ := strings.Cut(rest, "/")
		switch {
		case sub == "":
			return "/collections/{id}", name
		case sub == "items":
			return "/collections/{id}/items", name
		case strings.HasPrefix(sub, "items/"):
			return "/collections/{id}/items/{featureId}", name
		case sub == "queryables":
			return "/collections/{id}/queryables", name
		}
		return route, ""
	}
	return route, ""
}

// Config configures New. Its zero value serves with every
// feature on and the default limits.
type Config struct {
	// Now is the clock that says which day today is: GraphQL and the map
	// layers answer questions about areas for today when they name no
	// day. nil means time.Now; tests set a day of their choosing.
	Now func() time.Time
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
	Limits graph.Limits
	// QueryCacheSize is how many parsed and validated queries are kept;
	// 0 means graph.DefaultQueryCacheSize.
	QueryCacheSize int
	// QueryCacheBytes bounds the memory of those queries; 0 means
	// graph.DefaultQueryCacheBytes.
	QueryCacheBytes int64
	// APQCacheSize is how many automatic persisted queries are kept; 0
	// means graph.DefaultAPQCacheSize, negative turns them off.
	APQCacheSize int
	// APQCacheBytes bounds the text of those queries; 0 means
	// graph.DefaultAPQCacheBytes.
	APQCacheBytes int64
	// OutlineCacheBytes bounds the memory of the simplified area
	// outlines kept for GraphQL, the map layers and OGC API together
	// (db/outline); 0 means outline.DefaultBytes.
	OutlineCacheBytes int
	// GeoJSONCacheBytes bounds the memory of the area outlines GraphQL
	// keeps as GeoJSON text (outline.Texts); 0 means
	// outline.DefaultTextBytes.
	GeoJSONCacheBytes int
	// DisableIntrospection refuses __schema and __type queries.
	DisableIntrospection bool
	// DisableTreeReads answers every GraphQL query field by field, never
	// from a store's tree read (graph.HandlerConfig.DisableTreeReads): the
	// same answers, slower; for an operator who suspects the fast path.
	DisableTreeReads bool
	// DisableGraphiQL serves no GraphiQL page.
	DisableGraphiQL bool
	// DisableMetrics serves no /metrics; they are still recorded.
	DisableMetrics bool
	// Explorer configures the map explorer at /, e.g. its base map.
	Explorer web.Options
	// Forwarding says which proxies' forwarded headers to trust, and the
	// base path, for the links the map layers write; the zero value
	// trusts none and serves at the root.
	Forwarding httpx.Forwarding
	// MaxInFlight bounds the requests to GraphQL and the map layers that
	// are served at once; one more is answered 503 with Retry-After at
	// once. 0 means DefaultMaxInFlight, negative no bound.
	MaxInFlight int
	// MaxStreams bounds the streams (WebSockets and Server-Sent Events
	// at /graphql) open at once; one more is answered 503. 0 means
	// DefaultMaxStreams, negative no bound.
	MaxStreams int
	// MaxStreamsPerClient bounds those of one client address (the
	// peer's, or the one a trusted proxy forwards); one more is answered
	// 429. 0 means DefaultMaxStreamsPerClient, negative no bound.
	MaxStreamsPerClient int
	// Streams bounds the subscriptions and the streams' timing; its
	// origins and authentication are AllowedOrigins' and Auth's.
	Streams graph.StreamConfig
	// Auth reads each request's bearer token and puts the caller on its
	// context. Nil serves everyone as anonymous: reads work, every write
	// is UNAUTHENTICATED.
	Auth *auth.Authenticator
	// Versions are the change feed's heads, held in memory
	// (httpcache.Follow on the store): GraphQL queries, map layers, tiles
	// and OGC API answer an ETag keyed on the data they read and 304 to a
	// client that holds it, and anonymous answers are kept. Nil tags
	// nothing and keeps nothing; the layers then tag their bytes.
	Versions httpcache.Versions
	// ResponseCacheBytes bounds the anonymous answers kept; 0 means
	// httpcache.DefaultMaxBytes, negative keeps none (answers are still
	// tagged).
	ResponseCacheBytes int64
	// CacheMaxAge is how long browsers and CDNs may use an anonymous
	// answer before they revalidate it; 0 makes them ask every time.
	CacheMaxAge time.Duration
	// Context bounds the server's own background work: the outline
	// cache following the change feed, from the first outline it
	// simplifies (db/outline). Nil means context.Background(): it lasts
	// as long as the process.
	Context context.Context
}

func (c Config) withDefaults() Config {
	c.Log = obs.WithRequestIDs(c.Log)
	if c.Metrics == nil {
		c.Metrics = obs.NewMetrics()
	}
	c.Limits = c.Limits.WithDefaults()
	if c.Context == nil {
		c.Context = context.Background()
	}
	if c.ResponseCacheBytes == 0 {
		c.ResponseCacheBytes = httpcache.DefaultMaxBytes
	}
	if c.MaxInFlight == 0 {
		c.MaxInFlight = DefaultMaxInFlight
	}
	if c.MaxStreams == 0 {
		c.MaxStreams = DefaultMaxStreams
	}
	if c.MaxStreamsPerClient == 0 {
		c.MaxStreamsPerClient = DefaultMaxStreamsPerClient
	}
	return c
}

// DefaultMaxInFlight is far more requests than two cores and a pool of
// connections serve at once (more only queue, each holding its body and
// its parsed query), and few enough that all of them together stay within
// a few hundred MiB at the request limits' worst.
const DefaultMaxInFlight = 128

// inFlightLimit sheds what comes past n requests in flight, rather than
// queueing it: a queue only holds more memory longer, while a 503 with
// Retry-After tells a client, or the load balancer in front, to come back
// or go elsewhere. n < 0 bounds nothing.
func inFlightLimit(n int) func(http.Handler) http.Handler {
	if n < 0 {
		return func(h http.Handler) http.Handler { return h }
	}
	slots := make(chan struct{}, n)
	return func(h http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			select {
			case slots <- struct{}{}:
				defer func() { <-slots }()
				h.ServeHTTP(w, r)
			default:
				w.Header().Set("Retry-After", "1")
				writeJSON(w, http.StatusServiceUnavailable, map[string]any{"errors": []map[string]any{{
					"message":    "the server is serving as many requests as it may; try again in a second",
					"extensions": map[string]string{"code": db.EUNAVAILABLE},
				}}})
			}
		})
	}
}

// graphQL is the configuration of the GraphQL handler.
func (c Config) graphQL() graph.HandlerConfig {
	return graph.HandlerConfig{
		Log:                  c.Log,
		Limits:               c.Limits,
		QueryCacheSize:       c.QueryCacheSize,
		QueryCacheBytes:      c.QueryCacheBytes,
		APQCacheSize:         c.APQCacheSize,
		APQCacheBytes:        c.APQCacheBytes,
		DisableIntrospection: c.DisableIntrospection,
		DisableTreeReads:     c.DisableTreeReads,
		GeoJSONCacheBytes:    c.GeoJSONCacheBytes,
		Now:                  c.Now,
		Streams:              c.streams(),
	}
}

// streams is the configuration of the streaming transports: the
// WebSocket's origins are those CORS allows, and its caller is
// authenticated as a request's would be.
func (c Config) streams() graph.StreamConfig {
	s := c.Streams
	s.AllowedOrigins = c.AllowedOrigins
	if a := c.Auth; a != nil {
		s.Authenticate = func(ctx context.Context, authorization []string) (context.Context, error) {
			actor, _, err := a.Caller(ctx, authorization)
			if err != nil || actor == nil {
				return ctx, err
			}
			return auth.WithActor(ctx, *actor), nil
		}
	}
	return s
}

// corsFor answers preflights and sets CORS headers. With no allow-list any
// origin may read, but credentials are never allowed for "*": only origins
// an operator lists explicitly are trusted with them.
func corsFor(origins []string) *cors.Cors {
	opts := cors.Options{
		AllowedMethods: []string{http.MethodGet, http.MethodPost, http.MethodOptions},
		AllowedHeaders: []string{"Content-Type", "Authorization", "Accept", "X-Request-Id", ConsistencyHeader},
		// A page must be able to read why it was refused (the bearer
		// challenge) and when to try again, not only the body;
		// Content-Crs names the coordinate system of OGC API features;
		// a write's consistency token is for the page to send back.
		ExposedHeaders: []string{"ETag", "X-Request-Id", "WWW-Authenticate", "Retry-After", "Content-Crs", ConsistencyHeader},
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

// withTimeout gives every request through h a deadline, which the store
// passes on to the database so that an abandoned query stops there too.
func withTimeout(d time.Duration, h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), d)
		defer cancel()
		h.ServeHTTP(w, r.WithContext(ctx))
	})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

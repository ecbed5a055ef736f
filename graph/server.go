package graph

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler"
	"github.com/99designs/gqlgen/graphql/handler/extension"
	"github.com/99designs/gqlgen/graphql/handler/lru"
	"github.com/99designs/gqlgen/graphql/handler/transport"
	"github.com/99designs/gqlgen/graphql/playground"
	"github.com/areagraph/areagraph/db"
	"github.com/areagraph/areagraph/graph/loader"
	"github.com/areagraph/areagraph/layers"
	"github.com/rs/cors"
	"github.com/vektah/gqlparser/v2/ast"
)

// NewGraphQLHandler returns the GraphQL endpoint over store.
func NewGraphQLHandler(store db.Store, log *slog.Logger) http.Handler {
	if log == nil {
		log = slog.Default()
	}
	srv := handler.New(NewExecutableSchema(Config{Resolvers: &Resolver{Store: store}}))
	srv.AddTransport(transport.Options{})
	srv.AddTransport(transport.GET{})
	srv.AddTransport(transport.POST{})
	// Parsing and validating a query costs more than running most of
	// them; map frontends send the same few queries again and again.
	srv.SetQueryCache(lru.New[*ast.QueryDocument](1000))
	srv.Use(extension.Introspection{})
	srv.SetErrorPresenter(presentError(log))
	srv.SetRecoverFunc(recoverPanic(log))
	// Every operation gets its own loaders: batching and caching last as
	// long as one request, so no request sees another's data.
	srv.AroundOperations(func(ctx context.Context, next graphql.OperationHandler) graphql.ResponseHandler {
		return next(loader.With(ctx, loader.New(store)))
	})
	return srv
}

// NewServer returns the whole HTTP surface: GraphQL at /graphql, GraphiQL at
// /, map layers at /layers/ and /tiles/ (GeoJSON, vector tiles, TileJSON),
// health at /healthz and /readyz, all behind CORS.
func NewServer(store db.Store, cfg ServerConfig) http.Handler {
	log := cfg.Log
	if log == nil {
		log = slog.Default()
	}
	mux := http.NewServeMux()
	mux.Handle("/graphql", NewGraphQLHandler(store, log))
	mux.Handle("GET /{$}", playground.Handler("areagraph", "/graphql"))
	mapLayers := layers.New(store, log)
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
	return corsFor(cfg.AllowedOrigins).Handler(mux)
}

// ServerConfig configures NewServer.
type ServerConfig struct {
	// AllowedOrigins narrows CORS to these origins; empty lets any origin
	// read, as a public API should (a map page on another host or port
	// works out of the box).
	AllowedOrigins []string
	// Log receives internal errors; nil means slog.Default().
	Log *slog.Logger
}

// corsFor answers preflights and sets CORS headers. With no allow-list any
// origin may read, but credentials are never allowed for "*": only origins
// an operator lists explicitly are trusted with them.
func corsFor(origins []string) *cors.Cors {
	opts := cors.Options{
		AllowedMethods: []string{http.MethodGet, http.MethodPost, http.MethodOptions},
		AllowedHeaders: []string{"Content-Type", "Authorization", "Accept", "X-Request-Id"},
		ExposedHeaders: []string{"ETag", "X-Request-Id"},
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

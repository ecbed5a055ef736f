package graph

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/executor"
	"github.com/99designs/gqlgen/graphql/handler/extension"
	"github.com/areagraph/areagraph/db"
	"github.com/areagraph/areagraph/db/follow"
	"github.com/areagraph/areagraph/db/outline"
	"github.com/areagraph/areagraph/graph/generated"
	"github.com/areagraph/areagraph/graph/loader"
	"github.com/areagraph/areagraph/internal/bytecache"
	"github.com/areagraph/areagraph/internal/httpcache"
	"github.com/areagraph/areagraph/obs"
	"github.com/vektah/gqlparser/v2/ast"
)

// HandlerConfig configures NewHandler. Its zero value serves with the
// default limits and caches, introspection on.
type HandlerConfig struct {
	// Log receives internal errors, with the request id of the context
	// they happened in; nil means slog.Default().
	Log *slog.Logger
	// Limits bound each request; zero fields take the defaults. The
	// handler checks depth, complexity and the body's size; the deadline
	// (Timeout) is for whoever mounts it to put on the request's context,
	// as the server does for every route that reads the store.
	Limits Limits
	// QueryCacheSize is how many parsed and validated queries are kept;
	// 0 means DefaultQueryCacheSize.
	QueryCacheSize int
	// QueryCacheBytes bounds the memory of the parsed queries kept, as
	// estimated from their nodes; 0 means DefaultQueryCacheBytes. A query
	// larger than 1/16 of it is parsed again each time it is sent.
	QueryCacheBytes int64
	// APQCacheSize is how many automatic persisted queries are kept; 0
	// means DefaultAPQCacheSize, negative turns them off.
	APQCacheSize int
	// APQCacheBytes bounds the text of the persisted queries kept; 0
	// means DefaultAPQCacheBytes. A query longer than 1/16 of it is not
	// kept, and its clients send its text each time.
	APQCacheBytes int64
	// DisableIntrospection refuses __schema and __type queries.
	DisableIntrospection bool
	// Streams configures subscriptions over WebSocket and Server-Sent
	// Events; WebSocket messages are bounded by Limits.MaxBodyBytes, as
	// POST bodies are.
	Streams StreamConfig
	// Now is the clock that says which day today is, the day questions
	// about areas are answered for when they name none; nil means
	// time.Now. Tests set it to ask on a day of their choosing.
	Now func() time.Time
	// Cache tags the answers of queries with the data they read (ETag on
	// GET, 304 for a client that holds the tag, before any resolver runs)
	// and keeps anonymous answers; nil tags and keeps nothing.
	Cache *httpcache.Cache
	// Outlines simplifies the outlines geometry(zoom:) and
	// geometry(simplifyMeters:) answer with; nil means a cache of the
	// handler's own of outline.DefaultBytes. The server passes the one it
	// shares with the map layers.
	Outlines *outline.Cache
	// DisableTreeReads answers every query field by field, never from a
	// store's tree read (tree.go); the answers are the same, only slower.
	// Tests set it to compare the two; an operator sets it with
	// --tree-reads=false.
	DisableTreeReads bool
	// GeoJSONCacheBytes bounds the memory of the outlines kept as GeoJSON
	// text, which geometry without zoom or simplifyMeters is written from
	// (outline.Texts); 0 means outline.DefaultTextBytes.
	GeoJSONCacheBytes int
}

// Defaults of HandlerConfig.
const (
	DefaultQueryCacheSize = 1000
	DefaultAPQCacheSize   = 1000
	// DefaultQueryCacheBytes holds several hundred ordinary queries (30
	// to 80 nodes, 15 to 40 KB each), more than the clients of one site
	// send, and one of up to 1 MiB (about 2,300 nodes).
	DefaultQueryCacheBytes = 16 << 20
	// DefaultAPQCacheBytes holds a thousand queries of 8 KiB of text, and
	// one of up to 512 KiB.
	DefaultAPQCacheBytes = 8 << 20
)

func (c HandlerConfig) withDefaults() HandlerConfig {
	c.Log = obs.WithRequestIDs(c.Log)
	c.Limits = c.Limits.WithDefaults()
	c.Streams = c.Streams.withDefaults()
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.QueryCacheSize <= 0 {
		c.QueryCacheSize = DefaultQueryCacheSize
	}
	if c.QueryCacheBytes <= 0 {
		c.QueryCacheBytes = DefaultQueryCacheBytes
	}
	if c.APQCacheBytes <= 0 {
		c.APQCacheBytes = DefaultAPQCacheBytes
	}
	switch {
	case c.APQCacheSize == 0:
		c.APQCacheSize = DefaultAPQCacheSize
	case c.APQCacheSize < 0:
		c.APQCacheSize = 0
	}
	return c
}

// outlines is the cache geometry is simplified with: the one given, or
// one of the handler's own over store.
func (c HandlerConfig) outlines(store db.AreaReader) *outline.Cache {
	if c.Outlines != nil {
		return c.Outlines
	}
	return outline.New(store, 0)
}

// NewHandler returns the GraphQL endpoint over store: GraphQL over HTTP
// (POST, and GET for queries) with its limits, caches and error presenter.
// Subscriptions are served over WebSocket and Server-Sent Events (see
// stream.go). Authentication, CORS, the deadline and the access log are
// the business of the HTTP server that mounts it.
func NewHandler(store Backend, cfg HandlerConfig) http.Handler {
	cfg = cfg.withDefaults()
	schema := generated.NewExecutableSchema(generated.Config{
		Resolvers: &Resolver{Store: store, Now: cfg.Now, Follow: follow.New(store, 0, cfg.Log), Outlines: cfg.outlines(store),
			Texts: outline.NewTexts(cfg.GeoJSONCacheBytes)},
		Directives: generated.DirectiveRoot{Auth: authDirective},
	})
	exec := executor.New(schema)
	// Parsing and validating a query costs more than running most of
	// them; map frontends send the same few queries again and again.
	// Both caches are bounded by bytes as well as entries, since their
	// keys are whatever anonymous clients send.
	queries := bytecache.New(cfg.QueryCacheSize, cfg.QueryCacheBytes, documentBytes)
	var _ graphql.Cache[*ast.QueryDocument] = queries
	exec.SetQueryCache(queries)
	exec.SetDefaultRulesFn(validationRules)
	if cfg.APQCacheSize > 0 {
		// Clients that send a query's hash in place of its text, and the
		// text only when asked: smaller requests, and GETs short enough
		// for CDN caches.
		exec.Use(extension.AutomaticPersistedQuery{Cache: bytecache.New(cfg.APQCacheSize, cfg.APQCacheBytes, persistedBytes)})
	}
	// The parser stops at the token limit, and queryBounds refuses what
	// would take validation long, before it runs.
	exec.SetParserTokenLimit(cfg.Limits.MaxTokens)
	exec.Use(queryBounds{cache: queries, maxTokens: cfg.Limits.MaxTokens, maxSelections: cfg.Limits.MaxSelections})
	exec.Use(getGuard{cache: queries})
	exec.Use(enumVariables{})
	exec.Use(queryLimits{maxDepth: cfg.Limits.MaxDepth, maxComplexity: cfg.Limits.MaxComplexity, introspection: !cfg.DisableIntrospection})
	if !cfg.DisableIntrospection {
		exec.Use(extension.Introspection{})
	}
	// Outermost: a subscription is refused before it takes a slot of the
	// root fields or a loader.
	exec.AroundOperations(newStreamGate(cfg.Streams.MaxSubscriptions).around)
	exec.SetErrorPresenter(presentError(cfg.Log))
	exec.SetRecoverFunc(recoverPanic(cfg.Log))
	// Every operation gets its own loaders: batching and caching last as
	// long as one request, so no request sees another's data.
	exec.AroundOperations(func(ctx context.Context, next graphql.OperationHandler) graphql.ResponseHandler {
		ctx = context.WithValue(ctx, rootSlotsKey{}, make(chan struct{}, maxRootFieldsAtOnce))
		// The writes' consistency tokens, for withConsistency; the HTTP
		// server's sink when it gave one.
		ctx, _ = db.WithWrites(ctx)
		return next(loader.With(ctx, loader.New(store)))
	})
	exec.AroundResponses(withConsistency)
	exec.AroundRootFields(rootFieldsInTurn)
	// The root field of a tree whose read found the store away answers
	// with its error, not with a second read (tree.go).
	exec.AroundRootFields(failTree)
	h := &graphqlHandler{
		exec: exec, maxBody: cfg.Limits.MaxBodyBytes, apq: cfg.APQCacheSize > 0, log: cfg.Log,
		streams: cfg.Streams, ws: newWebSocket(cfg.Streams, cfg.Limits.MaxBodyBytes, cfg.Log),
		cache: cfg.Cache, schema: schema.Schema(),
	}
	if trees, ok := store.(db.TreeReader); ok && !cfg.DisableTreeReads {
		h.trees = trees
	}
	return h
}

// withConsistency answers, in extensions.consistency, the consistency
// token of the operation's writes (db.Consistency): a later read that
// sends it back, to any server instance, sees them. The HTTP server gives
// the same in a header (server.ConsistencyHeader).
func withConsistency(ctx context.Context, next graphql.ResponseHandler) *graphql.Response {
	resp := next(ctx)
	if resp == nil {
		return resp
	}
	if w := db.WritesOf(ctx); w != nil {
		if c := w.Consistency(); c != 0 {
			if resp.Extensions == nil {
				resp.Extensions = map[string]any{}
			}
			resp.Extensions["consistency"] = c.String()
		}
	}
	return resp
}

// maxRootFieldsAtOnce is how many root fields of one query run at once.
// gqlgen starts them all together, so a query of hundreds of aliases would
// otherwise take every connection of the pool, and its own fields,
// waiting past the pool's acquire timeout, would answer "database
// unavailable" when the truth is that the request is too big for its time.
// In turn, they wait on the request's deadline instead.
const maxRootFieldsAtOnce = 4

type rootSlotsKey struct{}

// rootFieldsInTurn runs a root field once one of its operation's slots is
// free, or gives up, with the context's error, when the request ends.
func rootFieldsInTurn(ctx context.Context, next graphql.RootResolver) graphql.Marshaler {
	slots, _ := ctx.Value(rootSlotsKey{}).(chan struct{})
	if slots == nil {
		return next(ctx)
	}
	select {
	case slots <- struct{}{}:
	case <-ctx.Done():
		graphql.AddError(ctx, ctx.Err())
		return graphql.Null
	}
	defer func() { <-slots }()
	return next(ctx)
}

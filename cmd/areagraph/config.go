package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/areagraph/areagraph/auth"
	"github.com/areagraph/areagraph/db/outline"
	"github.com/areagraph/areagraph/db/postgis"
	"github.com/areagraph/areagraph/graph"
	"github.com/areagraph/areagraph/internal/httpcache"
	"github.com/areagraph/areagraph/internal/httpx"
	"github.com/areagraph/areagraph/obs"
	"github.com/areagraph/areagraph/server"
	"github.com/areagraph/areagraph/web"
)

const serveHelp = `Serves GraphQL at /graphql (POST, and GET for queries), GraphiQL, the map
layers at /layers/ and /tiles/, /healthz (the process), /readyz (the
database) and /metrics (Prometheus). Without DATABASE_URL it serves the Borås
demo from the embedded store.

Reads are public unless --require-token-for-reads is set; writes need a bearer
token: an API key ("areagraph keys create"), or with --oidc-issuer an access
token (a JWT) of that issuer for --oidc-audience, whose role is read from the
claim --oidc-role-claim (READER, EDITOR or ADMIN, in any case; of a list the
highest counts). With DATABASE_URL, API keys live in the database. Without
it, they live in the keys file (--keys-file), by default
<user config dir>/areagraph/keys.json (on Linux ~/.config/areagraph/keys.json),
so "areagraph keys create …" followed by "areagraph" works without flags; the
server picks up keys created or revoked there while it runs.

Every flag can be set by the environment variable named in its line; a flag
given on the command line wins over the variable. The configuration in
force is logged at start, with the database password masked.`

// serveConfig is what serve runs with.
type serveConfig struct {
	addr        string
	databaseURL string
	corsOrigins string

	// readURLs, replicaMaxLag, consistencyWait and replicaCheck: the read
	// replicas (postgis.ReadReplicas).
	readURLs        string
	replicaMaxLag   time.Duration
	consistencyWait time.Duration
	replicaCheck    time.Duration

	drain         time.Duration
	timeout       time.Duration
	maxDepth      int
	maxComplexity int
	maxBody       byteSize
	maxTokens     int
	maxSelections int
	maxInFlight   int
	// The streams' bounds (WebSockets and Server-Sent Events).
	maxStreams          int
	maxStreamsPerClient int
	maxSubs             int
	maxSubsPerSocket    int
	streamInitTimeout   time.Duration
	streamKeepAlive     time.Duration
	streamWriteTimeout  time.Duration
	queryCache          int
	queryBytes          byteSize
	apqCache            int
	apqBytes            byteSize
	responseBytes       byteSize
	cacheMaxAge         time.Duration
	outlineBytes        byteSize
	geojsonBytes        byteSize
	introspection       bool
	treeReads           bool
	graphiql            bool
	metrics             bool
	logFormat           string
	logLevel            string
	explorer            web.Options

	// trustedProxies and basePath say how the server is reached behind a
	// reverse proxy (httpx.Forwarding).
	trustedProxies string
	basePath       string

	keysFile             string
	dataFile             string
	requireTokenForReads bool
	oidcIssuer           string
	oidcAudience         string
	oidcRoleClaim        string
	oidcOrgClaim         string
}

// serveSetting ties a flag to its environment variable; the list is the
// order in which the configuration is documented and logged.
type serveSetting struct {
	flag, env string
	secret    bool
}

var serveSettings = []serveSetting{
	{"addr", "AREAGRAPH_ADDR", false},
	{"database-url", "DATABASE_URL", true},
	{"database-read-url", "DATABASE_READ_URL", true},
	{"replica-max-lag", "AREAGRAPH_REPLICA_MAX_LAG", false},
	{"consistency-wait", "AREAGRAPH_CONSISTENCY_WAIT", false},
	{"replica-check-interval", "AREAGRAPH_REPLICA_CHECK_INTERVAL", false},
	{"data", "AREAGRAPH_DATA", false},
	{"cors-origins", "AREAGRAPH_CORS_ORIGINS", false},
	{"trusted-proxies", "AREAGRAPH_TRUSTED_PROXIES", false},
	{"base-path", "AREAGRAPH_BASE_PATH", false},
	{"drain", "AREAGRAPH_DRAIN", false},
	{"timeout", "AREAGRAPH_TIMEOUT", false},
	{"max-depth", "AREAGRAPH_MAX_DEPTH", false},
	{"max-complexity", "AREAGRAPH_MAX_COMPLEXITY", false},
	{"max-body", "AREAGRAPH_MAX_BODY", false},
	{"max-tokens", "AREAGRAPH_MAX_TOKENS", false},
	{"max-selections", "AREAGRAPH_MAX_SELECTIONS", false},
	{"max-in-flight", "AREAGRAPH_MAX_IN_FLIGHT", false},
	{"max-streams", "AREAGRAPH_MAX_STREAMS", false},
	{"max-streams-per-client", "AREAGRAPH_MAX_STREAMS_PER_CLIENT", false},
	{"max-subscriptions", "AREAGRAPH_MAX_SUBSCRIPTIONS", false},
	{"max-subscriptions-per-socket", "AREAGRAPH_MAX_SUBSCRIPTIONS_PER_SOCKET", false},
	{"stream-init-timeout", "AREAGRAPH_STREAM_INIT_TIMEOUT", false},
	{"stream-keepalive", "AREAGRAPH_STREAM_KEEPALIVE", false},
	{"stream-write-timeout", "AREAGRAPH_STREAM_WRITE_TIMEOUT", false},
	{"query-cache", "AREAGRAPH_QUERY_CACHE", false},
	{"query-cache-bytes", "AREAGRAPH_QUERY_CACHE_BYTES", false},
	{"apq-cache", "AREAGRAPH_APQ_CACHE", false},
	{"apq-cache-bytes", "AREAGRAPH_APQ_CACHE_BYTES", false},
	{"response-cache-bytes", "AREAGRAPH_RESPONSE_CACHE_BYTES", false},
	{"cache-max-age", "AREAGRAPH_CACHE_MAX_AGE", false},
	{"outline-cache-bytes", "AREAGRAPH_OUTLINE_CACHE_BYTES", false},
	{"geojson-cache-bytes", "AREAGRAPH_GEOJSON_CACHE_BYTES", false},
	{"introspection", "AREAGRAPH_INTROSPECTION", false},
	{"tree-reads", "AREAGRAPH_TREE_READS", false},
	{"graphiql", "AREAGRAPH_GRAPHIQL", false},
	{"metrics", "AREAGRAPH_METRICS", false},
	{"log-format", "AREAGRAPH_LOG_FORMAT", false},
	{"log-level", "AREAGRAPH_LOG_LEVEL", false},
	{"basemap-url", web.EnvBasemapURL, false},
	{"basemap-attribution", web.EnvBasemapAttribution, false},
	{"keys-file", "AREAGRAPH_KEYS_FILE", false},
	{"require-token-for-reads", "AREAGRAPH_REQUIRE_TOKEN_FOR_READS", false},
	{"oidc-issuer", "AREAGRAPH_OIDC_ISSUER", false},
	{"oidc-audience", "AREAGRAPH_OIDC_AUDIENCE", false},
	{"oidc-role-claim", "AREAGRAPH_OIDC_ROLE_CLAIM", false},
	{"oidc-org-claim", "AREAGRAPH_OIDC_ORG_CLAIM", false},
}

// serveFlags defines serve's flags on a new FlagSet, each help line
// naming its environment variable.
func serveFlags(stderr io.Writer) (*flag.FlagSet, *serveConfig) {
	fs := newFlags("serve", stderr, serveHelp)
	c := &serveConfig{maxBody: graph.DefaultMaxBodyBytes, queryBytes: graph.DefaultQueryCacheBytes, apqBytes: graph.DefaultAPQCacheBytes,
		responseBytes: httpcache.DefaultMaxBytes, outlineBytes: outline.DefaultBytes, geojsonBytes: outline.DefaultTextBytes}
	env := map[string]string{}
	for _, s := range serveSettings {
		env[s.flag] = s.env
	}
	help := func(name, text string) string { return fmt.Sprintf("%s (env %s)", text, env[name]) }
	fs.StringVar(&c.addr, "addr", "localhost:8080", help("addr", "address to listen on"))
	fs.StringVar(&c.databaseURL, "database-url", "",
		help("database-url", "PostgreSQL URL or key=value string of a PostGIS database; empty serves the embedded demo"))
	fs.StringVar(&c.readURLs, "database-read-url", "",
		help("database-read-url", "comma-separated postgres:// URLs of streaming replicas of --database-url that serve reads; "+
			"writes, and reads that must see a write not replayed yet, go to the primary"))
	fs.DurationVar(&c.replicaMaxLag, "replica-max-lag", postgis.DefaultReplicaMaxLag,
		help("replica-max-lag", "how far behind the primary a read replica may be and still serve reads"))
	fs.DurationVar(&c.consistencyWait, "consistency-wait", postgis.DefaultConsistencyWait,
		help("consistency-wait", "how long a read carrying a consistency token waits for a replica to replay it before the primary answers; 0 never waits"))
	fs.DurationVar(&c.replicaCheck, "replica-check-interval", postgis.DefaultReplicaCheckInterval,
		help("replica-check-interval", "how often the read replicas' health and lag are checked"))
	fs.StringVar(&c.dataFile, "data", "",
		help("data", "dataset file (\"areagraph export dataset\") the embedded store serves instead of the demo"))
	fs.StringVar(&c.corsOrigins, "cors-origins", "",
		help("cors-origins", "comma-separated origins allowed by CORS, with credentials; empty lets any origin read"))
	fs.StringVar(&c.trustedProxies, "trusted-proxies", "",
		help("trusted-proxies", "comma-separated CIDRs or addresses of the reverse proxies whose Forwarded and X-Forwarded-* "+
			"headers (host, scheme, path prefix) links are built from; empty trusts none"))
	fs.StringVar(&c.basePath, "base-path", "",
		help("base-path", "path the server is reached under behind a reverse proxy that strips it, e.g. /areagraph; "+
			"links carry it (a trusted proxy's X-Forwarded-Prefix overrides it)"))
	fs.DurationVar(&c.drain, "drain", 15*time.Second, help("drain", "how long in-flight requests may finish after SIGINT or SIGTERM"))
	fs.DurationVar(&c.timeout, "timeout", graph.DefaultTimeout,
		help("timeout", `deadline of one request, database queries included; past it the answer is UNAVAILABLE "the request took too long"`))
	fs.IntVar(&c.maxDepth, "max-depth", graph.DefaultMaxDepth, help("max-depth", "deepest nesting of fields a query may have"))
	fs.IntVar(&c.maxComplexity, "max-complexity", graph.DefaultMaxComplexity,
		help("max-complexity", "highest complexity a query may have: each field counts 1, the items of a page as often as its first asks"))
	fs.Var(&c.maxBody, "max-body", help("max-body", "largest request body, a `size` in bytes or with KiB or MiB; larger is answered 413"))
	fs.IntVar(&c.maxTokens, "max-tokens", graph.DefaultMaxTokens,
		help("max-tokens", "most tokens (names, values, punctuation) a query's text may have; send large values as variables"))
	fs.IntVar(&c.maxSelections, "max-selections", graph.DefaultMaxSelections,
		help("max-selections", "most selections a query may have: fields (aliases included), inline fragments and fragment spreads"))
	fs.IntVar(&c.maxInFlight, "max-in-flight", server.DefaultMaxInFlight,
		help("max-in-flight", "most requests to GraphQL and the map layers served at once; one more is answered 503 with Retry-After"))
	fs.IntVar(&c.maxStreams, "max-streams", server.DefaultMaxStreams,
		help("max-streams", "most streams (WebSockets and Server-Sent Events at /graphql) open at once; one more is answered 503"))
	fs.IntVar(&c.maxStreamsPerClient, "max-streams-per-client", server.DefaultMaxStreamsPerClient,
		help("max-streams-per-client", "most streams open at once from one client address (as --trusted-proxies reads it); one more is answered 429"))
	fs.IntVar(&c.maxSubs, "max-subscriptions", graph.DefaultMaxSubscriptions,
		help("max-subscriptions", "most subscriptions running at once over both transports"))
	fs.IntVar(&c.maxSubsPerSocket, "max-subscriptions-per-socket", graph.DefaultMaxSubscriptionsPerSocket,
		help("max-subscriptions-per-socket", "most subscriptions running at once on one WebSocket"))
	fs.DurationVar(&c.streamInitTimeout, "stream-init-timeout", graph.DefaultStreamInitTimeout,
		help("stream-init-timeout", "how long a WebSocket may take to send connection_init before it is closed"))
	fs.DurationVar(&c.streamKeepAlive, "stream-keepalive", graph.DefaultStreamKeepAlive,
		help("stream-keepalive", "how often streams are pinged; a WebSocket that does not answer within twice this is closed"))
	fs.DurationVar(&c.streamWriteTimeout, "stream-write-timeout", graph.DefaultStreamWriteTimeout,
		help("stream-write-timeout", "how long one message to a stream may take to be written before its client is dropped as too slow"))
	fs.IntVar(&c.queryCache, "query-cache", graph.DefaultQueryCacheSize, help("query-cache", "how many parsed and validated queries to keep"))
	fs.Var(&c.queryBytes, "query-cache-bytes",
		help("query-cache-bytes", "memory the parsed queries kept may take, a `size` as for --max-body; a query over 1/16 of it is not kept"))
	fs.IntVar(&c.apqCache, "apq-cache", graph.DefaultAPQCacheSize,
		help("apq-cache", "how many automatic persisted queries to keep; 0 turns them off"))
	fs.Var(&c.apqBytes, "apq-cache-bytes",
		help("apq-cache-bytes", "text the automatic persisted queries kept may take, a `size` as for --max-body; a query over 1/16 of it is not kept"))
	fs.Var(&c.responseBytes, "response-cache-bytes",
		help("response-cache-bytes", "memory the anonymous answers kept (GraphQL queries, layers, tiles, OGC API items) may take until a write retires them, a `size` as for --max-body; 0 keeps none; an answer over 1/16 of it is not kept"))
	fs.DurationVar(&c.cacheMaxAge, "cache-max-age", 0,
		help("cache-max-age", "how long browsers and CDNs may use an anonymous answer before they revalidate it (a 304 when nothing it read has changed); 0 makes them ask every time"))
	fs.Var(&c.outlineBytes, "outline-cache-bytes",
		help("outline-cache-bytes", "memory the simplified area outlines kept for GraphQL, the map layers and OGC API may take together, "+
			"a `size` as for --max-body; a kind of area whose outlines take over half of it is simplified area by area"))
	fs.Var(&c.geojsonBytes, "geojson-cache-bytes",
		help("geojson-cache-bytes", "memory the area outlines GraphQL keeps as GeoJSON text, at each precision asked, may take, "+
			"a `size` as for --max-body; an outline over 1/16 of it is written every time"))
	fs.BoolVar(&c.treeReads, "tree-reads", true, help("tree-reads", "answer a query that is one tree of the store's relations in one store read (an area with its initiatives, leads and partners; the nearest initiatives); false answers every query field by field, the same answers, slower"))
	fs.BoolVar(&c.introspection, "introspection", true, help("introspection", "answer introspection (__schema, __type); GraphiQL's docs need it"))
	fs.BoolVar(&c.graphiql, "graphiql", true, help("graphiql", "serve GraphiQL"))
	fs.BoolVar(&c.metrics, "metrics", true, help("metrics", "serve Prometheus metrics at /metrics"))
	fs.StringVar(&c.logFormat, "log-format", obs.FormatAuto,
		help("log-format", "auto (text on a terminal, JSON otherwise), json or text"))
	fs.StringVar(&c.logLevel, "log-level", "info", help("log-level", "debug, info, warn or error; debug adds health checks and scrapes"))
	fs.StringVar(&c.explorer.BasemapURL, "basemap-url", "",
		help("basemap-url", "raster tile URL template with {z}, {x} and {y} drawn under the map explorer's data; empty draws none, so the page works offline"))
	fs.StringVar(&c.explorer.BasemapAttribution, "basemap-attribution", "",
		help("basemap-attribution", "attribution the base map's licence asks for, shown in the map's corner"))
	fs.StringVar(&c.keysFile, "keys-file", "",
		help("keys-file", "file of the embedded store's API keys, written by \"areagraph keys\"; "+
			"empty: <user config dir>/areagraph/keys.json. With a database, keys live in it"))
	fs.BoolVar(&c.requireTokenForReads, "require-token-for-reads", false,
		help("require-token-for-reads", "refuse anonymous requests to /graphql, /layers/ and /tiles/ with 401 "+
			"(the explorer's page, GraphiQL's page, health checks and metrics stay open)"))
	fs.StringVar(&c.oidcIssuer, "oidc-issuer", "",
		help("oidc-issuer", "issuer URL whose access tokens (JWTs) are accepted besides API keys; empty accepts API keys only"))
	fs.StringVar(&c.oidcAudience, "oidc-audience", "",
		help("oidc-audience", "audience the issuer's tokens must name for this service; required with --oidc-issuer"))
	fs.StringVar(&c.oidcRoleClaim, "oidc-role-claim", auth.DefaultRoleClaim,
		help("oidc-role-claim", "claim of the issuer's tokens that holds the role (a string or a list); "+
			"a dotted name such as realm_access.roles reads a nested claim"))
	fs.StringVar(&c.oidcOrgClaim, "oidc-org-claim", "",
		help("oidc-org-claim", "claim of the issuer's tokens that holds the organisations a partner speaks for "+
			"(ids such as Association:35, a string or a list); a token with it changes only what is theirs; "+
			"empty reads none"))
	return fs, c
}

// loadServeConfig reads the environment, then the command line over it,
// and checks the result.
func loadServeConfig(args []string, getenv func(string) string, stderr io.Writer) (*serveConfig, error) {
	fs, c := serveFlags(stderr)
	for _, s := range serveSettings {
		if v := getenv(s.env); v != "" {
			if err := fs.Set(s.flag, v); err != nil {
				shown := v
				if s.secret {
					shown = maskSecret(v)
				}
				return nil, fmt.Errorf("%s=%q: %v", s.env, shown, err)
			}
		}
	}
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("serve takes no arguments, got %q", fs.Arg(0))
	}
	return c, c.check()
}

func (c *serveConfig) check() error {
	var errs []error
	positive := func(name string, ok bool) {
		if !ok {
			errs = append(errs, fmt.Errorf("--%s must be positive", name))
		}
	}
	if err := c.explorer.Validate(); err != nil {
		errs = append(errs, err)
	}
	positive("timeout", c.timeout > 0)
	positive("max-depth", c.maxDepth > 0)
	positive("max-complexity", c.maxComplexity > 0)
	positive("max-body", c.maxBody > 0)
	positive("max-tokens", c.maxTokens > 0)
	positive("max-selections", c.maxSelections > 0)
	positive("max-in-flight", c.maxInFlight > 0)
	positive("max-streams", c.maxStreams > 0)
	positive("max-streams-per-client", c.maxStreamsPerClient > 0)
	positive("max-subscriptions", c.maxSubs > 0)
	positive("max-subscriptions-per-socket", c.maxSubsPerSocket > 0)
	positive("stream-init-timeout", c.streamInitTimeout > 0)
	positive("stream-keepalive", c.streamKeepAlive > 0)
	positive("stream-write-timeout", c.streamWriteTimeout > 0)
	positive("query-cache", c.queryCache > 0)
	positive("query-cache-bytes", c.queryBytes > 0)
	positive("apq-cache-bytes", c.apqBytes > 0)
	if c.cacheMaxAge < 0 {
		errs = append(errs, fmt.Errorf("--cache-max-age: must not be negative, not %s", c.cacheMaxAge))
	}
	positive("outline-cache-bytes", c.outlineBytes > 0)
	positive("geojson-cache-bytes", c.geojsonBytes > 0)
	if _, err := httpx.ParseTrustedProxies(c.trustedProxies); err != nil {
		errs = append(errs, fmt.Errorf("--trusted-proxies: %v", err))
	}
	if _, err := httpx.CleanBasePath(c.basePath); err != nil {
		errs = append(errs, fmt.Errorf("--base-path: %v", err))
	}
	if c.drain < 0 {
		errs = append(errs, errors.New("--drain must not be negative"))
	}
	if c.apqCache < 0 {
		errs = append(errs, errors.New("--apq-cache must not be negative"))
	}
	if c.dataFile != "" && c.databaseURL != "" {
		errs = append(errs, errors.New("--data is for the embedded store: with a database, the data live in it"))
	}
	if c.readURLs != "" && c.databaseURL == "" {
		errs = append(errs, errors.New("--database-read-url needs --database-url, the primary the replicas follow"))
	}
	positive("replica-max-lag", c.replicaMaxLag > 0)
	positive("replica-check-interval", c.replicaCheck > 0)
	if c.consistencyWait < 0 {
		errs = append(errs, errors.New("--consistency-wait must not be negative"))
	}
	if c.keysFile != "" && c.databaseURL != "" {
		errs = append(errs, errors.New("--keys-file is for the embedded store: with a database, keys live in it"))
	}
	if c.oidcIssuer != "" && c.oidcAudience == "" {
		errs = append(errs, errors.New("--oidc-issuer needs --oidc-audience, the audience its tokens name for this service"))
	}
	if c.oidcIssuer == "" && c.oidcAudience != "" {
		errs = append(errs, errors.New("--oidc-audience is set without --oidc-issuer"))
	}
	if strings.TrimSpace(c.oidcRoleClaim) == "" {
		errs = append(errs, errors.New("--oidc-role-claim must not be empty"))
	}
	if _, err := obs.NewLogger(io.Discard, c.logFormat, 0); err != nil {
		errs = append(errs, fmt.Errorf("--log-format: %v", err))
	}
	if _, err := obs.ParseLevel(c.logLevel); err != nil {
		errs = append(errs, fmt.Errorf("--log-level: %v", err))
	}
	return errors.Join(errs...)
}

// logger is the logger the configuration asks for, on stderr.
func (c *serveConfig) logger(stderr io.Writer) (*slog.Logger, error) {
	level, err := obs.ParseLevel(c.logLevel)
	if err != nil {
		return nil, err
	}
	return obs.NewLogger(stderr, c.logFormat, level)
}

// origins splits --cors-origins.
func (c *serveConfig) origins() []string {
	var out []string
	for _, o := range strings.Split(c.corsOrigins, ",") {
		if o = strings.TrimSpace(o); o != "" {
			out = append(out, o)
		}
	}
	return out
}

// auth is the authentication's configuration.
func (c *serveConfig) auth(log *slog.Logger) auth.Config {
	return auth.Config{
		RequireTokenForReads: c.requireTokenForReads,
		OIDCIssuer:           c.oidcIssuer,
		OIDCAudience:         c.oidcAudience,
		OIDCRoleClaim:        c.oidcRoleClaim,
		OIDCOrgClaim:         c.oidcOrgClaim,
		Log:                  log,
	}
}

// server is the HTTP server's configuration.
func (c *serveConfig) server(log *slog.Logger) server.Config {
	apq := c.apqCache
	if apq == 0 {
		apq = -1 // off; 0 is the default in server.Config
	}
	// Checked by check.
	proxies, _ := httpx.ParseTrustedProxies(c.trustedProxies)
	basePath, _ := httpx.CleanBasePath(c.basePath)
	responseBytes := int64(c.responseBytes)
	if responseBytes == 0 {
		responseBytes = -1 // none, as server.Config says it
	}
	return server.Config{
		Forwarding:     httpx.Forwarding{TrustedProxies: proxies, BasePath: basePath},
		AllowedOrigins: c.origins(),
		Log:            log,
		Limits: graph.Limits{
			MaxDepth:      c.maxDepth,
			MaxComplexity: c.maxComplexity,
			MaxBodyBytes:  int64(c.maxBody),
			MaxTokens:     c.maxTokens,
			MaxSelections: c.maxSelections,
			Timeout:       c.timeout,
		},
		MaxInFlight:         c.maxInFlight,
		MaxStreams:          c.maxStreams,
		MaxStreamsPerClient: c.maxStreamsPerClient,
		Streams: graph.StreamConfig{
			MaxSubscriptions:          c.maxSubs,
			MaxSubscriptionsPerSocket: c.maxSubsPerSocket,
			InitTimeout:               c.streamInitTimeout,
			KeepAlive:                 c.streamKeepAlive,
			WriteTimeout:              c.streamWriteTimeout,
		},
		QueryCacheSize:       c.queryCache,
		QueryCacheBytes:      int64(c.queryBytes),
		APQCacheSize:         apq,
		APQCacheBytes:        int64(c.apqBytes),
		ResponseCacheBytes:   responseBytes,
		CacheMaxAge:          c.cacheMaxAge,
		OutlineCacheBytes:    int(c.outlineBytes),
		GeoJSONCacheBytes:    int(c.geojsonBytes),
		DisableIntrospection: !c.introspection,
		DisableTreeReads:     !c.treeReads,
		DisableGraphiQL:      !c.graphiql,
		DisableMetrics:       !c.metrics,
		Explorer:             c.explorer,
	}
}

// logAttrs is the configuration as log attributes, in the order of
// serveSettings, secrets masked.
func (c *serveConfig) logAttrs() []any {
	// The flags print their values in the form they are given in; a
	// fresh set, pointed at a copy of c, lends them.
	fs, shadow := serveFlags(io.Discard)
	*shadow = *c
	var attrs []any
	for _, s := range serveSettings {
		v := fs.Lookup(s.flag).Value.String()
		if s.secret {
			v = maskSecret(v)
		}
		attrs = append(attrs, slog.String(s.flag, v))
	}
	return attrs
}

// passwordInURL and passwordKeyword find a password in the forms a
// PostgreSQL connection string takes, for when url.Parse cannot help.
var (
	passwordInURL   = regexp.MustCompile(`(://[^:/@]*:)[^@]*@`)
	passwordKeyword = regexp.MustCompile(`(?i)(\bpassword\s*=\s*)('(?:[^'\\]|\\.)*'|\S+)`)
)

// readReplicas is the read replicas' configuration.
func (c *serveConfig) readReplicas() postgis.ReadReplicas {
	wait := c.consistencyWait
	if wait == 0 {
		wait = -1 // never wait: postgis takes 0 for its default
	}
	return postgis.ReadReplicas{URLs: splitURLs(c.readURLs), MaxLag: c.replicaMaxLag, Wait: wait, CheckInterval: c.replicaCheck}
}

// splitURLs splits a comma-separated list of postgres:// URLs. A comma
// inside a URL (search_path=a,b) stays in it: only a comma followed by a
// URL's scheme starts the next one.
func splitURLs(s string) []string {
	var out []string
	for _, part := range strings.Split(s, ",") {
		t := strings.TrimSpace(part)
		switch {
		case t == "":
		case len(out) > 0 && !strings.HasPrefix(t, "postgres://") && !strings.HasPrefix(t, "postgresql://"):
			out[len(out)-1] += "," + t
		default:
			out = append(out, t)
		}
	}
	return out
}

// maskSecret hides the password of a connection string, given in the URL's
// user part, as a password query parameter, or as a password keyword.
func maskSecret(s string) string {
	const mask = "xxxxx"
	if s == "" {
		return ""
	}
	if urls := splitURLs(s); len(urls) > 1 {
		for i, u := range urls {
			urls[i] = maskSecret(u)
		}
		return strings.Join(urls, ",")
	}
	if u, err := url.Parse(s); err == nil && (u.Scheme == "postgres" || u.Scheme == "postgresql") {
		q := u.Query()
		if q.Has("password") {
			q.Set("password", mask)
			u.RawQuery = q.Encode()
		}
		return u.Redacted()
	}
	s = passwordInURL.ReplaceAllString(s, "${1}"+mask+"@")
	return passwordKeyword.ReplaceAllString(s, "${1}"+mask)
}

// byteSize is a flag for a size in bytes: a plain number, or one with a
// binary suffix.
type byteSize int64

// sizeUnits are the suffixes byteSize reads and writes, largest first.
var sizeUnits = []struct {
	suffix string
	size   int64
}{{"GiB", 1 << 30}, {"MiB", 1 << 20}, {"KiB", 1 << 10}}

func (b *byteSize) String() string {
	n := int64(*b)
	for _, u := range sizeUnits {
		if n >= u.size && n%u.size == 0 {
			return strconv.FormatInt(n/u.size, 10) + u.suffix
		}
	}
	return strconv.FormatInt(n, 10)
}

func (b *byteSize) Set(s string) error {
	s = strings.TrimSpace(s)
	mult := int64(1)
	for _, u := range sizeUnits {
		if num, ok := strings.CutSuffix(s, u.suffix); ok {
			s, mult = num, u.size
			break
		}
	}
	if mult == 1 {
		s = strings.TrimSuffix(s, "B")
	}
	s = strings.TrimSpace(s)
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 0 || n > (1<<62)/mult {
		return errors.New("want a size in bytes such as 1048576 or 1MiB")
	}
	*b = byteSize(n * mult)
	return nil
}

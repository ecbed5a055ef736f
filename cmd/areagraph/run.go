package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/areagraph/areagraph/auth"
	"github.com/areagraph/areagraph/db"
	"github.com/areagraph/areagraph/db/demo"
	"github.com/areagraph/areagraph/db/memory"
	"github.com/areagraph/areagraph/db/postgis"
	"github.com/areagraph/areagraph/internal/buildinfo"
	"github.com/areagraph/areagraph/internal/httpcache"
	"github.com/areagraph/areagraph/internal/memlimit"
	"github.com/areagraph/areagraph/server"
)

const usage = `usage: areagraph [command] [flags]

Commands:
  serve     serve the map explorer (/), GraphQL, the map layers, GraphiQL (/graphiql),
            health checks and metrics (the default)
  migrate   apply the database migrations to DATABASE_URL
  seed      migrate, then load the Borås demo dataset into DATABASE_URL
  import    import areas (GeoJSON) or indicator values (CSV) into DATABASE_URL:
              areagraph import areas FILE.geojson [--code-prop P] [--name-prop P]
                [--kind KIND | --kind-prop P] [--parent-prop P] [--area-type-prop P]
                [--crs auto|EPSG:nnnn (4326, 3006, 3007–3018, 3021)] [--force]
              areagraph import indicators FILE.csv
  export    write areas (GeoJSON) or indicator values (CSV) of DATABASE_URL to stdout:
              areagraph export areas [--kind KIND[,KIND…]] > areas.geojson
              areagraph export indicators > values.csv
  version   print the version and the source revision this binary was built from
  keys      manage API keys, in DATABASE_URL or, without it, in the embedded server's
            keys file (by default <user config dir>/areagraph/keys.json):
              areagraph keys create --name NAME --role reader|editor|admin [--expires 90d|2027-01-01]
              areagraph keys list
              areagraph keys revoke KEY-ID

Run "areagraph <command> -h" for the flags of a command.
`

// Main runs one command. getenv reads the environment, so tests can set it.
func Main(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	cmd := "serve"
	if len(args) > 0 && isHelpFlag(args[0]) {
		cmd, args = "help", args[1:]
	}
	if len(args) > 0 && isVersionFlag(args[0]) {
		cmd, args = "version", args[1:]
	}
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		cmd, args = args[0], args[1:]
	}
	switch cmd {
	case "serve":
		return serve(ctx, args, getenv, stdout, stderr)
	case "migrate":
		return migrate(ctx, args, getenv, stdout, stderr)
	case "seed":
		return seed(ctx, args, getenv, stdout, stderr)
	case "import":
		return importCmd(ctx, args, getenv, stdout, stderr)
	case "export":
		return exportCmd(ctx, args, getenv, stdout, stderr)
	case "keys":
		return keysCmd(ctx, args, getenv, stdout, stderr)
	case "version":
		fmt.Fprintln(stdout, buildinfo.Read())
		return nil
	case "help":
		printHelp(stdout)
		return nil
	default:
		fmt.Fprint(stderr, usage)
		return fmt.Errorf("unknown command %q", cmd)
	}
}

func isHelpFlag(arg string) bool {
	return arg == "-h" || arg == "-help" || arg == "--help"
}

// isVersionFlag is --version, which tools and packagers try before they
// try a version subcommand.
func isVersionFlag(arg string) bool {
	return arg == "-version" || arg == "--version"
}

// printHelp shows the commands, then the flags of serve, which is what
// runs when no command is given.
func printHelp(w io.Writer) {
	fmt.Fprint(w, usage)
	fmt.Fprintf(w, "\nFlags of serve, the default command:\n")
	fs, _ := serveFlags(w)
	fs.SetOutput(w)
	fs.PrintDefaults()
}

// envOr returns the environment variable or a default.
func envOr(getenv func(string) string, name, def string) string {
	if v := getenv(name); v != "" {
		return v
	}
	return def
}

func newFlags(name string, stderr io.Writer, help string) *flag.FlagSet {
	fs := flag.NewFlagSet("areagraph "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: areagraph %s [flags]\n\n%s\n\nFlags:\n", name, help)
		fs.PrintDefaults()
	}
	return fs
}

func databaseFlag(fs *flag.FlagSet, getenv func(string) string) *string {
	return fs.String("database-url", getenv("DATABASE_URL"),
		"PostgreSQL URL of a PostGIS database (env DATABASE_URL); empty serves the embedded demo")
}

func serve(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	cfg, err := loadServeConfig(args, getenv, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return nil // the usage was asked for, and shown
	}
	if err != nil {
		return err
	}
	log, err := cfg.logger(stderr)
	if err != nil {
		return err
	}
	// Before the store is opened, so that a database that cannot be
	// reached still leaves the configuration that pointed at it in the log.
	log.Info("configuration", cfg.logAttrs()...)
	if !cfg.introspection && cfg.graphiql {
		log.Warn("GraphiQL is served without introspection: its docs and completion will be empty")
	}

	keysFile := ""
	if cfg.databaseURL == "" {
		if keysFile, err = keysFilePath(cfg.keysFile, getenv); err != nil {
			log.Warn("API keys are kept in memory only and lost at stop", "reason", err.Error())
		} else {
			log.Info("API keys", "file", keysFile)
		}
	}
	store, what, err := openServeStore(ctx, storeSource{url: cfg.databaseURL, keysFile: keysFile, dataFile: cfg.dataFile, log: log,
		replicas: cfg.readReplicas(), ownMemoryLimit: memlimit.Own(getenv)})
	if err != nil {
		return err
	}
	defer store.Close()
	// With an issuer, this fetches its discovery document: bounded, so a
	// wrong issuer URL fails the start instead of hanging it.
	actx, cancel := context.WithTimeout(ctx, 30*time.Second)
	authn, err := auth.New(actx, store, cfg.auth(log))
	cancel()
	if err != nil {
		return err
	}
	serverConfig := cfg.server(log)
	serverConfig.Auth = authn
	// The change feed's heads, in memory, for the tags of answers and the
	// response cache: on PostGIS they follow every instance's writes.
	serverConfig.Versions = httpcache.Follow(ctx, store, log)
	serverConfig.Context = ctx

	ln, err := net.Listen("tcp", cfg.addr)
	if err != nil {
		return err
	}
	srv := server.HTTPServer(server.New(store, serverConfig), serverConfig)
	fmt.Fprintf(stdout, "areagraph serving %s on http://%s/ (GraphQL at /graphql)\n", what, ln.Addr())
	log.Info("serving", "store", what, "addr", ln.Addr().String())

	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	// Drain: stop accepting, let in-flight requests finish within the
	// deadline, then close what is left.
	log.Info("shutting down", "drain", cfg.drain.String())
	sctx, cancel := context.WithTimeout(context.Background(), cfg.drain)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	log.Info("stopped")
	return nil
}

// openServeStore opens the store serve runs on; tests wrap it to hold
// requests inside the store.
var openServeStore = openStore

// storeSource says which store serve opens: PostGIS at url, or else the
// embedded store with the dataset file dataFile ("" for the demo) and its
// API keys in keysFile ("" keeps them in memory). The store logs to log.
type storeSource struct {
	url, keysFile, dataFile string
	log                     *slog.Logger
	// replicas are the read replicas of the database at url.
	replicas postgis.ReadReplicas
	// ownMemoryLimit lets an embedded server with a dataset file set its
	// own soft memory limit (internal/memlimit), as it does unless
	// GOMEMLIMIT sets one.
	ownMemoryLimit bool
}

// openStore opens the store src names and says what it serves.
func openStore(ctx context.Context, src storeSource) (db.Store, string, error) {
	if src.url != "" {
		s, err := postgis.Open(ctx, src.url, postgis.WithLogger(src.log), postgis.WithReadReplicas(src.replicas))
		if err != nil {
			return nil, "", err
		}
		pending, err := s.Pending(ctx)
		if err != nil {
			s.Close()
			return nil, "", err
		}
		if len(pending) > 0 {
			s.Close()
			return nil, "", fmt.Errorf("the database lacks the migrations %s: run \"areagraph migrate\" first", strings.Join(pending, ", "))
		}
		return s, "PostGIS", nil
	}
	var s *memory.Store
	if src.keysFile == "" {
		s = memory.New()
	} else {
		var err error
		if s, err = openKeysFile(src.keysFile); err != nil {
			return nil, "", err
		}
	}
	if src.dataFile == "" {
		if err := s.Load(ctx, demo.Dataset()); err != nil {
			s.Close()
			return nil, "", fmt.Errorf("loading the demo: %w", err)
		}
		return s, "the Borås demo (embedded store)", nil
	}
	if src.ownMemoryLimit {
		memlimit.Loading(src.dataFile)
	}
	if err := loadDatasetFile(ctx, s, src.dataFile); err != nil {
		s.Close()
		return nil, "", err
	}
	if src.ownMemoryLimit {
		live, limit := memlimit.Serving()
		src.log.Info("memory limit", "limit_mib", limit>>20, "heap_mib", live>>20,
			"why", "GOMEMLIMIT is not set: twice the dataset's heap, at least 256 MiB")
	}
	return s, fmt.Sprintf("%s (embedded store)", src.dataFile), nil
}

func openPostGIS(ctx context.Context, url string) (*postgis.Store, error) {
	if url == "" {
		return nil, errors.New("DATABASE_URL (or --database-url) is required")
	}
	s, err := postgis.Open(ctx, url)
	if err != nil {
		return nil, err
	}
	return s, nil
}

func migrate(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	s, err := openMigrated(ctx, "migrate", "Applies the embedded migrations in order; running it again is harmless.",
		args, getenv, stderr)
	if err != nil {
		return err
	}
	s.Close()
	fmt.Fprintln(stdout, "migrations applied")
	return nil
}

func seed(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	s, err := openMigrated(ctx, "seed", "Migrates, then loads the Borås demo dataset (illustrative, not official data).",
		args, getenv, stderr)
	if err != nil {
		return err
	}
	defer s.Close()
	if err := s.Load(ctx, demo.Dataset()); err != nil {
		if errors.Is(err, db.ErrConflict) {
			return fmt.Errorf("the database already holds data (%s); seed an empty database", db.ErrorMessage(err))
		}
		return err
	}
	fmt.Fprintln(stdout, "demo dataset loaded")
	return nil
}

// openMigrated parses the flags of the command name (migrate or seed),
// opens the database they name and applies the migrations.
func openMigrated(ctx context.Context, name, help string, args []string, getenv func(string) string, stderr io.Writer) (*postgis.Store, error) {
	fs := newFlags(name, stderr, help)
	dbURL := databaseFlag(fs, getenv)
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	s, err := openPostGIS(ctx, *dbURL)
	if err != nil {
		return nil, err
	}
	if err := s.Migrate(ctx); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

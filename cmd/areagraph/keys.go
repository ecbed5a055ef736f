package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/areagraph/areagraph/auth"
	"github.com/areagraph/areagraph/db"
	"github.com/areagraph/areagraph/db/demo"
	"github.com/areagraph/areagraph/db/memory"
)

const keysHelp = `Manages the API keys that let clients write (and read, when the server
requires a token for reads). Clients send a key as "Authorization: Bearer <secret>".

  areagraph keys create --name NAME --role reader|editor|admin [--expires 90d|2027-01-01]
                       [--org Association:35 [--org Employer:3]]
      makes a key and prints its secret, which is shown only this once; with
      --org (role editor only) the key belongs to a partner and changes only
      those organisations, the initiatives they lead and their own
      partnerships in others' initiatives
  areagraph keys list
      lists every key, revoked ones too; never a secret or its hash
  areagraph keys revoke KEY-ID
      revokes a key from the next request on
  areagraph keys rotate KEY-ID
      gives a key a new secret, printed this once; the old one stops working
      at once, and the key keeps its name, role, organisations and expiry

Keys live in the PostGIS database of DATABASE_URL (migrated with
"areagraph migrate"). Without a database they live in the keys file of the
embedded server, --keys-file or AREAGRAPH_KEYS_FILE, by default
<user config dir>/areagraph/keys.json (on Linux ~/.config/areagraph/keys.json),
the same file "areagraph serve" reads: a key made here works on a running
server at once, and a revoked one stops working.`

// keysCmd dispatches "keys create", "keys list", "keys revoke" and "keys rotate".
func keysCmd(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	what, args, err := subcommand("keys", args, []string{"create", "list", "revoke", "rotate"}, keysHelp, stderr)
	switch what {
	case "create":
		return keysCreate(ctx, args, getenv, stdout, stderr)
	case "list":
		return keysList(ctx, args, getenv, stdout, stderr)
	case "revoke":
		return keysRevoke(ctx, args, getenv, stdout, stderr)
	case "rotate":
		return keysRotate(ctx, args, getenv, stdout, stderr)
	}
	return err
}

// keyStoreFlags are the flags that say where keys live.
type keyStoreFlags struct {
	databaseURL, keysFile string
}

func addKeyStoreFlags(fs *flag.FlagSet, getenv func(string) string) *keyStoreFlags {
	k := &keyStoreFlags{}
	fs.StringVar(&k.databaseURL, "database-url", getenv("DATABASE_URL"),
		"PostgreSQL URL of the PostGIS database whose keys to manage (env DATABASE_URL)")
	fs.StringVar(&k.keysFile, "keys-file", getenv("AREAGRAPH_KEYS_FILE"),
		"keys file of the embedded server, used without a database (env AREAGRAPH_KEYS_FILE); "+
			"default <user config dir>/areagraph/keys.json")
	return k
}

// keyStore is what the keys commands hold of the store they open.
type keyStore interface {
	db.KeyStore
	Close()
}

// open opens the store the flags name; the caller closes it.
func (k *keyStoreFlags) open(ctx context.Context, getenv func(string) string, stderr io.Writer) (keyStore, error) {
	if k.databaseURL != "" {
		if k.keysFile != "" {
			return nil, errors.New("give a database or a keys file, not both: with a database, keys live in it")
		}
		s, err := openPostGIS(ctx, k.databaseURL)
		if err != nil {
			return nil, err
		}
		return s, nil
	}
	path, err := keysFilePath(k.keysFile, getenv)
	if err != nil {
		return nil, err
	}
	fmt.Fprintf(stderr, "keys file %s\n", path)
	s, err := openKeysFile(path)
	if err != nil {
		return nil, err
	}
	return s, nil
}

// openKeysFile returns an empty embedded store whose keys are those of
// the file at path, creating its folder (private to the user) when needed.
func openKeysFile(path string) (*memory.Store, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("keys file: %w", err)
	}
	s := memory.New()
	if err := s.UseKeysFile(path); err != nil {
		s.Close()
		return nil, fmt.Errorf("keys file %s: %w", path, err)
	}
	return s, nil
}

// keysFilePath is the keys file given, or the per-user default.
func keysFilePath(given string, getenv func(string) string) (string, error) {
	if given != "" {
		return given, nil
	}
	dir, err := userConfigDir(getenv)
	if err != nil {
		return "", fmt.Errorf("no keys file given (--keys-file or AREAGRAPH_KEYS_FILE) and none by default: %w", err)
	}
	return filepath.Join(dir, "areagraph", "keys.json"), nil
}

// userConfigDir is os.UserConfigDir reading the environment through
// getenv, so that tests choose it.
func userConfigDir(getenv func(string) string) (string, error) {
	var dir string
	switch runtime.GOOS {
	case "windows":
		if dir = getenv("AppData"); dir == "" {
			return "", errors.New("%AppData% is not set")
		}
	case "darwin", "ios":
		if dir = getenv("HOME"); dir == "" {
			return "", errors.New("$HOME is not set")
		}
		dir = filepath.Join(dir, "Library", "Application Support")
	case "plan9":
		if dir = getenv("home"); dir == "" {
			return "", errors.New("$home is not set")
		}
		dir = filepath.Join(dir, "lib")
	default:
		if dir = getenv("XDG_CONFIG_HOME"); dir != "" {
			if !filepath.IsAbs(dir) {
				return "", errors.New("$XDG_CONFIG_HOME is a relative path")
			}
			break
		}
		if dir = getenv("HOME"); dir == "" {
			return "", errors.New("neither $XDG_CONFIG_HOME nor $HOME is set")
		}
		dir = filepath.Join(dir, ".config")
	}
	return dir, nil
}

func keysCreate(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := newFlags("keys create", stderr, keysHelp)
	where := addKeyStoreFlags(fs, getenv)
	name := fs.String("name", "", "what the key is for, e.g. \"Norrby partner portal\" (required)")
	role := fs.String("role", "", "reader, editor or admin (required): editors edit organisations, initiatives "+
		"and indicator values; admins also areas, indicator definitions and keys")
	expires := fs.String("expires", "", "when the key stops working: after a duration such as 90d or 12h, "+
		"or on a date such as 2027-01-01 (at 00:00 UTC); empty: never")
	var orgs orgList
	fs.Var(&orgs, "org", "an organisation the key speaks for, by id (Association:35, Employer:3); repeat for more; "+
		"binds an editor's key to them")
	dataFile := fs.String("data", getenv("AREAGRAPH_DATA"), "without a database: the dataset file the embedded "+
		"server serves (env AREAGRAPH_DATA), in which --org must name organisations; default the demo")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("keys create takes no arguments, got %q", fs.Arg(0))
	}
	if strings.TrimSpace(*name) == "" {
		return errors.New("--name is required: say what the key is for")
	}
	r := db.Role(strings.ToUpper(strings.TrimSpace(*role)))
	if r.Rank() < 0 {
		return fmt.Errorf("--role %q: want reader, editor or admin", *role)
	}
	now := time.Now()
	expiresAt, err := parseExpiry(*expires, now)
	if err != nil {
		return fmt.Errorf("--expires: %w", err)
	}
	store, err := where.open(ctx, getenv, stderr)
	if err != nil {
		return err
	}
	defer store.Close()
	if m, ok := store.(*memory.Store); ok && len(orgs) > 0 {
		// The organisations are checked against those the embedded server
		// serves, which the keys file's empty store does not hold.
		if *dataFile == "" {
			err = m.Load(ctx, demo.Dataset())
		} else {
			err = loadDatasetFile(ctx, m, *dataFile)
		}
		if err != nil {
			return err
		}
	}

	secret, k, err := auth.NewKey(strings.TrimSpace(*name), r, expiresAt)
	if err != nil {
		return err
	}
	k.Orgs = orgs
	k, err = store.CreateKey(ctx, cliActor(), k)
	if err != nil {
		return keyError(err)
	}
	fmt.Fprintf(stdout, "created key %s (%s) with the role %s%s, %s\n", k.ID, k.Name, k.Role, scopeText(k.Orgs),
		expiryText(k.ExpiresAt))
	fmt.Fprintf(stdout, "secret: %s\n", secret)
	fmt.Fprintln(stdout, "The secret is shown only this once: store it now. Clients send it as \"Authorization: Bearer <secret>\".")
	return nil
}

func keysList(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := newFlags("keys list", stderr, keysHelp)
	where := addKeyStoreFlags(fs, getenv)
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("keys list takes no arguments, got %q", fs.Arg(0))
	}
	store, err := where.open(ctx, getenv, stderr)
	if err != nil {
		return err
	}
	defer store.Close()
	keys, err := store.Keys(ctx, cliActor())
	if err != nil {
		return keyError(err)
	}
	now := time.Now()
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tNAME\tROLE\tORGANIZATIONS\tCREATED\tEXPIRES\tREVOKED\tSTATUS")
	for _, k := range keys {
		status := "active"
		switch {
		case k.RevokedAt != nil:
			status = "revoked"
		case k.ExpiresAt != nil && !now.Before(*k.ExpiresAt):
			status = "expired"
		}
		scope := "-"
		if len(k.Orgs) > 0 {
			scope = strings.Join(k.Orgs, ",")
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", k.ID, strconv.Quote(k.Name), k.Role, scope,
			timeText(&k.CreatedAt), timeText(k.ExpiresAt), timeText(k.RevokedAt), status)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if len(keys) == 0 {
		fmt.Fprintln(stderr, "no keys yet; make one with \"areagraph keys create\"")
	}
	return nil
}

func keysRevoke(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := newFlags("keys revoke KEY-ID", stderr, keysHelp)
	where := addKeyStoreFlags(fs, getenv)
	id, err := parseWithFile(fs, args)
	if err != nil {
		return fmt.Errorf("keys revoke: %w (the key id, as \"keys list\" shows it)", err)
	}
	store, err := where.open(ctx, getenv, stderr)
	if err != nil {
		return err
	}
	defer store.Close()
	k, err := store.RevokeKey(ctx, cliActor(), id)
	if err != nil {
		return keyError(err)
	}
	fmt.Fprintf(stdout, "revoked key %s (%s) as of %s\n", k.ID, k.Name, timeText(k.RevokedAt))
	return nil
}

func keysRotate(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := newFlags("keys rotate KEY-ID", stderr, keysHelp)
	where := addKeyStoreFlags(fs, getenv)
	id, err := parseWithFile(fs, args)
	if err != nil {
		return fmt.Errorf("keys rotate: %w (the key id, as \"keys list\" shows it)", err)
	}
	store, err := where.open(ctx, getenv, stderr)
	if err != nil {
		return err
	}
	defer store.Close()
	secret, hash, err := auth.NewSecret(id)
	if err != nil {
		return err
	}
	k, err := store.RotateKey(ctx, cliActor(), id, hash)
	if err != nil {
		return keyError(err)
	}
	fmt.Fprintf(stdout, "rotated key %s (%s) as of %s; the old secret no longer works\n", k.ID, k.Name, timeText(k.RotatedAt))
	fmt.Fprintf(stdout, "secret: %s\n", secret)
	fmt.Fprintln(stdout, "The secret is shown only this once: store it now.")
	return nil
}

// orgList is --org, given once per organisation.
type orgList []string

func (o *orgList) String() string { return strings.Join(*o, ",") }

func (o *orgList) Set(v string) error {
	*o = append(*o, strings.TrimSpace(v))
	return nil
}

// scopeText says which organisations a new key speaks for.
func scopeText(orgs []string) string {
	if len(orgs) == 0 {
		return ""
	}
	return " for " + strings.Join(orgs, ", ")
}

// keyError shows a store's client-safe message; anything else (a database
// that cannot be reached, a missing table) is shown whole, since the
// command line is run by the operator, who needs the detail.
func keyError(err error) error {
	if db.ErrorCode(err) != db.EINTERNAL {
		return errors.New(db.ErrorMessage(err))
	}
	return err
}

// parseExpiry reads --expires: "" for never, a duration from now (Go's
// units, plus d for days), or a date or RFC 3339 time. It must lie ahead.
func parseExpiry(s string, now time.Time) (*time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, nil
	}
	var at time.Time
	if days, ok := strings.CutSuffix(s, "d"); ok {
		n, err := strconv.Atoi(days)
		if err != nil || n <= 0 {
			return nil, fmt.Errorf("%q: want a whole number of days such as 90d", s)
		}
		at = now.AddDate(0, 0, n)
	} else if d, err := time.ParseDuration(s); err == nil {
		at = now.Add(d)
	} else if t, err := time.Parse(time.DateOnly, s); err == nil {
		at = t
	} else if t, err := time.Parse(time.RFC3339, s); err == nil {
		at = t
	} else {
		return nil, fmt.Errorf("%q: want a duration such as 90d or 12h, a date such as 2027-01-01, or an RFC 3339 time", s)
	}
	if !at.After(now) {
		return nil, fmt.Errorf("%q lies in the past", s)
	}
	at = at.UTC().Truncate(time.Second)
	return &at, nil
}

func expiryText(t *time.Time) string {
	if t == nil {
		return "never expires"
	}
	return "expires " + t.UTC().Format(time.RFC3339)
}

func timeText(t *time.Time) string {
	if t == nil || t.IsZero() {
		return "-"
	}
	return t.UTC().Format(time.RFC3339)
}

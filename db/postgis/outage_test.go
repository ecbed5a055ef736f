package postgis

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/paulmach/orb"

	"github.com/areagraph/areagraph/db"
	"github.com/areagraph/areagraph/db/dbtest"
	"github.com/areagraph/areagraph/db/postgis/pgtest"
)

// checkUnavailable fails the test unless err is EUNAVAILABLE with the
// generic client message.
func checkUnavailable(t *testing.T, what string, err error) {
	t.Helper()
	if !errors.Is(err, db.ErrUnavailable) {
		t.Fatalf("%s: got %v, want ErrUnavailable", what, err)
	}
	if msg := db.ErrorMessage(err); msg != "database unavailable" {
		t.Errorf("%s: client message %q, want the generic one", what, msg)
	}
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
		t.Errorf("%s: %v reads as the caller's cancellation", what, err)
	}
}

func TestTranslateLostConnections(t *testing.T) {
	cases := []struct {
		name string
		err  error
		code string
	}{
		{"refused", &net.OpError{Op: "dial", Net: "tcp", Err: os.NewSyscallError("connect", syscall.ECONNREFUSED)}, db.EUNAVAILABLE},
		{"reset", fmt.Errorf("receive message failed: %w", &net.OpError{Op: "read", Net: "tcp", Err: syscall.ECONNRESET}), db.EUNAVAILABLE},
		{"broken pipe", &net.OpError{Op: "write", Net: "tcp", Err: syscall.EPIPE}, db.EUNAVAILABLE},
		{"socket timeout", fmt.Errorf("read: %w", os.ErrDeadlineExceeded), db.EUNAVAILABLE},
		{"no such host", &net.DNSError{Err: "no such host", Name: "db.invalid", IsNotFound: true}, db.EUNAVAILABLE},
		{"end of stream", io.EOF, db.EUNAVAILABLE},
		{"connection closed by the driver", fmt.Errorf("query: %w", pgconn.ErrConnClosed), db.EUNAVAILABLE},
		{"too many connections", &pgconn.PgError{Severity: "FATAL", Code: "53300", Message: "sorry, too many clients already"}, db.EUNAVAILABLE},
		{"starting up", &pgconn.PgError{Severity: "FATAL", Code: "57P03", Message: "the database system is starting up"}, db.EUNAVAILABLE},
		{"wrong password", &pgconn.PgError{Severity: "FATAL", Code: "28P01", Message: "password authentication failed"}, db.EINTERNAL},
		{"a scan that failed", errors.New("can't scan into dest[0]"), db.EINTERNAL},
	}
	for _, c := range cases {
		err := translate(c.err, "test")
		if got := db.ErrorCode(err); got != c.code {
			t.Errorf("%s: got %s (%v), want %s", c.name, got, err, c.code)
			continue
		}
		if c.code != db.EUNAVAILABLE {
			continue
		}
		if msg := db.ErrorMessage(err); msg != "database unavailable" {
			t.Errorf("%s: client message %q, want the generic one", c.name, msg)
		}
		if !strings.Contains(err.Error(), c.err.Error()) {
			t.Errorf("%s: %q lost the cause, which the log needs", c.name, err)
		}
		var netErr net.Error
		if errors.As(err, &netErr) {
			t.Errorf("%s: the driver's error is reachable with errors.As", c.name)
		}
	}
}

// TestDatabaseLostAndBack cuts the connection to the database under a
// store and restores it: calls fail with EUNAVAILABLE, then succeed again
// on the same store.
func TestDatabaseLostAndBack(t *testing.T) {
	ctx := t.Context()
	proxy, u := pgtest.NewProxy(t, pgtest.SchemaURL(t))
	s, err := Open(ctx, u)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	if err := s.Load(ctx, dbtest.Fixture()); err != nil {
		t.Fatal(err)
	}
	query := func() error {
		_, err := s.Areas(ctx, db.AreaFilter{}, db.Page{Limit: 10})
		return err
	}
	if err := query(); err != nil {
		t.Fatal(err)
	}

	proxy.Cut()
	// More calls than the pool has connections, so that both the
	// connections the cut broke and new ones that cannot be had are met.
	for i := range 2*s.pool.Config().MaxConns + 2 {
		checkUnavailable(t, fmt.Sprintf("query %d while cut", i), query())
		_, err := s.AreasAt(ctx, orb.Point{12.93, 57.72}, nil, time.Time{})
		checkUnavailable(t, fmt.Sprintf("areasAt %d while cut", i), err)
	}
	checkUnavailable(t, "ping while cut", s.Ping(ctx))

	proxy.Restore()
	if err := s.Ping(ctx); err != nil {
		t.Fatalf("ping after restore: %v", err)
	}
	if err := query(); err != nil {
		t.Fatalf("query after restore: %v", err)
	}
}

// TestStalledDatabase plays a database host that stops answering: the
// calls fail with EUNAVAILABLE at the store's bounds, well within the
// caller's deadline, and the store serves again once the host answers.
func TestStalledDatabase(t *testing.T) {
	cases := []struct {
		name, params string
		bound        string // what the error, for the log, says ended the wait
	}{
		{"acquire timeout", "pool_acquire_timeout=300ms", "no connection within 300ms"},
		{"connect timeout", "pool_acquire_timeout=1m&connect_timeout=1", "failed to connect"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			// The caller's deadline is far beyond the bounds under test:
			// a call that ends with it shows a bound that did not hold.
			ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
			defer cancel()
			proxy, u := pgtest.NewProxy(t, pgtest.SchemaURL(t))
			s, err := Open(ctx, u+"&"+c.params)
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()

			proxy.Stall()
			// The first call may meet the connection the stall reset; the
			// next must open a new one, which gets no answer.
			var bounded bool
			for i := range 3 {
				err := s.Ping(ctx)
				checkUnavailable(t, fmt.Sprintf("ping %d while stalled", i), err)
				if ctx.Err() != nil {
					t.Fatalf("ping %d waited for the caller's deadline", i)
				}
				bounded = bounded || strings.Contains(err.Error(), c.bound)
			}
			if !bounded {
				t.Errorf("no ping while stalled ended with %q", c.bound)
			}

			proxy.Restore()
			for {
				err := s.Ping(ctx)
				if err == nil {
					break
				}
				if ctx.Err() != nil {
					t.Fatalf("ping after restore: %v", err)
				}
				time.Sleep(20 * time.Millisecond)
			}
		})
	}
}

func TestFailFastSettings(t *testing.T) {
	parse := func(u string) *pgxpool.Config {
		t.Helper()
		cfg, err := pgxpool.ParseConfig(u)
		if err != nil {
			t.Fatal(err)
		}
		return cfg
	}
	const base = "postgres://postgres@127.0.0.1:5432/x?sslmode=disable"

	cfg := parse(base)
	acquire, err := failFast(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if acquire != DefaultAcquireTimeout || cfg.ConnConfig.ConnectTimeout != DefaultConnectTimeout || cfg.PingTimeout != DefaultPingTimeout {
		t.Errorf("defaults: acquire %v, connect %v, ping %v", acquire, cfg.ConnConfig.ConnectTimeout, cfg.PingTimeout)
	}

	cfg = parse(base + "&connect_timeout=9&pool_ping_timeout=4s&pool_acquire_timeout=1500ms")
	acquire, err = failFast(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if acquire != 1500*time.Millisecond || cfg.ConnConfig.ConnectTimeout != 9*time.Second || cfg.PingTimeout != 4*time.Second {
		t.Errorf("from the URL: acquire %v, connect %v, ping %v", acquire, cfg.ConnConfig.ConnectTimeout, cfg.PingTimeout)
	}
	if _, sent := cfg.ConnConfig.RuntimeParams[acquireTimeoutParam]; sent {
		t.Errorf("%s would be sent to the server as a setting", acquireTimeoutParam)
	}

	for _, bad := range []string{"0s", "-1s", "soon"} {
		if _, err := failFast(parse(base + "&pool_acquire_timeout=" + bad)); err == nil {
			t.Errorf("pool_acquire_timeout=%s: no error", bad)
		}
	}
}

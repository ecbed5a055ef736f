package memory_test

import (
	"encoding/hex"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"

	"github.com/areagraph/areagraph/db"
	"github.com/areagraph/areagraph/db/dbtest"
	"github.com/areagraph/areagraph/db/memory"
)

func storeOn(t *testing.T, path string) *memory.Store {
	t.Helper()
	s := memory.New()
	if err := s.UseKeysFile(path); err != nil {
		t.Fatalf("UseKeysFile: %v", err)
	}
	return s
}

var cli = db.Actor{ID: "cli", Role: db.RoleAdmin}

// TestKeysFileSharedByTwoStores is the CLI and the server: two stores on
// one file see each other's keys, revocations included, and neither loses
// the other's when it writes.
func TestKeysFileSharedByTwoStores(t *testing.T) {
	ctx := t.Context()
	dir := t.TempDir()
	path := filepath.Join(dir, "keys.json")
	server, cmd := storeOn(t, path), storeOn(t, path)
	if _, err := os.Stat(path); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("the file exists before the first write: %v", err)
	}
	if keys, err := server.Keys(ctx, cli); err != nil || len(keys) != 0 {
		t.Fatalf("keys of a missing file: %v, %v", keys, err)
	}

	// A key made by the command line reaches the running server.
	k1, err := cmd.CreateKey(ctx, cli, &db.APIKey{ID: "k1", Name: "Partner portal", Role: db.RoleEditor, Hash: dbtest.KeyHash("s1")})
	if err != nil {
		t.Fatal(err)
	}
	info, err := os.Stat(path)
	if err != nil {
		t.Fatalf("the file after the first write: %v", err)
	}
	if info.Mode().Perm() != 0o600 {
		t.Errorf("file mode %v, want 0600", info.Mode().Perm())
	}
	got, err := server.KeyByHash(ctx, dbtest.KeyHash("s1"))
	if err != nil {
		t.Fatalf("the server does not see the new key: %v", err)
	}
	if !reflect.DeepEqual(got, k1) {
		t.Errorf("key read from the file:\n got  %+v\n want %+v", got, k1)
	}

	// The server writes a key of its own: the command line's stays.
	if _, err := server.CreateKey(ctx, cli, &db.APIKey{ID: "k2", Name: "Import", Role: db.RoleAdmin, Hash: dbtest.KeyHash("s2")}); err != nil {
		t.Fatal(err)
	}
	keys, err := cmd.Keys(ctx, cli)
	if err != nil || len(keys) != 2 || keys[0].ID != "k1" || keys[1].ID != "k2" {
		t.Fatalf("keys seen by the command line: %v, %v", keys, err)
	}
	// An id taken in the other store is taken here too.
	if _, err := cmd.CreateKey(ctx, cli, &db.APIKey{ID: "k2", Name: "Again", Role: db.RoleReader, Hash: dbtest.KeyHash("s3")}); db.ErrorCode(err) != db.ECONFLICT {
		t.Errorf("an id the other store took: got %v, want CONFLICT", err)
	}

	// A revocation by the command line reaches the server.
	revoked, err := cmd.RevokeKey(ctx, cli, "k1")
	if err != nil {
		t.Fatal(err)
	}
	got, err = server.KeyByHash(ctx, dbtest.KeyHash("s1"))
	if err != nil || got.RevokedAt == nil || !got.RevokedAt.Equal(*revoked.RevokedAt) {
		t.Errorf("the server after the revocation: %+v, %v", got, err)
	}

	// A rotation by the server reaches the file: the old secret finds
	// nothing in the command line's store either.
	rotated, err := server.RotateKey(ctx, cli, "k2", dbtest.KeyHash("s2.new"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := cmd.KeyByHash(ctx, dbtest.KeyHash("s2")); db.ErrorCode(err) != db.ENOTFOUND {
		t.Errorf("the old secret after a rotation: %v, want NOT_FOUND", err)
	}
	if got, err := cmd.KeyByHash(ctx, dbtest.KeyHash("s2.new")); err != nil || !reflect.DeepEqual(got, rotated) {
		t.Errorf("the new secret after a rotation: %+v, %v; want %+v", got, err, rotated)
	}

	// A third store starts from the file.
	third := storeOn(t, path)
	keys, err = third.Keys(ctx, cli)
	if err != nil || len(keys) != 2 || keys[0].RevokedAt == nil || keys[1].RevokedAt != nil {
		t.Errorf("keys of a store opened later: %v, %v", keys, err)
	}
	// No temporary files are left beside it.
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		var names []string
		for _, e := range entries {
			names = append(names, e.Name())
		}
		t.Errorf("files in the directory: %v, want keys.json only", names)
	}
}

func TestKeysFileRejectsBadFiles(t *testing.T) {
	dir := t.TempDir()
	for name, content := range map[string]string{
		"not JSON":         "{",
		"a bad hash":       `{"keys":[{"id":"k1","name":"x","role":"ADMIN","sha256":"zz","createdAt":"2025-01-01T00:00:00Z"}]}`,
		"an unknown role":  `{"keys":[{"id":"k1","name":"x","role":"OWNER","sha256":"` + hex32() + `","createdAt":"2025-01-01T00:00:00Z"}]}`,
		"one id twice":     `{"keys":[` + rec("k1") + `,` + rec("k1") + `]}`,
		"an empty id":      `{"keys":[` + rec("") + `]}`,
		"a truncated hash": `{"keys":[{"id":"k1","name":"x","role":"ADMIN","sha256":"00ff","createdAt":"2025-01-01T00:00:00Z"}]}`,
	} {
		path := filepath.Join(dir, "bad.json")
		if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		if err := memory.New().UseKeysFile(path); err == nil {
			t.Errorf("%s: UseKeysFile accepted the file", name)
		}
	}
	// A file that turns bad under a running store fails its lookups
	// rather than serving keys it can no longer vouch for.
	path := filepath.Join(dir, "keys.json")
	s := storeOn(t, path)
	if _, err := s.CreateKey(t.Context(), cli, &db.APIKey{ID: "k1", Name: "x", Role: db.RoleAdmin, Hash: dbtest.KeyHash("s1")}); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte("{"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := s.KeyByHash(t.Context(), dbtest.KeyHash("s1")); err == nil || db.ErrorCode(err) != db.EINTERNAL {
		t.Errorf("KeyByHash on a broken file: got %v, want an internal error", err)
	}
}

func hex32() string {
	const h = "00112233445566778899aabbccddeeff"
	return h + h
}

func rec(id string) string {
	return `{"id":"` + id + `","name":"x","role":"ADMIN","sha256":"` + hex32() + `","createdAt":"2025-01-01T00:00:00Z"}`
}

// TestKeysFileConcurrentUse creates and looks up keys from many goroutines
// of one store; with -race it checks the locking around the file.
func TestKeysFileConcurrentUse(t *testing.T) {
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "keys.json")
	s := storeOn(t, path)
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			secret := string(rune('a' + i))
			if _, err := s.CreateKey(ctx, cli, &db.APIKey{ID: "k" + secret, Name: "x", Role: db.RoleReader, Hash: dbtest.KeyHash(secret)}); err != nil {
				t.Error(err)
				return
			}
			if _, err := s.KeyByHash(ctx, dbtest.KeyHash(secret)); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	keys, err := storeOn(t, path).Keys(ctx, cli)
	if err != nil || len(keys) != 8 {
		t.Errorf("keys in the file: %d, %v", len(keys), err)
	}
	log, err := s.AuditLog(ctx, db.AuditFilter{Actor: "cli"}, db.Page{Limit: 100})
	if err != nil || log.Total != 8 {
		t.Errorf("audit entries of the keys: %d, %v", log.Total, err)
	}
}

// TestKeysFileScope reads a file written before keys had a scope (its keys
// unscoped) beside a key bound to organisations, and writes both back as
// they were.
func TestKeysFileScope(t *testing.T) {
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "keys.json")
	old := `{"keys": [
  {"id": "kold", "name": "Planner", "role": "EDITOR", "sha256": "` + hexOf(dbtest.KeyHash("old")) + `",
   "createdAt": "2026-01-02T03:04:05Z", "expiresAt": null, "revokedAt": null},
  {"id": "kgamma", "name": "Norrby partner portal", "role": "EDITOR", "sha256": "` + hexOf(dbtest.KeyHash("gamma")) + `",
   "createdAt": "2026-01-02T03:04:06Z", "expiresAt": null, "revokedAt": null,
   "organizations": ["Employer:3", "Association:35"]}
]}`
	if err := os.WriteFile(path, []byte(old), 0o600); err != nil {
		t.Fatal(err)
	}
	s := storeOn(t, path)
	for hash, want := range map[string][]string{"old": nil, "gamma": {"Association:35", "Employer:3"}} {
		k, err := s.KeyByHash(ctx, dbtest.KeyHash(hash))
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(k.Orgs, want) {
			t.Errorf("key %s: organisations %q, want %q", k.ID, k.Orgs, want)
		}
	}
	// A write rewrites the file; a second store reads both keys as before.
	if _, err := s.RevokeKey(ctx, cli, "kold"); err != nil {
		t.Fatal(err)
	}
	k, err := storeOn(t, path).KeyByHash(ctx, dbtest.KeyHash("gamma"))
	if err != nil || !reflect.DeepEqual(k.Orgs, []string{"Association:35", "Employer:3"}) {
		t.Errorf("scoped key after a rewrite: %+v, %v", k, err)
	}
	bad := strings.Replace(old, `"Employer:3"`, `"Area:3"`, 1)
	if err := os.WriteFile(path, []byte(bad), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := memory.New().UseKeysFile(path); err == nil || !strings.Contains(err.Error(), "not an organisation") {
		t.Errorf("a scope naming an area: %v", err)
	}
}

func hexOf(b []byte) string { return hex.EncodeToString(b) }

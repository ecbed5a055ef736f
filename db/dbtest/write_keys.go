package dbtest

import (
	"crypto/sha256"
	"strings"
	"testing"
	"time"

	"github.com/areagraph/areagraph/db"
)

// KeyHash is the hash a test stores for a key secret, the SHA-256 that
// auth.HashSecret gives, written out so that the store tests stand on
// their own.
func KeyHash(secret string) []byte {
	h := sha256.Sum256([]byte(secret))
	return h[:]
}

// wantRecent checks that a time the store set lies within the call (give
// or take the clocks' disagreement) and is kept to the microsecond.
func wantRecent(t *testing.T, what string, got *time.Time, start, end time.Time) {
	t.Helper()
	switch {
	case got == nil:
		t.Errorf("%s: no time", what)
	case !got.Equal(got.Truncate(time.Microsecond)):
		t.Errorf("%s: %v is finer than a microsecond", what, got)
	case got.Before(start.Add(-5*time.Second)) || got.After(end.Add(5*time.Second)):
		t.Errorf("%s: %v is not between %v and %v", what, got, start, end)
	}
}

// keyAdmin is a second admin, so that the audit log tells two callers
// apart.
var keyAdmin = db.Actor{ID: "oidc:admin-2", Role: db.RoleAdmin}

func testWriteKeys(t *testing.T, s db.Store) {
	if keys := must[[]*db.APIKey](t)(s.Keys(ctx(t), testActor)); len(keys) != 0 {
		t.Errorf("a new store has %d keys", len(keys))
	}
	expires := time.Date(2027, 1, 31, 12, 30, 0, 123456000, time.UTC)
	start := time.Now()
	kb := must[*db.APIKey](t)(s.CreateKey(ctx(t), testActor, &db.APIKey{ID: "kb", Name: "Norrby partner portal",
		Role: db.RoleEditor, Hash: KeyHash("kb.secret"), ExpiresAt: &expires}))
	wantRecent(t, "created at", &kb.CreatedAt, start, time.Now())
	wantEqual(t, "created key", kb, &db.APIKey{ID: "kb", Name: "Norrby partner portal", Role: db.RoleEditor,
		Hash: KeyHash("kb.secret"), CreatedAt: kb.CreatedAt, ExpiresAt: &expires})
	// Keys come by creation, then id: a key created later comes later
	// whatever its id.
	time.Sleep(2 * time.Millisecond)
	ka := must[*db.APIKey](t)(s.CreateKey(ctx(t), keyAdmin, &db.APIKey{ID: "ka", Name: "Import job",
		Role: db.RoleAdmin, Hash: KeyHash("ka.secret")}))
	if !ka.CreatedAt.After(kb.CreatedAt) {
		t.Errorf("key ka created at %v, not after kb at %v", ka.CreatedAt, kb.CreatedAt)
	}
	wantEqual(t, "keys", must[[]*db.APIKey](t)(s.Keys(ctx(t), testActor)), []*db.APIKey{kb, ka})
	wantEqual(t, "key by hash", must[*db.APIKey](t)(s.KeyByHash(ctx(t), KeyHash("ka.secret"))), ka)
	_, err := s.KeyByHash(ctx(t), KeyHash("unknown"))
	wantRefused(t, "a hash no key has", err, db.ENOTFOUND)
	wantAudit(t, "creates", auditAfter(t, s, 0)[:1], testActor, created(kb))
	wantAudit(t, "creates", auditAfter(t, s, 0)[1:], keyAdmin, created(ka))
	if a := auditAfter(t, s, 0)[0].After; strings.Contains(string(a), "hash") {
		t.Errorf("a key's audit entry holds its hash: %s", a)
	}

	// Refused keys.
	before := stateOf(t, s)
	_, err = s.CreateKey(ctx(t), testActor, &db.APIKey{ID: "ka", Name: "Another", Role: db.RoleReader, Hash: KeyHash("other")})
	wantRefused(t, "an id in use", err, db.ECONFLICT)
	bad := []struct {
		name string
		key  *db.APIKey
	}{
		{"no key", nil},
		{"no id", &db.APIKey{Name: "x", Role: db.RoleReader, Hash: KeyHash("x")}},
		{"an id of 33 characters", &db.APIKey{ID: strings.Repeat("k", 33), Name: "x", Role: db.RoleReader, Hash: KeyHash("x")}},
		{"no name", &db.APIKey{ID: "kx", Name: " ", Role: db.RoleReader, Hash: KeyHash("x")}},
		{"unknown role", &db.APIKey{ID: "kx", Name: "x", Role: "OWNER", Hash: KeyHash("x")}},
		{"a short hash", &db.APIKey{ID: "kx", Name: "x", Role: db.RoleReader, Hash: KeyHash("x")[:31]}},
		{"an invalid key with an id in use", &db.APIKey{ID: "ka", Name: "x", Role: "OWNER", Hash: KeyHash("x")}},
	}
	for _, c := range bad {
		_, err := s.CreateKey(ctx(t), testActor, c.key)
		wantRefused(t, c.name, err, db.EINVALID)
	}
	_, err = s.RevokeKey(ctx(t), testActor, "nope")
	wantRefused(t, "revoke of a missing key", err, db.ENOTFOUND)
	wantNoChange(t, "refused keys", s, before)

	// Revoked keys are still found, with the time they were revoked.
	mark := lastAuditID(t, s)
	start = time.Now()
	rb := must[*db.APIKey](t)(s.RevokeKey(ctx(t), keyAdmin, "kb"))
	wantRecent(t, "revoked at", rb.RevokedAt, start, time.Now())
	want := *kb
	want.RevokedAt = rb.RevokedAt
	wantEqual(t, "revoked key", rb, &want)
	wantEqual(t, "revoked key by hash", must[*db.APIKey](t)(s.KeyByHash(ctx(t), KeyHash("kb.secret"))), &want)
	wantEqual(t, "keys", must[[]*db.APIKey](t)(s.Keys(ctx(t), testActor)), []*db.APIKey{&want, ka})
	wantAudit(t, "revoke", auditAfter(t, s, mark), keyAdmin, updated(kb, &want))

	// Revoking it again changes nothing, is no error and is not audited.
	mark = lastAuditID(t, s)
	time.Sleep(2 * time.Millisecond)
	again := must[*db.APIKey](t)(s.RevokeKey(ctx(t), testActor, "kb"))
	wantEqual(t, "revoked again", again, &want)
	wantAudit(t, "revoke again", auditAfter(t, s, mark), testActor)
	wantEqual(t, "audit of the key", len(must[db.List[*db.AuditEntry]](t)(s.AuditLog(ctx(t),
		db.AuditFilter{RecordID: "ApiKey:kb"}, everything)).Items), 2)
}

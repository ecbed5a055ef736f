package memory

import (
	"bytes"
	"cmp"
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/areagraph/areagraph/db"
)

// keyring holds the store's API keys and, once UseKeysFile names one, the
// file they are kept in. The embedded store forgets its records when the
// process ends, which is fine for demo data but not for keys an
// administrator handed out; and `areagraph keys create --keys-file` runs
// in another process than the server, so the file is also how a new key
// reaches a running server.
type keyring struct {
	byID   map[string]*db.APIKey
	byHash map[string]string // string(Hash) → ID
	path   string            // "" keeps the keys in memory only
	// seen is the file as last read or written, to tell whether another
	// process has replaced it since; nil when it did not exist.
	seen fs.FileInfo
}

func newKeyring() keyring {
	return keyring{byID: map[string]*db.APIKey{}, byHash: map[string]string{}}
}

func (r *keyring) put(k *db.APIKey) {
	if old := r.byID[k.ID]; old != nil {
		// A rotated key's old secret must find nothing from now on.
		delete(r.byHash, string(old.Hash))
	}
	r.byID[k.ID] = k
	r.byHash[string(k.Hash)] = k.ID
}

// sorted lists the keys by creation, then id, as Keys answers.
func (r *keyring) sorted() []*db.APIKey {
	out := make([]*db.APIKey, 0, len(r.byID))
	for _, k := range r.byID {
		out = append(out, k)
	}
	slices.SortFunc(out, func(a, b *db.APIKey) int {
		return cmp.Or(a.CreatedAt.Compare(b.CreatedAt), strings.Compare(a.ID, b.ID))
	})
	return out
}

// UseKeysFile keeps the store's API keys in the JSON file at path: it
// loads the keys there (a missing file is an empty set, created on the
// first write), writes the file after every CreateKey and RevokeKey (write
// a temp file in the same directory, fsync, rename; mode 0600), and
// reloads it in KeyByHash and Keys when the file changed on disk since it
// was read, so keys created by `areagraph keys create --keys-file` reach a
// running server.
//
// The file's keys replace any the store held before. CreateKey and
// RevokeKey also reload a changed file before they write it, so that two
// processes writing in turn keep each other's keys; the audit entries of
// key changes stay in the process that made them.
func (s *Store) UseKeysFile(path string) error {
	s.keyMu.Lock()
	defer s.keyMu.Unlock()
	r := newKeyring()
	r.path = path
	if err := r.reload(); err != nil {
		return err
	}
	s.keys = r
	return nil
}

// refresh reloads the file when it changed on disk since it was last read
// or written. Replacing the file by rename gives it a new inode, so
// os.SameFile tells a rewrite apart even within one clock tick; size and
// modification time catch an edit in place.
func (r *keyring) refresh() error {
	if r.path == "" {
		return nil
	}
	info, err := os.Stat(r.path)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("keys file: %w", err)
	}
	if err != nil {
		info = nil
	}
	if sameFile(r.seen, info) {
		return nil
	}
	return r.reload()
}

func sameFile(a, b fs.FileInfo) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	return os.SameFile(a, b) && a.Size() == b.Size() && a.ModTime().Equal(b.ModTime())
}

// keyFile is the file's format: the keys with their hashes in hex, never
// the secrets.
type keyFile struct {
	Keys []keyRecord `json:"keys"`
}

type keyRecord struct {
	ID        string     `json:"id"`
	Name      string     `json:"name"`
	Role      db.Role    `json:"role"`
	SHA256    string     `json:"sha256"`
	CreatedAt time.Time  `json:"createdAt"`
	ExpiresAt *time.Time `json:"expiresAt"`
	RevokedAt *time.Time `json:"revokedAt"`
	// RotatedAt is absent until the key's secret is first replaced.
	RotatedAt *time.Time `json:"rotatedAt,omitempty"`
	// Orgs is absent from files written before keys had a scope: those
	// keys are unscoped, as they were.
	Orgs []string `json:"organizations,omitempty"`
}

// reload reads the whole file into r. The file's identity is taken from
// the open file, so it is the identity of exactly the bytes read, even if
// another process replaces the file meanwhile.
func (r *keyring) reload() error {
	fresh := newKeyring()
	fresh.path = r.path
	f, err := os.Open(r.path)
	if errors.Is(err, fs.ErrNotExist) {
		*r = fresh
		return nil
	}
	if err != nil {
		return fmt.Errorf("keys file: %w", err)
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return fmt.Errorf("keys file: %w", err)
	}
	data, err := io.ReadAll(f)
	if err != nil {
		return fmt.Errorf("keys file %s: %w", r.path, err)
	}
	var kf keyFile
	if err := json.Unmarshal(data, &kf); err != nil {
		return fmt.Errorf("keys file %s: %w", r.path, err)
	}
	for i, rec := range kf.Keys {
		hash, err := hex.DecodeString(rec.SHA256)
		if err != nil {
			return fmt.Errorf("keys file %s: key %d: sha256: %w", r.path, i, err)
		}
		k := &db.APIKey{ID: rec.ID, Name: rec.Name, Role: rec.Role, Hash: hash, CreatedAt: rec.CreatedAt.UTC(),
			ExpiresAt: utcMicro(rec.ExpiresAt), RevokedAt: utcMicro(rec.RevokedAt), RotatedAt: utcMicro(rec.RotatedAt),
			Orgs: db.NormalizeOrgs(rec.Orgs)}
		if err := db.CheckAPIKey(k); err != nil {
			return fmt.Errorf("keys file %s: key %d: %s", r.path, i, db.ErrorMessage(err))
		}
		if fresh.byID[k.ID] != nil {
			return fmt.Errorf("keys file %s: key id %q appears twice", r.path, k.ID)
		}
		if _, ok := fresh.byHash[string(k.Hash)]; ok {
			return fmt.Errorf("keys file %s: key %q has the hash of another key", r.path, k.ID)
		}
		fresh.put(k)
	}
	fresh.seen = info
	*r = fresh
	return nil
}

// save writes keys to the file, if there is one, so that the file holds
// them all or, when anything fails, is as it was: the new content goes to
// a temporary file in the same directory, is synced, and then renamed
// over the old one, which a crash leaves either whole or untouched.
func (r *keyring) save(keys []*db.APIKey) error {
	if r.path == "" {
		return nil
	}
	kf := keyFile{Keys: make([]keyRecord, len(keys))}
	for i, k := range keys {
		kf.Keys[i] = keyRecord{ID: k.ID, Name: k.Name, Role: k.Role, SHA256: hex.EncodeToString(k.Hash),
			CreatedAt: k.CreatedAt, ExpiresAt: k.ExpiresAt, RevokedAt: k.RevokedAt, RotatedAt: k.RotatedAt, Orgs: k.Orgs}
	}
	data, err := json.MarshalIndent(kf, "", "  ")
	if err != nil {
		return fmt.Errorf("keys file: %w", err)
	}
	dir := filepath.Dir(r.path)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(r.path)+".*.tmp")
	if err != nil {
		return fmt.Errorf("keys file: %w", err)
	}
	done := false
	defer func() {
		if !done {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	if err := tmp.Chmod(0o600); err != nil {
		return fmt.Errorf("keys file: %w", err)
	}
	if _, err := tmp.Write(append(data, '\n')); err != nil {
		return fmt.Errorf("keys file: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		return fmt.Errorf("keys file: %w", err)
	}
	// A rename keeps the inode and the modification time, so this is what
	// the file will look like to the next refresh.
	info, err := tmp.Stat()
	if err != nil {
		return fmt.Errorf("keys file: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("keys file: %w", err)
	}
	if err := os.Rename(tmp.Name(), r.path); err != nil {
		return fmt.Errorf("keys file: %w", err)
	}
	done = true
	// Syncing the directory makes the rename itself durable; where a
	// directory cannot be synced, the file's content is already safe.
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		d.Close()
	}
	r.seen = info
	return nil
}

func utcMicro(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC().Truncate(time.Microsecond)
	return &u
}

// logKey appends the audit entry of a key change under the records' lock,
// which is where the audit log lives.
// A key yields no change event (it is not a public record), so the entry
// is written without end. old is nil for a create.
func (s *Store) logKey(by db.Actor, at time.Time, old, k *db.APIKey) {
	s.mu.Lock()
	defer s.mu.Unlock()
	tx := &writeTx{s: s, by: by, at: at}
	if old == nil {
		tx.log(nil, k)
	} else {
		tx.log(old, k)
	}
}

// CreateKey implements db.Writer.
func (s *Store) CreateKey(ctx context.Context, by db.Actor, k *db.APIKey) (*db.APIKey, error) {
	if err := db.CheckKeyManager(by, db.KeyCreate); err != nil {
		return nil, err
	}
	c := k.Clone()
	if c != nil {
		c.Orgs = db.NormalizeOrgs(c.Orgs)
	}
	if err := db.CheckAPIKey(c); err != nil {
		return nil, err
	}
	s.keyMu.Lock()
	defer s.keyMu.Unlock()
	if err := s.keys.refresh(); err != nil {
		return nil, err
	}
	if s.keys.byID[c.ID] != nil {
		return nil, db.Errorf(db.ECONFLICT, "key id %q is in use", c.ID)
	}
	// Two keys with one hash would have one secret: KeyByHash could not
	// tell them apart.
	if _, ok := s.keys.byHash[string(c.Hash)]; ok {
		return nil, db.Errorf(db.ECONFLICT, "another key has the same secret; make a new one")
	}
	if err := s.checkScopeOrgs(c.Orgs); err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	at := now()
	c.CreatedAt, c.ExpiresAt, c.RevokedAt = at, utcMicro(c.ExpiresAt), nil
	if err := s.keys.save(append(s.keys.sorted(), c)); err != nil {
		return nil, err
	}
	s.keys.put(c)
	s.logKey(by, at, nil, c)
	return c.Clone(), nil
}

// checkScopeOrgs is step 5 for a key's organisations: the first that
// names no organisation of its kind.
func (s *Store) checkScopeOrgs(orgs []string) error {
	s.mu.RLock()
	defer s.mu.RUnlock()
	for _, g := range orgs {
		typ, id, _ := db.ParseGlobalID(g) // checked by CheckAPIKey
		if o := s.orgs[id]; o == nil || o.NodeType() != typ {
			return db.UnknownReferenceError("organization", id)
		}
	}
	return nil
}

// Keys implements db.Writer.
func (s *Store) Keys(_ context.Context, by db.Actor) ([]*db.APIKey, error) {
	if err := db.CheckKeyManager(by, db.KeyList); err != nil {
		return nil, err
	}
	s.keyMu.Lock()
	defer s.keyMu.Unlock()
	if err := s.keys.refresh(); err != nil {
		return nil, err
	}
	keys := db.OwnKeys(by, s.keys.sorted())
	for i, k := range keys {
		keys[i] = k.Clone()
	}
	return keys, nil
}

// KeyByHash implements db.Writer.
func (s *Store) KeyByHash(_ context.Context, hash []byte) (*db.APIKey, error) {
	s.keyMu.Lock()
	defer s.keyMu.Unlock()
	if err := s.keys.refresh(); err != nil {
		return nil, err
	}
	id, ok := s.keys.byHash[string(hash)]
	if !ok {
		return nil, db.Errorf(db.ENOTFOUND, "no key has this secret")
	}
	return s.keys.byID[id].Clone(), nil
}

// RevokeKey implements db.Writer.
func (s *Store) RevokeKey(ctx context.Context, by db.Actor, id string) (*db.APIKey, error) {
	if err := db.CheckKeyManager(by, db.KeyRevoke); err != nil {
		return nil, err
	}
	s.keyMu.Lock()
	defer s.keyMu.Unlock()
	old, err := s.keyTarget(by, db.KeyRevoke, id)
	if err != nil {
		return nil, err
	}
	if old.RevokedAt != nil {
		return old.Clone(), nil
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	at := now()
	c := old.Clone()
	c.RevokedAt = &at
	return s.replaceKey(by, at, old, c)
}

// RotateKey implements db.KeyStore.
func (s *Store) RotateKey(ctx context.Context, by db.Actor, id string, hash []byte) (*db.APIKey, error) {
	if err := db.CheckKeyManager(by, db.KeyRotate); err != nil {
		return nil, err
	}
	if err := db.CheckKeyHash(hash); err != nil {
		return nil, err
	}
	s.keyMu.Lock()
	defer s.keyMu.Unlock()
	old, err := s.keyTarget(by, db.KeyRotate, id)
	if err != nil {
		return nil, err
	}
	if old.RevokedAt != nil {
		return nil, db.RevokedKeyError(id)
	}
	if _, ok := s.keys.byHash[string(hash)]; ok {
		return nil, db.Errorf(db.ECONFLICT, "another key has the same secret; make a new one")
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	at := now()
	c := old.Clone()
	c.Hash, c.RotatedAt = bytes.Clone(hash), &at
	return s.replaceKey(by, at, old, c)
}

// keyTarget refreshes the keys and decides on the key with id as stored
// whether by may go on with op (db.CheckKeyTarget); keyMu is held.
func (s *Store) keyTarget(by db.Actor, op db.KeyOp, id string) (*db.APIKey, error) {
	if err := s.keys.refresh(); err != nil {
		return nil, err
	}
	old := s.keys.byID[id]
	if err := db.CheckKeyTarget(by, op, id, old); err != nil {
		return nil, err
	}
	return old, nil
}

// replaceKey writes c in place of old, file first, and audits the update
// by by at; keyMu is held.
func (s *Store) replaceKey(by db.Actor, at time.Time, old, c *db.APIKey) (*db.APIKey, error) {
	keys := s.keys.sorted()
	keys[slices.Index(keys, old)] = c
	if err := s.keys.save(keys); err != nil {
		return nil, err
	}
	s.keys.put(c)
	s.logKey(by, at, old, c)
	return c.Clone(), nil
}

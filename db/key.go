package db

import (
	"bytes"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Role is what an authenticated caller may do. Roles are ordered: each may
// do everything the one before it may.
type Role string

// Roles, from the least to the most trusted.
const (
	// RoleReader may read when the service requires a token for reads.
	RoleReader Role = "READER"
	// RoleEditor also edits organisations, initiatives and indicator values.
	RoleEditor Role = "EDITOR"
	// RoleAdmin also edits areas and indicator definitions, manages API
	// keys and reads the audit log.
	RoleAdmin Role = "ADMIN"
)

// Roles lists every role from the least to the most trusted.
var Roles = []Role{RoleReader, RoleEditor, RoleAdmin}

// Rank orders roles: 0 for reader, 1 for editor, 2 for admin; -1 for an
// unknown role, which allows nothing.
func (r Role) Rank() int {
	for i, rr := range Roles {
		if rr == r {
			return i
		}
	}
	return -1
}

// Allows says whether r may do what needs the role need.
func (r Role) Allows(need Role) bool { return r.Rank() >= 0 && r.Rank() >= need.Rank() }

// APIKey is a key as stored: never the secret itself, only its SHA-256.
// Keys are long random strings, so a fast hash is as safe as a slow one and
// lets a request be checked with one indexed lookup.
type APIKey struct {
	ID        string // public and unique, e.g. "k3f9a2b7c"; the secret starts with it
	Name      string // what the key is for, e.g. "Norrby partner portal"
	Role      Role
	Hash      []byte // SHA-256 of the secret, 32 bytes
	CreatedAt time.Time
	ExpiresAt *time.Time // nil: never
	RevokedAt *time.Time // nil: in force
	RotatedAt *time.Time // when the secret was last replaced (RotateKey); nil: never
	// Orgs binds the key to organisations, as global ids in ascending
	// order ("Association:35"): the key speaks for a partner and may
	// change only what scope.go allows. Empty: the key's role alone.
	Orgs []string
}

// Clone returns a copy of k that shares nothing with it, as Area.Clone.
func (k *APIKey) Clone() *APIKey {
	if k == nil {
		return nil
	}
	c := *k
	c.Hash = bytes.Clone(k.Hash)
	c.ExpiresAt, c.RevokedAt, c.RotatedAt = clonePtr(k.ExpiresAt), clonePtr(k.RevokedAt), clonePtr(k.RotatedAt)
	c.Orgs = slices.Clone(k.Orgs)
	return &c
}

// AuditRef names the key in the audit log by its id.
func (k *APIKey) AuditRef() (typ, id string) { return TypeAPIKey, TypeAPIKey + ":" + k.ID }

func (k *APIKey) auditView() any {
	return struct {
		ID        string     `json:"id"`
		Name      string     `json:"name"`
		Role      Role       `json:"role"`
		CreatedAt time.Time  `json:"createdAt"`
		ExpiresAt *time.Time `json:"expiresAt"`
		RevokedAt *time.Time `json:"revokedAt"`
		RotatedAt *time.Time `json:"rotatedAt,omitempty"`
		Orgs      []string   `json:"organizations,omitempty"`
	}{k.ID, k.Name, k.Role, k.CreatedAt.UTC(), utc(k.ExpiresAt), utc(k.RevokedAt), utc(k.RotatedAt), k.Orgs}
}

// CheckAPIKey checks a key before CreateKey stores it, its organisations
// normalised (NormalizeOrgs). A scope is for editors only: a partner never
// reads the audit log or manages keys, which an admin's role would let it,
// and a reader writes nothing a scope could narrow.
func CheckAPIKey(k *APIKey) error {
	switch {
	case k == nil:
		return Errorf(EINVALID, "the key is missing")
	case k.ID == "" || len(k.ID) > 32:
		return Errorf(EINVALID, "key id must be 1–32 characters")
	case strings.TrimSpace(k.Name) == "":
		return Errorf(EINVALID, "a key needs a name that says what it is for")
	case k.Role.Rank() < 0:
		return Errorf(EINVALID, "unknown role %q", k.Role)
	}
	if err := CheckKeyHash(k.Hash); err != nil {
		return err
	}
	if err := checkText(text{"key id", k.ID}, text{"name", k.Name}); err != nil {
		return Errorf(EINVALID, "%s", err.Error())
	}
	if err := CheckOrgs(k.Orgs); err != nil {
		return err
	}
	if len(k.Orgs) > 0 && k.Role != RoleEditor {
		return Errorf(EINVALID, "only an %s key can be bound to organisations, not %s", RoleEditor, k.Role)
	}
	return nil
}

// CheckKeyHash checks the hash of a key's secret: a SHA-256, 32 bytes.
func CheckKeyHash(hash []byte) error {
	if len(hash) != 32 {
		return Errorf(EINVALID, "key hash must be 32 bytes")
	}
	return nil
}

// RevokedKeyError refuses a new secret for a revoked key: revoking is for
// good, and a new secret on it would work for nobody.
func RevokedKeyError(id string) error {
	return Errorf(ECONFLICT, "ApiKey %q is revoked: it cannot be given a new secret; make a new key", id)
}

// Who may manage which API key.
//
// An admin that speaks for no organisation manages every key: it creates,
// lists, revokes and rotates them. A caller bound to organisations (a
// partner, Actor.Orgs) manages its own: it lists and revokes the keys
// bound to its organisations (every organisation of the key among its
// own, so that it never revokes a key that also speaks for someone else),
// and it rotates the secret of the key it calls with. It creates none and
// changes no key's role, organisations or expiry: handing out rights is
// the city's. Anyone else, an unscoped editor or reader, manages no key.
//
// Both backends call these inside each key write and in Keys, so every
// path (GraphQL, the command line, anything later) goes through them. To
// a partner, a key that is not its own and a key that does not exist are
// refused alike, FORBIDDEN, so that it never learns which key ids are in
// use; only an admin is told NOT_FOUND.

// KeyOp is what a caller does to a key, for the rule's messages.
type KeyOp string

// Key operations.
const (
	KeyList   KeyOp = "list"
	KeyCreate KeyOp = "create"
	KeyRevoke KeyOp = "revoke"
	KeyRotate KeyOp = "rotate"
)

// CheckKeyManager is step 0 of every key operation: whether by may manage
// keys at all, before any key is looked up. A partner may not create one.
func CheckKeyManager(by Actor, op KeyOp) error {
	switch {
	case by.Scoped() && op == KeyCreate:
		return Errorf(EFORBIDDEN, "a caller bound to %s may not write new API keys: an admin makes them", by.scopeName())
	case by.Scoped():
		return nil
	case !by.Role.Allows(RoleAdmin):
		return Errorf(EFORBIDDEN, "managing API keys needs the %s role, or a key bound to organisations for their own keys", RoleAdmin)
	}
	return nil
}

// OwnsKey says whether by manages k: an admin every key, a partner the
// keys bound only to organisations it speaks for.
func OwnsKey(by Actor, k *APIKey) bool {
	if !by.Scoped() {
		return by.Role.Allows(RoleAdmin)
	}
	if k == nil || len(k.Orgs) == 0 {
		return false
	}
	for _, g := range k.Orgs {
		if !slices.Contains(by.Orgs, g) {
			return false
		}
	}
	return true
}

// OwnKeys keeps the keys of keys that by manages, in their order: what
// Keys answers after CheckKeyManager.
func OwnKeys(by Actor, keys []*APIKey) []*APIKey {
	return slices.DeleteFunc(keys, func(k *APIKey) bool { return !OwnsKey(by, k) })
}

// CheckKeyTarget decides, on the stored key with id (nil when there is
// none), whether by may go on with op: FORBIDDEN for a partner when the
// key is not its own or does not exist, alike; for a rotation by a
// partner also when the key is not the one it calls with; NOT_FOUND for
// an admin when there is no such key.
func CheckKeyTarget(by Actor, op KeyOp, id string, stored *APIKey) error {
	if !by.Scoped() {
		if stored == nil {
			return NotFoundError(TypeAPIKey, strconv.Quote(id))
		}
		return nil
	}
	if !OwnsKey(by, stored) {
		return Errorf(EFORBIDDEN, "ApiKey %q is not among the API keys of %s", id, by.scopeName())
	}
	if op == KeyRotate && by.ID != "key:"+id {
		return Errorf(EFORBIDDEN, "a caller bound to %s rotates only the secret of the key it calls with, not ApiKey %q", by.scopeName(), id)
	}
	return nil
}

package db

import (
	"bytes"
	"slices"
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
	c.ExpiresAt, c.RevokedAt = clonePtr(k.ExpiresAt), clonePtr(k.RevokedAt)
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
		Orgs      []string   `json:"organizations,omitempty"`
	}{k.ID, k.Name, k.Role, k.CreatedAt.UTC(), utc(k.ExpiresAt), utc(k.RevokedAt), k.Orgs}
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
	case len(k.Hash) != 32:
		return Errorf(EINVALID, "key hash must be 32 bytes")
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

package db

import (
	"context"
	"time"
)

// Writes through the API. Every record a partner or planner can edit
// (areas, organisations, initiatives, indicator definitions) carries a
// Version; an update or delete names the version it read, and a store
// refuses it with ECONFLICT when the record has moved on since, so two
// editors never overwrite each other silently. Indicator values carry no
// version: they are measurements keyed on area, indicator, year and sex,
// written in bulk from statistics, where the last import is meant to win;
// their audit entries keep what they replaced.
//
// Every write method is one transaction: it validates, writes the records
// and appends the audit entries of every record it changed, or it changes
// nothing at all. Problems are found in this order, so both backends give
// the same error for the same call:
//
//  1. the input on its own (CheckArea, CheckOrganization, …): EINVALID;
//  2. the target record: ENOTFOUND when it does not exist;
//  3. its version: ECONFLICT when it is not the stored one;
//  4. uniqueness (an area code, an indicator code, a key id): ECONFLICT;
//  5. references to other records (parent, areas, lead, partners):
//     EINVALID naming the first missing one, and for an area's parent also
//     a parent that would make the hierarchy a cycle;
//  6. for a delete without detach, records that point at the target:
//     ECONFLICT with a message that counts them by kind and says that
//     deleting with detach removes the links.
//
// Load and the imports (UpsertAreas, UpsertIndicatorValues) are the
// operator's bulk paths, run with database access rather than through the
// API; they write no audit entries. Error messages name a record by its
// type and key ("Area 12", "Indicator \"unemployment\"").
//
// Times (AuditEntry.At, APIKey.CreatedAt, ExpiresAt, RevokedAt) are kept to the
// microsecond, as PostgreSQL keeps them, in both backends.
//
// Stores normalise what they are given before checking it (Normalize…), so
// callers may list ids, focus groups and themes in any order.

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

// Actor is who makes a write, as the audit log names them: "key:<key id>"
// for an API key, "oidc:<subject>" for a token from the configured issuer,
// "cli" for the command line acting on the database directly.
type Actor struct {
	ID   string
	Role Role
}

// Action is what a write did to one record.
type Action string

// Actions.
const (
	ActionCreate Action = "CREATE"
	ActionUpdate Action = "UPDATE"
	ActionDelete Action = "DELETE"
)

// Record types of the audit log, besides the node types of id.go.
const (
	TypeIndicatorValue = "IndicatorValue"
	TypeAPIKey         = "ApiKey"
)

// AuditEntry records one change to one record.
type AuditEntry struct {
	ID       int64 // ascending in the order changes were committed
	At       time.Time
	Actor    string // Actor.ID
	Action   Action
	Type     string // TypeArea, TypeEmployer, …, TypeIndicatorValue, TypeAPIKey
	RecordID string // see AuditRecordID
	// Before and After are the record as AuditJSON renders it; Before is
	// nil for a create, After nil for a delete. Stores keep the bytes as
	// given, so both backends answer byte for byte alike.
	Before []byte
	After  []byte
}

// AuditFilter selects audit entries. Empty fields select everything.
type AuditFilter struct {
	RecordID string // one record, by AuditRecordID
	Actor    string // one actor, by Actor.ID
	Since    *time.Time
}

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
}

// Writer is the write half of the storage contract. See the top of this
// file for the order in which problems are found.
type Writer interface {
	// CreateArea adds an area and returns it as stored, with a new id and
	// Version 1. The id and version it is given are ignored. New ids are
	// above every id the store has used for that kind of record, never
	// reused after a delete.
	CreateArea(ctx context.Context, by Actor, a *Area) (*Area, error)
	// UpdateArea replaces the area with a.ID, if its stored version is
	// a.Version, and returns it as stored with the version one higher.
	UpdateArea(ctx context.Context, by Actor, a *Area) (*Area, error)
	// DeleteArea deletes an area of the given version. Records that point
	// at it are its child areas, the initiatives serving it, the
	// organisations engaging in it and its indicator values; with any of
	// them the delete is refused unless detach is set. With detach, its
	// children become roots and it leaves the areas of those initiatives
	// and organisations (each of these records gets a new version and an
	// UPDATE audit entry), and its indicator values are deleted (each with
	// a DELETE audit entry).
	DeleteArea(ctx context.Context, by Actor, id, version int64, detach bool) error

	// CreateOrganization, UpdateOrganization and DeleteOrganization do the
	// same for organisations. An update cannot change an organisation's
	// kind, since its global id says Employer or Association: that is
	// EINVALID, found with the references (step 5). An organisation is
	// pointed at by the
	// initiatives it leads or takes part in; with detach, it stops being
	// their lead or partner (each initiative gets a new version).
	CreateOrganization(ctx context.Context, by Actor, o *Organization) (*Organization, error)
	UpdateOrganization(ctx context.Context, by Actor, o *Organization) (*Organization, error)
	DeleteOrganization(ctx context.Context, by Actor, id, version int64, detach bool) error

	// CreateInitiative, UpdateInitiative and DeleteInitiative do the same
	// for initiatives, which nothing points at.
	CreateInitiative(ctx context.Context, by Actor, in *Initiative) (*Initiative, error)
	UpdateInitiative(ctx context.Context, by Actor, in *Initiative) (*Initiative, error)
	DeleteInitiative(ctx context.Context, by Actor, id, version int64) error

	// CreateIndicator, UpdateIndicator and DeleteIndicator do the same for
	// indicator definitions, keyed on their code (a code cannot change).
	// A definition is pointed at by its values; with detach they are
	// deleted with it.
	CreateIndicator(ctx context.Context, by Actor, ind *Indicator) (*Indicator, error)
	UpdateIndicator(ctx context.Context, by Actor, ind *Indicator) (*Indicator, error)
	DeleteIndicator(ctx context.Context, by Actor, code string, version int64, detach bool) error

	// PutIndicatorValues writes values keyed on area id, indicator, year
	// and sex: new keys are added, known ones replaced. A value equal to
	// the stored one (value and count) is left alone and not audited. It
	// returns the number of values added or changed. Errors about one
	// value are *ItemError values that name it by its place, from 1; a key
	// given twice is an error.
	PutIndicatorValues(ctx context.Context, by Actor, values []IndicatorValue) (int, error)

	// AuditLog pages through audit entries, newest first.
	AuditLog(ctx context.Context, f AuditFilter, p Page) (List[*AuditEntry], error)

	// CreateKey stores a key the caller made (id, name, role, hash,
	// expiry); the store sets CreatedAt. A key id in use is ECONFLICT.
	CreateKey(ctx context.Context, by Actor, k *APIKey) (*APIKey, error)
	// Keys lists every key, revoked ones included, by creation then id.
	Keys(ctx context.Context) ([]*APIKey, error)
	// KeyByHash finds a key by the hash of its secret, revoked or not;
	// ENOTFOUND when none has it.
	KeyByHash(ctx context.Context, hash []byte) (*APIKey, error)
	// RevokeKey revokes a key from now on; revoking a revoked key changes
	// nothing and is not an error. ENOTFOUND when no key has the id.
	RevokeKey(ctx context.Context, by Actor, id string) (*APIKey, error)
}

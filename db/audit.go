package db

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"github.com/areagraph/areagraph/geo"
	"github.com/paulmach/orb"
)

// Actor is who makes a write, as the audit log names them: "key:<key id>"
// for an API key, "oidc:<subject>" for a token from the configured issuer,
// "cli:<user>" for the command line acting on the database directly, as
// the operating system's user who ran it. Orgs, when set, binds the caller
// to those organisations (global ids, normalised by NormalizeOrgs): a
// partner, whose writes scope.go limits.
type Actor struct {
	ID   string
	Role Role
	Orgs []string
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
	TypeValueImport    = "ValueImport" // one import of values (import.go)
	TypeAPIKey         = "ApiKey"
)

// AuditEntry records one change to one record.
type AuditEntry struct {
	ID    int64 // ascending in the order changes were committed
	At    time.Time
	Actor string // Actor.ID
	// Orgs are the organisations the caller acted for (Actor.Orgs): set
	// when a partner's key or token made the write, nil otherwise.
	Orgs     []string
	Action   Action
	Type     string // TypeArea, TypeEmployer, …, TypeIndicatorValue, TypeValueImport, TypeAPIKey
	RecordID string // see AuditRecordID
	// Before and After are the record as AuditJSON renders it; Before is
	// nil for a create, After nil for a delete. Stores keep the bytes as
	// given, so both backends answer byte for byte alike.
	Before []byte
	After  []byte
}

// Clone returns a copy of e that shares nothing with it, as Area.Clone.
func (e *AuditEntry) Clone() *AuditEntry {
	if e == nil {
		return nil
	}
	c := *e
	c.Before, c.After = bytes.Clone(e.Before), bytes.Clone(e.After)
	c.Orgs = slices.Clone(e.Orgs)
	return &c
}

// AuditFilter selects audit entries. Empty fields select everything.
type AuditFilter struct {
	RecordID string // one record, by AuditRecordID
	Actor    string // one actor, by Actor.ID
	// Organization keeps the writes made on behalf of one organisation (a
	// partner's key or token bound to it), by its global id: its history
	// of changes, whoever of its people made them.
	Organization string
	Since        *time.Time
}

// Check refuses an organisation that is not the global id of an employer
// or an association.
func (f AuditFilter) Check() error {
	if f.Organization != "" {
		return CheckOrgs([]string{f.Organization})
	}
	return nil
}

// Audited is a record the audit log keeps: an area, an organisation, an
// initiative, an indicator definition or value, an import of values, or an
// API key. Each kind
// implements it in its own file. Its unexported method keeps the set
// closed, so writing a record kind that the log cannot render is a compile
// error rather than a failure at run time.
type Audited interface {
	// AuditRef is the record's type and id as its audit entries name
	// them: the global id for areas, organisations and initiatives
	// ("Area:12"), "Indicator:<code>", "ApiKey:<id>", and
	// "IndicatorValue:<area id>:<code>:<year>:<sex>", and
	// "ValueImport:<sha256 of the file>".
	AuditRef() (typ, id string)
	// auditView is the value AuditJSON encodes.
	auditView() any
}

// AuditRecordID names a record in the audit log (see Audited.AuditRef).
func AuditRecordID(rec Audited) string {
	_, id := rec.AuditRef()
	return id
}

// AuditType is the record type an audit entry names for rec.
func AuditType(rec Audited) string {
	typ, _ := rec.AuditRef()
	return typ
}

// AuditJSON renders a record for the audit log: a JSON object with the
// API's field names, global ids for references to areas, dates as
// YYYY-MM-DD and geometry as GeoJSON. An initiative's lead and partners
// are organisation numbers: their global id says Employer or Association,
// which the initiative's own record does not know, and an audit entry must
// not depend on another record's state. A key is rendered without its hash.
func AuditJSON(rec Audited) []byte {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(rec.auditView()); err != nil {
		// Every field of a view is a plain value or checked geometry.
		panic(fmt.Sprintf("db.AuditJSON: %v", err))
	}
	return bytes.TrimRight(buf.Bytes(), "\n")
}

func geometryJSON(g orb.Geometry) json.RawMessage {
	if g == nil {
		return nil
	}
	b, err := geo.AppendGeoJSON(nil, g)
	if err != nil {
		panic(fmt.Sprintf("db.AuditJSON: geometry: %v", err))
	}
	return b
}

func orNull(b json.RawMessage) json.RawMessage {
	if b == nil {
		return json.RawMessage("null")
	}
	return b
}

func orEmpty[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

func positive(n int) *int {
	if n <= 0 {
		return nil
	}
	return &n
}

func positive64(n int64) *int64 {
	if n <= 0 {
		return nil
	}
	return &n
}

func ref(typ string, id int64) *string {
	if id <= 0 {
		return nil
	}
	s := GlobalID(typ, id)
	return &s
}

func refs(typ string, ids []int64) []string {
	out := make([]string, len(ids))
	for i, id := range ids {
		out[i] = GlobalID(typ, id)
	}
	return out
}

func date(t *time.Time) *string {
	if t == nil {
		return nil
	}
	s := t.Format(time.DateOnly)
	return &s
}

func utc(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}

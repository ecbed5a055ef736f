package db

import (
	"bytes"
	"encoding/json"
	"fmt"
	"time"

	"github.com/areagraph/areagraph/geo"
	"github.com/paulmach/orb"
)

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

// Clone returns a copy of e that shares nothing with it, as Area.Clone.
func (e *AuditEntry) Clone() *AuditEntry {
	if e == nil {
		return nil
	}
	c := *e
	c.Before, c.After = bytes.Clone(e.Before), bytes.Clone(e.After)
	return &c
}

// AuditFilter selects audit entries. Empty fields select everything.
type AuditFilter struct {
	RecordID string // one record, by AuditRecordID
	Actor    string // one actor, by Actor.ID
	Since    *time.Time
}

// AuditRecordID names a record in the audit log: the global id for areas,
// organisations and initiatives ("Area:12"), "Indicator:<code>",
// "ApiKey:<id>", and "IndicatorValue:<area id>:<code>:<year>:<sex>".
func AuditRecordID(rec any) string {
	switch r := rec.(type) {
	case *Area:
		return r.NodeID()
	case *Organization:
		return r.NodeID()
	case *Initiative:
		return r.NodeID()
	case *Indicator:
		return TypeIndicator + ":" + r.Code
	case *APIKey:
		return TypeAPIKey + ":" + r.ID
	case IndicatorValue:
		return fmt.Sprintf("%s:%d:%s:%d:%s", TypeIndicatorValue, r.AreaID, r.IndicatorCode, r.Year, r.Sex)
	case *IndicatorValue:
		return AuditRecordID(*r)
	}
	panic(fmt.Sprintf("db.AuditRecordID: %T is not audited", rec))
}

// AuditType is the record type an audit entry names for rec.
func AuditType(rec any) string {
	switch r := rec.(type) {
	case *Area:
		return TypeArea
	case *Organization:
		return r.NodeType()
	case *Initiative:
		return TypeInitiative
	case *Indicator:
		return TypeIndicator
	case *APIKey:
		return TypeAPIKey
	case IndicatorValue, *IndicatorValue:
		return TypeIndicatorValue
	}
	panic(fmt.Sprintf("db.AuditType: %T is not audited", rec))
}

// AuditJSON renders a record for the audit log: a JSON object with the
// API's field names, global ids for references to areas, dates as
// YYYY-MM-DD and geometry as GeoJSON. An initiative's lead and partners
// are organisation numbers: their global id says Employer or Association,
// which the initiative's own record does not know, and an audit entry must
// not depend on another record's state. A key is rendered without its hash.
func AuditJSON(rec any) []byte {
	var v any
	switch r := rec.(type) {
	case *Area:
		v = struct {
			ID          string          `json:"id"`
			Version     int64           `json:"version"`
			Code        string          `json:"code"`
			Name        string          `json:"name"`
			Kind        AreaKind        `json:"kind"`
			AreaType    *int            `json:"areaType"`
			Parent      *string         `json:"parent"`
			ValidFrom   *string         `json:"validFrom"`
			ValidTo     *string         `json:"validTo"`
			Description string          `json:"description"`
			Geometry    json.RawMessage `json:"geometry"`
		}{r.NodeID(), r.Version, r.Code, r.Name, r.Kind, positive(r.AreaType), ref(TypeArea, r.ParentID),
			date(r.ValidFrom), date(r.ValidTo), r.Description, geometryJSON(r.Geometry)}
	case *Organization:
		var loc json.RawMessage
		if r.Location != nil {
			loc = geometryJSON(*r.Location)
		}
		v = struct {
			ID        string          `json:"id"`
			Version   int64           `json:"version"`
			Kind      OrgKind         `json:"kind"`
			Name      string          `json:"name"`
			OrgNumber string          `json:"orgNumber"`
			Location  json.RawMessage `json:"location"`
			Website   string          `json:"website"`
			Areas     []string        `json:"areas"`
			Industry  string          `json:"industry,omitempty"`
			Size      EmployerSize    `json:"size,omitempty"`
			Activity  string          `json:"activity,omitempty"`
		}{r.NodeID(), r.Version, r.Kind, r.Name, r.OrgNumber, orNull(loc), r.Website, refs(TypeArea, r.AreaIDs),
			r.Industry, r.Size, r.Activity}
	case *Initiative:
		type partner struct {
			Organization int64       `json:"organization"`
			Role         PartnerRole `json:"role"`
		}
		partners := make([]partner, len(r.Partners))
		for i, p := range r.Partners {
			partners[i] = partner{p.OrganizationID, p.Role}
		}
		var locs json.RawMessage
		if len(r.Locations) > 0 {
			locs = geometryJSON(orb.MultiPoint(r.Locations))
		}
		v = struct {
			ID          string           `json:"id"`
			Version     int64            `json:"version"`
			Title       string           `json:"title"`
			Description string           `json:"description"`
			Status      InitiativeStatus `json:"status"`
			StartDate   *string          `json:"startDate"`
			EndDate     *string          `json:"endDate"`
			GoalArea    GoalArea         `json:"goalArea"`
			FocusGroups []FocusGroup     `json:"focusGroups"`
			Themes      []Theme          `json:"themes"`
			Areas       []string         `json:"areas"`
			Locations   json.RawMessage  `json:"locations"`
			Lead        *int64           `json:"leadOrganization"`
			Partners    []partner        `json:"partners"`
			Reach       Reach            `json:"reach"`
		}{r.NodeID(), r.Version, r.Title, r.Description, r.Status, date(r.StartDate), date(r.EndDate), r.GoalArea,
			orEmpty(r.FocusGroups), orEmpty(r.Themes), refs(TypeArea, r.AreaIDs), orNull(locs), positive64(r.LeadID),
			partners, r.Reach}
	case *Indicator:
		v = struct {
			Code           string `json:"code"`
			Version        int64  `json:"version"`
			Name           string `json:"name"`
			NameSv         string `json:"nameSv"`
			Description    string `json:"description"`
			Unit           string `json:"unit"`
			HigherIsBetter bool   `json:"higherIsBetter"`
			Source         string `json:"source"`
			License        string `json:"license"`
			Attribution    string `json:"attribution"`
			MinCount       int    `json:"minCount"`
		}{r.Code, r.Version, r.Name, r.NameSv, r.Description, r.Unit, r.HigherIsBetter, r.Source, r.License,
			r.Attribution, r.MinCount}
	case IndicatorValue:
		v = struct {
			Area      string  `json:"area"`
			Indicator string  `json:"indicator"`
			Year      int     `json:"year"`
			Sex       Sex     `json:"sex"`
			Value     float64 `json:"value"`
			Count     *int    `json:"count"`
		}{GlobalID(TypeArea, r.AreaID), r.IndicatorCode, r.Year, r.Sex, r.Value, r.Count}
	case *IndicatorValue:
		return AuditJSON(*r)
	case *APIKey:
		v = struct {
			ID        string     `json:"id"`
			Name      string     `json:"name"`
			Role      Role       `json:"role"`
			CreatedAt time.Time  `json:"createdAt"`
			ExpiresAt *time.Time `json:"expiresAt"`
			RevokedAt *time.Time `json:"revokedAt"`
		}{r.ID, r.Name, r.Role, r.CreatedAt.UTC(), utc(r.ExpiresAt), utc(r.RevokedAt)}
	default:
		panic(fmt.Sprintf("db.AuditJSON: %T is not audited", rec))
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		// Every field above is a plain value or checked geometry.
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

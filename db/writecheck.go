package db

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/areagraph/areagraph/geo"
	"github.com/paulmach/orb"
)

// The checks, normalisation and audit rendering that both backends share,
// so that they accept, reject and record writes with the same words and
// the same bytes.

// MaxIndicatorValuesPerWrite caps one PutIndicatorValues call. A year of
// DeSO statistics for one indicator is about 6,000 values × 3 sexes; the
// cap leaves room for that and keeps one request's transaction bounded.
const MaxIndicatorValuesPerWrite = 50_000

// CheckArea checks an area on its own before a write: code and name, kind,
// area type, geometry (closed, simple rings, holes inside shells,
// coordinates in range, the vertex cap; the message names the ring or
// position at fault), validity period, and that it is not its own parent.
func CheckArea(a *Area) error {
	if a == nil {
		return Errorf(EINVALID, "the area is missing")
	}
	if a.ParentID < 0 {
		return Errorf(EINVALID, "parent id must be positive")
	}
	if a.ID != 0 && a.ParentID == a.ID {
		return Errorf(EINVALID, "an area cannot be its own parent")
	}
	if err := a.check(); err != nil {
		return Errorf(EINVALID, "%s", err.Error())
	}
	return nil
}

// NormalizeOrganization puts the organisation's area ids in the order the
// stores keep: ascending, each once.
func NormalizeOrganization(o *Organization) {
	o.AreaIDs = sortedSet(o.AreaIDs)
}

// CheckOrganization checks an organisation on its own, after
// NormalizeOrganization.
func CheckOrganization(o *Organization) error {
	if o == nil {
		return Errorf(EINVALID, "the organization is missing")
	}
	if strings.TrimSpace(o.Name) == "" {
		return Errorf(EINVALID, "name is required")
	}
	if o.Kind != OrgEmployer && o.Kind != OrgAssociation {
		return Errorf(EINVALID, "unknown kind %q", o.Kind)
	}
	if o.Size != "" && !slices.Contains([]EmployerSize{SizeMicro, SizeSmall, SizeMedium, SizeLarge}, o.Size) {
		return Errorf(EINVALID, "unknown size %q", o.Size)
	}
	if o.Location != nil {
		if err := ValidatePoint(*o.Location); err != nil {
			return Errorf(EINVALID, "location: %s", err.Error())
		}
	}
	if err := sortedUnique(o.AreaIDs); err != nil {
		return Errorf(EINVALID, "area ids: %s", err.Error())
	}
	return nil
}

// NormalizeInitiative puts the initiative's lists in the order the stores
// keep: focus groups and themes in their canonical order, area ids and
// partners ascending, repeated focus groups, themes and area ids once.
// Unknown values and partners named twice are left for the check to
// report.
func NormalizeInitiative(in *Initiative) {
	in.FocusGroups = canonicalOrder(in.FocusGroups, FocusGroups)
	in.Themes = canonicalOrder(in.Themes, Themes)
	in.AreaIDs = sortedSet(in.AreaIDs)
	slices.SortStableFunc(in.Partners, func(a, b Partner) int {
		switch {
		case a.OrganizationID < b.OrganizationID:
			return -1
		case a.OrganizationID > b.OrganizationID:
			return 1
		}
		return 0
	})
}

// CheckInitiative checks an initiative on its own, after
// NormalizeInitiative.
func CheckInitiative(in *Initiative) error {
	if in == nil {
		return Errorf(EINVALID, "the initiative is missing")
	}
	if strings.TrimSpace(in.Title) == "" {
		return Errorf(EINVALID, "title is required")
	}
	if in.LeadID < 0 {
		return Errorf(EINVALID, "lead id must be positive")
	}
	if err := in.validate(); err != nil {
		return Errorf(EINVALID, "%s", err.Error())
	}
	return nil
}

// CheckIndicator checks an indicator definition on its own.
func CheckIndicator(ind *Indicator) error {
	if ind == nil {
		return Errorf(EINVALID, "the indicator is missing")
	}
	if ind.Code == "" || ind.Name == "" {
		return Errorf(EINVALID, "code and name are required")
	}
	if len(ind.Code) > 64 || strings.ContainsFunc(ind.Code, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '_' || r == '-')
	}) {
		return Errorf(EINVALID, "code %q must be 1–64 lower-case letters, digits, '_' or '-'", ind.Code)
	}
	if ind.Unit == "" {
		return Errorf(EINVALID, "unit is required")
	}
	if !fitsInt32(ind.MinCount) {
		return Errorf(EINVALID, "min count must be between 0 and %d", math.MaxInt32)
	}
	return nil
}

// ValueError is the EINVALID error about the item-th value (from 1) of a
// PutIndicatorValues call, named by its key.
func ValueError(item int, v IndicatorValue, format string, args ...any) error {
	return &ItemError{Item: item, Err: Errorf(EINVALID, "value %d (area %d, indicator %q, %d, %s): %s",
		item, v.AreaID, v.IndicatorCode, v.Year, v.Sex, fmt.Sprintf(format, args...))}
}

// CheckIndicatorValues checks a PutIndicatorValues call on its own: the
// cap, every value (the first bad one wins), then keys given twice. Areas
// and indicators that do not exist are the store's to find, in the same
// order, after this.
func CheckIndicatorValues(values []IndicatorValue) error {
	if len(values) > MaxIndicatorValuesPerWrite {
		return Errorf(EINVALID, "%d values in one write; at most %d", len(values), MaxIndicatorValuesPerWrite)
	}
	for i, v := range values {
		if v.AreaID <= 0 {
			return ValueError(i+1, v, "area id must be positive")
		}
		if err := checkValue(v.Sex, v.Value, v.Year, v.Count); err != nil {
			return ValueError(i+1, v, "%s", err.Error())
		}
	}
	type key struct {
		area int64
		code string
		year int
		sex  Sex
	}
	first := make(map[key]int, len(values))
	for i, v := range values {
		k := key{v.AreaID, v.IndicatorCode, v.Year, v.Sex}
		if j, ok := first[k]; ok {
			return ValueError(i+1, v, "the same area, indicator, year and sex appear twice (first as value %d)", j)
		}
		first[k] = i + 1
	}
	return nil
}

// CheckAPIKey checks a key before CreateKey stores it.
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
	return nil
}

// Reference errors, step 5 of write.go's order.

// UnknownReferenceError is the EINVALID error about a reference to a record
// that does not exist; what is e.g. "parent area", "area", "lead
// organization" or "partner organization".
func UnknownReferenceError(what string, id int64) error {
	return Errorf(EINVALID, "%s %d does not exist", what, id)
}

// ParentCycleError is the EINVALID error about a parent that would make the
// area its own ancestor.
func ParentCycleError(id, parent int64) error {
	return Errorf(EINVALID, "area %d cannot have area %d as parent: %d lies within %d", id, parent, parent, id)
}

// NotFoundError is the ENOTFOUND error about a write's target.
func NotFoundError(typ, key string) error {
	return Errorf(ENOTFOUND, "%s %s does not exist", typ, key)
}

// StaleVersionError is the ECONFLICT error about a write that names a
// version that is no longer the stored one.
func StaleVersionError(typ, key string, given, stored int64) error {
	return Errorf(ECONFLICT, "%s %s has version %d, not %d: it changed since it was read; read it again and reapply the change",
		typ, key, stored, given)
}

// Dependents counts what points at a record a delete would remove.
type Dependents struct {
	ChildAreas    int
	Initiatives   int
	Organizations int
	Values        int
}

// Any says whether anything points at the record.
func (d Dependents) Any() bool {
	return d.ChildAreas+d.Initiatives+d.Organizations+d.Values > 0
}

// DependentsError is the ECONFLICT error about a delete without detach of a
// record that others point at.
func DependentsError(typ, key string, d Dependents) error {
	var parts []string
	add := func(n int, one, many string) {
		switch {
		case n == 1:
			parts = append(parts, "1 "+one)
		case n > 1:
			parts = append(parts, strconv.Itoa(n)+" "+many)
		}
	}
	add(d.ChildAreas, "child area", "child areas")
	add(d.Initiatives, "initiative", "initiatives")
	add(d.Organizations, "organization", "organizations")
	add(d.Values, "indicator value", "indicator values")
	return Errorf(ECONFLICT, "%s %s is still referenced by %s; delete it with detach to remove those links as well",
		typ, key, strings.Join(parts, ", "))
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

func sortedSet(ids []int64) []int64 {
	if len(ids) == 0 {
		return ids
	}
	out := slices.Clone(ids)
	slices.Sort(out)
	return slices.Compact(out)
}

// canonicalOrder sorts vals into the order of all, each once; unknown values
// go last, in their order, for the check to report.
func canonicalOrder[T comparable](vals, all []T) []T {
	if len(vals) == 0 {
		return vals
	}
	var out, unknown []T
	for _, a := range all {
		if slices.Contains(vals, a) {
			out = append(out, a)
		}
	}
	for _, v := range vals {
		if !slices.Contains(all, v) {
			unknown = append(unknown, v)
		}
	}
	return append(out, unknown...)
}

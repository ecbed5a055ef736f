package db

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/paulmach/orb"
)

// OrgKind tells employers from associations; both are organisations.
type OrgKind string

// Organisation kinds.
const (
	OrgEmployer    OrgKind = "EMPLOYER"
	OrgAssociation OrgKind = "ASSOCIATION"
)

// EmployerSize is the size class of an employer by number of employees, as
// Statistics Sweden and the EU define them.
type EmployerSize string

// Size classes.
const (
	SizeMicro  EmployerSize = "MICRO"  // 0–9
	SizeSmall  EmployerSize = "SMALL"  // 10–49
	SizeMedium EmployerSize = "MEDIUM" // 50–249
	SizeLarge  EmployerSize = "LARGE"  // 250 or more
)

// Organization is an employer or an association that acts in the areas.
type Organization struct {
	ID        int64
	Kind      OrgKind
	Name      string
	OrgNumber string     // Swedish organisation number, NNNNNN-NNNN
	Location  *orb.Point // nil when unknown
	Website   string
	AreaIDs   []int64 // areas it engages in, ascending
	// Employers only.
	Industry string
	Size     EmployerSize
	// Associations only.
	Activity  string
	Version   int64     // as Area.Version
	UpdatedAt time.Time // as Area.UpdatedAt
}

func (o *Organization) version() int64 { return o.Version }

// NodeType is the GraphQL type of the organisation: Employer or Association.
func (o *Organization) NodeType() string { return o.Kind.NodeType() }

// NodeType is the GraphQL type of organisations of the kind: Employer or
// Association. Their global ids say it, so the kind is part of what names
// an organisation.
func (k OrgKind) NodeType() string {
	if k == OrgEmployer {
		return TypeEmployer
	}
	return TypeAssociation
}

// OrganizationPatch is an update of an organisation (see Field): the
// fields it sets. An organisation keeps its kind, which the update names
// with its id.
type OrganizationPatch struct {
	Name      Field[string]
	OrgNumber Field[string]     // "" clears it
	Location  Field[*orb.Point] // nil clears it
	Website   Field[string]
	AreaIDs   Field[[]int64]
	Industry  Field[string] // employers only
	Size      Field[EmployerSize]
	Activity  Field[string] // associations only
}

// Patch is the patch that sets every field of o, for a caller that writes
// an organisation whole.
func (o *Organization) Patch() OrganizationPatch {
	return OrganizationPatch{Name: Set(o.Name), OrgNumber: Set(o.OrgNumber), Location: Set(o.Location),
		Website: Set(o.Website), AreaIDs: Set(o.AreaIDs), Industry: Set(o.Industry), Size: Set(o.Size),
		Activity: Set(o.Activity)}
}

// Check checks the patch of the organisation of the kind with id on its
// own, as CheckOrganization checks an organisation whose other fields are
// valid (step 1).
func (p *OrganizationPatch) Check(kind OrgKind, id int64) error {
	o := Organization{ID: id, Kind: kind, Name: "-"}
	p.set(&o)
	NormalizeOrganization(&o)
	return CheckOrganization(&o)
}

// Apply sets the fields of p on o, the stored organisation or a copy of
// it, normalises it and checks it as it leaves it.
func (p *OrganizationPatch) Apply(o *Organization) error {
	p.set(o)
	NormalizeOrganization(o)
	return CheckOrganization(o)
}

func (p *OrganizationPatch) set(o *Organization) {
	p.Name.apply(&o.Name)
	p.OrgNumber.apply(&o.OrgNumber)
	p.Location.apply(&o.Location)
	p.Website.apply(&o.Website)
	p.AreaIDs.apply(&o.AreaIDs)
	p.Industry.apply(&o.Industry)
	p.Size.apply(&o.Size)
	p.Activity.apply(&o.Activity)
}

// OrganizationTarget is the organisation an update or delete names by its
// kind and id, as CheckTarget takes it: o when it is of the kind, nil when
// it is not (an Employer id with an association's number names nothing).
func OrganizationTarget(o *Organization, kind OrgKind) *Organization {
	if o == nil || o.Kind != kind {
		return nil
	}
	return o
}

// NodeID is the organisation's global id.
func (o *Organization) NodeID() string { return GlobalID(o.NodeType(), o.ID) }

// Clone returns a copy of o that shares nothing with it, as Area.Clone.
func (o *Organization) Clone() *Organization {
	if o == nil {
		return nil
	}
	c := *o
	c.Location = clonePtr(o.Location)
	c.AreaIDs = slices.Clone(o.AreaIDs)
	return &c
}

// AuditRef names the organisation in the audit log by its global id.
func (o *Organization) AuditRef() (typ, id string) { return o.NodeType(), o.NodeID() }

func (o *Organization) auditView() any {
	var loc json.RawMessage
	if o.Location != nil {
		loc = geometryJSON(*o.Location)
	}
	return struct {
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
	}{o.NodeID(), o.Version, o.Kind, o.Name, o.OrgNumber, orNull(loc), o.Website, refs(TypeArea, o.AreaIDs),
		o.Industry, o.Size, o.Activity}
}

// OrganizationFilter selects organisations.
type OrganizationFilter struct {
	Kinds        []OrgKind
	AreaIDs      []int64 // engages in any of these areas
	NameContains string
	Spatial
}

// NormalizeOrganization puts the organisation's area ids in the order the
// stores keep: ascending, each once.
func NormalizeOrganization(o *Organization) {
	o.AreaIDs = sortedSet(o.AreaIDs)
}

func (o *Organization) checkText() error {
	// One at a time, so the error names the input field (onField).
	for _, f := range []struct {
		field string
		text
	}{
		{"name", text{"name", o.Name}}, {"organizationNumber", text{"organization number", o.OrgNumber}},
		{"website", text{"website", o.Website}}, {"industry", text{"industry", o.Industry}}, {"activity", text{"activity", o.Activity}},
	} {
		if err := checkText(f.text); err != nil {
			return onField(f.field, err)
		}
	}
	return nil
}

// CheckOrganization checks an organisation on its own, after
// NormalizeOrganization.
func CheckOrganization(o *Organization) error {
	if o == nil {
		return Errorf(EINVALID, "the organization is missing")
	}
	if strings.TrimSpace(o.Name) == "" {
		return FieldErrorf("name", "name is required")
	}
	if err := o.check(); err != nil {
		return asField(err)
	}
	return nil
}

// check is what an organisation must be on its own, besides a name,
// however it arrives: the rules CheckOrganization and Dataset.Validate
// share.
func (o *Organization) check() error {
	if err := o.checkText(); err != nil {
		return err
	}
	if o.Kind != OrgEmployer && o.Kind != OrgAssociation {
		return fmt.Errorf("unknown kind %q", o.Kind)
	}
	if o.Size != "" && !slices.Contains([]EmployerSize{SizeMicro, SizeSmall, SizeMedium, SizeLarge}, o.Size) {
		return onField("size", fmt.Errorf("unknown size %q", o.Size))
	}
	if o.Location != nil {
		if err := ValidatePoint(*o.Location); err != nil {
			return onField("location", fmt.Errorf("location: %w", err))
		}
	}
	if err := sortedUnique(o.AreaIDs); err != nil {
		return onField("areas", fmt.Errorf("area ids: %w", err))
	}
	return nil
}

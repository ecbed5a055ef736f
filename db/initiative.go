package db

import (
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/paulmach/orb"
)

// InitiativeStatus is where an initiative stands.
type InitiativeStatus string

// Statuses.
const (
	StatusPlanned   InitiativeStatus = "PLANNED"
	StatusActive    InitiativeStatus = "ACTIVE"
	StatusCompleted InitiativeStatus = "COMPLETED"
	StatusCancelled InitiativeStatus = "CANCELLED"
)

var initiativeStatuses = []InitiativeStatus{StatusPlanned, StatusActive, StatusCompleted, StatusCancelled}

// GoalArea is one of the programme's three goal areas (målområden).
type GoalArea string

// Goal areas.
const (
	GoalGoodStart         GoalArea = "GOOD_START_IN_LIFE"
	GoalHousingLocal      GoalArea = "HOUSING_AND_LOCAL_ENVIRONMENT"
	GoalConditionsForWork GoalArea = "CONDITIONS_FOR_WORK"
)

// FocusGroup is one of the three groups furthest from the labour market.
type FocusGroup string

// Focus groups.
const (
	FocusBornOutsideEurope FocusGroup = "BORN_OUTSIDE_EUROPE"
	FocusDisability        FocusGroup = "PEOPLE_WITH_DISABILITIES"
	FocusNoUpperSecondary  FocusGroup = "WITHOUT_UPPER_SECONDARY_EDUCATION"
)

// FocusGroups lists all focus groups.
var FocusGroups = []FocusGroup{FocusBornOutsideEurope, FocusDisability, FocusNoUpperSecondary}

// Theme is what an initiative works with.
type Theme string

// Themes.
const (
	ThemeJobs             Theme = "JOBS"
	ThemeInternships      Theme = "INTERNSHIPS"
	ThemeMentoring        Theme = "MENTORING"
	ThemeEducation        Theme = "EDUCATION"
	ThemeLanguage         Theme = "LANGUAGE"
	ThemeHealth           Theme = "HEALTH"
	ThemeLeisure          Theme = "LEISURE"
	ThemeHousing          Theme = "HOUSING"
	ThemeSafety           Theme = "SAFETY"
	ThemeEntrepreneurship Theme = "ENTREPRENEURSHIP"
	ThemeParenting        Theme = "PARENTING"
)

// Themes lists all themes.
var Themes = []Theme{ThemeJobs, ThemeInternships, ThemeMentoring, ThemeEducation, ThemeLanguage,
	ThemeHealth, ThemeLeisure, ThemeHousing, ThemeSafety, ThemeEntrepreneurship, ThemeParenting}

// PartnerRole is what a partner organisation contributes to an initiative.
type PartnerRole string

// Partner roles.
const (
	RoleCoOrganiser PartnerRole = "CO_ORGANISER"
	RoleFunder      PartnerRole = "FUNDER"
	RolePlacements  PartnerRole = "PLACEMENTS" // offers jobs, internships or trainee places
	RoleMentors     PartnerRole = "MENTORS"
	RoleVenue       PartnerRole = "VENUE"
	RoleOutreach    PartnerRole = "OUTREACH" // reaches residents and recruits participants
)

// Partner is an organisation taking part in an initiative, with its role.
type Partner struct {
	OrganizationID int64
	Role           PartnerRole
}

// Reach is what an initiative has achieved so far; nil fields are not reported.
type Reach struct {
	Participants *int
	IntoWork     *int
	IntoStudy    *int
}

// Initiative is a piece of work (insats) in one or more areas.
type Initiative struct {
	ID          int64
	Title       string
	Description string
	Status      InitiativeStatus
	StartDate   *time.Time
	EndDate     *time.Time
	GoalArea    GoalArea
	FocusGroups []FocusGroup // in the order of FocusGroups
	Themes      []Theme      // in the order of Themes
	AreaIDs     []int64      // areas served, ascending
	Locations   []orb.Point  // where it happens
	LeadID      int64        // the lead organisation; 0 when none is recorded
	Partners    []Partner    // ascending by organisation id, the lead not among them
	Reach       Reach
	Version     int64     // as Area.Version
	UpdatedAt   time.Time // as Area.UpdatedAt
}

func (in *Initiative) version() int64 { return in.Version }

// NodeID is the initiative's global id.
func (in *Initiative) NodeID() string { return GlobalID(TypeInitiative, in.ID) }

// Clone returns a copy of in that shares nothing with it, as Area.Clone.
func (in *Initiative) Clone() *Initiative {
	if in == nil {
		return nil
	}
	return in.Trimmed(0)
}

// Trimmed returns a copy of in that shares nothing with it, without the
// parts in omit: each is left at its zero value, as a list read with
// Page.Omit may hand it out. Trimmed(0) is Clone.
func (in *Initiative) Trimmed(omit Parts) *Initiative {
	if in == nil {
		return nil
	}
	c := *in
	c.Description, c.StartDate, c.EndDate, c.FocusGroups, c.Themes = "", nil, nil, nil, nil
	c.AreaIDs, c.Locations, c.Partners, c.Reach = nil, nil, nil, Reach{}
	if !omit.Has(PartDescription) {
		c.Description = in.Description
	}
	if !omit.Has(PartDates) {
		c.StartDate, c.EndDate = clonePtr(in.StartDate), clonePtr(in.EndDate)
	}
	if !omit.Has(PartFocusGroups) {
		c.FocusGroups = slices.Clone(in.FocusGroups)
	}
	if !omit.Has(PartThemes) {
		c.Themes = slices.Clone(in.Themes)
	}
	if !omit.Has(PartAreas) {
		c.AreaIDs = slices.Clone(in.AreaIDs)
	}
	if !omit.Has(PartLocations) {
		c.Locations = slices.Clone(in.Locations)
	}
	if !omit.Has(PartPartners) {
		c.Partners = slices.Clone(in.Partners)
	}
	if !omit.Has(PartReach) {
		c.Reach = Reach{
			Participants: clonePtr(in.Reach.Participants),
			IntoWork:     clonePtr(in.Reach.IntoWork),
			IntoStudy:    clonePtr(in.Reach.IntoStudy),
		}
	}
	return &c
}

// AuditRef names the initiative in the audit log by its global id.
func (in *Initiative) AuditRef() (typ, id string) { return TypeInitiative, in.NodeID() }

func (in *Initiative) auditView() any {
	type partner struct {
		Organization int64       `json:"organization"`
		Role         PartnerRole `json:"role"`
	}
	partners := make([]partner, len(in.Partners))
	for i, p := range in.Partners {
		partners[i] = partner{p.OrganizationID, p.Role}
	}
	var locs json.RawMessage
	if len(in.Locations) > 0 {
		locs = geometryJSON(orb.MultiPoint(in.Locations))
	}
	return struct {
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
	}{in.NodeID(), in.Version, in.Title, in.Description, in.Status, date(in.StartDate), date(in.EndDate), in.GoalArea,
		orEmpty(in.FocusGroups), orEmpty(in.Themes), refs(TypeArea, in.AreaIDs), orNull(locs), positive64(in.LeadID),
		partners, in.Reach}
}

// InitiativeFilter selects initiatives.
type InitiativeFilter struct {
	Statuses        []InitiativeStatus
	GoalAreas       []GoalArea
	FocusGroups     []FocusGroup // targets any of them
	Themes          []Theme      // works with any of them
	AreaIDs         []int64      // serves any of these areas
	OrganizationIDs []int64      // led by or partnered by any of these
	TitleContains   string
	Spatial         // on the initiative's locations
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
		return FieldErrorf("title", "title is required")
	}
	if in.LeadID < 0 {
		return FieldErrorf("lead", "lead id must be positive")
	}
	if err := in.validate(); err != nil {
		return asField(err)
	}
	return nil
}

// InitiativePatch is an update of an initiative (see Field): the fields it
// sets. Lists replace the stored ones whole; nil or empty clears them.
type InitiativePatch struct {
	Title       Field[string]
	Description Field[string]
	Status      Field[InitiativeStatus]
	StartDate   Field[*time.Time] // nil clears it
	EndDate     Field[*time.Time]
	GoalArea    Field[GoalArea]
	FocusGroups Field[[]FocusGroup]
	Themes      Field[[]Theme]
	AreaIDs     Field[[]int64]
	Locations   Field[[]orb.Point]
	LeadID      Field[int64] // 0: no lead
	Partners    Field[[]Partner]
	Reach       Field[Reach]
}

// Patch is the patch that sets every field of in, for a caller that
// writes an initiative whole.
func (in *Initiative) Patch() InitiativePatch {
	return InitiativePatch{Title: Set(in.Title), Description: Set(in.Description), Status: Set(in.Status),
		StartDate: Set(in.StartDate), EndDate: Set(in.EndDate), GoalArea: Set(in.GoalArea),
		FocusGroups: Set(in.FocusGroups), Themes: Set(in.Themes), AreaIDs: Set(in.AreaIDs),
		Locations: Set(in.Locations), LeadID: Set(in.LeadID), Partners: Set(in.Partners), Reach: Set(in.Reach)}
}

// Check checks the patch of the initiative with id on its own, as
// CheckInitiative checks an initiative whose other fields are valid (step
// 1).
func (p *InitiativePatch) Check(id int64) error {
	in := Initiative{ID: id, Title: "-", Status: StatusPlanned, GoalArea: GoalGoodStart}
	p.set(&in)
	NormalizeInitiative(&in)
	return CheckInitiative(&in)
}

// Apply sets the fields of p on in, the stored initiative or a copy of it,
// normalises it and checks it as it leaves it: partners against a lead it
// keeps, an end date against a start date it keeps.
func (p *InitiativePatch) Apply(in *Initiative) error {
	p.set(in)
	NormalizeInitiative(in)
	return CheckInitiative(in)
}

func (p *InitiativePatch) set(in *Initiative) {
	p.Title.apply(&in.Title)
	p.Description.apply(&in.Description)
	p.Status.apply(&in.Status)
	p.StartDate.apply(&in.StartDate)
	p.EndDate.apply(&in.EndDate)
	p.GoalArea.apply(&in.GoalArea)
	p.FocusGroups.apply(&in.FocusGroups)
	p.Themes.apply(&in.Themes)
	p.AreaIDs.apply(&in.AreaIDs)
	p.Locations.apply(&in.Locations)
	p.LeadID.apply(&in.LeadID)
	if p.Partners.Given {
		// NormalizeInitiative sorts partners in place; these are the
		// caller's.
		in.Partners = slices.Clone(p.Partners.Value)
	}
	p.Reach.apply(&in.Reach)
}

func (in *Initiative) validate() error {
	if in.Title == "" {
		return onField("title", fmt.Errorf("title is required"))
	}
	if err := checkText(text{"title", in.Title}); err != nil {
		return onField("title", err)
	}
	if err := checkText(text{"description", in.Description}); err != nil {
		return onField("description", err)
	}
	if !slices.Contains(initiativeStatuses, in.Status) {
		return onField("status", fmt.Errorf("unknown status %q", in.Status))
	}
	if !slices.Contains([]GoalArea{GoalGoodStart, GoalHousingLocal, GoalConditionsForWork}, in.GoalArea) {
		return onField("goalArea", fmt.Errorf("unknown goal area %q", in.GoalArea))
	}
	if err := inOrder(in.FocusGroups, FocusGroups); err != nil {
		return onField("focusGroups", fmt.Errorf("focus groups: %w", err))
	}
	if err := inOrder(in.Themes, Themes); err != nil {
		return onField("themes", fmt.Errorf("themes: %w", err))
	}
	if err := sortedUnique(in.AreaIDs); err != nil {
		return onField("areas", fmt.Errorf("area ids: %w", err))
	}
	for i, p := range in.Locations {
		if err := ValidatePoint(p); err != nil {
			return onField(fmt.Sprintf("locations[%d]", i), fmt.Errorf("location %d: %w", i, err))
		}
	}
	roles := []PartnerRole{RoleCoOrganiser, RoleFunder, RolePlacements, RoleMentors, RoleVenue, RoleOutreach}
	for i, p := range in.Partners {
		if !slices.Contains(roles, p.Role) {
			return onField("partners", fmt.Errorf("partner %d: unknown role %q", i, p.Role))
		}
		if p.OrganizationID == in.LeadID {
			return onField("partners", fmt.Errorf("partner %d: the lead organisation is not also a partner", i))
		}
		if i > 0 && p.OrganizationID <= in.Partners[i-1].OrganizationID {
			return onField("partners", fmt.Errorf("partners must be in ascending organisation order, each once"))
		}
	}
	if in.StartDate != nil && in.EndDate != nil && in.EndDate.Before(*in.StartDate) {
		return onField("endDate", fmt.Errorf("end date is before start date"))
	}
	for _, n := range []*int{in.Reach.Participants, in.Reach.IntoWork, in.Reach.IntoStudy} {
		if n != nil && !fitsInt32(*n) {
			return onField("reach", fmt.Errorf("reach figures must be between 0 and %d", math.MaxInt32))
		}
	}
	return nil
}

// Package db holds the domain of areagraph: its records, the filters that
// select them, the Store contract every storage backend implements, and the
// errors they return. Backends live in subpackages (memory, postgis) and are
// held to one behaviour by the conformance suite in dbtest.
package db

import (
	"context"
	"iter"
	"time"

	"github.com/paulmach/orb"
)

// AreaKind says what an area is in the programme's hierarchy.
type AreaKind string

// Area kinds, from the outermost to the innermost.
const (
	KindMunicipality    AreaKind = "MUNICIPALITY"
	KindDistrict        AreaKind = "DISTRICT"
	KindPriorityArea    AreaKind = "PRIORITY_AREA"
	KindStatisticalArea AreaKind = "STATISTICAL_AREA"
)

// AreaKinds lists every kind from the outermost to the innermost.
var AreaKinds = []AreaKind{KindMunicipality, KindDistrict, KindPriorityArea, KindStatisticalArea}

// Depth orders kinds from the outermost (0) to the innermost; -1 for an
// unknown kind. AreasAt sorts its answer by it, innermost first.
func (k AreaKind) Depth() int {
	for i, kk := range AreaKinds {
		if kk == k {
			return i
		}
	}
	return -1
}

// Area is a place: the municipality, a district, a priority area or a
// statistical area. Geometry is an orb.Polygon or orb.MultiPolygon in WGS 84.
type Area struct {
	ID       int64
	Code     string // unique, e.g. a municipality or DeSO code
	Name     string
	Kind     AreaKind
	AreaType int   // the programme's area type 1–5 (1 = largest challenges); 0 when not set
	ParentID int64 // 0 for a root
	Geometry orb.Geometry
	// ValidFrom and ValidTo bound the period the area is in use; nil is open.
	ValidFrom   *time.Time
	ValidTo     *time.Time
	Description string
	// Version counts the area's writes: 1 when created (or loaded without
	// one), one more with every update. See write.go.
	Version int64
}

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
	Activity string
	Version  int64 // as Area.Version
}

// InitiativeStatus is where an initiative stands.
type InitiativeStatus string

// Statuses.
const (
	StatusPlanned   InitiativeStatus = "PLANNED"
	StatusActive    InitiativeStatus = "ACTIVE"
	StatusCompleted InitiativeStatus = "COMPLETED"
	StatusCancelled InitiativeStatus = "CANCELLED"
)

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
	Version     int64 // as Area.Version
}

// Indicator defines a measure followed per area and year.
type Indicator struct {
	Code           string // unique, e.g. "unemployment"
	Name           string // in English
	NameSv         string // in Swedish, as the source publishes it; "" when not known
	Description    string // what exactly is measured, and for whom
	Unit           string // "%", "persons", …
	HigherIsBetter bool
	Source         string
	License        string
	Attribution    string
	// MinCount protects small counts: a value whose Count is below it is
	// suppressed, never shown raw. 0 sets no rule.
	MinCount int
	Version  int64 // as Area.Version
}

// Sex splits an indicator value; SexTotal is both together.
type Sex string

// Sexes.
const (
	SexTotal  Sex = "TOTAL"
	SexFemale Sex = "FEMALE"
	SexMale   Sex = "MALE"
)

// IndicatorValue is one indicator's value for one area, year and sex.
type IndicatorValue struct {
	AreaID        int64
	IndicatorCode string
	Year          int
	Sex           Sex
	Value         float64
	// Count is the number of persons the value rests on (e.g. the
	// denominator of a share), when known; MinCount is checked against it.
	Count *int
}

// Dataset is a whole body of data, loaded in one piece by Store.Load.
type Dataset struct {
	Areas         []*Area
	Organizations []*Organization
	Initiatives   []*Initiative
	Indicators    []*Indicator
	Values        []IndicatorValue
}

// Near selects records within RadiusMeters of Point, nearest first.
// Distances are great-circle distances on a sphere of radius geo.EarthRadius.
type Near struct {
	Point        orb.Point
	RadiusMeters float64
}

// Spatial are the location filters shared by every kind of record. A record
// passes when it passes every filter that is set.
type Spatial struct {
	// BBox keeps records whose geometry intersects the box (edges included).
	BBox *orb.Bound
	// Intersects keeps records whose geometry intersects this one.
	Intersects orb.Geometry
	// Near keeps records within a distance and orders them nearest first.
	Near *Near
	// Within keeps point records (organisations, initiatives) within a
	// distance of a geometry, e.g. of an area's outline.
	Within *Within
}

// AreaFilter selects areas. Empty fields select everything.
type AreaFilter struct {
	Kinds        []AreaKind
	Codes        []string
	ParentIDs    []int64
	AreaTypes    []int
	NameContains string // case-insensitive substring
	Spatial
}

// OrganizationFilter selects organisations.
type OrganizationFilter struct {
	Kinds        []OrgKind
	AreaIDs      []int64 // engages in any of these areas
	NameContains string
	Spatial
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

// ValueFilter selects indicator values.
type ValueFilter struct {
	AreaIDs  []int64
	Codes    []string
	FromYear int // 0: no lower bound
	ToYear   int // 0: no upper bound
	Sexes    []Sex
}

// Within selects records whose location lies within Meters of Geometry
// (great-circle distance to its nearest point, 0 inside a polygon).
type Within struct {
	Geometry orb.Geometry
	Meters   float64
}

// CoverageFilter selects the initiatives a coverage count looks at.
type CoverageFilter struct {
	AreaIDs  []int64            // the areas to count for; required
	Statuses []InitiativeStatus // empty: every status
	ByTheme  bool               // split each cell by theme as well
}

// CoverageCell counts the initiatives serving one area that target one
// focus group (and, when split, work with one theme).
type CoverageCell struct {
	AreaID        int64
	FocusGroup    FocusGroup
	Theme         Theme // "" unless the filter splits by theme
	Initiatives   int
	Organizations int // distinct leads and partners of those initiatives
	Participants  int // sum of their reported participants
}

// AreaInput is an area as an import file gives it: keyed on its code, its
// parent named by code.
type AreaInput struct {
	Code        string
	Name        string
	Kind        AreaKind
	AreaType    int
	ParentCode  string // "" for a root
	Geometry    orb.Geometry
	ValidFrom   *time.Time
	ValidTo     *time.Time
	Description string
}

// ValueInput is an indicator value as an import file gives it.
type ValueInput struct {
	AreaCode      string
	IndicatorCode string
	Year          int
	Sex           Sex
	Value         float64
	Count         *int
}

// Page is a window on an ordered list.
type Page struct {
	Offset int
	Limit  int
}

// List is one page of records with the total number that matched. Lists come
// in ascending id order, or nearest first when a Near filter is set; then
// Distances holds each record's distance in metres.
type List[T any] struct {
	Items     []T
	Total     int
	Distances []float64
}

// Store is the storage contract. Every backend passes dbtest.Run.
//
// Batch methods (those taking a slice of ids) answer in the order of their
// input, one entry per id, so batch loaders can hand results back by index;
// a missing record is a nil entry, not an error.
type Store interface {
	// Load adds a whole dataset in one transaction: all of it or nothing.
	// Records keep the ids and versions they carry; a version of 0 is
	// stored as 1.
	Load(ctx context.Context, ds *Dataset) error

	AreasByID(ctx context.Context, ids []int64) ([]*Area, error)
	// AreaByCode returns ErrNotFound when no area has the code.
	AreaByCode(ctx context.Context, code string) (*Area, error)
	Areas(ctx context.Context, f AreaFilter, p Page) (List[*Area], error)
	// AreasAt returns the areas that cover pt (boundary included), innermost
	// kind first, then by id.
	AreasAt(ctx context.Context, pt orb.Point, kinds []AreaKind) ([]*Area, error)
	// ChildAreas pages through the children of each parent.
	ChildAreas(ctx context.Context, parentIDs []int64, f AreaFilter, p Page) ([]List[*Area], error)

	OrganizationsByID(ctx context.Context, ids []int64) ([]*Organization, error)
	Organizations(ctx context.Context, f OrganizationFilter, p Page) (List[*Organization], error)
	// OrganizationsByArea pages through the organisations engaging in each area.
	OrganizationsByArea(ctx context.Context, areaIDs []int64, f OrganizationFilter, p Page) ([]List[*Organization], error)

	InitiativesByID(ctx context.Context, ids []int64) ([]*Initiative, error)
	Initiatives(ctx context.Context, f InitiativeFilter, p Page) (List[*Initiative], error)
	// InitiativesByArea pages through the initiatives serving each area.
	InitiativesByArea(ctx context.Context, areaIDs []int64, f InitiativeFilter, p Page) ([]List[*Initiative], error)
	// InitiativesByOrganization pages through the initiatives each
	// organisation leads or takes part in.
	InitiativesByOrganization(ctx context.Context, orgIDs []int64, f InitiativeFilter, p Page) ([]List[*Initiative], error)

	// Indicators returns the definitions with the given codes, or all when
	// codes is empty, ordered by code.
	Indicators(ctx context.Context, codes []string) ([]*Indicator, error)
	// IndicatorValues returns values ordered by area id, code, year and sex
	// (TOTAL, FEMALE, MALE).
	IndicatorValues(ctx context.Context, f ValueFilter) ([]IndicatorValue, error)

	// Coverage counts, per area and focus group (and theme), the
	// initiatives that serve the area; cells with no initiative are left
	// out. Cells come by area id, then focus group and theme in the order
	// of FocusGroups and Themes.
	Coverage(ctx context.Context, f CoverageFilter) ([]CoverageCell, error)

	// UpsertAreas writes areas keyed on code in one transaction: a new
	// code adds an area, a known one updates it in place (its id stays,
	// its version goes up by one, as with UpdateArea).
	// Parents may come later in the sequence than their children. The
	// sequence is read once; if any item or error is bad, nothing is
	// written. It returns the number of areas written. A code that
	// appears twice in one sequence is an error; errors about one item are
	// *ItemError values that name it by its place in the sequence, from 1
	// (see upsert.go for the order in which problems are found).
	UpsertAreas(ctx context.Context, areas iter.Seq2[*AreaInput, error]) (int, error)
	// UpsertIndicatorValues writes values keyed on area code, indicator,
	// year and sex in one transaction, with the same all-or-nothing rule.
	UpsertIndicatorValues(ctx context.Context, values iter.Seq2[*ValueInput, error]) (int, error)

	// Writer holds the writes of the API, with versions, audit and keys.
	Writer

	// Ping reports whether the store can serve.
	Ping(ctx context.Context) error
	Close()
}

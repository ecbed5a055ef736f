package db

import (
	"context"
	"iter"
	"time"

	"github.com/paulmach/orb"
)

// Page is a window on an ordered list: Limit items from the start of the
// range the keys leave, or with FromEnd the last Limit items of it.
//
// The keys page by place, not by count: a record present throughout a walk
// from page to page is handed out exactly once, whatever is written between
// the pages, because each page starts after the last record of the one
// before, by its place in the order (the id, or the distance and the id),
// not after a number of records that a delete or an insert has shifted.
// Offset is for the map layers' offset=, which asks for a position; it is
// used only when neither key is set.
type Page struct {
	Offset  int
	Limit   int
	After   *Key // only records after this place
	Before  *Key // only records before this place
	FromEnd bool // Limit counts back from the end of the range (GraphQL's last)
	// NoTotal says the caller does not need List.Total beyond telling
	// whether records follow the page: a store may then skip counting
	// every match, and return a Total that is at least the end of the page
	// and exceeds it exactly when more records follow. Stores honour it
	// at will; it changes no item, distance or Start.
	NoTotal bool
	// Omit names the parts of each record (Parts) the caller will not
	// read, for a list that hands out only some fields of its records (a
	// GraphQL selection of id, title and status): a store may then leave
	// those parts empty, their zero values, and skip reading them. The
	// zero value omits nothing. Stores honour it at will, part by part; it
	// changes no item, order, Total, Start or distance, nor any field it
	// does not name. A record read with parts omitted is partial: it must
	// not be kept where a caller could take it for the whole record (a
	// cache by id).
	Omit Parts
}

// Parts are the costly parts of a record a list may leave out
// (Page.Omit): each is one or a few fields a store reads apart from the
// rest of the row (a geometry, a list kept in a link table, long text).
// They are named for the initiative's fields, and the area's outline.
type Parts uint16

// The parts of an initiative.
const (
	PartDescription Parts = 1 << iota // Description
	PartDates                         // StartDate and EndDate
	PartFocusGroups                   // FocusGroups
	PartThemes                        // Themes
	PartAreas                         // AreaIDs
	PartLocations                     // Locations
	PartPartners                      // Partners
	PartReach                         // Reach
	// PartGeometry is an area's outline, which Areas may leave out: a
	// map tile takes it simplified from db/outline by the area's id and
	// version, and a store then neither copies nor ships it at full
	// resolution, most of the cost of a tile's read.
	PartGeometry
	// AllParts is every part: a Page.Omit of it leaves the ids, the
	// titles, statuses and other plain fields only.
	AllParts Parts = 1<<iota - 1
)

// Has reports whether p holds every part of q.
func (p Parts) Has(q Parts) bool { return p&q == q }

// Key is a record's place in the order of its list: its id, and in a list
// nearest first, the distance the store measured to it. A key is taken from
// a record a store handed out; the record need not exist any more for the
// key to mark a place.
type Key struct {
	ID   int64
	Dist float64
	// Near is set for a place in a list nearest first: such a key is
	// refused in a list in id order, and the other way round, since it
	// would mark no place there.
	Near bool
}

// Check refuses keys that mark no place in a list of this order (near:
// nearest first; else by id).
func (p Page) Check(near bool) error {
	for _, k := range []*Key{p.After, p.Before} {
		if k != nil && k.Near != near {
			if near {
				return Errorf(EINVALID, "the cursor is from a list in id order; a list nearest first takes only its own cursors")
			}
			return Errorf(EINVALID, "the cursor is from a list nearest first; this list takes only its own cursors")
		}
	}
	return nil
}

// Bounds is the page as ranks: the items ranked in (lo, hi] of a list of
// total, 1 the first. upTo is how many items lie at or before p.After in
// the list's order (0 without it), below how many lie before p.Before
// (total without it). Both backends cut their pages by this rule; PostGIS
// spells it in SQL (pagedSQL), and the conformance suite holds them equal.
func (p Page) Bounds(total, upTo, below int) (lo, hi int) {
	if p.After == nil && p.Before == nil {
		upTo = min(max(p.Offset, 0), total)
	}
	limit := max(p.Limit, 0)
	if below < upTo {
		below = upTo
	}
	if p.FromEnd {
		return max(upTo, below-limit), below
	}
	return upTo, upTo + min(limit, below-upTo)
}

// List is one page of records with the total number that matched. Lists come
// in ascending id order, or nearest first when a Near filter is set; then
// Distances holds each record's distance in metres. Start is how many
// matches come before the page's first item, so a page knows whether there
// is one before and after it. With a Within filter, WithinDistances holds
// each record's distance in metres from its geometry (geo.PointsDistance:
// 0 inside, else on the WGS 84 ellipsoid); both distances are nil without
// their filter.
type List[T any] struct {
	Items           []T
	Total           int
	Start           int
	Distances       []float64
	WithinDistances []float64
}

// Store is the storage contract. Every backend passes dbtest.Run. It is
// the sum of the roles below; a caller holds the narrowest role it uses
// (auth a KeyStore, the map layers and the loaders a Reader, the imports a
// BulkImporter), and only the house that wires them (server, cmd) the
// whole Store.
type Store interface {
	Reader
	BulkImporter
	// Writer holds the writes of the API, with versions and audit.
	Writer
	KeyStore
	Pinger
	// ChangeFeed is every committed write as events in commit order
	// (changes.go).
	ChangeFeed
	Close()
}

// Reader is every read of the records: what the map layers, the transfer
// exports and the GraphQL loaders hold.
//
// Batch methods of the readers (those taking a slice of ids) answer in the
// order of their input, one entry per id, so batch loaders can hand
// results back by index; a missing record is a nil entry, not an error.
type Reader interface {
	AreaReader
	OrganizationReader
	InitiativeReader
	IndicatorReader
}

// AreaReader reads areas.
type AreaReader interface {
	AreasByID(ctx context.Context, ids []int64) ([]*Area, error)
	// AreaByCode returns ErrNotFound when no area has the code.
	AreaByCode(ctx context.Context, code string) (*Area, error)
	Areas(ctx context.Context, f AreaFilter, p Page) (List[*Area], error)
	// AreasAt returns the areas that cover pt (boundary included) and are
	// in use on day on (every edition when on is the zero time), innermost
	// kind first, then by id. A pt or a day out of range is EINVALID
	// (CheckAreasAt).
	AreasAt(ctx context.Context, pt orb.Point, kinds []AreaKind, on time.Time) ([]*Area, error)
	// ChildAreas pages through the children of each parent.
	ChildAreas(ctx context.Context, parentIDs []int64, f AreaFilter, p Page) ([]List[*Area], error)
	// AreaOverlaps measures, for each target, the statistical areas whose
	// surface it shares (see overlap.go), one entry per target in input
	// order, nil for a target that does not exist; more than
	// MaxOverlapTargets targets is EINVALID.
	AreaOverlaps(ctx context.Context, targetIDs []int64) ([]*Overlaps, error)
}

// OrganizationReader reads employers and associations.
type OrganizationReader interface {
	OrganizationsByID(ctx context.Context, ids []int64) ([]*Organization, error)
	Organizations(ctx context.Context, f OrganizationFilter, p Page) (List[*Organization], error)
	// OrganizationsByArea pages through the organisations engaging in each area.
	OrganizationsByArea(ctx context.Context, areaIDs []int64, f OrganizationFilter, p Page) ([]List[*Organization], error)
}

// InitiativeReader reads initiatives, and counts them per area in Coverage.
type InitiativeReader interface {
	InitiativesByID(ctx context.Context, ids []int64) ([]*Initiative, error)
	Initiatives(ctx context.Context, f InitiativeFilter, p Page) (List[*Initiative], error)
	// InitiativesByArea pages through the initiatives serving each area.
	InitiativesByArea(ctx context.Context, areaIDs []int64, f InitiativeFilter, p Page) ([]List[*Initiative], error)
	// InitiativesByOrganization pages through the initiatives each
	// organisation leads or takes part in.
	InitiativesByOrganization(ctx context.Context, orgIDs []int64, f InitiativeFilter, p Page) ([]List[*Initiative], error)
	// InitiativeLocations is Initiatives(ctx, f, Page{Limit: limit}) with
	// each initiative's id and locations only, for a map that counts or
	// clusters points (a low-zoom tile reads up to 200,000 of them): the
	// same matches, order, Total and distances, at the cost of reading
	// two columns rather than cloning whole records. A limit below 1 is
	// EINVALID.
	InitiativeLocations(ctx context.Context, f InitiativeFilter, limit int) (List[Located], error)

	// Coverage counts, per area and focus group (and theme), the
	// initiatives that serve the area; cells with no initiative are left
	// out. Cells come by area id, then focus group and theme in the order
	// of FocusGroups and Themes.
	Coverage(ctx context.Context, f CoverageFilter) ([]CoverageCell, error)
}

// Located is a record's id and its locations, without the rest of it.
type Located struct {
	ID     int64
	Points []orb.Point
}

// CheckLocationsLimit refuses a limit of InitiativeLocations below 1.
func CheckLocationsLimit(limit int) error {
	if limit < 1 {
		return Errorf(EINVALID, "the number of locations must be at least 1, not %d", limit)
	}
	return nil
}

// IndicatorReader reads indicator definitions and their values.
type IndicatorReader interface {
	// Indicators returns the definitions with the given codes, or all when
	// codes is empty, ordered by code.
	Indicators(ctx context.Context, codes []string) ([]*Indicator, error)
	// IndicatorValues returns values ordered by area id, code, year and sex
	// (TOTAL, FEMALE, MALE).
	IndicatorValues(ctx context.Context, f ValueFilter) ([]IndicatorValue, error)
}

// BulkImporter is the operator's bulk paths: a whole dataset, and the
// imports of areas and values from files. A load writes no audit entries;
// the imports do, as import.go says (see also the notes on writes above
// Writer).
type BulkImporter interface {
	// Load adds a whole dataset in one transaction: all of it or nothing.
	// Records keep the ids and versions they carry; a version of 0 is
	// stored as 1.
	Load(ctx context.Context, ds *Dataset) error

	// UpsertAreas writes areas keyed on code in one transaction: a new
	// code adds an area, a known one updates it in place (its id stays,
	// its version goes up by one, as with UpdateArea) unless it would not
	// change (SameArea), when it is left alone. Fields an item has in
	// Absent keep their stored values (KeepAbsent). Each area added or
	// changed gets an audit entry by by, as CreateArea and UpdateArea
	// leave, in the order of the sequence.
	// Parents may come later in the sequence than their children. The
	// sequence is read once; if any item or error is bad, nothing is
	// written, audit entries included. A code that
	// appears twice in one sequence is an error; errors about one item are
	// *ItemError values that name it by its place in the sequence, from 1
	// (see ItemError in error.go for the order in which problems are found).
	UpsertAreas(ctx context.Context, by Actor, areas iter.Seq2[*AreaInput, error]) (ImportCounts, error)
	// UpsertIndicatorValues writes values keyed on area code, indicator,
	// year and sex in one transaction, with the same all-or-nothing rule.
	// A value equal to the stored one (value and count) is left alone, as
	// PutIndicatorValues leaves it. The import gets one audit entry by by,
	// a ValueImport naming file, even when it changed nothing.
	UpsertIndicatorValues(ctx context.Context, by Actor, file ImportFile, values iter.Seq2[*ValueInput, error]) (ImportCounts, error)
}

// Pinger tells whether a store can serve: what the readiness check holds.
type Pinger interface {
	// Ping reports whether the store can serve.
	Ping(ctx context.Context) error
}

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
//  0. a caller bound to organisations (a partner, Actor.Orgs) writing what
//     its scope does not allow, as far as that is known without a record:
//     EFORBIDDEN (scope.go);
//  1. the input on its own (CheckArea, CheckOrganization, …; an update's
//     patch with its Check): EINVALID;
//  2. the target record: ENOTFOUND when it does not exist; for a partner's
//     update or delete of an initiative, EFORBIDDEN first when its
//     organisations do not lead the initiative as stored, or it does not
//     exist (CheckInitiativeTarget), and after the patch is applied when
//     the change leaves its scope (CheckInitiativeChange);
//  3. its version: ECONFLICT when it is not the stored one (2 and 3 are
//     decided by CheckTarget); then, for an update, the record as its
//     patch leaves it (the patch's Apply): EINVALID;
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
// API. A load writes no audit entries (it fills an empty store); the
// imports write theirs in their transaction, an entry per area and one per
// import of values (import.go). Error messages name a record by its
// type and key ("Area 12", "Indicator \"unemployment\"").
//
// Times (AuditEntry.At, APIKey.CreatedAt, ExpiresAt, RevokedAt, UpdatedAt)
// are kept to the microsecond, as PostgreSQL keeps them, in both backends.
//
// UpdatedAt. Every write stamps each area, organisation, initiative and
// indicator definition it creates or changes (the target, what a delete
// with detach detaches, what an import adds or changes, what a load adds)
// with one time, the write's, in UTC: on the embedded store the time of
// its audit entries and change events, on PostgreSQL the start of its
// transaction, which is at most that. A record a write leaves as it was
// keeps its time. Writing values changes no indicator's UpdatedAt.
//
// Stores normalise what they are given before checking it (Normalize…), so
// callers may list ids, focus groups and themes in any order.

// Writer is the audited writer: the writes of the API and the audit log
// they leave. See the notes above for the order in which problems are
// found.
type Writer interface {
	// CreateArea adds an area and returns it as stored, with a new id and
	// Version 1. The id and version it is given are ignored. New ids are
	// above every id the store has used for that kind of record, never
	// reused after a delete.
	CreateArea(ctx context.Context, by Actor, a *Area) (*Area, error)
	// UpdateArea applies the patch p to the area with id, if its stored
	// version is version, and returns it as stored with the version one
	// higher (see patch.go).
	UpdateArea(ctx context.Context, by Actor, id, version int64, p AreaPatch) (*Area, error)
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
	// same for organisations. An organisation keeps its kind, which its
	// global id says (Employer or Association): an update or delete names
	// it by kind and id, and an organisation of the other kind with the id
	// is not found. An organisation is pointed at by the initiatives it
	// leads or takes part in; with detach, it stops being their lead or
	// partner (each initiative gets a new version).
	CreateOrganization(ctx context.Context, by Actor, o *Organization) (*Organization, error)
	UpdateOrganization(ctx context.Context, by Actor, kind OrgKind, id, version int64, p OrganizationPatch) (*Organization, error)
	DeleteOrganization(ctx context.Context, by Actor, kind OrgKind, id, version int64, detach bool) error

	// CreateInitiative, UpdateInitiative and DeleteInitiative do the same
	// for initiatives, which nothing points at.
	CreateInitiative(ctx context.Context, by Actor, in *Initiative) (*Initiative, error)
	UpdateInitiative(ctx context.Context, by Actor, id, version int64, p InitiativePatch) (*Initiative, error)
	DeleteInitiative(ctx context.Context, by Actor, id, version int64) error

	// CreateIndicator, UpdateIndicator and DeleteIndicator do the same for
	// indicator definitions, keyed on their code (a code cannot change, so
	// no patch sets it).
	// A definition is pointed at by its values; with detach they are
	// deleted with it.
	CreateIndicator(ctx context.Context, by Actor, ind *Indicator) (*Indicator, error)
	UpdateIndicator(ctx context.Context, by Actor, code string, version int64, p IndicatorPatch) (*Indicator, error)
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
}

// KeyStore keeps the API keys: what auth holds to check a bearer token,
// and the keys commands to manage them. Creating, revoking and rotating a
// key are audited writes like those of Writer. Who may manage which key
// is decided in key.go (CheckKeyManager first, then CheckKeyTarget on the
// key as stored, under the write's lock).
type KeyStore interface {
	// CreateKey stores a key the caller made (id, name, role, hash,
	// expiry); the store sets CreatedAt. A key id in use is ECONFLICT.
	CreateKey(ctx context.Context, by Actor, k *APIKey) (*APIKey, error)
	// Keys lists the keys by manages (OwnKeys: every key for an admin,
	// its organisations' for a partner), revoked ones included, by
	// creation then id.
	Keys(ctx context.Context, by Actor) ([]*APIKey, error)
	// KeyByHash finds a key by the hash of its secret, revoked or not;
	// ENOTFOUND when none has it.
	KeyByHash(ctx context.Context, hash []byte) (*APIKey, error)
	// RevokeKey revokes a key from now on; revoking a revoked key changes
	// nothing and is not an error. ENOTFOUND when no key has the id.
	RevokeKey(ctx context.Context, by Actor, id string) (*APIKey, error)
	// RotateKey gives the key with id the secret whose hash is hash, from
	// now on: the old secret finds no key at once. Everything else of the
	// key stays; RotatedAt is set. The problems, in order: CheckKeyManager
	// (EFORBIDDEN); a hash that is not 32 bytes (EINVALID); CheckKeyTarget
	// (EFORBIDDEN, or ENOTFOUND for an admin); a revoked key, or a hash
	// another key has (ECONFLICT).
	RotateKey(ctx context.Context, by Actor, id string, hash []byte) (*APIKey, error)
}

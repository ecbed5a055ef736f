// Package memory is the embedded storage backend: the zero-setup default
// that serves the demo with nothing installed. Records live in maps with
// R-tree indexes on every geometry, behind one RWMutex; readers get clones,
// so nothing a caller does reaches the stored records. Writes check
// everything before they change anything, so a failed write leaves no
// trace; the audit log lives in memory with the records, and API keys can
// be kept in a file (UseKeysFile).
package memory

import (
	"context"
	"maps"
	"slices"
	"sync"
	"time"

	"github.com/areagraph/areagraph/db"
	"github.com/areagraph/areagraph/db/areaindex"
	"github.com/paulmach/orb"
	"github.com/tidwall/rtree"
)

// Store is the in-memory backend. The zero value is not usable; call New.
type Store struct {
	mu sync.RWMutex

	areas      map[int64]*db.Area
	areaByCode map[string]int64
	areaIDs    []int64         // ascending, for scans in id order
	areaIdx    areaindex.Index // AreasAt as the PostGIS replica answers it
	children   map[int64][]int64

	orgs       map[int64]*db.Organization
	orgIDs     []int64
	orgIdx     rtree.RTreeG[int64]
	orgsByArea map[int64][]int64

	inits       map[int64]*db.Initiative
	initIDs     []int64
	initIdx     rtree.RTreeG[int64] // one entry per location
	initsByArea map[int64][]int64
	initsByOrg  map[int64][]int64
	shared      shared // what initiatives have alike (shared.go)

	indicators map[string]*db.Indicator
	values     map[int64][]value // per area, in the contract's order (values.go)
	codes      codes             // the indicator codes values name

	// The largest id ever used per kind of record: new ids go above it,
	// so an id that was deleted is never handed out again.
	maxAreaID, maxOrgID, maxInitID int64

	audit []*db.AuditEntry // ascending by ID, which is its place + 1
	feed                   // the change feed (changes.go)

	overlaps overlapCache // what AreaOverlaps measured (overlap.go)
	boxes    boxCache     // the areas a bbox filter's box meets (boxes.go)

	// API keys have a lock of their own: every authenticated request
	// looks one up, and it should not wait for a large write of records.
	// Where both are held, keyMu is taken first.
	keyMu sync.Mutex
	keys  keyring
}

var _ db.Store = (*Store)(nil)

// New returns an empty store.
func New() *Store {
	return &Store{
		areas:       map[int64]*db.Area{},
		areaByCode:  map[string]int64{},
		children:    map[int64][]int64{},
		orgs:        map[int64]*db.Organization{},
		orgsByArea:  map[int64][]int64{},
		inits:       map[int64]*db.Initiative{},
		initsByArea: map[int64][]int64{},
		initsByOrg:  map[int64][]int64{},
		indicators:  map[string]*db.Indicator{},
		values:      map[int64][]value{},
		keys:        newKeyring(),
		feed:        feed{base: db.SeqBase(time.Now())},
	}
}

// Ping always succeeds: the store is in the process.
func (s *Store) Ping(context.Context) error { return nil }

// Close releases nothing; it is there for the contract.
func (s *Store) Close() {}

func rect(b orb.Bound) (lo, hi [2]float64) {
	return [2]float64{b.Min[0], b.Min[1]}, [2]float64{b.Max[0], b.Max[1]}
}

// Load checks the whole dataset, references included, before it touches
// anything; after that nothing can fail, so a failed load leaves no trace.
func (s *Store) Load(ctx context.Context, ds *db.Dataset) error {
	if err := ds.Validate(); err != nil {
		return err
	}
	s.mu.Lock()
	head := int64(0)
	defer func() {
		s.mu.Unlock()
		if head > 0 {
			s.hub.Publish(head)
		}
	}()
	if err := s.checkRefs(ds); err != nil {
		return err
	}
	if err := ds.CheckCycles(); err != nil {
		return err
	}
	// The events first, while s.orgs holds only the organisations stored
	// before: those of ds are known from it.
	at := now()
	head = s.appendChanges(at, db.LoadChanges(ds, s.orgType))
	for _, a := range ds.Areas {
		a = a.Clone()
		a.Version = loadedVersion(a.Version)
		a.UpdatedAt = at
		s.indexArea(a)
		s.areaIDs = append(s.areaIDs, a.ID)
		s.maxAreaID = max(s.maxAreaID, a.ID)
	}
	for _, o := range ds.Organizations {
		o = o.Clone()
		o.Version = loadedVersion(o.Version)
		o.UpdatedAt = at
		s.putOrg(o)
		s.orgIDs = append(s.orgIDs, o.ID)
		s.maxOrgID = max(s.maxOrgID, o.ID)
	}
	for _, in := range ds.Initiatives {
		in = in.Clone()
		in.Version = loadedVersion(in.Version)
		in.UpdatedAt = at
		s.putInitiative(in)
		s.initIDs = append(s.initIDs, in.ID)
		s.maxInitID = max(s.maxInitID, in.ID)
	}
	for _, d := range ds.Indicators {
		c := d.Clone()
		c.Version = loadedVersion(c.Version)
		c.UpdatedAt = at
		s.indicators[d.Code] = c
	}
	// Each area's values are counted first and its slice grown once to
	// hold them: appending one by one leaves a quarter of the values'
	// memory, the largest part of the store's after the outlines, unused
	// on average.
	touched := map[int64]int{}
	for _, v := range ds.Values {
		touched[v.AreaID]++
	}
	for a, n := range touched {
		s.values[a] = slices.Grow(s.values[a], n)
	}
	for _, v := range ds.Values {
		s.values[v.AreaID] = append(s.values[v.AreaID], s.pack(v))
	}
	for a := range touched {
		slices.SortFunc(s.values[a], s.compareValues)
	}
	slices.Sort(s.areaIDs)
	slices.Sort(s.orgIDs)
	slices.Sort(s.initIDs)
	return nil
}

// loadedVersion is the version a loaded record is stored with: the one it
// carries, or 1 for a record that carries none.
func loadedVersion(v int64) int64 {
	if v <= 0 {
		return 1
	}
	return v
}

// checkRefs finds every reference and uniqueness error before Load writes.
func (s *Store) checkRefs(ds *db.Dataset) error {
	areas := map[int64]bool{}
	for _, a := range ds.Areas {
		if s.areas[a.ID] != nil {
			return db.Errorf(db.ECONFLICT, "area %d already exists", a.ID)
		}
		if _, ok := s.areaByCode[a.Code]; ok {
			return db.Errorf(db.ECONFLICT, "an area with code %q already exists", a.Code)
		}
		areas[a.ID] = true
	}
	hasArea := func(id int64) bool { return areas[id] || s.areas[id] != nil }
	for _, a := range ds.Areas {
		if a.ParentID != 0 && !hasArea(a.ParentID) {
			return db.Errorf(db.EINVALID, "area %d: parent %d does not exist", a.ID, a.ParentID)
		}
	}
	orgs := map[int64]bool{}
	for _, o := range ds.Organizations {
		if s.orgs[o.ID] != nil {
			return db.Errorf(db.ECONFLICT, "organization %d already exists", o.ID)
		}
		orgs[o.ID] = true
		for _, a := range o.AreaIDs {
			if !hasArea(a) {
				return db.Errorf(db.EINVALID, "organization %d: area %d does not exist", o.ID, a)
			}
		}
	}
	hasOrg := func(id int64) bool { return orgs[id] || s.orgs[id] != nil }
	for _, in := range ds.Initiatives {
		if s.inits[in.ID] != nil {
			return db.Errorf(db.ECONFLICT, "initiative %d already exists", in.ID)
		}
		for _, a := range in.AreaIDs {
			if !hasArea(a) {
				return db.Errorf(db.EINVALID, "initiative %d: area %d does not exist", in.ID, a)
			}
		}
		for _, o := range orgsOf(in) {
			if !hasOrg(o) {
				return db.Errorf(db.EINVALID, "initiative %d: organization %d does not exist", in.ID, o)
			}
		}
	}
	defs := map[string]bool{}
	for _, d := range ds.Indicators {
		if s.indicators[d.Code] != nil {
			return db.Errorf(db.ECONFLICT, "indicator %q already exists", d.Code)
		}
		defs[d.Code] = true
	}
	for _, v := range ds.Values {
		if !hasArea(v.AreaID) {
			return db.Errorf(db.EINVALID, "indicator value: area %d does not exist", v.AreaID)
		}
		if !defs[v.IndicatorCode] && s.indicators[v.IndicatorCode] == nil {
			return db.Errorf(db.EINVALID, "indicator value: indicator %q does not exist", v.IndicatorCode)
		}
		for _, old := range s.values[v.AreaID] {
			if s.sameKey(old, v) {
				return db.Errorf(db.ECONFLICT, "indicator value %s %d for area %d already exists", v.IndicatorCode, v.Year, v.AreaID)
			}
		}
	}
	return nil
}

// orgsOf lists the organisations an initiative involves: its lead and partners.
func orgsOf(in *db.Initiative) []int64 {
	var out []int64
	if in.LeadID != 0 {
		out = append(out, in.LeadID)
	}
	for _, p := range in.Partners {
		out = append(out, p.OrganizationID)
	}
	return out
}

func insertSorted(ids []int64, id int64) []int64 {
	i, found := slices.BinarySearch(ids, id)
	if found {
		return ids
	}
	return slices.Insert(ids, i, id)
}

// byID answers a batch lookup in input order, nil for a missing id.
func byID[T any](m map[int64]T, ids []int64, clone func(T) T) []T {
	out := make([]T, len(ids))
	for i, id := range ids {
		if v, ok := m[id]; ok {
			out[i] = clone(v)
		}
	}
	return out
}

// AreasByID implements db.Store.
func (s *Store) AreasByID(ctx context.Context, ids []int64) ([]*db.Area, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	return byID(s.areas, ids, (*db.Area).Clone), nil
}

// AreaByCode implements db.Store.
func (s *Store) AreaByCode(ctx context.Context, code string) (*db.Area, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	id, ok := s.areaByCode[code]
	if !ok {
		return nil, db.Errorf(db.ENOTFOUND, "no area with code %q", code)
	}
	return s.areas[id].Clone(), nil
}

// OrganizationsByID implements db.Store.
func (s *Store) OrganizationsByID(ctx context.Context, ids []int64) ([]*db.Organization, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	return byID(s.orgs, ids, (*db.Organization).Clone), nil
}

// InitiativesByID implements db.Store.
func (s *Store) InitiativesByID(ctx context.Context, ids []int64) ([]*db.Initiative, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	return byID(s.inits, ids, (*db.Initiative).Clone), nil
}

// Indicators implements db.Store.
func (s *Store) Indicators(ctx context.Context, codes []string) ([]*db.Indicator, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	var out []*db.Indicator
	for _, code := range slices.Sorted(maps.Keys(s.indicators)) {
		if len(codes) == 0 || slices.Contains(codes, code) {
			out = append(out, s.indicators[code].Clone())
		}
	}
	return out, nil
}

// IndicatorValues implements db.Store.
func (s *Store) IndicatorValues(ctx context.Context, f db.ValueFilter) ([]db.IndicatorValue, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	areas := f.AreaIDs
	if len(areas) == 0 {
		areas = slices.Collect(maps.Keys(s.values))
	}
	areas = slices.Clone(areas)
	slices.Sort(areas)
	areas = slices.Compact(areas)
	var out []db.IndicatorValue
	pl := &poll{ctx: ctx}
	for _, a := range areas {
		for _, v := range s.values[a] {
			if err := pl.next(); err != nil {
				return nil, err
			}
			if (len(f.Codes) == 0 || slices.Contains(f.Codes, s.codes.names[v.code])) &&
				(f.FromYear == 0 || int(v.year) >= f.FromYear) &&
				(f.ToYear == 0 || int(v.year) <= f.ToYear) &&
				(len(f.Sexes) == 0 || slices.Contains(f.Sexes, db.Sexes[v.sex])) {
				out = append(out, s.unpack(a, v))
			}
		}
	}
	return out, nil
}

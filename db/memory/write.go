package memory

import (
	"context"
	"slices"
	"strconv"
	"time"

	"github.com/areagraph/areagraph/db"
)

// Writes find problems in the order of Writer in db/store.go. Each one copies its
// input and normalises and checks the copy before it takes the write lock
// (an update checks its patch); under the lock it looks for every other
// problem, an update's patch applied to a copy of the stored record, before
// it changes anything. Applying the changes cannot fail, so a write that fails leaves
// no trace, and readers, who wait for the lock, never see half of one.

// now is the time of one write, kept to the microsecond as PostgreSQL
// keeps it, so both backends report the same instants.
func now() time.Time { return time.Now().UTC().Truncate(time.Microsecond) }

// writeTx is one write under the lock: who makes it, when, and the audit
// entries and change events of the records it changed, appended in the
// contract's order (the target first, then dependents by type and id).
type writeTx struct {
	s  *Store
	by db.Actor
	at time.Time
	// The change events of the write (changes.go), published by end.
	changes []db.Change
	values  *db.ValueChanges
}

// begin takes the write lock for one write. A caller that gave up while
// it waited for the lock gets its context's error and nothing is written.
func (s *Store) begin(ctx context.Context, by db.Actor) (*writeTx, error) {
	s.mu.Lock()
	if err := ctx.Err(); err != nil {
		s.mu.Unlock()
		return nil, err
	}
	return &writeTx{s: s, by: by, at: now()}, nil
}

// end commits the write's change events and lets go of the lock. A write
// that failed has logged nothing (it changes nothing before every check
// has passed), so it yields no event.
func (tx *writeTx) end() {
	head := tx.s.appendChanges(tx.at, tx.events())
	tx.s.mu.Unlock()
	if head > 0 {
		tx.s.hub.Publish(head)
	}
}

// events are the write's change events: the records', then the values'.
func (tx *writeTx) events() []db.Change {
	if tx.values != nil {
		return append(tx.changes, tx.values.Changes()...)
	}
	return tx.changes
}

// log appends the audit entry of one changed record, as it was before and
// is after (before nil for a create, after nil for a delete), notes the
// change event it yields, and stamps the record as stored with the
// write's time (UpdatedAt; see db/store.go).
func (tx *writeTx) log(before, after db.Audited) {
	s := tx.s
	stamp(after, tx.at)
	action, rec := db.ActionUpdate, after
	switch {
	case before == nil:
		action = db.ActionCreate
	case after == nil:
		action, rec = db.ActionDelete, before
	}
	var beforeJSON, afterJSON []byte
	if before != nil {
		beforeJSON = db.AuditJSON(before)
	}
	if after != nil {
		afterJSON = db.AuditJSON(after)
	}
	s.audit = append(s.audit, &db.AuditEntry{
		ID:       int64(len(s.audit)) + 1,
		At:       tx.at,
		Actor:    tx.by.ID,
		Orgs:     slices.Clone(tx.by.Orgs),
		Action:   action,
		Type:     db.AuditType(rec),
		RecordID: db.AuditRecordID(rec),
		Before:   beforeJSON,
		After:    afterJSON,
	})
	if v, ok := rec.(db.IndicatorValue); ok {
		va := db.ChangeUpdated
		if action == db.ActionDelete {
			va = db.ChangeDeleted
		}
		tx.value(va, v.IndicatorCode, v.AreaID)
		return
	}
	if c, ok := db.RecordChange(before, after, s.orgType); ok {
		tx.changes = append(tx.changes, c)
	}
}

// stamp sets the UpdatedAt of a record that has one.
func stamp(rec db.Audited, at time.Time) {
	switch r := rec.(type) {
	case *db.Area:
		r.UpdatedAt = at
	case *db.Organization:
		r.UpdatedAt = at
	case *db.Initiative:
		r.UpdatedAt = at
	case *db.Indicator:
		r.UpdatedAt = at
	}
}

// value notes that the values of indicator code in area changed. One
// write either writes values or deletes them, never both.
func (tx *writeTx) value(action db.ChangeAction, code string, area int64) {
	if tx.values == nil {
		tx.values = db.NewValueChanges(action)
	}
	tx.values.Add(code, area)
}

// --- areas ---

// CreateArea implements db.Writer.
func (s *Store) CreateArea(ctx context.Context, by db.Actor, a *db.Area) (*db.Area, error) {
	if err := db.CheckUnscoped(by, "areas"); err != nil {
		return nil, err
	}
	in := a.Clone()
	if in != nil {
		in.ID, in.Version = 0, 0
	}
	if err := db.CheckArea(in); err != nil {
		return nil, err
	}
	tx, err := s.begin(ctx, by)
	if err != nil {
		return nil, err
	}
	defer tx.end()
	if err := s.checkAreaCode(in); err != nil {
		return nil, err
	}
	if err := s.checkParent(in); err != nil {
		return nil, err
	}
	s.maxAreaID++
	in.ID, in.Version = s.maxAreaID, 1
	s.indexArea(in)
	// The new id is above every stored one: the list stays ascending.
	s.areaIDs = append(s.areaIDs, in.ID)
	tx.log(nil, in)
	return in.Clone(), nil
}

// UpdateArea implements db.Writer.
func (s *Store) UpdateArea(ctx context.Context, by db.Actor, id, version int64, p db.AreaPatch) (*db.Area, error) {
	if err := db.CheckUnscoped(by, "areas"); err != nil {
		return nil, err
	}
	if err := p.Check(id); err != nil {
		return nil, err
	}
	tx, err := s.begin(ctx, by)
	if err != nil {
		return nil, err
	}
	defer tx.end()
	old := s.areas[id]
	if err := db.CheckTarget(db.TypeArea, db.IDKey(id), old, version); err != nil {
		return nil, err
	}
	next := *old
	if err := p.Apply(&next); err != nil {
		return nil, err
	}
	// The copy holds what the patch gave, which is the caller's.
	in := next.Clone()
	if err := s.checkAreaCode(in); err != nil {
		return nil, err
	}
	if err := s.checkParent(in); err != nil {
		return nil, err
	}
	in.Version = old.Version + 1
	s.replaceArea(old, in)
	tx.log(old, in)
	return in.Clone(), nil
}

// checkAreaCode finds another area with a's code (step 4).
func (s *Store) checkAreaCode(a *db.Area) error {
	if id, ok := s.areaByCode[a.Code]; ok && id != a.ID {
		return db.Errorf(db.ECONFLICT, "area %d already has the code %q", id, a.Code)
	}
	return nil
}

// checkParent is step 5 for an area's parent, by the rule of
// db.CheckParent, read from the stored areas.
func (s *Store) checkParent(a *db.Area) error {
	return db.CheckParent(a.ID, a.ParentID, func(id int64) (int64, bool) {
		p := s.areas[id]
		if p == nil {
			return 0, false
		}
		return p.ParentID, true
	})
}

// DeleteArea implements db.Writer.
func (s *Store) DeleteArea(ctx context.Context, by db.Actor, id, version int64, detach bool) error {
	if err := db.CheckUnscoped(by, "areas"); err != nil {
		return err
	}
	tx, err := s.begin(ctx, by)
	if err != nil {
		return err
	}
	defer tx.end()
	old := s.areas[id]
	if err := db.CheckTarget(db.TypeArea, db.IDKey(id), old, version); err != nil {
		return err
	}
	deps := db.Dependents{ChildAreas: len(s.children[id]), Initiatives: len(s.initsByArea[id]),
		Organizations: len(s.orgsByArea[id]), Values: len(s.values[id])}
	if deps.Any() && !detach {
		return db.DependentsError(db.TypeArea, db.IDKey(id), deps)
	}

	tx.log(old, nil)
	// The lists below change as the records leave them: walk copies.
	for _, cid := range slices.Clone(s.children[id]) {
		c := s.areas[cid]
		nc := c.Clone()
		nc.ParentID = 0
		nc.Version++
		s.replaceArea(c, nc)
		tx.log(c, nc)
	}
	for _, oid := range slices.Clone(s.orgsByArea[id]) {
		o := s.orgs[oid]
		no := o.Clone()
		no.AreaIDs = removeSorted(no.AreaIDs, id)
		no.Version++
		s.replaceOrg(o, no)
		tx.log(o, no)
	}
	for _, iid := range slices.Clone(s.initsByArea[id]) {
		in := s.inits[iid]
		ni := in.Clone()
		ni.AreaIDs = removeSorted(ni.AreaIDs, id)
		ni.Version++
		s.replaceInitiative(in, ni)
		tx.log(in, ni)
	}
	// Values are kept in the contract's order, which is their key order.
	for _, v := range s.values[id] {
		tx.log(s.unpack(id, v), nil)
	}
	delete(s.values, id)

	s.unindexArea(old)
	delete(s.areas, id)
	s.areaIDs = removeSorted(s.areaIDs, id)
	return nil
}

// --- organisations ---

// CreateOrganization implements db.Writer.
func (s *Store) CreateOrganization(ctx context.Context, by db.Actor, o *db.Organization) (*db.Organization, error) {
	if err := db.CheckUnscoped(by, "new organisations"); err != nil {
		return nil, err
	}
	in := o.Clone()
	if in != nil {
		in.ID, in.Version = 0, 0
		db.NormalizeOrganization(in)
	}
	if err := db.CheckOrganization(in); err != nil {
		return nil, err
	}
	tx, err := s.begin(ctx, by)
	if err != nil {
		return nil, err
	}
	defer tx.end()
	if err := s.checkAreas(in.AreaIDs); err != nil {
		return nil, err
	}
	s.maxOrgID++
	in.ID, in.Version = s.maxOrgID, 1
	s.putOrg(in)
	s.orgIDs = append(s.orgIDs, in.ID)
	tx.log(nil, in)
	return in.Clone(), nil
}

// UpdateOrganization implements db.Writer.
func (s *Store) UpdateOrganization(ctx context.Context, by db.Actor, kind db.OrgKind, id, version int64, p db.OrganizationPatch) (*db.Organization, error) {
	if err := db.CheckOrganizationScope(by, kind, id); err != nil {
		return nil, err
	}
	if err := p.Check(kind, id); err != nil {
		return nil, err
	}
	tx, err := s.begin(ctx, by)
	if err != nil {
		return nil, err
	}
	defer tx.end()
	old := db.OrganizationTarget(s.orgs[id], kind)
	if err := db.CheckTarget(kind.NodeType(), db.IDKey(id), old, version); err != nil {
		return nil, err
	}
	next := old.Clone()
	if err := p.Apply(next); err != nil {
		return nil, err
	}
	// Cloned again: what the patch gave is the caller's.
	in := next.Clone()
	if err := s.checkAreas(in.AreaIDs); err != nil {
		return nil, err
	}
	in.Version = old.Version + 1
	s.replaceOrg(old, in)
	tx.log(old, in)
	return in.Clone(), nil
}

// checkAreas finds the first of ids (ascending) that names no area.
func (s *Store) checkAreas(ids []int64) error {
	for _, a := range ids {
		if s.areas[a] == nil {
			return db.UnknownReferenceError("area", a)
		}
	}
	return nil
}

// DeleteOrganization implements db.Writer.
func (s *Store) DeleteOrganization(ctx context.Context, by db.Actor, kind db.OrgKind, id, version int64, detach bool) error {
	if err := db.CheckUnscoped(by, "deletions of organisations"); err != nil {
		return err
	}
	tx, err := s.begin(ctx, by)
	if err != nil {
		return err
	}
	defer tx.end()
	old := db.OrganizationTarget(s.orgs[id], kind)
	if err := db.CheckTarget(kind.NodeType(), db.IDKey(id), old, version); err != nil {
		return err
	}
	deps := db.Dependents{Initiatives: len(s.initsByOrg[id])}
	if deps.Any() && !detach {
		return db.DependentsError(old.NodeType(), db.IDKey(id), deps)
	}

	tx.log(old, nil)
	for _, iid := range slices.Clone(s.initsByOrg[id]) {
		in := s.inits[iid]
		ni := in.Clone()
		if ni.LeadID == id {
			ni.LeadID = 0
		}
		ni.Partners = slices.DeleteFunc(ni.Partners, func(p db.Partner) bool { return p.OrganizationID == id })
		ni.Version++
		s.replaceInitiative(in, ni)
		tx.log(in, ni)
	}
	s.dropOrg(old)
	delete(s.orgs, id)
	s.orgIDs = removeSorted(s.orgIDs, id)
	return nil
}

// --- initiatives ---

// CreateInitiative implements db.Writer.
func (s *Store) CreateInitiative(ctx context.Context, by db.Actor, in *db.Initiative) (*db.Initiative, error) {
	if err := db.CheckInitiativeCreate(by, in); err != nil {
		return nil, err
	}
	c := in.Clone()
	if c != nil {
		c.ID, c.Version = 0, 0
		db.NormalizeInitiative(c)
	}
	if err := db.CheckInitiative(c); err != nil {
		return nil, err
	}
	tx, err := s.begin(ctx, by)
	if err != nil {
		return nil, err
	}
	defer tx.end()
	if err := s.checkInitiativeRefs(c); err != nil {
		return nil, err
	}
	s.maxInitID++
	c.ID, c.Version = s.maxInitID, 1
	s.putInitiative(c)
	s.initIDs = append(s.initIDs, c.ID)
	tx.log(nil, c)
	return c.Clone(), nil
}

// UpdateInitiative implements db.Writer.
func (s *Store) UpdateInitiative(ctx context.Context, by db.Actor, id, version int64, p db.InitiativePatch) (*db.Initiative, error) {
	if err := p.Check(id); err != nil {
		return nil, err
	}
	tx, err := s.begin(ctx, by)
	if err != nil {
		return nil, err
	}
	defer tx.end()
	old := s.inits[id]
	if err := db.CheckInitiativeTarget(by, id, old, &p); err != nil {
		return nil, err
	}
	if err := db.CheckTarget(db.TypeInitiative, db.IDKey(id), old, version); err != nil {
		return nil, err
	}
	next := old.Clone()
	if err := p.Apply(next); err != nil {
		return nil, err
	}
	if err := db.CheckInitiativeChange(by, old, next); err != nil {
		return nil, err
	}
	// Cloned again: what the patch gave is the caller's.
	c := next.Clone()
	if err := s.checkInitiativeRefs(c); err != nil {
		return nil, err
	}
	c.Version = old.Version + 1
	s.replaceInitiative(old, c)
	tx.log(old, c)
	return c.Clone(), nil
}

// checkInitiativeRefs finds the first missing reference: areas, then the
// lead, then partners, as Writer in db/store.go lists them (step 5).
func (s *Store) checkInitiativeRefs(in *db.Initiative) error {
	if err := s.checkAreas(in.AreaIDs); err != nil {
		return err
	}
	if in.LeadID != 0 && s.orgs[in.LeadID] == nil {
		return db.UnknownReferenceError("lead organization", in.LeadID)
	}
	for _, p := range in.Partners {
		if s.orgs[p.OrganizationID] == nil {
			return db.UnknownReferenceError("partner organization", p.OrganizationID)
		}
	}
	return nil
}

// DeleteInitiative implements db.Writer.
func (s *Store) DeleteInitiative(ctx context.Context, by db.Actor, id, version int64) error {
	tx, err := s.begin(ctx, by)
	if err != nil {
		return err
	}
	defer tx.end()
	old := s.inits[id]
	if err := db.CheckInitiativeTarget(by, id, old, nil); err != nil {
		return err
	}
	if err := db.CheckTarget(db.TypeInitiative, db.IDKey(id), old, version); err != nil {
		return err
	}
	tx.log(old, nil)
	s.dropInitiative(old)
	delete(s.inits, id)
	s.initIDs = removeSorted(s.initIDs, id)
	return nil
}

// --- indicators ---

// CreateIndicator implements db.Writer.
func (s *Store) CreateIndicator(ctx context.Context, by db.Actor, ind *db.Indicator) (*db.Indicator, error) {
	if err := db.CheckUnscoped(by, "indicator definitions"); err != nil {
		return nil, err
	}
	c := ind.Clone()
	if c != nil {
		c.Version = 0
	}
	if err := db.CheckIndicator(c); err != nil {
		return nil, err
	}
	tx, err := s.begin(ctx, by)
	if err != nil {
		return nil, err
	}
	defer tx.end()
	if s.indicators[c.Code] != nil {
		return nil, db.Errorf(db.ECONFLICT, "an indicator with the code %q already exists", c.Code)
	}
	c.Version = 1
	s.indicators[c.Code] = c
	tx.log(nil, c)
	return c.Clone(), nil
}

// UpdateIndicator implements db.Writer.
func (s *Store) UpdateIndicator(ctx context.Context, by db.Actor, code string, version int64, p db.IndicatorPatch) (*db.Indicator, error) {
	if err := db.CheckUnscoped(by, "indicator definitions"); err != nil {
		return nil, err
	}
	if err := p.Check(code); err != nil {
		return nil, err
	}
	tx, err := s.begin(ctx, by)
	if err != nil {
		return nil, err
	}
	defer tx.end()
	old := s.indicators[code]
	if err := db.CheckTarget(db.TypeIndicator, strconv.Quote(code), old, version); err != nil {
		return nil, err
	}
	c := old.Clone()
	if err := p.Apply(c); err != nil {
		return nil, err
	}
	c.Version = old.Version + 1
	s.indicators[code] = c
	tx.log(old, c)
	return c.Clone(), nil
}

// DeleteIndicator implements db.Writer.
func (s *Store) DeleteIndicator(ctx context.Context, by db.Actor, code string, version int64, detach bool) error {
	if err := db.CheckUnscoped(by, "indicator definitions"); err != nil {
		return err
	}
	tx, err := s.begin(ctx, by)
	if err != nil {
		return err
	}
	defer tx.end()
	old := s.indicators[code]
	if err := db.CheckTarget(db.TypeIndicator, strconv.Quote(code), old, version); err != nil {
		return err
	}
	// Values are kept per area; walking the areas in id order finds them
	// in the contract's order.
	var areas []int64
	n := 0
	ci, interned := s.codes.index[code] // a code never interned is named by no value
	for a, vals := range s.values {
		m := 0
		for _, v := range vals {
			if interned && v.code == ci {
				m++
			}
		}
		if m > 0 {
			n += m
			areas = append(areas, a)
		}
	}
	if n > 0 && !detach {
		return db.DependentsError(db.TypeIndicator, strconv.Quote(code), db.Dependents{Values: n})
	}

	tx.log(old, nil)
	if n > 0 {
		slices.Sort(areas)
		for _, a := range areas {
			kept := s.values[a][:0:0]
			for _, v := range s.values[a] {
				if v.code == ci {
					tx.log(s.unpack(a, v), nil)
				} else {
					kept = append(kept, v)
				}
			}
			if len(kept) == 0 {
				delete(s.values, a)
			} else {
				s.values[a] = kept
			}
		}
	}
	delete(s.indicators, code)
	return nil
}

// --- indicator values ---

// PutIndicatorValues implements db.Writer.
func (s *Store) PutIndicatorValues(ctx context.Context, by db.Actor, values []db.IndicatorValue) (int, error) {
	if err := db.CheckUnscoped(by, "indicator values"); err != nil {
		return 0, err
	}
	if err := db.CheckIndicatorValues(values); err != nil {
		return 0, err
	}
	put := make([]db.IndicatorValue, len(values))
	for i, v := range values {
		put[i] = v.Clone()
	}
	tx, err := s.begin(ctx, by)
	if err != nil {
		return 0, err
	}
	defer tx.end()
	for i, v := range put {
		if s.areas[v.AreaID] == nil {
			return 0, db.ValueError(i+1, v, "area %d does not exist", v.AreaID)
		}
		if s.indicators[v.IndicatorCode] == nil {
			return 0, db.ValueError(i+1, v, "indicator %q does not exist", v.IndicatorCode)
		}
	}

	// What changes, in key order, with what it replaces; values equal to
	// the stored ones are left out, as they change nothing.
	type change struct {
		v   db.IndicatorValue
		old *db.IndicatorValue
	}
	var changes []change
	for _, v := range put {
		stored := s.values[v.AreaID]
		p := s.pack(v)
		j, found := slices.BinarySearchFunc(stored, p, s.compareValues)
		if !found {
			changes = append(changes, change{v: v})
			continue
		}
		if stored[j] != p {
			old := s.unpack(v.AreaID, stored[j])
			changes = append(changes, change{v: v, old: &old})
		}
	}
	slices.SortFunc(changes, func(a, b change) int { return db.CompareValues(a.v, b.v) })

	for _, c := range changes {
		if c.old == nil {
			tx.log(nil, c.v)
		} else {
			tx.log(*c.old, c.v)
		}
	}
	// Replacements first, while every area's list is still sorted for the
	// binary search; then the new values, and one sort per area they join.
	added := map[int64]bool{}
	for _, c := range changes {
		if c.old != nil {
			stored := s.values[c.v.AreaID]
			p := s.pack(c.v)
			j, _ := slices.BinarySearchFunc(stored, p, s.compareValues)
			stored[j] = p
		}
	}
	for _, c := range changes {
		if c.old == nil {
			s.values[c.v.AreaID] = append(s.values[c.v.AreaID], s.pack(c.v))
			added[c.v.AreaID] = true
		}
	}
	for a := range added {
		slices.SortFunc(s.values[a], s.compareValues)
	}
	return len(changes), nil
}

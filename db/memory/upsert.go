package memory

import (
	"context"
	"iter"
	"slices"

	"github.com/areagraph/areagraph/db"
)

// UpsertAreas implements db.Store. The sequence is read and every item
// checked before the write lock is taken, so readers wait only while the
// areas are applied; references are checked under the lock, and after
// that nothing can fail, so a failed upsert leaves no trace.
func (s *Store) UpsertAreas(ctx context.Context, by db.Actor, areas iter.Seq2[*db.AreaInput, error]) (db.ImportCounts, error) {
	var c db.ImportCounts
	items, err := readAll(ctx, areas, (*db.AreaInput).Check, (*db.AreaInput).Clone)
	if err != nil {
		return c, err
	}
	first := make(map[string]int, len(items))
	for i, a := range items {
		if f, ok := first[a.Code]; ok {
			return c, db.DuplicateAreaError(i+1, f, a.Code)
		}
		first[a.Code] = i + 1
	}

	tx, err := s.begin(ctx, by)
	if err != nil {
		return c, err
	}
	defer tx.end()
	for i, a := range items {
		if _, inImport := first[a.ParentCode]; a.ParentCode != "" && !inImport {
			if _, stored := s.areaByCode[a.ParentCode]; !stored {
				return c, db.UnknownParentError(i+1, a.Code, a.ParentCode)
			}
		}
	}
	// Known codes keep their ids; new ones follow the largest id ever
	// used, in import order, as the PostGIS backend numbers them.
	next := s.maxAreaID
	ids := make(map[string]int64, len(items))
	for _, a := range items {
		if id, ok := s.areaByCode[a.Code]; ok {
			ids[a.Code] = id
		} else {
			next++
			ids[a.Code] = next
		}
	}
	idOf := func(code string) int64 {
		if id, ok := ids[code]; ok {
			return id
		}
		return s.areaByCode[code]
	}
	written := make([]*db.Area, len(items))
	for i, a := range items {
		area := &db.Area{ID: ids[a.Code], Code: a.Code, Name: a.Name, Kind: a.Kind, AreaType: a.AreaType,
			Geometry: a.Geometry, ValidFrom: a.ValidFrom, ValidTo: a.ValidTo, Description: a.Description}
		if a.ParentCode != "" {
			area.ParentID = idOf(a.ParentCode)
		}
		if old := s.areas[area.ID]; old != nil {
			db.KeepAbsent(area, old, a.Absent)
			if area.ValidFrom != nil && area.ValidTo != nil && !db.Day(*area.ValidTo).After(db.Day(*area.ValidFrom)) {
				return c, db.PeriodAfterKeepError(i+1, a.Code)
			}
		}
		written[i] = area
	}
	if err := s.upsertCycle(written); err != nil {
		return c, err
	}
	for _, area := range written {
		old := s.areas[area.ID]
		switch {
		case old == nil:
			area.Version = 1
			// New ids exceed every stored one and come in ascending
			// order, so the list stays sorted.
			s.areaIDs = append(s.areaIDs, area.ID)
			tx.log(nil, area)
			c.Added++
		case db.SameArea(area, old):
			c.Unchanged++
			continue
		default:
			area.Version = old.Version + 1
			s.unindexArea(old)
			tx.log(old, area)
			c.Changed++
		}
		s.indexArea(area)
	}
	s.maxAreaID = next
	return c, nil
}

// upsertCycle finds the first imported area whose parents, as they would
// be after the import, lead back to it; written holds the imported areas
// as they would be written, in import order. The others keep their stored
// parents, so re-parenting a stored area can close a cycle through areas
// the import does not name. The caller holds the lock.
func (s *Store) upsertCycle(written []*db.Area) error {
	codes := make([]string, len(written))
	byCode := make(map[string]*db.Area, len(written))
	codeByID := make(map[int64]string, len(written))
	for i, a := range written {
		codes[i] = a.Code
		byCode[a.Code] = a
		codeByID[a.ID] = a.Code
	}
	codeOf := func(id int64) (string, bool) {
		if code, ok := codeByID[id]; ok {
			return code, true
		}
		if p := s.areas[id]; p != nil {
			return p.Code, true
		}
		return "", false
	}
	i, cycle := db.FirstParentCycle(codes, func(code string) (string, bool) {
		a := byCode[code]
		if a == nil {
			a = s.areas[s.areaByCode[code]]
		}
		if a == nil || a.ParentID == 0 {
			return "", false
		}
		return codeOf(a.ParentID)
	})
	if i >= 0 {
		return db.ParentCycleItemError(i+1, codes[i], cycle)
	}
	return nil
}

// UpsertIndicatorValues implements db.Store, in the same steps as
// UpsertAreas.
func (s *Store) UpsertIndicatorValues(ctx context.Context, by db.Actor, file db.ImportFile,
	values iter.Seq2[*db.ValueInput, error]) (db.ImportCounts, error) {
	var c db.ImportCounts
	items, err := readAll(ctx, values, (*db.ValueInput).Check, (*db.ValueInput).Clone)
	if err != nil {
		return c, err
	}
	type key struct {
		area, code string
		year       int
		sex        db.Sex
	}
	first := make(map[key]int, len(items))
	for i, v := range items {
		k := key{v.AreaCode, v.IndicatorCode, v.Year, v.Sex}
		if f, ok := first[k]; ok {
			return c, db.DuplicateValueError(i+1, f, v)
		}
		first[k] = i + 1
	}

	tx, err := s.begin(ctx, by)
	if err != nil {
		return c, err
	}
	defer tx.end()
	for i, v := range items {
		if _, ok := s.areaByCode[v.AreaCode]; !ok {
			return c, db.UnknownValueAreaError(i+1, v)
		}
		if s.indicators[v.IndicatorCode] == nil {
			return c, db.UnknownIndicatorError(i+1, v)
		}
	}
	byArea := map[int64][]db.IndicatorValue{}
	for _, v := range items {
		id := s.areaByCode[v.AreaCode]
		byArea[id] = append(byArea[id], db.IndicatorValue{AreaID: id, IndicatorCode: v.IndicatorCode,
			Year: v.Year, Sex: v.Sex, Value: v.Value, Count: v.Count})
	}
	var codes []string
	var years []int
	for id, vals := range byArea {
		stored := s.values[id]
		n := len(stored)
		for _, v := range vals {
			// Only the stored prefix is sorted; the import has no key
			// twice, so a new value never meets another new one.
			p := s.pack(v)
			j, found := slices.BinarySearchFunc(stored[:n], p, s.compareValues)
			switch {
			case found && stored[j] == p:
				c.Unchanged++
				continue
			case found:
				stored[j] = p
				c.Changed++
			default:
				stored = append(stored, p)
				c.Added++
			}
			codes, years = append(codes, v.IndicatorCode), append(years, v.Year)
			tx.value(db.ChangeUpdated, v.IndicatorCode, id)
		}
		if len(stored) > n {
			slices.SortFunc(stored, s.compareValues)
		}
		s.values[id] = stored
	}
	rec := db.NewValueImport(file, c, codes, years)
	tx.log(nil, rec)
	return c, nil
}

// readAll reads a whole upsert sequence, checking each item as it comes
// and keeping a copy the caller cannot change. The first bad item or error
// ends it.
func readAll[T any](ctx context.Context, seq iter.Seq2[*T, error], check func(*T, int) error, clone func(*T) *T) ([]*T, error) {
	var items []*T
	for item, err := range seq {
		if err != nil {
			return nil, err
		}
		if err := check(item, len(items)+1); err != nil {
			return nil, err
		}
		items = append(items, clone(item))
		// A long import must still notice that its caller gave up.
		if len(items)%4096 == 0 && ctx.Err() != nil {
			return nil, ctx.Err()
		}
	}
	return items, ctx.Err()
}

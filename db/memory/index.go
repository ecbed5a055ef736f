package memory

import (
	"slices"

	"github.com/areagraph/areagraph/db"
)

// Every record enters and leaves the indexes through the functions here,
// so that the maps, the R-trees and the lookups by area, parent and
// organisation stay in step whatever write changes it. A put enters a
// record that is not indexed; a drop takes out exactly what its put
// entered. Neither touches the ascending id lists, which only creates and
// deletes change.

// indexArea stores a and enters it in the indexes.
func (s *Store) indexArea(a *db.Area) {
	s.overlaps.forget(a)
	s.boxes.forget()
	s.areas[a.ID] = a
	s.areaByCode[a.Code] = a.ID
	s.areaIdx.Insert(a)
	if a.ParentID != 0 {
		s.children[a.ParentID] = insertSorted(s.children[a.ParentID], a.ID)
	}
}

// unindexArea takes a out of the code lookup, the spatial index and its
// parent's children; the record itself stays in s.areas.
func (s *Store) unindexArea(a *db.Area) {
	s.overlaps.forget(a)
	s.boxes.forget()
	if s.areaByCode[a.Code] == a.ID {
		delete(s.areaByCode, a.Code)
	}
	s.areaIdx.Delete(a)
	if a.ParentID != 0 {
		removeFrom(s.children, a.ParentID, a.ID)
	}
}

// replaceArea puts a new version of an area in the place of the old one.
func (s *Store) replaceArea(old, a *db.Area) {
	s.unindexArea(old)
	s.indexArea(a)
}

// putOrg stores o and enters it in the indexes.
func (s *Store) putOrg(o *db.Organization) {
	s.orgs[o.ID] = o
	if o.Location != nil {
		lo, hi := rect(o.Location.Bound())
		s.orgIdx.Insert(lo, hi, o.ID)
	}
	for _, a := range o.AreaIDs {
		s.orgsByArea[a] = insertSorted(s.orgsByArea[a], o.ID)
	}
}

// dropOrg takes o out of the indexes; the record stays in s.orgs.
func (s *Store) dropOrg(o *db.Organization) {
	if o.Location != nil {
		lo, hi := rect(o.Location.Bound())
		s.orgIdx.Delete(lo, hi, o.ID)
	}
	for _, a := range o.AreaIDs {
		removeFrom(s.orgsByArea, a, o.ID)
	}
}

func (s *Store) replaceOrg(old, o *db.Organization) {
	s.dropOrg(old)
	s.putOrg(o)
}

// putInitiative stores in and enters it in the indexes: one R-tree entry
// per location, and under every area it serves and organisation it
// involves. Its dates, focus groups and themes may be shared with other
// records from then on (shared.go).
func (s *Store) putInitiative(in *db.Initiative) {
	s.share(in)
	s.inits[in.ID] = in
	for _, p := range in.Locations {
		lo, hi := rect(p.Bound())
		s.initIdx.Insert(lo, hi, in.ID)
	}
	for _, a := range in.AreaIDs {
		s.initsByArea[a] = insertSorted(s.initsByArea[a], in.ID)
	}
	for _, o := range orgsOf(in) {
		s.initsByOrg[o] = insertSorted(s.initsByOrg[o], in.ID)
	}
}

// dropInitiative takes in out of the indexes; the record stays in s.inits.
// The R-tree deletes one entry per call, so a location given twice is
// deleted twice, as it was inserted.
func (s *Store) dropInitiative(in *db.Initiative) {
	for _, p := range in.Locations {
		lo, hi := rect(p.Bound())
		s.initIdx.Delete(lo, hi, in.ID)
	}
	for _, a := range in.AreaIDs {
		removeFrom(s.initsByArea, a, in.ID)
	}
	for _, o := range orgsOf(in) {
		removeFrom(s.initsByOrg, o, in.ID)
	}
}

func (s *Store) replaceInitiative(old, in *db.Initiative) {
	s.dropInitiative(old)
	s.putInitiative(in)
}

// removeFrom takes id out of the ascending list under key, and the key out
// of the map once its list is empty, so that a deleted record leaves no
// empty entries behind.
func removeFrom(m map[int64][]int64, key, id int64) {
	ids := removeSorted(m[key], id)
	if len(ids) == 0 {
		delete(m, key)
		return
	}
	m[key] = ids
}

func removeSorted(ids []int64, id int64) []int64 {
	if i, found := slices.BinarySearch(ids, id); found {
		return slices.Delete(ids, i, i+1)
	}
	return ids
}

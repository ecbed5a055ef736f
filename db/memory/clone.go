package memory

import (
	"slices"
	"time"

	"github.com/areagraph/areagraph/db"
	"github.com/paulmach/orb"
)

// orb geometries are slices: a record handed out shares nothing with the
// one stored, or a caller's edit would change the store under its lock.

func cloneTime(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	c := *t
	return &c
}

func cloneArea(a *db.Area) *db.Area {
	if a == nil {
		return nil
	}
	c := *a
	c.Geometry = orb.Clone(a.Geometry)
	c.ValidFrom, c.ValidTo = cloneTime(a.ValidFrom), cloneTime(a.ValidTo)
	return &c
}

func cloneOrg(o *db.Organization) *db.Organization {
	if o == nil {
		return nil
	}
	c := *o
	if o.Location != nil {
		p := *o.Location
		c.Location = &p
	}
	c.AreaIDs = slices.Clone(o.AreaIDs)
	return &c
}

func cloneInt(i *int) *int {
	if i == nil {
		return nil
	}
	c := *i
	return &c
}

func cloneInitiative(in *db.Initiative) *db.Initiative {
	if in == nil {
		return nil
	}
	c := *in
	c.StartDate, c.EndDate = cloneTime(in.StartDate), cloneTime(in.EndDate)
	c.FocusGroups = slices.Clone(in.FocusGroups)
	c.Themes = slices.Clone(in.Themes)
	c.AreaIDs = slices.Clone(in.AreaIDs)
	c.Locations = slices.Clone(in.Locations)
	c.Partners = slices.Clone(in.Partners)
	c.Reach = db.Reach{Participants: cloneInt(in.Reach.Participants), IntoWork: cloneInt(in.Reach.IntoWork), IntoStudy: cloneInt(in.Reach.IntoStudy)}
	return &c
}

func cloneValue(v db.IndicatorValue) db.IndicatorValue {
	v.Count = cloneInt(v.Count)
	return v
}

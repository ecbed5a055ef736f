package db

import (
	"fmt"
	"math"
)

// Dataset is a whole body of data, loaded in one piece by Store.Load.
type Dataset struct {
	Areas         []*Area
	Organizations []*Organization
	Initiatives   []*Initiative
	Indicators    []*Indicator
	Values        []IndicatorValue
}

// Validate checks every record of the dataset on its own: required fields,
// known enum values, valid geometry, no duplicates within the dataset.
// References between records are the backend's to check, since they may
// point at records loaded earlier. Both backends call it first, so they
// reject the same datasets with the same messages.
func (ds *Dataset) Validate() error {
	if err := noNil("area", ds.Areas); err != nil {
		return err
	}
	if err := noNil("organization", ds.Organizations); err != nil {
		return err
	}
	if err := noNil("initiative", ds.Initiatives); err != nil {
		return err
	}
	if err := noNil("indicator", ds.Indicators); err != nil {
		return err
	}
	areaIDs := make(map[int64]bool, len(ds.Areas))
	codes := make(map[string]bool, len(ds.Areas))
	for i, a := range ds.Areas {
		where := recordAt{"area", i, a.ID}
		if err := where.identity(a.Version, areaIDs); err != nil {
			return err
		}
		if a.ParentID == a.ID {
			return Errorf(EINVALID, "%s: an area cannot be its own parent", where)
		}
		if err := a.check(true); err != nil {
			return Errorf(EINVALID, "%s: %s", where, err.Error())
		}
		if codes[a.Code] {
			return Errorf(ECONFLICT, "%s: code %q appears twice", where, a.Code)
		}
		codes[a.Code] = true
	}
	orgIDs := make(map[int64]bool, len(ds.Organizations))
	for i, o := range ds.Organizations {
		where := recordAt{"organization", i, o.ID}
		if err := where.identity(o.Version, orgIDs); err != nil {
			return err
		}
		if o.Name == "" {
			return Errorf(EINVALID, "%s: name is required", where)
		}
		if err := o.check(); err != nil {
			return Errorf(EINVALID, "%s: %s", where, err.Error())
		}
	}
	initIDs := make(map[int64]bool, len(ds.Initiatives))
	for i, in := range ds.Initiatives {
		where := recordAt{"initiative", i, in.ID}
		if err := where.identity(in.Version, initIDs); err != nil {
			return err
		}
		if err := in.validate(); err != nil {
			return Errorf(EINVALID, "%s: %s", where, err.Error())
		}
	}
	defs := map[string]bool{}
	for i, d := range ds.Indicators {
		if d.Code == "" || d.Name == "" {
			return Errorf(EINVALID, "indicator %d: code and name are required", i)
		}
		if err := d.checkText(); err != nil {
			return Errorf(EINVALID, "indicator %d (%q): %s", i, d.Code, err.Error())
		}
		if !fitsInt32(d.MinCount) {
			return Errorf(EINVALID, "indicator %d (%s): min count must be between 0 and %d", i, d.Code, math.MaxInt32)
		}
		if err := d.checkRollup(); err != nil {
			return Errorf(EINVALID, "indicator %d (%s): %s", i, d.Code, err.Error())
		}
		if d.Version < 0 {
			return Errorf(EINVALID, "indicator %d (%s): version must not be negative", i, d.Code)
		}
		if defs[d.Code] {
			return Errorf(ECONFLICT, "indicator %d: code %q appears twice", i, d.Code)
		}
		defs[d.Code] = true
	}
	type key struct {
		area int64
		code string
		year int
		sex  Sex
	}
	seen := make(map[key]bool, len(ds.Values))
	for i, v := range ds.Values {
		where := valueAt{i, &ds.Values[i]}
		if err := checkValue(v.Sex, v.Value, v.Year, v.Count); err != nil {
			return Errorf(EINVALID, "%s: %s", where, err.Error())
		}
		k := key{v.AreaID, v.IndicatorCode, v.Year, v.Sex}
		if seen[k] {
			return Errorf(EINVALID, "%s: appears twice", where)
		}
		seen[k] = true
	}
	return nil
}

// recordAt names the i-th record of a dataset in an error message. It is
// formatted only when an error is made: Validate runs over every record of
// a national dataset at each start of the embedded server.
type recordAt struct {
	what string
	i    int
	id   int64
}

func (r recordAt) String() string { return fmt.Sprintf("%s %d (id %d)", r.what, r.i, r.id) }

// identity checks what every stored record of a dataset needs the same
// way: a positive id, not seen before among its kind (it is added to
// seen), and a version that is not negative.
func (r recordAt) identity(version int64, seen map[int64]bool) error {
	if r.id <= 0 {
		return Errorf(EINVALID, "%s: id must be positive", r)
	}
	if seen[r.id] {
		return Errorf(ECONFLICT, "%s: id appears twice", r)
	}
	seen[r.id] = true
	if version < 0 {
		return Errorf(EINVALID, "%s: version must not be negative", r)
	}
	return nil
}

// valueAt names the i-th indicator value of a dataset, as recordAt does.
type valueAt struct {
	i int
	v *IndicatorValue
}

func (r valueAt) String() string {
	return fmt.Sprintf("indicator value %d (%s, area %d, %d)", r.i, r.v.IndicatorCode, r.v.AreaID, r.v.Year)
}

func noNil[T any](what string, recs []*T) error {
	for i, r := range recs {
		if r == nil {
			return Errorf(EINVALID, "%s %d of the dataset is missing", what, i)
		}
	}
	return nil
}

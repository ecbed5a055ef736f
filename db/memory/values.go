package memory

import (
	"cmp"
	"strings"

	"github.com/areagraph/areagraph/db"
)

// value is an indicator value as the store keeps it, in its area's list:
// 24 bytes where a db.IndicatorValue takes 64 and its Count 8 more. The
// values are the store's largest set of records after the outlines
// (about 400,000 in the national dataset), and the area is the list's
// key, the code an index into the store's codes, the sex an index into
// db.Sexes and the count a number, absent when negative (a count is
// never below 0, and never above math.MaxInt32). Its fields compare as the
// values do, so == is IndicatorValue.Equal.
type value struct {
	v     float64
	code  uint32 // index into Store.codes
	count int32  // -1: no count
	year  int16  // db.MinYear..db.MaxYear
	sex   uint8  // index into db.Sexes
}

// codes interns the indicator codes values name: each is held once,
// however many values name it. A code stays interned when its indicator
// is deleted, so a value's index never changes.
type codes struct {
	names []string
	index map[string]uint32
}

// intern returns code's index, adding it when it is new.
func (c *codes) intern(code string) uint32 {
	if i, ok := c.index[code]; ok {
		return i
	}
	if c.index == nil {
		c.index = map[string]uint32{}
	}
	i := uint32(len(c.names))
	c.names = append(c.names, code)
	c.index[code] = i
	return i
}

// pack returns v as the store keeps it. v must have passed the checks of
// a value (db.CheckIndicatorValues or Dataset.Validate).
func (s *Store) pack(v db.IndicatorValue) value {
	p := value{v: v.Value, code: s.codes.intern(v.IndicatorCode), count: -1, year: int16(v.Year), sex: sexIndex(v.Sex)}
	if v.Count != nil {
		p.count = int32(*v.Count)
	}
	return p
}

// unpack returns the value p of area as the contract has it, sharing
// nothing with the store.
func (s *Store) unpack(area int64, p value) db.IndicatorValue {
	v := db.IndicatorValue{AreaID: area, IndicatorCode: s.codes.names[p.code], Year: int(p.year),
		Sex: db.Sexes[p.sex], Value: p.v}
	if p.count >= 0 {
		n := int(p.count)
		v.Count = &n
	}
	return v
}

// compareValues orders one area's values as db.CompareValues does.
func (s *Store) compareValues(a, b value) int {
	if a.code != b.code {
		if c := strings.Compare(s.codes.names[a.code], s.codes.names[b.code]); c != 0 {
			return c
		}
	}
	return cmp.Or(cmp.Compare(a.year, b.year), cmp.Compare(a.sex, b.sex))
}

// sameKey says whether p has the key of v, but for the area.
func (s *Store) sameKey(p value, v db.IndicatorValue) bool {
	return int(p.year) == v.Year && db.Sexes[p.sex] == v.Sex && s.codes.names[p.code] == v.IndicatorCode
}

func sexIndex(x db.Sex) uint8 {
	for i, y := range db.Sexes {
		if x == y {
			return uint8(i)
		}
	}
	panic("memory: unknown sex " + string(x))
}

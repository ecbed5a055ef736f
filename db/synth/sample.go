package synth

import (
	"math"
	"math/rand/v2"

	"github.com/areagraph/areagraph/db"
	"github.com/paulmach/orb"
)

// Sampler draws query inputs where a dataset has its data, so that
// benchmarks of different backends can ask the same questions in the same
// order: the same dataset and seed give the same inputs.
type Sampler struct {
	rng    *rand.Rand
	bounds []orb.Bound // of the statistical areas, or of every area
	locs   []orb.Point // initiative locations
	ids    []int64     // every area id
}

// NewSampler prepares to draw inputs for ds.
func NewSampler(ds *db.Dataset, seed uint64) *Sampler {
	s := &Sampler{rng: rand.New(rand.NewPCG(seed, 0x5a3b1e))}
	var all []orb.Bound
	for _, a := range ds.Areas {
		b := a.Geometry.Bound()
		all = append(all, b)
		if a.Kind == db.KindStatisticalArea {
			s.bounds = append(s.bounds, b)
		}
		s.ids = append(s.ids, a.ID)
	}
	if len(s.bounds) == 0 {
		s.bounds = all
	}
	for _, in := range ds.Initiatives {
		s.locs = append(s.locs, in.Locations...)
	}
	return s
}

// Point returns a point in the bounding box of a random statistical area,
// or of any area when there are none; the centre of the extent when the
// dataset has no areas.
func (s *Sampler) Point() orb.Point {
	if len(s.bounds) == 0 {
		return orb.Point{(west + east) / 2, (south + north) / 2}
	}
	b := s.bounds[s.rng.IntN(len(s.bounds))]
	return orb.Point{
		b.Min[0] + s.rng.Float64()*(b.Max[0]-b.Min[0]),
		b.Min[1] + s.rng.Float64()*(b.Max[1]-b.Min[1]),
	}
}

// Box returns a box side degrees high and side degrees wide around Point.
func (s *Sampler) Box(side float64) orb.Bound {
	p := s.Point()
	return orb.Bound{Min: orb.Point{p[0] - side/2, p[1] - side/2}, Max: orb.Point{p[0] + side/2, p[1] + side/2}}
}

// NearLocation returns a point up to about offset metres from a random
// initiative location; Point when no initiative has a location.
func (s *Sampler) NearLocation(offset float64) orb.Point {
	if len(s.locs) == 0 {
		return s.Point()
	}
	p := s.locs[s.rng.IntN(len(s.locs))]
	// Metres to degrees on the sphere, widening longitude by latitude.
	d := offset / 111_195 * s.rng.Float64()
	a := s.rng.Float64() * 2 * math.Pi
	return orb.Point{p[0] + d*math.Cos(a)/math.Cos(p[1]*math.Pi/180), p[1] + d*math.Sin(a)}
}

// AreaIDs returns n area ids drawn at random with replacement; nil when
// the dataset has no areas.
func (s *Sampler) AreaIDs(n int) []int64 {
	if len(s.ids) == 0 {
		return nil
	}
	out := make([]int64, n)
	for i := range out {
		out[i] = s.ids[s.rng.IntN(len(s.ids))]
	}
	return out
}

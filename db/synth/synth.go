// Package synth generates synthetic datasets of national scale, for tests
// that compare backends and for benchmarks that need realistic volumes.
//
// A dataset is a grid of municipalities over Sweden's extent (11–24 E,
// 55.3–69 N). Each municipality is a block of 4 × 5 statistical areas, split
// into four districts; some districts hold a priority area made of one or
// more of their statistical areas. Statistical areas tile their
// municipality exactly: the edge two neighbours share is one jittered line,
// stored with the same vertices in both, and districts, priority areas and
// municipalities are drawn along the very same lines. So the data are full
// of points on shared edges and vertices, where backends are most likely to
// disagree. Some statistical areas have a hole, which the priority area
// containing them keeps. Organisations and initiatives sit strictly inside
// statistical areas and refer to the areas around them; every area has a
// value per indicator and year.
//
// Generate is deterministic: the same Config gives the same dataset on every
// platform. Areas, organisations, initiatives and values are drawn from
// separate streams of the seed, so asking for more initiatives leaves the
// areas and organisations as they were.
//
// The default size (6,000 statistical areas and about 8,000 areas in all,
// with 1.2 million vertices; 20,000 organisations; 100,000 initiatives;
// 400,000 indicator values) takes about 0.7 s on one core and allocates
// about 160 MB; the finished dataset holds about 105 MB
// (BenchmarkGenerate reports both).
package synth

import (
	"math"
	"math/rand/v2"

	"github.com/areagraph/areagraph/db"
)

// Config sizes a dataset. A zero field takes its default; a negative count
// asks for none.
type Config struct {
	// Seed selects the dataset; the same Config always gives the same one.
	Seed uint64
	// StatisticalAreas is the number of statistical areas (default 6000).
	// Municipalities hold 20 each; when the number is not a multiple of 20
	// the last municipality is only partly covered by them.
	StatisticalAreas int
	// Initiatives is the number of initiatives (default 100000).
	Initiatives int
	// Organizations is the number of organisations (default 20000).
	Organizations int
	// Years is the number of years of indicator values, ending in 2024
	// (default 10).
	Years int
	// MinVertices and MaxVertices bound the distinct vertices of a
	// statistical area's outer ring (default 20 and 200; at least 4). The
	// ring is four sides, each shared with a neighbour, with between
	// (MinVertices−4)/4 and (MaxVertices−4)/4 vertices between its
	// corners, rounded inwards; where no whole number lies between, every
	// side gets the lower bound rounded up.
	MinVertices, MaxVertices int
	// HoleEvery gives every HoleEvery-th statistical area a hole (default
	// 10).
	HoleEvery int
}

// Defaults of Config.
const (
	DefaultStatisticalAreas = 6000
	DefaultInitiatives      = 100_000
	DefaultOrganizations    = 20_000
	DefaultYears            = 10
	DefaultMinVertices      = 20
	DefaultMaxVertices      = 200
	DefaultHoleEvery        = 10
)

// LastYear is the last year with indicator values.
const LastYear = 2024

// withDefaults fills in the zero fields and turns negative counts into 0.
func (c Config) withDefaults() Config {
	count := func(v *int, def int) {
		switch {
		case *v == 0:
			*v = def
		case *v < 0:
			*v = 0
		}
	}
	count(&c.StatisticalAreas, DefaultStatisticalAreas)
	count(&c.Initiatives, DefaultInitiatives)
	count(&c.Organizations, DefaultOrganizations)
	count(&c.Years, DefaultYears)
	count(&c.HoleEvery, DefaultHoleEvery)
	if c.MinVertices == 0 {
		c.MinVertices = DefaultMinVertices
	}
	if c.MaxVertices == 0 {
		c.MaxVertices = DefaultMaxVertices
	}
	c.MinVertices = max(c.MinVertices, 4)
	c.MaxVertices = max(c.MaxVertices, c.MinVertices)
	// Years before 1800 would fail validation.
	c.Years = min(c.Years, LastYear-1800+1)
	return c
}

// Streams of the seed, one per part of the dataset.
const (
	streamAreas uint64 = iota + 1
	streamOrganizations
	streamInitiatives
	streamValues
)

func stream(seed, part uint64) *rand.Rand {
	return rand.New(rand.NewPCG(seed, part))
}

// Generate builds the dataset cfg describes. Ids are numbered from 1:
// areas with municipalities first, then districts, priority areas and
// statistical areas; organisations and initiatives in their own series.
func Generate(cfg Config) *db.Dataset {
	cfg = cfg.withDefaults()
	m := buildMap(cfg, stream(cfg.Seed, streamAreas))
	orgs := m.organizations(cfg.Organizations, stream(cfg.Seed, streamOrganizations))
	inits := m.initiatives(cfg.Initiatives, orgs, stream(cfg.Seed, streamInitiatives))
	ds := &db.Dataset{
		Areas:       m.areas,
		Indicators:  indicators(),
		Values:      values(m.areas, cfg.Years, stream(cfg.Seed, streamValues)),
		Initiatives: inits,
	}
	ds.Organizations = make([]*db.Organization, len(orgs))
	for i, o := range orgs {
		ds.Organizations[i] = o.Organization
	}
	return ds
}

// round7 rounds a coordinate to 7 decimals (about 1 cm), as published
// boundaries are, so that the data look like real input.
func round7(v float64) float64 { return math.Round(v*1e7) / 1e7 }

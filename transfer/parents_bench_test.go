package transfer

import (
	"math"
	"testing"

	"github.com/paulmach/orb"

	"github.com/areagraph/areagraph/db"
	"github.com/areagraph/areagraph/geo"
)

// BenchmarkCheckInParent measures the parent check of one DeSO-sized area
// (a square of about 1 km) against a municipality-sized parent of 20,000
// vertices (a disc of 20 km radius round Borås), as a DeSO import makes
// it once per area: one well inside, and one across the border, which
// takes the overlay.
func BenchmarkCheckInParent(b *testing.B) {
	b.Run("inside", func(b *testing.B) { benchmarkCheckInParent(b, 12.93) })
	b.Run("border", func(b *testing.B) { benchmarkCheckInParent(b, 13.27) })
}

func benchmarkCheckInParent(b *testing.B, x float64) {
	const n = 20_000
	ring := make(orb.Ring, 0, n+1)
	for i := range n {
		a := 2 * math.Pi * float64(i) / n
		ring = append(ring, orb.Point{12.94 + 0.34*math.Cos(a), 57.72 + 0.18*math.Sin(a)})
	}
	ring = append(ring, ring[0])
	parent := &parentOutline{name: "Borås", grid: geo.ToSWEREF99TMFromWGS84(orb.Polygon{ring})}
	child := &db.AreaInput{Code: "1490C1001", ParentCode: "1490",
		Geometry: orb.Polygon{{{x, 57.71}, {x + 0.02, 57.71}, {x + 0.02, 57.72}, {x, 57.72}, {x, 57.71}}}}
	force := x > 13
	b.ReportAllocs()
	for b.Loop() {
		if err := checkInParent(child, parent); (err != nil) != force {
			b.Fatal(err)
		}
	}
}

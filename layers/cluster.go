package layers

import (
	"math"

	"github.com/areagraph/areagraph/db"

	"github.com/paulmach/orb"
)

// A tile of points at a low zoom would hold every record of a country:
// 100,000 initiatives made a 1.2 MB tile at zoom 3, cut at MaxLimit with
// nothing to say so on the map. Past clusterAbove matches, a tile's
// points are counted into cells of a grid instead, one point per cell
// with the number of records it stands for, so a tile holds at most
// (tileExtent/clusterCell + 1)² points whatever the data (1,089, some
// 30 KB), and a map can size its circles by count.
const (
	// clusterAbove is the most matches a tile of points shows one by one.
	clusterAbove = 1_000
	// clusterCell is a cell's side in tile units: 8 pixels of a
	// 256-pixel tile.
	clusterCell = 128
	// maxClusterScan caps the records a clustered tile reads; past it
	// the counts are of the first maxClusterScan in id order, and the
	// log says the tile was cut.
	maxClusterScan = 200_000
)

// clusterPoints counts the locations of features into cells of
// clusterCell tile units and returns one point per cell: at the mean of
// the locations it holds, with count, the records it stands for (one with
// several locations counts once in each cell it has one in). A cell of one record keeps
// that record's id, as feature id and as the id property; a cell of more
// is no record and has no id. Cells come in the order of their first
// record, so the tile is the same bytes each time. The records come as
// ids and locations alone (db.Located): typ is their type, for the global
// id of a cell of one.
func clusterPoints(records []db.Located, typ string, bound orb.Bound, proj tileProjection) []tileFeature {
	type cell struct {
		n      int     // records
		k      int     // locations summed
		sx, sy float64 // their sum, in tile units
		first  int64   // the id of the first record counted
		last   int64   // the id of the last record counted, to count each once
	}
	cells := map[[2]int64]*cell{}
	var order [][2]int64
	add := func(id int64, p orb.Point) {
		if !bound.Contains(p) {
			return
		}
		q := proj.point(p)
		key := [2]int64{int64(math.Floor(q[0] / clusterCell)), int64(math.Floor(q[1] / clusterCell))}
		c := cells[key]
		if c == nil {
			c = &cell{first: id, last: -1}
			cells[key] = c
			order = append(order, key)
		}
		if c.last != id {
			c.n++
			c.last = id
		}
		c.k++
		c.sx += q[0]
		c.sy += q[1]
	}
	for _, r := range records {
		for _, p := range r.Points {
			add(r.ID, p)
		}
	}
	out := make([]tileFeature, 0, len(order))
	for _, key := range order {
		c := cells[key]
		at := orb.Point{math.Round(c.sx / float64(c.k)), math.Round(c.sy / float64(c.k))}
		tf := tileFeature{geom: at, props: []prop{{"count", c.n}}}
		if c.n == 1 {
			tf.id = uint64(c.first)
			tf.props = []prop{{"id", db.GlobalID(typ, c.first)}, {"count", 1}}
		}
		out = append(out, tf)
	}
	return out
}

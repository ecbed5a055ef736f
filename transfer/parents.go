package transfer

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"

	"github.com/paulmach/orb"

	"github.com/areagraph/areagraph/db"
	"github.com/areagraph/areagraph/geo"
)

// MinShareInParent is how much of an imported area must lie inside its
// parent, by area: 99 %. Boundaries of a district and of its municipality
// are often digitised apart, from other maps or at other scales, and stray
// across each other by some metres along the shared border; for an area
// of a square kilometre that is a few tenths of a percent. An area with
// more of itself outside is not a digitising matter: it was given the
// wrong parent, or its coordinates are in the wrong place (longitude and
// latitude exchanged, another system) and land elsewhere in Sweden. The
// share is measured planar in SWEREF 99 TM, where areas are true to a few
// parts in ten thousand across Sweden. --force (AreaMapping.Force) lets an
// import through that is meant to break the rule; nothing lets an area
// outside Sweden through (checkInSweden).
const MinShareInParent = 0.99

// maxParentVertices bounds the parent outlines the parent check holds at
// once: 2 million vertices, some 32 MB of coordinates. It is well above
// all of Sweden's municipalities at full detail; a file whose parents
// outgrow it is checked in batches of parents, at one more reading of the
// file per batch. It is at least db.MaxAreaVertices, so one parent always
// fits.
var maxParentVertices = 2_000_000 // a variable only so that a test can make batches small

// AreaFinder finds stored areas by code: where the parent check reads
// the outline of a parent that is not in the file. db.Store is one.
type AreaFinder interface {
	AreaByCode(ctx context.Context, code string) (*db.Area, error)
}

// AreaStore is what an import of areas needs of the store: the bulk
// write, and the reads of the parent check.
type AreaStore interface {
	db.BulkImporter
	AreaFinder
}

// fileArea is what the first pass keeps of each area of the file, for the
// parent check: no geometry, so that it is small whatever the file.
type fileArea struct {
	item     int    // its place in the file, from 1
	parent   string // its parent's code, "" for a root
	vertices int
}

// parentCheck gathers, during the first pass, the file's areas and their
// parents; check then holds every area that has a parent to
// MinShareInParent. The parents' outlines come from the file when the
// file has the parent (it is what will be stored), from the store
// otherwise. Memory: a small record per area of the file, and at most
// maxParentVertices of parent outlines at a time.
type parentCheck struct {
	areas map[string]fileArea
}

func newParentCheck() *parentCheck { return &parentCheck{areas: map[string]fileArea{}} }

// add records the item-th area of the file.
func (c *parentCheck) add(item int, a *db.AreaInput) {
	n := 0
	if a.Geometry != nil {
		n = geo.CountVertices(a.Geometry)
	}
	c.areas[a.Code] = fileArea{item: item, parent: a.ParentCode, vertices: n}
}

// parentOutline is a parent's outline in SWEREF 99 TM, with its name for
// messages.
type parentOutline struct {
	name string
	grid orb.Geometry
}

// check runs the parent check on src, read with read, with parents not in
// the file found in store. An area whose parent is neither is left to the
// store's upsert, which refuses it (db.UnknownParentError).
func (c *parentCheck) check(ctx context.Context, src Source, read reading[db.AreaInput],
	store AreaFinder, prog io.Writer) error {
	var parents []string
	for _, a := range c.areas {
		if a.parent != "" {
			parents = append(parents, a.parent)
		}
	}
	slices.Sort(parents)
	parents = slices.Compact(parents)

	batch := map[string]*parentOutline{} // nil until read from the file
	held := 0
	for _, code := range parents {
		var out *parentOutline
		n := 0
		if f, inFile := c.areas[code]; inFile {
			n = f.vertices
		} else {
			p, err := store.AreaByCode(ctx, code)
			if errors.Is(err, db.ErrNotFound) {
				continue
			}
			if err != nil {
				return fmt.Errorf("%s: reading parent %q for the parent check: %w", src.Name, code, err)
			}
			out = &parentOutline{name: p.Name, grid: geo.ToSWEREF99TMFromWGS84(p.Geometry)}
			n = geo.CountVertices(p.Geometry)
		}
		if held > 0 && held+n > maxParentVertices {
			if err := c.checkBatch(src, read, batch, prog); err != nil {
				return err
			}
			batch, held = map[string]*parentOutline{}, 0
		}
		batch[code], held = out, held+n
	}
	if len(batch) > 0 {
		return c.checkBatch(src, read, batch, prog)
	}
	return nil
}

// checkBatch checks the children of the parents in batch: a reading of
// the file for the outlines of those parents that are in it, and one for
// the children.
func (c *parentCheck) checkBatch(src Source, read reading[db.AreaInput],
	batch map[string]*parentOutline, prog io.Writer) error {
	fromFile := 0
	for _, out := range batch {
		if out == nil {
			fromFile++
		}
	}
	if fromFile > 0 {
		for a, err := range pass(read, newProgress(prog, "reading parents")) {
			if err != nil {
				return err
			}
			if out, ok := batch[a.Code]; ok && out == nil {
				batch[a.Code] = &parentOutline{name: a.Name, grid: geo.ToSWEREF99TMFromWGS84(a.Geometry)}
				if fromFile--; fromFile == 0 {
					break
				}
			}
		}
	}
	for a, err := range pass(read, newProgress(prog, "checking parents")) {
		if err != nil {
			return err
		}
		p, ok := batch[a.ParentCode]
		if !ok || p == nil {
			continue
		}
		if err := checkInParent(a, p); err != nil {
			return fmt.Errorf("%s: feature %d: %w", src.Name, c.areas[a.Code].item, err)
		}
	}
	return nil
}

// checkInParent holds a (in WGS 84) to MinShareInParent of its parent p.
func checkInParent(a *db.AreaInput, p *parentOutline) error {
	share, err := geo.ShareInside(geo.ToSWEREF99TMFromWGS84(a.Geometry), p.grid)
	if err != nil {
		return fmt.Errorf("area %q: cannot measure how much of it lies in its parent %s (%q): %v; use --force to import it unchecked",
			a.Code, p.name, a.ParentCode, err)
	}
	if share >= MinShareInParent || geo.PlanarArea(a.Geometry) == 0 {
		return nil
	}
	outside := (1 - share) * 100
	pct := fmt.Sprintf("%.0f", outside)
	if outside < 10 {
		pct = fmt.Sprintf("%.1f", outside)
	}
	return fmt.Errorf("area %q lies %s %% outside its parent %s (%q), more than the %.0f %% digitising allows; "+
		"check its coordinates and its parent, or use --force if that is intended",
		a.Code, pct, p.name, a.ParentCode, (1-MinShareInParent)*100)
}

// importAreas is twoReadings for areas by by, with the parent check between the
// passes: after the first pass has checked every record on its own, and
// before anything is written. m.Force leaves the parent check out. src
// names the file in messages; read reads it.
func importAreas(ctx context.Context, store AreaStore, by db.Actor, src Source, prog io.Writer,
	read reading[db.AreaInput], force bool) (db.ImportCounts, error) {
	sum, err := fileSum(src)
	if err != nil {
		return db.ImportCounts{}, err
	}
	pc := newParentCheck()
	n := 0
	for a, err := range pass(read, newProgress(prog, "checking")) {
		if err != nil {
			return db.ImportCounts{}, err
		}
		n++
		if !force {
			pc.add(n, a)
		}
	}
	if !force {
		if err := pc.check(ctx, src, read, store, prog); err != nil {
			return db.ImportCounts{}, err
		}
	}
	return secondReading(ctx, src, prog, read, sum, upsertAreas(store, by))
}

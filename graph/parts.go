package graph

import (
	"context"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/areagraph/areagraph/db"
	"github.com/areagraph/areagraph/graph/model"
)

// initiativeParts says, for each field of Initiative, which costly parts
// of the record (db.Parts) it reads. A list of initiatives reads only the
// parts its selection's fields name (initiativeOmit); a field missing
// here reads the whole record, and TestEveryInitiativeFieldNamesItsParts
// fails until it is listed.
var initiativeParts = map[string]db.Parts{
	"__typename":  0,
	"id":          0,
	"version":     0,
	"updatedAt":   0,
	"title":       0,
	"status":      0,
	"goalArea":    0,
	"lead":        0, // the lead's id is no part: it is always read
	"description": db.PartDescription,
	"startDate":   db.PartDates,
	"endDate":     db.PartDates,
	"focusGroups": db.PartFocusGroups,
	"themes":      db.PartThemes,
	"areas":       db.PartAreas,
	"locations":   db.PartLocations,
	"partners":    db.PartPartners,
	"reach":       db.PartReach,
}

// initiativeImplementors are the types a selection on an Initiative
// takes fragments of, as gqlgen's executor has them.
var initiativeImplementors = []string{"Initiative", "Node"}

// initiativeOmit is what the initiative connection resolved in ctx may
// leave out of its records (db.Page.Omit): every part that no field
// selected on its nodes, under edges or nodes, reads. Outside a resolver,
// or with a field it does not know, it omits nothing.
//
// The records a list reads so are partial; they go to the connection
// and to the loaders' sibling groups (ids and references only), never to
// a cache by id.
func initiativeOmit(ctx context.Context) db.Parts {
	if graphql.GetFieldContext(ctx) == nil {
		return 0
	}
	op := graphql.GetOperationContext(ctx)
	var need db.Parts
	known := func(sel ast.SelectionSet) bool {
		for _, f := range graphql.CollectFields(op, sel, initiativeImplementors) {
			p, ok := initiativeParts[f.Name]
			if !ok {
				return false
			}
			need |= p
		}
		return true
	}
	for _, f := range graphql.CollectFieldsCtx(ctx, nil) {
		switch f.Name {
		case "nodes":
			if !known(f.Selections) {
				return 0
			}
		case "edges":
			for _, e := range graphql.CollectFields(op, f.Selections, nil) {
				if e.Name == "node" && !known(e.Selections) {
					return 0
				}
			}
		}
	}
	return db.AllParts &^ need
}

// areaFieldsWithoutOutline are the fields of Area that read nothing of
// its outline. geometry without zoom or simplifyMeters reads the outline's
// text (outline.Texts) by the area's id and version; every other field
// that is not here (centroid, labelPoint, bbox, areaSquareMeters, a
// simplified geometry, fields added later) reads the outline itself.
var areaFieldsWithoutOutline = map[string]bool{
	"__typename": true, "id": true, "version": true, "updatedAt": true, "code": true, "name": true,
	"kind": true, "areaType": true, "description": true, "validFrom": true, "validTo": true, "parent": true,
}

var areaImplementors = []string{"Area", "Node"}

// areaOmit is what the area connection resolved in ctx may leave out of
// its records (db.Page.Omit): the outline, when every field selected on
// its nodes either reads none of it or is geometry as stored, which
// areaGeometry answers from the text cache and, for an area the cache
// does not hold, from the area read again by id (loader.OutlineOmitted).
// decimals are the precisions of those geometry fields. Outside a
// resolver, or with any other field, it omits nothing.
func areaOmit(ctx context.Context) (omit db.Parts, decimals []int) {
	if graphql.GetFieldContext(ctx) == nil {
		return 0, nil
	}
	op := graphql.GetOperationContext(ctx)
	known := func(sel ast.SelectionSet) bool {
		for _, f := range graphql.CollectFields(op, sel, areaImplementors) {
			if areaFieldsWithoutOutline[f.Name] {
				continue
			}
			if f.Name != "geometry" {
				return false
			}
			args := f.ArgumentMap(op.Variables)
			if args["zoom"] != nil || args["simplifyMeters"] != nil {
				return false
			}
			d := model.DefaultPrecision
			if p, ok := args["precision"].(int64); ok {
				d = int(p)
			} else if args["precision"] != nil {
				return false
			}
			decimals = append(decimals, d)
		}
		return true
	}
	for _, f := range graphql.CollectFieldsCtx(ctx, nil) {
		switch f.Name {
		case "nodes":
			if !known(f.Selections) {
				return 0, nil
			}
		case "edges":
			for _, e := range graphql.CollectFields(op, f.Selections, nil) {
				if e.Name == "node" && !known(e.Selections) {
					return 0, nil
				}
			}
		}
	}
	return db.PartGeometry, decimals
}

package graph

import (
	"context"
	"fmt"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/areagraph/areagraph/auth"
	"github.com/areagraph/areagraph/db"
	"github.com/areagraph/areagraph/graph/loader"
	"github.com/areagraph/areagraph/graph/model"
	"github.com/paulmach/orb"
)

// The write side of the resolvers. Each mutation reads its input into a
// domain record (an update into a patch, which the store applies inside its
// write), makes one store write and hands back the record as stored. Checking the record is the
// store's job (db.Check…), so both backends refuse the same input with the
// same words; what is checked here is only what the store cannot see: ids
// of the wrong type, geometry of the wrong kind, nulls where a value is
// required. Those errors name the input field.

// write makes one store write as the caller that @auth let through, and
// then drops what the request's loaders have cached: a later payload in
// the same request must show what the write left, not what was read
// before it.
func write[T any](ctx context.Context, fn func(by db.Actor) (T, error)) (T, error) {
	by, err := caller(ctx)
	if err != nil {
		var zero T
		return zero, err
	}
	v, err := fn(by)
	loader.For(ctx).Reset()
	return v, err
}

// caller is who the request speaks for, for a store call that decides by
// it (a write, the keys a caller manages).
func caller(ctx context.Context) (db.Actor, error) {
	by, ok := auth.ActorFrom(ctx)
	if !ok {
		// @auth lets no anonymous caller through; this is a second lock
		// on the same door, in case a field ever lacks the directive.
		return db.Actor{}, auth.Require(ctx, db.RoleAdmin)
	}
	return by, nil
}

// invalidField is the BAD_USER_INPUT error about one input field.
func invalidField(field string, err error) error {
	return db.FieldErrorf(field, "%s: %s", field, db.ErrorMessage(err))
}

// nullNotAllowed is the error about an explicit null in an update for a
// field the record cannot be without.
func nullNotAllowed(field string) error {
	return db.FieldErrorf(field, "%s cannot be null: leave it out to keep the stored value", field)
}

// parseID parses the global id of a record of type typ.
func parseID(field, typ, gid string) (int64, error) {
	id, err := db.ParseGlobalIDOf(typ, gid)
	if err != nil {
		return 0, invalidField(field, err)
	}
	return id, nil
}

// parseOptionalID parses an optional reference; null is 0, no record.
func parseOptionalID(field, typ string, gid *string) (int64, error) {
	if gid == nil {
		return 0, nil
	}
	return parseID(field, typ, *gid)
}

// parseIDs parses a list of references of one type, naming a bad one by
// its place in the list.
func parseIDs(field, typ string, gids []string) ([]int64, error) {
	var out []int64
	for i, g := range gids {
		id, err := parseID(fmt.Sprintf("%s[%d]", field, i), typ, g)
		if err != nil {
			return nil, err
		}
		out = append(out, id)
	}
	return out, nil
}

// parseOrgID parses the id of an employer or an association: references to
// organisations take either.
func parseOrgID(field, gid string) (int64, error) {
	typ, id, err := db.ParseGlobalID(gid)
	if err != nil {
		return 0, invalidField(field, err)
	}
	if typ != db.TypeEmployer && typ != db.TypeAssociation {
		return 0, db.FieldErrorf(field, "%s: id %q is not an Employer or Association id", field, gid)
	}
	return id, nil
}

func parseOptionalOrgID(field string, gid *string) (int64, error) {
	if gid == nil {
		return 0, nil
	}
	return parseOrgID(field, *gid)
}

func parsePartners(field string, in []*model.PartnerInput) ([]db.Partner, error) {
	var out []db.Partner
	for i, p := range in {
		id, err := parseOrgID(fmt.Sprintf("%s[%d].organization", field, i), p.Organization)
		if err != nil {
			return nil, err
		}
		out = append(out, db.Partner{OrganizationID: id, Role: p.Role})
	}
	return out, nil
}

func parseReach(in *model.ReachInput) db.Reach {
	if in == nil {
		return db.Reach{}
	}
	return db.Reach{Participants: in.Participants, IntoWork: in.IntoWork, IntoStudy: in.IntoStudy}
}

// parseLocation reads an organisation's location: a GeoJSON Point, or
// null for none.
func parseLocation(field string, g orb.Geometry) (*orb.Point, error) {
	switch g := g.(type) {
	case nil:
		return nil, nil
	case orb.Point:
		return &g, nil
	default:
		return nil, db.FieldErrorf(field, "%s: expected a GeoJSON Point, got a %s", field, g.GeoJSONType())
	}
}

// parseLocations reads an initiative's locations: a GeoJSON Point or
// MultiPoint, or null for none.
func parseLocations(field string, g orb.Geometry) ([]orb.Point, error) {
	switch g := g.(type) {
	case nil:
		return nil, nil
	case orb.Point:
		return []orb.Point{g}, nil
	case orb.MultiPoint:
		return []orb.Point(g), nil
	default:
		return nil, db.FieldErrorf(field, "%s: expected a GeoJSON Point or MultiPoint, got a %s", field, g.GeoJSONType())
	}
}

// Patching: an update input's optional field is left out (keep the
// stored value), given (set it) or null (clear it, where the record can be
// without it). The resolvers turn each into a db.Field of the patch that
// the store applies inside its write; they read nothing first. Helpers
// that can fail keep the first error in *errp, so a patch is written as one
// literal, its fields checked in the order they are listed.

// nullable reads a field the record can be without; null sets the zero
// value, which the records read as "none".
func nullable[T any](o graphql.Omittable[*T]) db.Field[T] {
	v, ok := o.ValueOK()
	switch {
	case !ok:
		return db.Field[T]{}
	case v == nil:
		var zero T
		return db.Set(zero)
	}
	return db.Set(*v)
}

// nullablePointer reads a field kept as a pointer, such as a date; null
// clears it.
func nullablePointer[T any](o graphql.Omittable[*T]) db.Field[*T] {
	if v, ok := o.ValueOK(); ok {
		return db.Set(v)
	}
	return db.Field[*T]{}
}

// required reads a field the record cannot be without; null is an error.
func required[T any](errp *error, field string, o graphql.Omittable[*T]) db.Field[T] {
	return parsed(errp, o, func(v *T) (T, error) {
		if v == nil {
			var zero T
			return zero, nullNotAllowed(field)
		}
		return *v, nil
	})
}

// parsed reads a field through parse, null included.
func parsed[T, V any](errp *error, o graphql.Omittable[T], parse func(T) (V, error)) db.Field[V] {
	v, ok := o.ValueOK()
	if !ok || *errp != nil {
		return db.Field[V]{}
	}
	got, err := parse(v)
	if err != nil {
		*errp = err
		return db.Field[V]{}
	}
	return db.Set(got)
}

// version reads the version an update or delete names.
func version(v int) int64 { return int64(v) }

// Areas.

func (r *mutationResolver) createArea(ctx context.Context, in model.CreateAreaInput) (*model.CreateAreaPayload, error) {
	a := &db.Area{Code: in.Code, Name: in.Name, Kind: in.Kind, AreaType: deref(in.AreaType), Geometry: in.Geometry,
		ValidFrom: in.ValidFrom, ValidTo: in.ValidTo, Description: str(in.Description)}
	if err := checkAreaType("areaType", in.AreaType); err != nil {
		return nil, err
	}
	var err error
	if a.ParentID, err = parseOptionalID("parent", db.TypeArea, in.Parent); err != nil {
		return nil, err
	}
	stored, err := write(ctx, func(by db.Actor) (*db.Area, error) { return r.Store.CreateArea(ctx, by, a) })
	if err != nil {
		return nil, err
	}
	loader.For(ctx).Areas([]*db.Area{stored})
	return &model.CreateAreaPayload{ClientMutationID: in.ClientMutationID, Area: stored}, nil
}

func (r *mutationResolver) updateArea(ctx context.Context, in model.UpdateAreaInput) (*model.UpdateAreaPayload, error) {
	id, err := parseID("id", db.TypeArea, in.ID)
	if err != nil {
		return nil, err
	}
	if t, _ := in.AreaType.ValueOK(); t != nil {
		if err := checkAreaType("areaType", t); err != nil {
			return nil, err
		}
	}
	p := db.AreaPatch{
		Code: required(&err, "code", in.Code),
		Name: required(&err, "name", in.Name),
		Kind: required(&err, "kind", in.Kind),
		Geometry: parsed(&err, in.Geometry, func(g orb.Geometry) (orb.Geometry, error) {
			if g == nil {
				return nil, nullNotAllowed("geometry")
			}
			return g, nil
		}),
		ParentID:    parsed(&err, in.Parent, func(gid *string) (int64, error) { return parseOptionalID("parent", db.TypeArea, gid) }),
		AreaType:    nullable(in.AreaType),
		Description: nullable(in.Description),
		ValidFrom:   nullablePointer(in.ValidFrom),
		ValidTo:     nullablePointer(in.ValidTo),
	}
	if err != nil {
		return nil, err
	}
	stored, err := write(ctx, func(by db.Actor) (*db.Area, error) {
		return r.Store.UpdateArea(ctx, by, id, version(in.Version), p)
	})
	if err != nil {
		return nil, err
	}
	loader.For(ctx).Areas([]*db.Area{stored})
	return &model.UpdateAreaPayload{ClientMutationID: in.ClientMutationID, Area: stored}, nil
}

func (r *mutationResolver) deleteArea(ctx context.Context, in model.DeleteAreaInput) (*model.DeleteAreaPayload, error) {
	id, err := parseID("id", db.TypeArea, in.ID)
	if err != nil {
		return nil, err
	}
	if _, err := write(ctx, func(by db.Actor) (struct{}, error) {
		return struct{}{}, r.Store.DeleteArea(ctx, by, id, version(in.Version), flag(in.Detach))
	}); err != nil {
		return nil, err
	}
	return &model.DeleteAreaPayload{ClientMutationID: in.ClientMutationID, DeletedID: db.GlobalID(db.TypeArea, id)}, nil
}

// Organisations.

// orgInput is what the inputs of employers and associations share.
type orgInput struct {
	kind            db.OrgKind
	name            string
	number, website *string
	location        orb.Geometry
	areas           []string
	industry        *string
	size            *db.EmployerSize
	activity        *string
}

func (r *mutationResolver) createOrganization(ctx context.Context, in orgInput) (*db.Organization, error) {
	o := &db.Organization{Kind: in.kind, Name: in.name, OrgNumber: str(in.number), Website: str(in.website),
		Industry: str(in.industry), Activity: str(in.activity)}
	if in.size != nil {
		o.Size = *in.size
	}
	var err error
	if o.Location, err = parseLocation("location", in.location); err != nil {
		return nil, err
	}
	if o.AreaIDs, err = parseIDs("areas", db.TypeArea, in.areas); err != nil {
		return nil, err
	}
	stored, err := write(ctx, func(by db.Actor) (*db.Organization, error) { return r.Store.CreateOrganization(ctx, by, o) })
	if err != nil {
		return nil, err
	}
	loader.For(ctx).Organizations([]*db.Organization{stored})
	return stored, nil
}

// orgKind is the kind of organisation a global id's type names.
func orgKind(typ string) db.OrgKind {
	if typ == db.TypeEmployer {
		return db.OrgEmployer
	}
	return db.OrgAssociation
}

// orgPatch is an update input of an employer or an association; the
// fields of the other kind are left out.
type orgPatch struct {
	id                    string
	version               int
	name, number, website graphql.Omittable[*string]
	location              graphql.Omittable[orb.Geometry]
	areas                 graphql.Omittable[[]string]
	industry, activity    graphql.Omittable[*string]
	size                  graphql.Omittable[*db.EmployerSize]
}

// updateOrganization updates an organisation of the type typ
// (TypeEmployer or TypeAssociation). The store finds it by kind and id:
// an association's number under an Employer id names no employer.
func (r *mutationResolver) updateOrganization(ctx context.Context, typ string, in orgPatch) (*db.Organization, error) {
	id, err := parseID("id", typ, in.id)
	if err != nil {
		return nil, err
	}
	p := db.OrganizationPatch{
		Name:      required(&err, "name", in.name),
		Location:  parsed(&err, in.location, func(g orb.Geometry) (*orb.Point, error) { return parseLocation("location", g) }),
		AreaIDs:   parsed(&err, in.areas, func(gids []string) ([]int64, error) { return parseIDs("areas", db.TypeArea, gids) }),
		OrgNumber: nullable(in.number),
		Website:   nullable(in.website),
		Industry:  nullable(in.industry),
		Size:      nullable(in.size),
		Activity:  nullable(in.activity),
	}
	if err != nil {
		return nil, err
	}
	stored, err := write(ctx, func(by db.Actor) (*db.Organization, error) {
		return r.Store.UpdateOrganization(ctx, by, orgKind(typ), id, version(in.version), p)
	})
	if err != nil {
		return nil, err
	}
	loader.For(ctx).Organizations([]*db.Organization{stored})
	return stored, nil
}

func (r *mutationResolver) deleteOrganization(ctx context.Context, in model.DeleteOrganizationInput) (*model.DeleteOrganizationPayload, error) {
	// The id's type names the kind: deleting "Employer:7" must not delete
	// association 7, which the store does not find under that kind.
	id, err := parseOrgID("id", in.ID)
	if err != nil {
		return nil, err
	}
	typ, _, _ := db.ParseGlobalID(in.ID)
	if _, err := write(ctx, func(by db.Actor) (struct{}, error) {
		return struct{}{}, r.Store.DeleteOrganization(ctx, by, orgKind(typ), id, version(in.Version), flag(in.Detach))
	}); err != nil {
		return nil, err
	}
	return &model.DeleteOrganizationPayload{ClientMutationID: in.ClientMutationID, DeletedID: db.GlobalID(typ, id)}, nil
}

// Initiatives.

func (r *mutationResolver) createInitiative(ctx context.Context, in model.CreateInitiativeInput) (*model.CreateInitiativePayload, error) {
	rec := &db.Initiative{Title: in.Title, Description: str(in.Description), Status: in.Status,
		StartDate: in.StartDate, EndDate: in.EndDate, GoalArea: in.GoalArea, FocusGroups: in.FocusGroups,
		Themes: in.Themes, Reach: parseReach(in.Reach)}
	var err error
	if rec.AreaIDs, err = parseIDs("areas", db.TypeArea, in.Areas); err != nil {
		return nil, err
	}
	if rec.Locations, err = parseLocations("locations", in.Locations); err != nil {
		return nil, err
	}
	if rec.LeadID, err = parseOptionalOrgID("lead", in.Lead); err != nil {
		return nil, err
	}
	if rec.Partners, err = parsePartners("partners", in.Partners); err != nil {
		return nil, err
	}
	stored, err := write(ctx, func(by db.Actor) (*db.Initiative, error) { return r.Store.CreateInitiative(ctx, by, rec) })
	if err != nil {
		return nil, err
	}
	loader.For(ctx).Initiatives([]*db.Initiative{stored})
	return &model.CreateInitiativePayload{ClientMutationID: in.ClientMutationID, Initiative: stored}, nil
}

func (r *mutationResolver) updateInitiative(ctx context.Context, in model.UpdateInitiativeInput) (*model.UpdateInitiativePayload, error) {
	id, err := parseID("id", db.TypeInitiative, in.ID)
	if err != nil {
		return nil, err
	}
	p := db.InitiativePatch{
		Title:    required(&err, "title", in.Title),
		Status:   required(&err, "status", in.Status),
		GoalArea: required(&err, "goalArea", in.GoalArea),
		AreaIDs:  parsed(&err, in.Areas, func(gids []string) ([]int64, error) { return parseIDs("areas", db.TypeArea, gids) }),
		Locations: parsed(&err, in.Locations, func(g orb.Geometry) ([]orb.Point, error) {
			return parseLocations("locations", g)
		}),
		LeadID: parsed(&err, in.Lead, func(gid *string) (int64, error) { return parseOptionalOrgID("lead", gid) }),
		Partners: parsed(&err, in.Partners, func(ps []*model.PartnerInput) ([]db.Partner, error) {
			return parsePartners("partners", ps)
		}),
		Reach:       parsed(&err, in.Reach, func(rc *model.ReachInput) (db.Reach, error) { return parseReach(rc), nil }),
		FocusGroups: parsed(&err, in.FocusGroups, func(fg []db.FocusGroup) ([]db.FocusGroup, error) { return fg, nil }),
		Themes:      parsed(&err, in.Themes, func(th []db.Theme) ([]db.Theme, error) { return th, nil }),
		Description: nullable(in.Description),
		StartDate:   nullablePointer(in.StartDate),
		EndDate:     nullablePointer(in.EndDate),
	}
	if err != nil {
		return nil, err
	}
	stored, err := write(ctx, func(by db.Actor) (*db.Initiative, error) {
		return r.Store.UpdateInitiative(ctx, by, id, version(in.Version), p)
	})
	if err != nil {
		return nil, err
	}
	loader.For(ctx).Initiatives([]*db.Initiative{stored})
	return &model.UpdateInitiativePayload{ClientMutationID: in.ClientMutationID, Initiative: stored}, nil
}

func (r *mutationResolver) deleteInitiative(ctx context.Context, in model.DeleteInitiativeInput) (*model.DeleteInitiativePayload, error) {
	id, err := parseID("id", db.TypeInitiative, in.ID)
	if err != nil {
		return nil, err
	}
	if _, err := write(ctx, func(by db.Actor) (struct{}, error) {
		return struct{}{}, r.Store.DeleteInitiative(ctx, by, id, version(in.Version))
	}); err != nil {
		return nil, err
	}
	return &model.DeleteInitiativePayload{ClientMutationID: in.ClientMutationID, DeletedID: db.GlobalID(db.TypeInitiative, id)}, nil
}

// Indicators.

func (r *mutationResolver) createIndicator(ctx context.Context, in model.CreateIndicatorInput) (*model.CreateIndicatorPayload, error) {
	ind := &db.Indicator{Code: in.Code, Name: in.Name, NameSv: str(in.NameSv), Description: str(in.Description),
		Unit: in.Unit, HigherIsBetter: in.HigherIsBetter, Source: str(in.Source), License: str(in.License),
		Attribution: str(in.Attribution), MinCount: deref(in.MinCount), Rollup: ptrOr(in.Rollup),
		WeightIndicator: str(in.WeightIndicator)}
	stored, err := write(ctx, func(by db.Actor) (*db.Indicator, error) { return r.Store.CreateIndicator(ctx, by, ind) })
	if err != nil {
		return nil, err
	}
	return &model.CreateIndicatorPayload{ClientMutationID: in.ClientMutationID, Indicator: stored}, nil
}

func (r *mutationResolver) updateIndicator(ctx context.Context, in model.UpdateIndicatorInput) (*model.UpdateIndicatorPayload, error) {
	var err error
	p := db.IndicatorPatch{
		Name:            required(&err, "name", in.Name),
		Unit:            required(&err, "unit", in.Unit),
		HigherIsBetter:  required(&err, "higherIsBetter", in.HigherIsBetter),
		NameSv:          nullable(in.NameSv),
		Description:     nullable(in.Description),
		Source:          nullable(in.Source),
		License:         nullable(in.License),
		Attribution:     nullable(in.Attribution),
		MinCount:        nullable(in.MinCount),
		Rollup:          nullable(in.Rollup),
		WeightIndicator: nullable(in.WeightIndicator),
	}
	if err != nil {
		return nil, err
	}
	stored, err := write(ctx, func(by db.Actor) (*db.Indicator, error) {
		return r.Store.UpdateIndicator(ctx, by, in.Code, version(in.Version), p)
	})
	if err != nil {
		return nil, err
	}
	return &model.UpdateIndicatorPayload{ClientMutationID: in.ClientMutationID, Indicator: stored}, nil
}

func (r *mutationResolver) deleteIndicator(ctx context.Context, in model.DeleteIndicatorInput) (*model.DeleteIndicatorPayload, error) {
	if _, err := write(ctx, func(by db.Actor) (struct{}, error) {
		return struct{}{}, r.Store.DeleteIndicator(ctx, by, in.Code, version(in.Version), flag(in.Detach))
	}); err != nil {
		return nil, err
	}
	return &model.DeleteIndicatorPayload{ClientMutationID: in.ClientMutationID, DeletedCode: in.Code}, nil
}

func (r *mutationResolver) upsertIndicatorValues(ctx context.Context, in model.UpsertIndicatorValuesInput) (*model.UpsertIndicatorValuesPayload, error) {
	if len(in.Values) > db.MaxIndicatorValuesPerWrite {
		// Checked before the ids are parsed, so an oversized request
		// costs no more than its decoding.
		return nil, db.Errorf(db.EINVALID, "%d values in one write; at most %d", len(in.Values), db.MaxIndicatorValuesPerWrite)
	}
	vals := make([]db.IndicatorValue, len(in.Values))
	for i, v := range in.Values {
		id, err := db.ParseGlobalIDOf(db.TypeArea, v.Area)
		if err != nil {
			// Numbered from 1, as the store numbers the values it refuses.
			return nil, db.Errorf(db.EINVALID, "value %d: area: %s", i+1, db.ErrorMessage(err))
		}
		vals[i] = db.IndicatorValue{AreaID: id, IndicatorCode: v.Indicator, Year: v.Year, Sex: derefSex(v.Sex),
			Value: v.Value, Count: v.Count}
	}
	n, err := write(ctx, func(by db.Actor) (int, error) { return r.Store.PutIndicatorValues(ctx, by, vals) })
	if err != nil {
		return nil, err
	}
	return &model.UpsertIndicatorValuesPayload{ClientMutationID: in.ClientMutationID, Written: n}, nil
}

// API keys.

func (r *mutationResolver) createAPIKey(ctx context.Context, in model.CreateAPIKeyInput) (*model.CreateAPIKeyPayload, error) {
	if in.ExpiresAt != nil && !in.ExpiresAt.After(time.Now()) {
		return nil, db.FieldErrorf("expiresAt", "expiresAt: %s is not in the future", in.ExpiresAt.UTC().Format(time.RFC3339))
	}
	secret, key, err := auth.NewKey(in.Name, in.Role, in.ExpiresAt)
	if err != nil {
		return nil, err
	}
	key.Orgs = in.Organizations
	stored, err := write(ctx, func(by db.Actor) (*db.APIKey, error) { return r.Store.CreateKey(ctx, by, key) })
	if err != nil {
		return nil, err
	}
	return &model.CreateAPIKeyPayload{ClientMutationID: in.ClientMutationID, APIKey: stored, Secret: secret}, nil
}

func (r *mutationResolver) revokeAPIKey(ctx context.Context, in model.RevokeAPIKeyInput) (*model.RevokeAPIKeyPayload, error) {
	stored, err := write(ctx, func(by db.Actor) (*db.APIKey, error) { return r.Store.RevokeKey(ctx, by, in.ID) })
	if err != nil {
		return nil, err
	}
	return &model.RevokeAPIKeyPayload{ClientMutationID: in.ClientMutationID, APIKey: stored}, nil
}

func (r *mutationResolver) rotateAPIKey(ctx context.Context, in model.RotateAPIKeyInput) (*model.RotateAPIKeyPayload, error) {
	secret, hash, err := auth.NewSecret(in.ID)
	if err != nil {
		return nil, err
	}
	stored, err := write(ctx, func(by db.Actor) (*db.APIKey, error) { return r.Store.RotateKey(ctx, by, in.ID, hash) })
	if err != nil {
		return nil, err
	}
	return &model.RotateAPIKeyPayload{ClientMutationID: in.ClientMutationID, APIKey: stored, Secret: secret}, nil
}

func flag(b *bool) bool { return b != nil && *b }

// ptrOr is *p, or T's zero value for nil.
func ptrOr[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}

package graph_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"testing"

	"github.com/areagraph/areagraph/auth/authtest"
	"github.com/areagraph/areagraph/db"
)

// guarded is one field that needs a role: a mutation or an admin query.
type guarded struct {
	field string
	need  db.Role
	// request makes a fresh target where the field needs one and returns
	// the document and its variables.
	request func(e *writeEnv, mutationID string) (string, map[string]any)
}

// mutating is a guarded mutation whose input input makes.
func mutating(field string, need db.Role, input func(e *writeEnv) map[string]any) guarded {
	return guarded{field, need, func(e *writeEnv, id string) (string, map[string]any) {
		in := input(e)
		in["clientMutationId"] = id
		return mutation(field, "clientMutationId"), map[string]any{"input": in}
	}}
}

// guardedFields are every mutation and every admin query.
var guardedFields = []guarded{
	mutating("createArea", db.RoleAdmin, func(e *writeEnv) map[string]any {
		return map[string]any{"code": unique("M"), "name": "New", "kind": "STATISTICAL_AREA", "geometry": square(12.93, 57.72, 0.001)}
	}),
	mutating("updateArea", db.RoleAdmin, func(e *writeEnv) map[string]any {
		a := e.newArea(0)
		return map[string]any{"id": a.NodeID(), "version": a.Version, "name": "Renamed"}
	}),
	mutating("deleteArea", db.RoleAdmin, func(e *writeEnv) map[string]any {
		a := e.newArea(0)
		return map[string]any{"id": a.NodeID(), "version": a.Version}
	}),
	mutating("createEmployer", db.RoleEditor, func(e *writeEnv) map[string]any {
		return map[string]any{"name": "New employer"}
	}),
	mutating("updateEmployer", db.RoleEditor, func(e *writeEnv) map[string]any {
		o := e.newOrg(db.OrgEmployer)
		return map[string]any{"id": o.NodeID(), "version": o.Version, "name": "Renamed"}
	}),
	mutating("createAssociation", db.RoleEditor, func(e *writeEnv) map[string]any {
		return map[string]any{"name": "New association"}
	}),
	mutating("updateAssociation", db.RoleEditor, func(e *writeEnv) map[string]any {
		o := e.newOrg(db.OrgAssociation)
		return map[string]any{"id": o.NodeID(), "version": o.Version, "name": "Renamed"}
	}),
	mutating("deleteOrganization", db.RoleEditor, func(e *writeEnv) map[string]any {
		o := e.newOrg(db.OrgEmployer)
		return map[string]any{"id": o.NodeID(), "version": o.Version}
	}),
	mutating("createInitiative", db.RoleEditor, func(e *writeEnv) map[string]any {
		return map[string]any{"title": "New", "status": "PLANNED", "goalArea": "GOOD_START_IN_LIFE"}
	}),
	mutating("updateInitiative", db.RoleEditor, func(e *writeEnv) map[string]any {
		in := e.newInitiative(0)
		return map[string]any{"id": in.NodeID(), "version": in.Version, "title": "Renamed"}
	}),
	mutating("deleteInitiative", db.RoleEditor, func(e *writeEnv) map[string]any {
		in := e.newInitiative(0)
		return map[string]any{"id": in.NodeID(), "version": in.Version}
	}),
	mutating("createIndicator", db.RoleAdmin, func(e *writeEnv) map[string]any {
		return map[string]any{"code": unique("new"), "name": "New", "unit": "%", "higherIsBetter": true}
	}),
	mutating("updateIndicator", db.RoleAdmin, func(e *writeEnv) map[string]any {
		ind := e.newIndicator()
		return map[string]any{"code": ind.Code, "version": ind.Version, "name": "Renamed"}
	}),
	mutating("deleteIndicator", db.RoleAdmin, func(e *writeEnv) map[string]any {
		ind := e.newIndicator()
		return map[string]any{"code": ind.Code, "version": ind.Version}
	}),
	mutating("upsertIndicatorValues", db.RoleEditor, func(e *writeEnv) map[string]any {
		ind := e.newIndicator()
		return map[string]any{"values": []map[string]any{{"area": "Area:1", "indicator": ind.Code, "year": 2024, "value": 1.5}}}
	}),
	mutating("createApiKey", db.RoleAdmin, func(e *writeEnv) map[string]any {
		return map[string]any{"name": "New key", "role": "READER"}
	}),
	mutating("revokeApiKey", db.RoleAdmin, func(e *writeEnv) map[string]any {
		_, k := authtest.Key(e.t, e.store, db.RoleReader)
		return map[string]any{"id": k.ID}
	}),
	mutating("rotateApiKey", db.RoleAdmin, func(e *writeEnv) map[string]any {
		_, k := authtest.Key(e.t, e.store, db.RoleReader)
		return map[string]any{"id": k.ID}
	}),
	{"auditLog", db.RoleAdmin, func(*writeEnv, string) (string, map[string]any) {
		return `{ auditLog(first: 1) { totalCount } }`, nil
	}},
	{"apiKeys", db.RoleAdmin, func(*writeEnv, string) (string, map[string]any) {
		return `{ apiKeys { id } }`, nil
	}},
}

// roleOf is the role of each caller that gets through authentication.
var roleOf = map[caller]db.Role{readerKey: db.RoleReader, editorKey: db.RoleEditor, adminKey: db.RoleAdmin,
	editorJWT: db.RoleEditor, adminJWT: db.RoleAdmin}

// expected is what a caller gets from a field that needs the role need:
// the HTTP status and the error code, "" for success.
func expected(c caller, need db.Role) (int, string) {
	switch c {
	case revokedKey, expiredKey, expiredJWT, malformed:
		// A token that is not accepted refuses the whole request.
		return http.StatusUnauthorized, db.EUNAUTHENTICATED
	case anonymous:
		return http.StatusOK, db.EUNAUTHENTICATED
	}
	if roleOf[c].Allows(need) {
		return http.StatusOK, ""
	}
	return http.StatusOK, db.EFORBIDDEN
}

// TestAuthMatrix sends every mutation and admin query with every kind of
// credential, and checks the outcome and that a refused request changed
// nothing.
func TestAuthMatrix(t *testing.T) {
	eachWriteBackend(t, func(t *testing.T, e *writeEnv) {
		for _, f := range guardedFields {
			t.Run(f.field, func(t *testing.T) {
				e := e.with(t)
				for _, c := range callers {
					wantStatus, wantCode := expected(c, f.need)
					id := fmt.Sprintf("%s as %s", f.field, c)
					q, vars := f.request(e, id)
					before := e.auditTotal()
					a := e.as(c).do(q, vars)
					after := e.auditTotal()
					if a.status != wantStatus || a.code() != wantCode {
						t.Errorf("%s: got %d %s, want %d %q", c, a.status, a.raw, wantStatus, wantCode)
						continue
					}
					var data map[string]json.RawMessage
					if a.Data != nil {
						if err := json.Unmarshal(a.Data, &data); err != nil {
							t.Fatalf("%s: %v", c, err)
						}
					}
					switch {
					case wantStatus == http.StatusUnauthorized:
						if a.Data != nil || a.header.Get("WWW-Authenticate") == "" {
							t.Errorf("%s: a refused token must answer no data and a challenge: %v %s", c, a.header, a.raw)
						}
					case wantCode != "":
						if string(data[f.field]) != "null" {
							t.Errorf("%s: %s is %s, want null", c, f.field, data[f.field])
						}
					default:
						if string(data[f.field]) == "null" {
							t.Errorf("%s: %s is null: %s", c, f.field, a.raw)
						}
						if vars != nil {
							var p struct{ ClientMutationID string }
							_ = json.Unmarshal(data[f.field], &p)
							if p.ClientMutationID != id {
								t.Errorf("%s: clientMutationId %q, want %q", c, p.ClientMutationID, id)
							}
						}
					}
					// A mutation that ran adds at least one audit entry; a
					// refused one, or a read, none.
					wrote := wantCode == "" && vars != nil
					if wrote && after == before {
						t.Errorf("%s: %s succeeded without an audit entry", c, f.field)
					}
					if !wrote && after != before {
						t.Errorf("%s: the audit log grew from %d to %d entries", c, before, after)
					}
				}
			})
		}
	})
}

// TestRefusalSaysNothingAboutTheTarget: the role is checked before the
// target is looked up, so only a caller with the role learns that a record
// does not exist.
func TestRefusalSaysNothingAboutTheTarget(t *testing.T) {
	eachWriteBackend(t, func(t *testing.T, e *writeEnv) {
		in := map[string]any{"id": "Area:999999", "version": 1, "name": "Nowhere"}
		for c, want := range map[caller]string{anonymous: db.EUNAUTHENTICATED, readerKey: db.EFORBIDDEN,
			editorKey: db.EFORBIDDEN, editorJWT: db.EFORBIDDEN, adminKey: db.ENOTFOUND, adminJWT: db.ENOTFOUND} {
			if a := e.as(c).mutate("updateArea", in, "clientMutationId"); a.code() != want {
				t.Errorf("%s: %s, want %s", c, a.raw, want)
			}
		}
		// The same for an area that does exist: a caller without the
		// role gets the same answer.
		a := e.areaCode("1490")
		in = map[string]any{"id": a.NodeID(), "version": a.Version, "name": "Renamed"}
		for c, want := range map[caller]string{anonymous: db.EUNAUTHENTICATED, editorKey: db.EFORBIDDEN} {
			if got := e.as(c).mutate("updateArea", in, "clientMutationId"); got.code() != want {
				t.Errorf("%s on an existing area: %s, want %s", c, got.raw, want)
			}
		}
	})
}

package graph_test

import (
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/areagraph/areagraph/auth/authtest"
	"github.com/areagraph/areagraph/db"
)

// The auth matrix's partner dimension: every mutation and admin query, sent
// through the HTTP handler by callers bound to the lead of the target, to
// a partner of it, to an organisation unrelated to it, and by an unscoped
// editor and an admin, on every backend.

// Callers bound to organisations. The lead is an employer, the partner and
// the unrelated organisation associations.
const (
	leadKey      caller = "lead's key"
	partnerKey   caller = "partner's key"
	unrelatedKey caller = "unrelated organisation's key"
	leadJWT      caller = "lead's JWT"
)

// orgClaim is the claim of the test issuer's tokens that binds them to
// organisations (auth.Config.OIDCOrgClaim of every writeEnv).
const orgClaim = "areagraph_orgs"

// partnerEnv holds the organisations of the dimension.
type partnerEnv struct {
	*writeEnv
	lead, partner, unrelated *db.Organization
}

func newPartnerEnv(e *writeEnv) *partnerEnv {
	p := &partnerEnv{writeEnv: e, lead: e.newOrg(db.OrgEmployer), partner: e.newOrg(db.OrgAssociation),
		unrelated: e.newOrg(db.OrgAssociation)}
	e.tokens[leadKey], _ = authtest.ScopedKey(e.t, e.store, p.lead.NodeID())
	e.tokens[partnerKey], _ = authtest.ScopedKey(e.t, e.store, p.partner.NodeID())
	e.tokens[unrelatedKey], _ = authtest.ScopedKey(e.t, e.store, p.unrelated.NodeID())
	claims := e.issuer.Claims("lead-person", time.Hour)
	claims["areagraph_role"] = "ADMIN" // bound to organisations, it edits at most
	claims[orgClaim] = []string{p.lead.NodeID()}
	e.tokens[leadJWT] = e.issuer.Sign(e.t, claims)
	return p
}

// target is an initiative the lead leads with the partner as its venue.
func (p *partnerEnv) target() *db.Initiative {
	p.t.Helper()
	in, err := p.store.CreateInitiative(p.t.Context(), cli, &db.Initiative{Title: unique("Scoped initiative"),
		Status: db.StatusActive, GoalArea: db.GoalConditionsForWork, LeadID: p.lead.ID,
		Partners: []db.Partner{{OrganizationID: p.partner.ID, Role: db.RoleVenue}}})
	if err != nil {
		p.t.Fatal(err)
	}
	return in
}

func (p *partnerEnv) current(o *db.Organization) *db.Organization {
	p.t.Helper()
	got, err := p.store.OrganizationsByID(p.t.Context(), []int64{o.ID})
	if err != nil || got[0] == nil {
		p.t.Fatalf("organisation %d: %v", o.ID, err)
	}
	return got[0]
}

// scopedRow is a guarded field with the callers bound to organisations
// that it lets through (unscoped editors and admins get what TestAuthMatrix
// holds them to).
type scopedRow struct {
	name    string
	field   string
	need    db.Role
	allowed []caller
	input   func(p *partnerEnv) map[string]any
	// says is what a refusal by the rule says, "" when the role refuses.
	says string
}

var scopedRows = []scopedRow{
	{"createArea", "createArea", db.RoleAdmin, nil, func(*partnerEnv) map[string]any {
		return map[string]any{"code": unique("M"), "name": "New", "kind": "STATISTICAL_AREA", "geometry": square(12.93, 57.72, 0.001)}
	}, ""},
	{"updateArea", "updateArea", db.RoleAdmin, nil, func(p *partnerEnv) map[string]any {
		a := p.newArea(0)
		return map[string]any{"id": a.NodeID(), "version": a.Version, "name": "Renamed"}
	}, ""},
	{"deleteArea", "deleteArea", db.RoleAdmin, nil, func(p *partnerEnv) map[string]any {
		a := p.newArea(0)
		return map[string]any{"id": a.NodeID(), "version": a.Version}
	}, ""},
	{"createEmployer", "createEmployer", db.RoleEditor, nil, func(*partnerEnv) map[string]any {
		return map[string]any{"name": "New employer"}
	}, "may not write new organisations"},
	{"createAssociation", "createAssociation", db.RoleEditor, nil, func(*partnerEnv) map[string]any {
		return map[string]any{"name": "New association"}
	}, "may not write new organisations"},
	{"updateEmployer (the lead)", "updateEmployer", db.RoleEditor, []caller{leadKey, leadJWT}, func(p *partnerEnv) map[string]any {
		o := p.current(p.lead)
		return map[string]any{"id": o.NodeID(), "version": o.Version, "name": unique("Renamed")}
	}, "is not among the organisations this caller speaks for"},
	{"updateAssociation (the partner)", "updateAssociation", db.RoleEditor, []caller{partnerKey}, func(p *partnerEnv) map[string]any {
		o := p.current(p.partner)
		return map[string]any{"id": o.NodeID(), "version": o.Version, "name": unique("Renamed")}
	}, "is not among the organisations this caller speaks for"},
	{"deleteOrganization", "deleteOrganization", db.RoleEditor, nil, func(p *partnerEnv) map[string]any {
		o := p.newOrg(db.OrgEmployer)
		return map[string]any{"id": o.NodeID(), "version": o.Version}
	}, "may not write deletions of organisations"},
	{"createInitiative (led by the lead)", "createInitiative", db.RoleEditor, []caller{leadKey, leadJWT}, func(p *partnerEnv) map[string]any {
		return map[string]any{"title": "New", "status": "PLANNED", "goalArea": "GOOD_START_IN_LIFE", "lead": p.lead.NodeID()}
	}, "a new initiative must be led by one of"},
	{"updateInitiative (title)", "updateInitiative", db.RoleEditor, []caller{leadKey, leadJWT}, func(p *partnerEnv) map[string]any {
		in := p.target()
		return map[string]any{"id": in.NodeID(), "version": in.Version, "title": "Renamed"}
	}, "does not lead Initiative:"},
	{"updateInitiative (the partner leaves)", "updateInitiative", db.RoleEditor, []caller{leadKey, leadJWT, partnerKey}, func(p *partnerEnv) map[string]any {
		in := p.target()
		return map[string]any{"id": in.NodeID(), "version": in.Version, "partners": []any{}}
	}, "only its own organisations as partners"},
	{"updateInitiative (the unrelated joins)", "updateInitiative", db.RoleEditor, []caller{leadKey, leadJWT, unrelatedKey}, func(p *partnerEnv) map[string]any {
		in := p.target()
		return map[string]any{"id": in.NodeID(), "version": in.Version, "partners": []any{
			map[string]any{"organization": p.partner.NodeID(), "role": "VENUE"},
			map[string]any{"organization": p.unrelated.NodeID(), "role": "FUNDER"}}}
	}, "only its own organisations as partners"},
	{"deleteInitiative", "deleteInitiative", db.RoleEditor, []caller{leadKey, leadJWT}, func(p *partnerEnv) map[string]any {
		in := p.target()
		return map[string]any{"id": in.NodeID(), "version": in.Version}
	}, "does not lead Initiative:"},
	{"createIndicator", "createIndicator", db.RoleAdmin, nil, func(*partnerEnv) map[string]any {
		return map[string]any{"code": unique("new"), "name": "New", "unit": "%", "higherIsBetter": true}
	}, ""},
	{"upsertIndicatorValues", "upsertIndicatorValues", db.RoleEditor, nil, func(p *partnerEnv) map[string]any {
		ind := p.newIndicator()
		return map[string]any{"values": []map[string]any{{"area": "Area:1", "indicator": ind.Code, "year": 2024, "value": 1.5}}}
	}, "may not write indicator values"},
	{"createApiKey", "createApiKey", db.RoleAdmin, nil, func(*partnerEnv) map[string]any {
		return map[string]any{"name": "New key", "role": "READER"}
	}, ""},
}

// TestPartnerMatrix sends each mutation as callers bound to the lead, the
// partner and an unrelated organisation, an unscoped editor and an admin,
// and checks the outcome, the rule a refusal names, and that a refused
// request changed nothing.
func TestPartnerMatrix(t *testing.T) {
	eachWriteBackend(t, func(t *testing.T, e *writeEnv) {
		p := newPartnerEnv(e)
		for _, r := range scopedRows {
			t.Run(r.name, func(t *testing.T) {
				p := &partnerEnv{writeEnv: e.with(t), lead: p.lead, partner: p.partner, unrelated: p.unrelated}
				for _, c := range []caller{leadKey, leadJWT, partnerKey, unrelatedKey, editorKey, adminKey} {
					want := ""
					switch {
					case c == editorKey || c == adminKey:
						if !roleOf[c].Allows(r.need) {
							want = db.EFORBIDDEN
						}
					case !slices.Contains(r.allowed, c):
						want = db.EFORBIDDEN
					}
					in := r.input(p)
					in["clientMutationId"] = string(c)
					before := p.auditTotal()
					a := p.as(c).mutate(r.field, in, "clientMutationId")
					after := p.auditTotal()
					if a.status != http.StatusOK || a.code() != want {
						t.Errorf("%s: got %d %s, want %q", c, a.status, a.raw, want)
						continue
					}
					if want == "" {
						var data map[string]struct{ ClientMutationID string }
						if err := json.Unmarshal(a.Data, &data); err != nil || data[r.field].ClientMutationID != string(c) {
							t.Errorf("%s: %s", c, a.raw)
						}
						if after == before {
							t.Errorf("%s: succeeded without an audit entry", c)
						}
						continue
					}
					if after != before {
						t.Errorf("%s: the audit log grew from %d to %d entries", c, before, after)
					}
					if c != editorKey && c != adminKey && r.need == db.RoleEditor && r.says != "" &&
						!strings.Contains(a.Errors[0].Message, r.says) {
						t.Errorf("%s: %q does not say %q", c, a.Errors[0].Message, r.says)
					}
				}
			})
		}
	})
}

// TestPartnerRefusalSaysNothingAboutTheTarget: a caller bound to
// organisations is refused a record that does not exist just as one it
// may not change.
func TestPartnerRefusalSaysNothingAboutTheTarget(t *testing.T) {
	eachWriteBackend(t, func(t *testing.T, e *writeEnv) {
		p := newPartnerEnv(e)
		other := p.newInitiative(p.unrelated.ID)
		for _, c := range []caller{leadKey, partnerKey} {
			org := p.lead
			if c == leadKey {
				org = p.partner
			}
			missing := p.as(c).mutate("updateInitiative", map[string]any{"id": "Initiative:999999", "version": 1, "title": "X"}, "clientMutationId")
			exists := p.as(c).mutate("updateInitiative", map[string]any{"id": other.NodeID(), "version": other.Version, "title": "X"}, "clientMutationId")
			stale := p.as(c).mutate("updateInitiative", map[string]any{"id": other.NodeID(), "version": other.Version + 5, "title": "X"}, "clientMutationId")
			for what, a := range map[string]answer{"missing": missing, "existing": exists, "stale": stale} {
				if a.code() != db.EFORBIDDEN || !strings.Contains(a.Errors[0].Message, "does not lead Initiative:") {
					t.Errorf("%s, %s initiative: %s", c, what, a.raw)
				}
			}
			orgMissing := p.as(c).mutate("updateAssociation", map[string]any{"id": "Association:999999", "version": 1, "name": "X"}, "clientMutationId")
			orgOther := p.as(c).mutate("update"+org.Kind.NodeType(), map[string]any{"id": org.NodeID(), "version": org.Version, "name": "X"}, "clientMutationId")
			for what, a := range map[string]answer{"missing": orgMissing, "another's": orgOther} {
				if a.code() != db.EFORBIDDEN || !strings.Contains(a.Errors[0].Message, "is not among the organisations") {
					t.Errorf("%s, %s organisation: %s", c, what, a.raw)
				}
			}
		}
	})
}

// TestCreateScopedApiKey: an admin makes a partner's key through GraphQL;
// the key lists its organisations and acts for them at once.
func TestCreateScopedApiKey(t *testing.T) {
	eachWriteBackend(t, func(t *testing.T, e *writeEnv) {
		p := newPartnerEnv(e)
		var out struct {
			APIKey struct {
				ID            string
				Organizations []string
			}
			Secret string
		}
		e.admin().mutateOK("createApiKey", map[string]any{"name": "Norrby partner portal", "role": "EDITOR",
			"organizations": []string{p.partner.NodeID(), p.lead.NodeID(), p.partner.NodeID()}},
			"apiKey { id organizations } secret", &out)
		want := []string{p.partner.NodeID(), p.lead.NodeID()}
		slices.Sort(want)
		if !slices.Equal(out.APIKey.Organizations, want) {
			t.Errorf("organizations %q, want %q", out.APIKey.Organizations, want)
		}
		var keys struct {
			APIKeys []struct {
				ID            string
				Organizations []string
			} `json:"apiKeys"`
		}
		e.admin().ok(`{ apiKeys { id organizations } }`, nil, &keys)
		for _, k := range keys.APIKeys {
			if k.ID == out.APIKey.ID && !slices.Equal(k.Organizations, want) || k.ID != out.APIKey.ID && k.Organizations == nil {
				t.Errorf("listed %+v", k)
			}
		}
		o := p.current(p.lead)
		c := gql{t: t, url: e.url, token: out.Secret}
		c.mutateOK("updateEmployer", map[string]any{"id": o.NodeID(), "version": o.Version, "name": "Renamed by its partner"}, "clientMutationId", nil)
		// The audit log says on whose behalf the partner wrote.
		var log struct {
			AuditLog struct {
				Edges []struct {
					Node struct {
						Actor         string
						Organizations []string
					}
				}
			}
		}
		e.admin().ok(`query($id: ID!) { auditLog(recordId: $id, first: 1) { edges { node { actor organizations } } } }`,
			map[string]any{"id": o.NodeID()}, &log)
		if n := log.AuditLog.Edges; len(n) != 1 || n[0].Node.Actor != "key:"+out.APIKey.ID || !slices.Equal(n[0].Node.Organizations, want) {
			t.Errorf("audit entry of the partner's write: %+v", n)
		}
		e.admin().ok(`query($id: ID!) { auditLog(recordId: $id, first: 1) { edges { node { actor organizations } } } }`,
			map[string]any{"id": "ApiKey:" + out.APIKey.ID}, &log)
		if n := log.AuditLog.Edges; len(n) != 1 || n[0].Node.Organizations == nil || len(n[0].Node.Organizations) != 0 {
			t.Errorf("audit entry of an unscoped write: %+v", n)
		}
		// The organisation's history holds the write made on its behalf.
		var history struct {
			AuditLog struct {
				TotalCount int
				Nodes      []struct{ RecordID string }
			}
		}
		e.admin().ok(`query($org: ID!) { auditLog(organization: $org, first: 10) { totalCount nodes { recordId } } }`,
			map[string]any{"org": want[0]}, &history)
		if history.AuditLog.TotalCount != 1 || history.AuditLog.Nodes[0].RecordID != o.NodeID() {
			t.Errorf("%s's history: %+v, want the one write on its behalf", want[0], history.AuditLog)
		}
		e.admin().fails(`{ auditLog(organization: "Area:1") { totalCount } }`, nil, db.EINVALID, "not an organisation")
		c.fails(mutation("createEmployer", "clientMutationId"), map[string]any{"input": map[string]any{"name": "X"}}, db.EFORBIDDEN)
		e.admin().fails(mutation("createApiKey", "clientMutationId"), map[string]any{"input": map[string]any{
			"name": "X", "role": "ADMIN", "organizations": []string{p.lead.NodeID()}}}, db.EINVALID, "only an EDITOR key")
	})
}

package graph_test

import (
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/areagraph/areagraph/auth"
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
	{"revokeApiKey (a key of the lead)", "revokeApiKey", db.RoleAdmin, []caller{leadKey, leadJWT}, func(p *partnerEnv) map[string]any {
		_, k := authtest.ScopedKey(p.t, p.store, p.lead.NodeID())
		return map[string]any{"id": k.ID}
	}, "is not among the API keys of"},
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
					if c != editorKey && c != adminKey && r.says != "" &&
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

// TestPartnerKeyMatrix: a partner manages its own organisations' keys
// through the HTTP handler: it lists them (never a secret, never another
// organisation's key), revokes them and rotates its own secret; a caller
// bound to another organisation is refused alike whether the key exists
// or not; an unscoped editor manages none; an admin all; an anonymous
// caller is asked to authenticate.
func TestPartnerKeyMatrix(t *testing.T) {
	const (
		own       caller = "scoped to its own organisation"
		other     caller = "scoped to another organisation"
		editor    caller = "unscoped editor"
		admin     caller = "admin"
		anonymous caller = "anonymous"
	)
	callers := []caller{own, other, editor, admin, anonymous}
	type keyInfo struct {
		ID            string
		Role          string
		ExpiresAt     *string
		RevokedAt     *string
		RotatedAt     *string
		Organizations []string
	}
	const keySel = "id role expiresAt revokedAt rotatedAt organizations"
	eachWriteBackend(t, func(t *testing.T, e *writeEnv) {
		p := newPartnerEnv(e)
		// Each case gets fresh keys: a rotation or revocation must not
		// change the callers of the next.
		fresh := func(t *testing.T) (gql, map[caller]gql, *db.APIKey, string) {
			e := e.with(t)
			expires := time.Now().Add(48 * time.Hour).UTC().Truncate(time.Second)
			secret, k, err := auth.NewKey("Lead's portal", db.RoleEditor, &expires)
			if err != nil {
				t.Fatal(err)
			}
			k.Orgs = []string{p.lead.NodeID()}
			if k, err = e.store.CreateKey(t.Context(), cli, k); err != nil {
				t.Fatal(err)
			}
			otherSecret, _ := authtest.ScopedKey(t, e.store, p.unrelated.NodeID())
			as := map[caller]gql{
				own: {t: t, url: e.url, token: secret}, other: {t: t, url: e.url, token: otherSecret},
				editor: e.as(editorKey), admin: e.as(adminKey), anonymous: e.as("")}
			return e.admin(), as, k, secret
		}

		t.Run("apiKeys", func(t *testing.T) {
			_, as, k, _ := fresh(t)
			var lists = map[caller][]keyInfo{}
			for _, c := range []caller{own, other, admin} {
				var out struct{ APIKeys []keyInfo }
				a := as[c].do(`{ apiKeys { `+keySel+` } }`, nil)
				if a.code() != "" || json.Unmarshal(a.Data, &out) != nil {
					t.Fatalf("%s: %s", c, a.raw)
				}
				if strings.Contains(a.raw, "ag_") {
					t.Errorf("%s: the list shows a secret: %s", c, a.raw)
				}
				lists[c] = out.APIKeys
			}
			ids := func(ks []keyInfo) []string {
				var out []string
				for _, k := range ks {
					out = append(out, k.ID)
				}
				return out
			}
			for _, k := range lists[own] {
				if !slices.Equal(k.Organizations, []string{p.lead.NodeID()}) {
					t.Errorf("%s lists a key of others: %+v", own, k)
				}
			}
			if !slices.Contains(ids(lists[own]), k.ID) || slices.Contains(ids(lists[other]), k.ID) {
				t.Errorf("the lead's key %s: listed to its own %v, to another %v", k.ID, ids(lists[own]), ids(lists[other]))
			}
			for _, k := range lists[other] {
				if !slices.Equal(k.Organizations, []string{p.unrelated.NodeID()}) {
					t.Errorf("%s lists a key of others: %+v", other, k)
				}
			}
			if len(lists[admin]) <= len(lists[own])+len(lists[other]) {
				t.Errorf("an admin lists %d keys, no more than the partners' %d and %d", len(lists[admin]), len(lists[own]), len(lists[other]))
			}
			as[editor].fails(`{ apiKeys { id } }`, nil, db.EFORBIDDEN, "managing API keys needs the ADMIN role")
			as[anonymous].fails(`{ apiKeys { id } }`, nil, db.EUNAUTHENTICATED)
		})

		t.Run("revokeApiKey", func(t *testing.T) {
			for _, c := range callers {
				adminC, as, _, _ := fresh(t)
				// A second key of the lead, which the lead's own key revokes.
				_, colleague := authtest.ScopedKey(t, e.store, p.lead.NodeID())
				before := e.auditTotal()
				a := as[c].mutate("revokeApiKey", map[string]any{"id": colleague.ID}, "apiKey { "+keySel+" }")
				want, says := map[caller]string{other: db.EFORBIDDEN, editor: db.EFORBIDDEN, anonymous: db.EUNAUTHENTICATED}[c],
					map[caller]string{other: "is not among the API keys of " + p.unrelated.NodeID(), editor: "needs the ADMIN role"}[c]
				if a.code() != want || says != "" && !strings.Contains(a.Errors[0].Message, says) {
					t.Errorf("%s: %s, want %q saying %q", c, a.raw, want, says)
					continue
				}
				if want != "" {
					if e.auditTotal() != before {
						t.Errorf("%s: a refused revoke was audited", c)
					}
					continue
				}
				var log struct {
					AuditLog struct {
						Nodes []struct {
							Actor         string
							Organizations []string
						}
					}
				}
				adminC.ok(`query($id: ID!) { auditLog(recordId: $id, first: 1) { nodes { actor organizations } } }`,
					map[string]any{"id": "ApiKey:" + colleague.ID}, &log)
				wantOrgs := map[caller][]string{own: {p.lead.NodeID()}, admin: {}}[c]
				if n := log.AuditLog.Nodes; len(n) != 1 || !slices.Equal(n[0].Organizations, wantOrgs) {
					t.Errorf("%s: audit entry of the revoke %+v, want on behalf of %q", c, n, wantOrgs)
				}
			}
			// To another organisation, a key that does not exist is
			// refused as one that is not its own.
			_, as, _, _ := fresh(t)
			as[other].fails(mutation("revokeApiKey", "clientMutationId"), map[string]any{"input": map[string]any{"id": "knosuchk"}},
				db.EFORBIDDEN, `ApiKey "knosuchk" is not among the API keys of`)
			e.admin().fails(mutation("revokeApiKey", "clientMutationId"), map[string]any{"input": map[string]any{"id": "knosuchk"}},
				db.ENOTFOUND)
		})

		t.Run("rotateApiKey", func(t *testing.T) {
			for _, c := range callers {
				adminC, as, k, oldSecret := fresh(t)
				before := e.auditTotal()
				// Each caller rotates the lead's key: the lead's key itself.
				var out struct {
					APIKey keyInfo
					Secret string
				}
				a := as[c].mutate("rotateApiKey", map[string]any{"id": k.ID, "clientMutationId": "r"}, "apiKey { "+keySel+" } secret")
				want, says := map[caller]string{other: db.EFORBIDDEN, editor: db.EFORBIDDEN, anonymous: db.EUNAUTHENTICATED}[c],
					map[caller]string{other: "is not among the API keys of " + p.unrelated.NodeID(), editor: "needs the ADMIN role"}[c]
				if a.code() != want || says != "" && !strings.Contains(a.Errors[0].Message, says) {
					t.Errorf("%s: %s, want %q saying %q", c, a.raw, want, says)
					continue
				}
				if want != "" {
					if e.auditTotal() != before {
						t.Errorf("%s: a refused rotation was audited", c)
					}
					// The key still works with its secret.
					as[own].ok(`{ apiKeys { id } }`, nil, nil)
					continue
				}
				var data map[string]json.RawMessage
				_ = json.Unmarshal(a.Data, &data)
				if err := json.Unmarshal(data["rotateApiKey"], &out); err != nil {
					t.Fatal(err)
				}
				if !strings.HasPrefix(out.Secret, "ag_"+k.ID+"_") || out.Secret == oldSecret {
					t.Errorf("%s: new secret %q", c, out.Secret)
				}
				// Role, organisations and expiry stay.
				if out.APIKey.Role != "EDITOR" || !slices.Equal(out.APIKey.Organizations, []string{p.lead.NodeID()}) ||
					out.APIKey.ExpiresAt == nil || out.APIKey.RotatedAt == nil || out.APIKey.RevokedAt != nil {
					t.Errorf("%s: rotated key %+v", c, out.APIKey)
				}
				// The old secret stops working at once, the new one works.
				if a := as[own].do(`{ apiKeys { id } }`, nil); a.status != http.StatusUnauthorized {
					t.Errorf("%s: the old secret after the rotation: %d %s", c, a.status, a.raw)
				}
				renewed := gql{t: t, url: e.url, token: out.Secret}
				renewed.ok(`{ apiKeys { id } }`, nil, nil)
				var log struct {
					AuditLog struct {
						Nodes []struct {
							Action        string
							Organizations []string
						}
					}
				}
				adminC.ok(`query($id: ID!) { auditLog(recordId: $id, first: 1) { nodes { action organizations } } }`,
					map[string]any{"id": "ApiKey:" + k.ID}, &log)
				wantOrgs := map[caller][]string{own: {p.lead.NodeID()}, admin: {}}[c]
				if n := log.AuditLog.Nodes; len(n) != 1 || n[0].Action != "UPDATE" || !slices.Equal(n[0].Organizations, wantOrgs) {
					t.Errorf("%s: audit entry of the rotation %+v, want on behalf of %q", c, n, wantOrgs)
				}
			}
			// A partner rotates only the key it calls with, not another
			// key of its organisation; the input has no role or
			// organisations to widen it with.
			_, as, _, _ := fresh(t)
			_, colleague := authtest.ScopedKey(t, e.store, p.lead.NodeID())
			as[own].fails(mutation("rotateApiKey", "clientMutationId"), map[string]any{"input": map[string]any{"id": colleague.ID}},
				db.EFORBIDDEN, "rotates only the secret of the key it calls with")
			as[own].fails(mutation("rotateApiKey", "clientMutationId"), map[string]any{"input": map[string]any{"id": "x", "role": "ADMIN"}},
				db.EINVALID, "unknown field")
			as[own].fails(mutation("rotateApiKey", "clientMutationId"), map[string]any{"input": map[string]any{"id": "knosuchk"}},
				db.EFORBIDDEN, "is not among the API keys of")
		})
	})
}

package graph_test

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/areagraph/areagraph/auth/authtest"
	"github.com/areagraph/areagraph/db"
)

// TestViewer: the caller a bearer token makes is told back as it is, so a
// client can show who is signed in: nobody without a token; an API key by
// its audit name and role; a partner's key or token with its organisations.
func TestViewer(t *testing.T) {
	eachWriteBackend(t, func(t *testing.T, e *writeEnv) {
		p := newPartnerEnv(e)
		type org struct {
			Typename string `json:"__typename"`
			ID, Name string
		}
		type viewer struct {
			Actor         string
			Role          *string
			Organizations []org
		}
		ask := func(c caller) *viewer {
			var out struct{ Viewer *viewer }
			e.as(c).ok(`{ viewer { actor role organizations { __typename id name } } }`, nil, &out)
			return out.Viewer
		}
		if v := ask(anonymous); v != nil {
			t.Errorf("anonymous: %+v, want null", v)
		}
		for c, role := range map[caller]string{readerKey: "READER", editorKey: "EDITOR", adminKey: "ADMIN"} {
			v := ask(c)
			if v == nil || v.Actor != "key:"+e.keys[c].ID || v.Role == nil || *v.Role != role || v.Organizations == nil || len(v.Organizations) != 0 {
				b, _ := json.Marshal(v)
				t.Errorf("%s: %s", c, b)
			}
		}
		for c, o := range map[caller]string{leadKey: p.lead.NodeID(), partnerKey: p.partner.NodeID(), leadJWT: p.lead.NodeID()} {
			v := ask(c)
			ids := []string{}
			for _, x := range v.Organizations {
				ids = append(ids, x.ID)
				if x.Name == "" || !strings.HasPrefix(x.ID, x.Typename+":") {
					t.Errorf("%s: organisation %+v", c, x)
				}
			}
			if v.Role == nil || !slices.Equal(ids, []string{o}) {
				b, _ := json.Marshal(v)
				t.Errorf("%s: %s, want organisations [%s]", c, b, o)
			}
		}
		// An organisation deleted since its key was made is left out: the
		// key still speaks for it, but there is nothing to show.
		gone := e.newOrg(db.OrgAssociation)
		const goneKey caller = "deleted organisation's key"
		e.tokens[goneKey], _ = authtest.ScopedKey(t, e.store, gone.NodeID(), p.partner.NodeID())
		if err := e.store.DeleteOrganization(t.Context(), cli, db.OrgAssociation, gone.ID, gone.Version, true); err != nil {
			t.Fatal(err)
		}
		if v := ask(goneKey); v == nil || len(v.Organizations) != 1 || v.Organizations[0].ID != p.partner.NodeID() {
			t.Errorf("a key of a deleted organisation and another: %+v, want the other alone", v)
		}
		if v := ask(editorJWT); v == nil || v.Actor != "oidc:editor-person" || v.Role == nil || *v.Role != "EDITOR" {
			t.Errorf("editor JWT: %+v", v)
		}
	})
}

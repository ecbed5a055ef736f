package dbtest

import (
	"testing"
	"time"

	"github.com/areagraph/areagraph/db"
)

// Who may manage which API key (db/key.go): an admin every key; a partner
// lists and revokes its own organisations' keys and rotates the key it
// calls with, and is refused the rest alike whether the key exists or
// not; an unscoped editor manages none.

// partnerKeys stores, as an admin, the keys the key scope tests manage:
// kgamma is partner's own key (Association:3), kgamma2 another key of
// Association:3, kboth a key of Association:3 and Employer:1, kemp one of
// Employer:1, kcity an unscoped editor's key.
func partnerKeys(t *testing.T, s db.Store) map[string]*db.APIKey {
	t.Helper()
	loaded(t, s)
	expires := time.Date(2031, 5, 1, 0, 0, 0, 0, time.UTC)
	out := map[string]*db.APIKey{}
	for _, k := range []*db.APIKey{
		{ID: "kgamma", Name: "Gamma IF portal", Role: db.RoleEditor, Orgs: []string{"Association:3"}, ExpiresAt: &expires},
		{ID: "kgamma2", Name: "Gamma IF volunteers", Role: db.RoleEditor, Orgs: []string{"Association:3"}},
		{ID: "kboth", Name: "Joint project", Role: db.RoleEditor, Orgs: []string{"Association:3", "Employer:1"}},
		{ID: "kemp", Name: "Employer portal", Role: db.RoleEditor, Orgs: []string{"Employer:1"}},
		{ID: "kcity", Name: "City planner", Role: db.RoleEditor},
	} {
		k.Hash = KeyHash(k.ID + ".secret")
		out[k.ID] = must[*db.APIKey](t)(s.CreateKey(ctx(t), testActor, k))
		time.Sleep(time.Millisecond) // keys list by creation
	}
	return out
}

func keyIDs(keys []*db.APIKey) []string {
	ids := []string{}
	for _, k := range keys {
		ids = append(ids, k.ID)
	}
	return ids
}

func testWriteKeyScope(t *testing.T, s db.Store) {
	keys := partnerKeys(t, s)
	editor := db.Actor{ID: "oidc:planner-7", Role: db.RoleEditor}
	reader := db.Actor{ID: "key:kreader", Role: db.RoleReader}
	// A token bound to organisations with the ADMIN role is a partner all
	// the same: its organisations narrow its role.
	scopedAdmin := db.Actor{ID: "oidc:gamma-chair", Role: db.RoleAdmin, Orgs: []string{"Association:3"}}
	employer := db.Actor{ID: "key:kemp", Role: db.RoleEditor, Orgs: []string{"Employer:1"}}
	both := db.Actor{ID: "key:kboth", Role: db.RoleEditor, Orgs: []string{"Association:3", "Employer:1"}}

	// Listing: an admin every key, a partner only the keys bound to its
	// organisations alone, an unscoped caller without ADMIN none.
	wantEqual(t, "an admin's keys", keyIDs(must[[]*db.APIKey](t)(s.Keys(ctx(t), testActor))),
		[]string{"kgamma", "kgamma2", "kboth", "kemp", "kcity"})
	wantEqual(t, "partner's keys", must[[]*db.APIKey](t)(s.Keys(ctx(t), partner)),
		[]*db.APIKey{keys["kgamma"], keys["kgamma2"]})
	wantEqual(t, "a scoped admin's keys", keyIDs(must[[]*db.APIKey](t)(s.Keys(ctx(t), scopedAdmin))), []string{"kgamma", "kgamma2"})
	wantEqual(t, "the employer's keys", keyIDs(must[[]*db.APIKey](t)(s.Keys(ctx(t), employer))), []string{"kemp"})
	wantEqual(t, "a partner of two's keys", keyIDs(must[[]*db.APIKey](t)(s.Keys(ctx(t), both))),
		[]string{"kgamma", "kgamma2", "kboth", "kemp"})
	for name, by := range map[string]db.Actor{"an unscoped editor": editor, "a reader": reader} {
		_, err := s.Keys(ctx(t), by)
		wantRefused(t, name+" lists keys", err, db.EFORBIDDEN, "managing API keys needs the ADMIN role")
	}

	// Refusals change nothing and say the same of a key that is not the
	// partner's and of one that does not exist.
	before := stateOf(t, s)
	notOurs := func(id string) string { return `ApiKey "` + id + `" is not among the API keys of Association:3` }
	for _, c := range []struct {
		name  string
		by    db.Actor
		id    string
		code  string
		parts []string
	}{
		{"partner revokes another organisation's key", partner, "kemp", db.EFORBIDDEN, []string{notOurs("kemp")}},
		{"partner revokes a key also bound to another organisation", partner, "kboth", db.EFORBIDDEN, []string{notOurs("kboth")}},
		{"partner revokes an unscoped key", partner, "kcity", db.EFORBIDDEN, []string{notOurs("kcity")}},
		{"partner revokes a missing key", partner, "knone", db.EFORBIDDEN, []string{notOurs("knone")}},
		{"an unscoped editor revokes a key", editor, "kcity", db.EFORBIDDEN, []string{"managing API keys needs the ADMIN role"}},
		{"an unscoped editor revokes a missing key", editor, "knone", db.EFORBIDDEN, []string{"managing API keys needs the ADMIN role"}},
		{"a reader revokes a key", reader, "kcity", db.EFORBIDDEN, []string{"managing API keys needs the ADMIN role"}},
		{"an admin revokes a missing key", testActor, "knone", db.ENOTFOUND, []string{`ApiKey "knone" does not exist`}},
	} {
		_, err := s.RevokeKey(ctx(t), c.by, c.id)
		wantRefused(t, c.name, err, c.code, c.parts...)
	}
	_, err := s.CreateKey(ctx(t), partner, &db.APIKey{ID: "knew", Name: "More", Role: db.RoleEditor,
		Hash: KeyHash("knew"), Orgs: []string{"Association:3"}})
	wantRefused(t, "partner creates a key for its own organisation", err, db.EFORBIDDEN, "may not write new API keys")
	_, err = s.CreateKey(ctx(t), editor, &db.APIKey{ID: "knew", Name: "More", Role: db.RoleEditor, Hash: KeyHash("knew")})
	wantRefused(t, "an unscoped editor creates a key", err, db.EFORBIDDEN, "managing API keys needs the ADMIN role")
	wantNoChange(t, "refused key writes", s, before)

	// A partner revokes another key of its organisation, and its own: the
	// audit entry says on whose behalf.
	mark := lastAuditID(t, s)
	r := must[*db.APIKey](t)(s.RevokeKey(ctx(t), partner, "kgamma2"))
	want := keys["kgamma2"].Clone()
	want.RevokedAt = r.RevokedAt
	wantEqual(t, "revoked by its partner", r, want)
	wantAudit(t, "partner's revoke", auditAfter(t, s, mark), partner, updated(keys["kgamma2"], want))
	history := must[db.List[*db.AuditEntry]](t)(s.AuditLog(ctx(t), db.AuditFilter{Organization: "Association:3"}, everything))
	if len(history.Items) == 0 || history.Items[0].RecordID != "ApiKey:kgamma2" {
		t.Errorf("Association:3's history does not begin with the revoke: %+v", history.Items)
	}
	mark = lastAuditID(t, s)
	own := must[*db.APIKey](t)(s.RevokeKey(ctx(t), scopedAdmin, "kgamma"))
	if own.RevokedAt == nil {
		t.Error("a scoped admin could not revoke its organisation's key")
	}
	wantAudit(t, "a scoped admin's revoke", auditAfter(t, s, mark), scopedAdmin, updated(keys["kgamma"], own))
	// The partner of two revokes a key of both; the admin any key.
	must[*db.APIKey](t)(s.RevokeKey(ctx(t), both, "kboth"))
	must[*db.APIKey](t)(s.RevokeKey(ctx(t), testActor, "kcity"))
	wantEqual(t, "revoked", len(must[[]*db.APIKey](t)(s.Keys(ctx(t), testActor))), 5)
}

func testWriteKeyRotation(t *testing.T, s db.Store) {
	keys := partnerKeys(t, s)
	editor := db.Actor{ID: "key:kcity", Role: db.RoleEditor}
	sibling := db.Actor{ID: "key:kgamma2", Role: db.RoleEditor, Orgs: []string{"Association:3"}}

	before := stateOf(t, s)
	notOurs := func(id string) string { return `ApiKey "` + id + `" is not among the API keys of Association:3` }
	for _, c := range []struct {
		name  string
		by    db.Actor
		id    string
		hash  []byte
		code  string
		parts []string
	}{
		{"partner rotates another key of its organisation", partner, "kgamma2", KeyHash("x"), db.EFORBIDDEN,
			[]string{`rotates only the secret of the key it calls with, not ApiKey "kgamma2"`}},
		{"partner rotates another organisation's key", partner, "kemp", KeyHash("x"), db.EFORBIDDEN, []string{notOurs("kemp")}},
		{"partner rotates a missing key", partner, "knone", KeyHash("x"), db.EFORBIDDEN, []string{notOurs("knone")}},
		{"an unscoped editor rotates its own key", editor, "kcity", KeyHash("x"), db.EFORBIDDEN,
			[]string{"managing API keys needs the ADMIN role"}},
		{"a short hash", partner, "kgamma", KeyHash("x")[:31], db.EINVALID, []string{"32 bytes"}},
		{"a short hash for a key not its own", partner, "kemp", nil, db.EINVALID, []string{"32 bytes"}},
		{"another key's secret", partner, "kgamma", KeyHash("kemp.secret"), db.ECONFLICT, []string{"same secret"}},
		{"its own secret again", partner, "kgamma", KeyHash("kgamma.secret"), db.ECONFLICT, []string{"same secret"}},
		{"an admin rotates a missing key", testActor, "knone", KeyHash("x"), db.ENOTFOUND, []string{`ApiKey "knone" does not exist`}},
	} {
		_, err := s.RotateKey(ctx(t), c.by, c.id, c.hash)
		wantRefused(t, c.name, err, c.code, c.parts...)
	}
	wantNoChange(t, "refused rotations", s, before)

	// The partner rotates its own key: the new secret works at once, the
	// old one finds nothing, and the rest of the key is as it was.
	mark := lastAuditID(t, s)
	start := time.Now()
	got := must[*db.APIKey](t)(s.RotateKey(ctx(t), partner, "kgamma", KeyHash("kgamma.new")))
	wantRecent(t, "rotated at", got.RotatedAt, start, time.Now())
	want := keys["kgamma"].Clone()
	want.Hash, want.RotatedAt = KeyHash("kgamma.new"), got.RotatedAt
	wantEqual(t, "rotated", got, want)
	wantEqual(t, "by the new secret", must[*db.APIKey](t)(s.KeyByHash(ctx(t), KeyHash("kgamma.new"))), want)
	_, err := s.KeyByHash(ctx(t), KeyHash("kgamma.secret"))
	wantRefused(t, "the old secret", err, db.ENOTFOUND)
	wantEqual(t, "listed", must[[]*db.APIKey](t)(s.Keys(ctx(t), partner))[0], want)
	wantAudit(t, "rotate", auditAfter(t, s, mark), partner, updated(keys["kgamma"], want))
	if a := auditAfter(t, s, mark)[0].After; len(a) == 0 || string(a) == string(db.AuditJSON(keys["kgamma"])) {
		t.Errorf("the rotation's audit entry does not show it: %s", a)
	}

	// An admin rotates any key; a revoked key is not rotated.
	emp := must[*db.APIKey](t)(s.RotateKey(ctx(t), testActor, "kemp", KeyHash("kemp.new")))
	if emp.RotatedAt == nil || emp.Role != db.RoleEditor || len(emp.Orgs) != 1 {
		t.Errorf("rotated by an admin: %+v", emp)
	}
	must[*db.APIKey](t)(s.RevokeKey(ctx(t), sibling, "kgamma2"))
	before = stateOf(t, s)
	_, err = s.RotateKey(ctx(t), testActor, "kgamma2", KeyHash("kgamma2.new"))
	wantRefused(t, "a revoked key", err, db.ECONFLICT, "is revoked")
	wantNoChange(t, "a refused rotation", s, before)
}

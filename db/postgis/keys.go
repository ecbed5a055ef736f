package postgis

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/areagraph/areagraph/db"
)

// keyColumns are the columns keyRow reads.
const keyColumns = "id, name, role, hash, created_at, expires_at, revoked_at, rotated_at, organizations"

type keyRow struct {
	k    db.APIKey
	role string
}

func newKeyRow() scanner[*db.APIKey] { return &keyRow{} }

func (r *keyRow) dest() []any {
	return []any{&r.k.ID, &r.k.Name, &r.role, &r.k.Hash, &r.k.CreatedAt, &r.k.ExpiresAt, &r.k.RevokedAt, &r.k.RotatedAt, &r.k.Orgs}
}

func (r *keyRow) record() (*db.APIKey, error) {
	k := r.k
	k.Role = db.Role(r.role)
	k.CreatedAt = k.CreatedAt.UTC()
	k.ExpiresAt = utcTime(k.ExpiresAt)
	k.RevokedAt = utcTime(k.RevokedAt)
	k.RotatedAt = utcTime(k.RotatedAt)
	if len(k.Orgs) == 0 {
		k.Orgs = nil
	}
	return &k, nil
}

func utcTime(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}

// Key writes take the audit log's lock first, not last as other writes
// do: they need the write's time for the key itself, and holding the lock
// throughout makes key writes one at a time, so two of them never wait on
// each other's rows while holding it.

// CreateKey stores a key the caller made; the store sets CreatedAt.
func (s *Store) CreateKey(ctx context.Context, by db.Actor, k *db.APIKey) (*db.APIKey, error) {
	if err := db.CheckKeyManager(by, db.KeyCreate); err != nil {
		return nil, err
	}
	if k != nil {
		k = k.Clone()
		k.Orgs = db.NormalizeOrgs(k.Orgs)
	}
	if err := db.CheckAPIKey(k); err != nil {
		return nil, err
	}
	var out *db.APIKey
	err := s.write(ctx, "create key", func(tx pgx.Tx) error {
		at, err := lockAudit(ctx, tx)
		if err != nil {
			return err
		}
		var idTaken, hashTaken bool
		if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM api_keys WHERE id = $1),
				EXISTS (SELECT 1 FROM api_keys WHERE hash = $2)`, k.ID, k.Hash).Scan(&idTaken, &hashTaken); err != nil {
			return err
		}
		switch {
		case idTaken:
			return db.Errorf(db.ECONFLICT, "key id %q is in use", k.ID)
		case hashTaken:
			// Two keys with one hash would have one secret: KeyByHash
			// could not tell them apart.
			return db.Errorf(db.ECONFLICT, "%s", keyHashTaken)
		}
		if err := scopeReferences(ctx, tx, k.Orgs); err != nil {
			return err
		}
		orgs := k.Orgs
		if orgs == nil {
			orgs = []string{}
		}
		found, err := queryTx(ctx, tx, newKeyRow, `INSERT INTO api_keys (id, name, role, hash, created_at, expires_at,
				organizations)
			VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING `+keyColumns,
			k.ID, k.Name, string(k.Role), k.Hash, at, k.ExpiresAt, orgs)
		if err != nil {
			return err
		}
		out = found[0]
		return insertAudit(ctx, tx, at, by, []change{created(out)})
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// scopeReferences is step 5 for a key's organisations: the first that
// names no organisation of its kind.
func scopeReferences(ctx context.Context, tx pgx.Tx, orgs []string) error {
	if len(orgs) == 0 {
		return nil
	}
	ids := make([]int64, len(orgs))
	for i, g := range orgs {
		_, ids[i], _ = db.ParseGlobalID(g) // checked by CheckAPIKey
	}
	kinds := map[int64]string{}
	rows, err := tx.Query(ctx, `SELECT id, kind FROM organizations WHERE id = ANY($1::bigint[])`, ids)
	if err != nil {
		return err
	}
	for rows.Next() {
		var id int64
		var kind string
		if err := rows.Scan(&id, &kind); err != nil {
			return err
		}
		kinds[id] = db.OrgKind(kind).NodeType()
	}
	if err := rows.Err(); err != nil {
		return err
	}
	for i, g := range orgs {
		if typ, _, _ := db.ParseGlobalID(g); kinds[ids[i]] != typ {
			return db.UnknownReferenceError("organization", ids[i])
		}
	}
	return nil
}

// Keys lists the keys by manages, revoked ones included, by creation then
// id. The rule is db.OwnKeys's, in Go: the keys are few, and one rule in
// one place beats its SQL twin.
func (s *Store) Keys(ctx context.Context, by db.Actor) ([]*db.APIKey, error) {
	if err := db.CheckKeyManager(by, db.KeyList); err != nil {
		return nil, err
	}
	keys, err := queryRecordsOn(ctx, s.authoritative, "keys", newKeyRow, "SELECT "+keyColumns+" FROM api_keys ORDER BY created_at, id", nil)
	if err != nil {
		return nil, err
	}
	keys = db.OwnKeys(by, keys)
	if keys == nil {
		keys = []*db.APIKey{}
	}
	return keys, nil
}

// KeyByHash finds a key by the hash of its secret, through the unique
// index on it: it is on the path of every request that carries a key.
func (s *Store) KeyByHash(ctx context.Context, hash []byte) (*db.APIKey, error) {
	found, err := queryRecordsOn(ctx, s.authoritative, "key by hash", newKeyRow, "SELECT "+keyColumns+" FROM api_keys WHERE hash = $1",
		args{hash})
	if err != nil {
		return nil, err
	}
	if len(found) == 0 {
		return nil, db.Errorf(db.ENOTFOUND, "no key has this secret")
	}
	return found[0], nil
}

// RevokeKey revokes the key with id from now on; a revoked key stays as
// it is.
func (s *Store) RevokeKey(ctx context.Context, by db.Actor, id string) (*db.APIKey, error) {
	if err := db.CheckKeyManager(by, db.KeyRevoke); err != nil {
		return nil, err
	}
	var out *db.APIKey
	err := s.write(ctx, "revoke key", func(tx pgx.Tx) error {
		at, before, err := lockKey(ctx, tx, by, db.KeyRevoke, id)
		if err != nil {
			return err
		}
		if before.RevokedAt != nil {
			out = before
			return nil
		}
		found, err := queryTx(ctx, tx, newKeyRow, "UPDATE api_keys SET revoked_at = $2 WHERE id = $1 RETURNING "+keyColumns,
			id, at)
		if err != nil {
			return err
		}
		out = found[0]
		return insertAudit(ctx, tx, at, by, []change{updated(before, out)})
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// lockKey takes the audit log's lock (the write's time), locks the key
// with id for the write op by by and decides on it as stored
// (db.CheckKeyTarget).
func lockKey(ctx context.Context, tx pgx.Tx, by db.Actor, op db.KeyOp, id string) (time.Time, *db.APIKey, error) {
	at, err := lockAudit(ctx, tx)
	if err != nil {
		return time.Time{}, nil, err
	}
	found, err := queryTx(ctx, tx, newKeyRow, "SELECT "+keyColumns+" FROM api_keys WHERE id = $1 FOR UPDATE", id)
	if err != nil {
		return time.Time{}, nil, err
	}
	var stored *db.APIKey
	if len(found) > 0 {
		stored = found[0]
	}
	if err := db.CheckKeyTarget(by, op, id, stored); err != nil {
		return time.Time{}, nil, err
	}
	return at, stored, nil
}

// RotateKey gives the key with id a new secret, its hash hash; the old
// one finds no key once the transaction commits.
func (s *Store) RotateKey(ctx context.Context, by db.Actor, id string, hash []byte) (*db.APIKey, error) {
	if err := db.CheckKeyManager(by, db.KeyRotate); err != nil {
		return nil, err
	}
	if err := db.CheckKeyHash(hash); err != nil {
		return nil, err
	}
	var out *db.APIKey
	err := s.write(ctx, "rotate key", func(tx pgx.Tx) error {
		at, before, err := lockKey(ctx, tx, by, db.KeyRotate, id)
		if err != nil {
			return err
		}
		if before.RevokedAt != nil {
			return db.RevokedKeyError(id)
		}
		var hashTaken bool
		if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM api_keys WHERE hash = $1)`, hash).Scan(&hashTaken); err != nil {
			return err
		}
		if hashTaken {
			return db.Errorf(db.ECONFLICT, "%s", keyHashTaken)
		}
		found, err := queryTx(ctx, tx, newKeyRow, "UPDATE api_keys SET hash = $2, rotated_at = $3 WHERE id = $1 RETURNING "+keyColumns,
			id, hash, at)
		if err != nil {
			return err
		}
		out = found[0]
		return insertAudit(ctx, tx, at, by, []change{updated(before, out)})
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

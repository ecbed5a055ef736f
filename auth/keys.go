package auth

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base32"
	"encoding/base64"
	"strings"
	"time"

	"github.com/areagraph/areagraph/db"
)

// An API key's secret is "ag_<key id>_<43 characters>": the prefix lets
// secret scanners and people recognise it, the key id names the key in
// logs and in the audit log without revealing it, and the 43 characters
// are 32 random bytes in unpadded base64url.
const (
	secretPrefix = "ag_"
	keyIDLen     = 8  // base32 characters: 40 random bits, unique enough for ids
	secretLen    = 43 // base64url characters of 32 bytes
)

// keyIDEncoding writes key ids in lower case, which reads and types
// better than base32's upper case and never contains "_".
var keyIDEncoding = base32.NewEncoding("abcdefghijklmnopqrstuvwxyz234567").WithPadding(base32.NoPadding)

// NewKey makes a new API key: the secret, to hand to its holder once, and
// the key to store, which keeps only the secret's hash. It does not store
// the key; CreateKey does (and answers CONFLICT in the unlikely case that
// the random key id is taken).
func NewKey(name string, role db.Role, expiresAt *time.Time) (secret string, key *db.APIKey, err error) {
	var idBytes [5]byte
	if _, err := rand.Read(idBytes[:]); err != nil {
		return "", nil, err
	}
	id := keyIDEncoding.EncodeToString(idBytes[:])
	secret, hash, err := NewSecret(id)
	if err != nil {
		return "", nil, err
	}
	key = &db.APIKey{ID: id, Name: name, Role: role, Hash: hash, ExpiresAt: expiresAt}
	return secret, key, nil
}

// NewSecret makes a new secret for the key with id, and the hash a store
// keeps of it: what NewKey hands out, and what a rotation gives a key
// (db.KeyStore.RotateKey), whose id stays.
func NewSecret(id string) (secret string, hash []byte, err error) {
	var secretBytes [32]byte
	if _, err := rand.Read(secretBytes[:]); err != nil {
		return "", nil, err
	}
	secret = secretPrefix + id + "_" + base64.RawURLEncoding.EncodeToString(secretBytes[:])
	return secret, HashSecret(secret), nil
}

// HashSecret is what a store keeps of a secret: its SHA-256. Secrets are
// 256 random bits, so a slow password hash would add nothing but cost on
// every request.
func HashSecret(secret string) []byte {
	h := sha256.Sum256([]byte(secret))
	return h[:]
}

// parseSecret returns the key id of a secret of the right form, so that
// malformed tokens are refused without asking the store.
func parseSecret(secret string) (id string, ok bool) {
	rest, ok := strings.CutPrefix(secret, secretPrefix)
	if !ok {
		return "", false
	}
	id, random, ok := strings.Cut(rest, "_")
	if !ok || len(id) != keyIDLen || len(random) != secretLen {
		return "", false
	}
	if _, err := keyIDEncoding.DecodeString(id); err != nil {
		return "", false
	}
	if _, err := base64.RawURLEncoding.DecodeString(random); err != nil {
		return "", false
	}
	return id, true
}

package db

import (
	"strconv"
	"strings"
)

// Node type names used in global identifiers. They equal the GraphQL type
// names, so a client can read an id and know what it points at.
const (
	TypeArea        = "Area"
	TypeEmployer    = "Employer"
	TypeAssociation = "Association"
	TypeInitiative  = "Initiative"
	TypeIndicator   = "Indicator"
)

// GlobalID is the identifier of a record across all types ("Area:12"). It is
// what the API calls ID; store keys are the integers behind it. Clients must
// treat it as opaque.
func GlobalID(typ string, id int64) string {
	return typ + ":" + strconv.FormatInt(id, 10)
}

// ParseGlobalID splits a global id into its type and key. A malformed id is
// an EINVALID error that names the id. Only the spelling GlobalID gives is
// an id: "Area:01", "Area:+1" and "Area: 1" would each be a second name of
// Area:1, which caches, audit filters and clients comparing ids would take
// for another record, so they are malformed.
func ParseGlobalID(s string) (typ string, id int64, err error) {
	typ, num, ok := strings.Cut(s, ":")
	if ok {
		id, err = strconv.ParseInt(num, 10, 64)
	}
	if !ok || err != nil || id <= 0 || !isTypeName(typ) || GlobalID(typ, id) != s {
		return "", 0, Errorf(EINVALID, "malformed id %q: expected the form Type:number (the number in decimal, without sign or leading zeros), as returned by the API", s)
	}
	return typ, id, nil
}

// isTypeName says whether s can be a GraphQL type name, as every type of
// an id is.
func isTypeName(s string) bool {
	for i, r := range s {
		if !(r == '_' || 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || i > 0 && '0' <= r && r <= '9') {
			return false
		}
	}
	return s != ""
}

// ParseGlobalIDOf parses s and checks that it names a record of type typ.
func ParseGlobalIDOf(typ, s string) (int64, error) {
	t, id, err := ParseGlobalID(s)
	if err != nil {
		return 0, err
	}
	if t != typ {
		return 0, Errorf(EINVALID, "id %q is not a%s %s id", s, article(typ), typ)
	}
	return id, nil
}

// IDKey is how an error message names a record by its integer id, as in
// NotFoundError(TypeArea, IDKey(12)).
func IDKey(id int64) string { return strconv.FormatInt(id, 10) }

func article(word string) string {
	if word != "" && strings.ContainsRune("AEIOU", rune(word[0])) {
		return "n"
	}
	return ""
}

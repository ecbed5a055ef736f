package httpcache

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"hash"
	"slices"
	"strconv"
	"strings"

	"github.com/areagraph/areagraph/auth"
	"github.com/areagraph/areagraph/db"
	"github.com/areagraph/areagraph/internal/buildinfo"
)

// All stands, in a list of record types, for every one of them: the tag
// then moves with any write at all.
const All = "*"

// RecordTypes are the record types of the change feed that the tables of
// what a request reads name (graph's, the layers'). A type the feed
// reports that is not among them is read by every request, so that a new
// kind of record moves every tag until someone says what reads it.
var RecordTypes = db.ChangeTypes

// build names the running build in every tag: a release may answer the
// same data otherwise (a new field, another encoding).
var build = buildinfo.Read().String()

// Tag computes an entity tag: a hash of what an answer depends on, fed
// part by part. The same request over the same data on any instance gets
// the same tag, so a CDN in front of several instances revalidates with
// any of them.
type Tag struct{ h hash.Hash }

// NewTag starts a tag for answers of one kind ("graphql", "layers").
func NewTag(kind string) *Tag {
	t := &Tag{h: sha256.New()}
	return t.Add(build, kind)
}

// Add feeds parts, each length-prefixed so that no two lists of parts
// feed the same bytes.
func (t *Tag) Add(parts ...string) *Tag {
	var n [binary.MaxVarintLen64]byte
	for _, p := range parts {
		t.h.Write(n[:binary.PutUvarint(n[:], uint64(len(p)))])
		t.h.Write([]byte(p))
	}
	return t
}

// Day feeds the day of now: answers about areas are for today when the
// request names no day, and an area's period of use ends at midnight
// without a write.
func (t *Tag) Day(day string) *Tag { return t.Add("day", day) }

// Caller feeds the caller's visibility class: anonymous, or the caller's
// id, role and organisations, which decide what it may read.
func (t *Tag) Caller(ctx context.Context) *Tag {
	a, ok := auth.ActorFrom(ctx)
	if !ok {
		return t.Add("anonymous")
	}
	return t.Add("caller", a.ID, string(a.Role), strings.Join(a.Orgs, ","))
}

// Heads feeds the heads of the record types the answer reads (All for
// every one), and of every type the feed knows that RecordTypes does not.
func (t *Tag) Heads(h *Heads, types []string) *Tag {
	if slices.Contains(types, All) {
		return t.Add(All, strconv.FormatInt(h.last, 10))
	}
	types = sortedUnique(slices.Clone(types))
	for _, typ := range types {
		t.Add(typ, strconv.FormatInt(h.byType[typ], 10))
	}
	var unknown []string
	for typ := range h.byType {
		if !slices.Contains(RecordTypes, typ) && !slices.Contains(types, typ) {
			unknown = append(unknown, typ)
		}
	}
	slices.Sort(unknown)
	for _, typ := range unknown {
		t.Add(typ, strconv.FormatInt(h.byType[typ], 10))
	}
	return t
}

// ETag is the tag as a weak entity tag: it names the data, and the same
// data is sent plain or gzipped, as bytes that differ.
func (t *Tag) ETag() string {
	sum := t.h.Sum(nil)
	return `W/"` + base64.RawURLEncoding.EncodeToString(sum[:16]) + `"`
}

// Matches reports whether an If-None-Match header names etag. The
// comparison is weak (RFC 9110 13.1.2): W/ is ignored; * matches any.
func Matches(ifNoneMatch, etag string) bool {
	if ifNoneMatch == "" {
		return false
	}
	want := strings.TrimPrefix(etag, "W/")
	for t := range strings.SplitSeq(ifNoneMatch, ",") {
		t = strings.TrimSpace(t)
		if t == "*" || strings.TrimPrefix(t, "W/") == want {
			return true
		}
	}
	return false
}

package db

import (
	"encoding/base64"
	"math"
	"strconv"
	"strings"
)

// A cursor is a Key as text, for the front doors that hand places to
// clients: GraphQL's cursors, the map layers' and OGC API's after= and
// before=. Clients hold it as opaque. Inside it is "i:" and the id in a
// list by id (or newest first), "n:", the distance in metres and the id
// in a list nearest first, in unpadded base64url so it needs no escaping
// in a URL. The distance is written with the fewest digits that read back
// to the same float64, so the store compares exactly what it measured.
const (
	idCursor   = "i:"
	nearCursor = "n:"
)

// Cursor returns the key as a cursor.
func (k Key) Cursor() string {
	var b []byte
	if k.Near {
		b = append([]byte(nearCursor), strconv.FormatFloat(k.Dist, 'g', -1, 64)...)
		b = append(b, ':')
	} else {
		b = []byte(idCursor)
	}
	b = strconv.AppendInt(b, k.ID, 10)
	return base64.RawURLEncoding.EncodeToString(b)
}

// ParseCursor returns the key a cursor marks. A cursor is accepted only as
// Key.Cursor spells it: one place, one cursor.
func ParseCursor(c string) (Key, error) {
	if k, ok := parseCursor(c); ok && k.Cursor() == c {
		return k, nil
	}
	return Key{}, Errorf(EINVALID, "malformed cursor %q: pass a cursor exactly as the API returned it", c)
}

func parseCursor(c string) (Key, bool) {
	b, err := base64.RawURLEncoding.DecodeString(c)
	if err != nil {
		return Key{}, false
	}
	s := string(b)
	var k Key
	if rest, ok := strings.CutPrefix(s, nearCursor); ok {
		d, id, ok := strings.Cut(rest, ":")
		if !ok {
			return Key{}, false
		}
		dist, err := strconv.ParseFloat(d, 64)
		if err != nil || math.IsNaN(dist) || math.IsInf(dist, 0) || dist < 0 {
			return Key{}, false
		}
		k.Near, k.Dist, s = true, dist, id
	} else if s, ok = strings.CutPrefix(s, idCursor); !ok {
		return Key{}, false
	}
	id, err := strconv.ParseInt(s, 10, 64)
	if err != nil || id < 0 {
		return Key{}, false
	}
	k.ID = id
	return k, true
}

// Precedes reports whether k comes before o in their list's order: by id,
// or nearest first by (distance, id). Both keys are of the same order.
func (k Key) Precedes(o Key) bool {
	if k.Near && k.Dist != o.Dist {
		return k.Dist < o.Dist
	}
	return k.ID < o.ID
}

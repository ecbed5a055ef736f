package geo

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/paulmach/orb"
)

func join(path, part string) string {
	if path == "" {
		return part
	}
	return path + ", " + part
}

// positionPath names position i of the part path names. Paths like it
// are built only once there is something to report: a dataset file holds
// over a million positions, and a name for each would cost more than
// checking them.
func positionPath(i int, path string) string {
	if path == "" {
		return "position " + strconv.Itoa(i)
	}
	return "position " + strconv.Itoa(i) + " of " + path
}

func ringPath(polyPath string, ring int) string {
	return join(polyPath, "ring "+strconv.Itoa(ring))
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return strconv.Itoa(n) + " " + word + "s"
}

// fmtNum writes a coordinate as it would appear in GeoJSON, never in
// exponent form, so people can search their file for it.
func fmtNum(v float64) string {
	return strconv.FormatFloat(v, 'f', -1, 64)
}

func fmtPoint(p orb.Point) string {
	return "[" + fmtNum(p[0]) + ", " + fmtNum(p[1]) + "]"
}

// fmtNear rounds a computed location to 7 decimals (about 1 cm), enough
// to find the spot on a map without the noise of rounding.
func fmtNear(p orb.Point) string {
	r := func(v float64) string {
		s := strconv.FormatFloat(v, 'f', 7, 64)
		s = strings.TrimRight(s, "0")
		s = strings.TrimSuffix(s, ".")
		if s == "-0" {
			s = "0"
		}
		return s
	}
	return "[" + r(p[0]) + ", " + r(p[1]) + "]"
}

// describe names the JSON kind of a decoded value for error messages.
func describe(v any) string {
	switch v := v.(type) {
	case nil:
		return "null"
	case bool:
		return "a boolean"
	case string:
		if len(v) > 20 {
			v = v[:20] + "…"
		}
		return fmt.Sprintf("the string %q", v)
	case json.Number, float64, float32, int, int32, int64, uint64:
		return "a number"
	case []any:
		return "an array"
	case map[string]any:
		return "an object"
	}
	return fmt.Sprintf("a value of Go type %T", v)
}

// suggest returns the geometry type name closest to a misspelt one, or ""
// if none is close: "polygon" and "Polgon" both mean "Polygon".
func suggest(t string) string {
	best, bestDist := "", 3
	for _, name := range append([]string{"Feature"}, geometryTypes...) {
		if strings.EqualFold(t, name) {
			return name
		}
		if d := editDistance(strings.ToLower(t), strings.ToLower(name)); d < bestDist {
			best, bestDist = name, d
		}
	}
	return best
}

// editDistance is the Levenshtein distance between a and b in bytes;
// inputs longer than any type name are not worth comparing.
func editDistance(a, b string) int {
	if len(a) > 40 {
		return len(a)
	}
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

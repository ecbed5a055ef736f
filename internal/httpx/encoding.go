// Package httpx holds the small HTTP decisions that more than one handler
// must make alike, so that one request gets the same answer on every
// route: which content coding to send, and the external base URL of a
// request that every absolute link starts with (BaseURL).
package httpx

import (
	"net/http"
	"strconv"
	"strings"
)

// AcceptsGzip reports whether a response to a request with header h should
// be gzipped, reading every Accept-Encoding field line as RFC 9110 section
// 12.5.3 says:
//
//   - codings and parameter names compare case-insensitively, with
//     optional whitespace around the separators; x-gzip is gzip (section
//     8.4.1.3);
//   - q=0 refuses a coding; gzip listed more than once is refused if any
//     of its entries refuses it, else it takes the highest q;
//   - "*" stands for every coding not listed by name, identity included;
//   - an entry whose q is not a qvalue (0 to 1, three decimals at most) is
//     ignored, as a malformed element is;
//   - identity not listed, and not covered by "*", is acceptable but the
//     least preferred: "gzip;q=0.5" alone still gets gzip.
//
// Gzip is chosen when it is acceptable and preferred at least as much as
// identity: a tie goes to the smaller body. No header, or an empty one,
// gets no gzip: a client that says nothing gets the plain body, which
// every client can read.
func AcceptsGzip(h http.Header) bool {
	var (
		gzipQ, identityQ, anyQ = -1.0, -1.0, -1.0 // -1: not listed
		gzipRefused            bool
	)
	for _, line := range h.Values("Accept-Encoding") {
		for element := range strings.SplitSeq(line, ",") {
			coding, q, ok := parseElement(element)
			if !ok {
				continue
			}
			switch coding {
			case "gzip", "x-gzip":
				gzipRefused = gzipRefused || q == 0
				gzipQ = max(gzipQ, q)
			case "identity":
				identityQ = max(identityQ, q)
			case "*":
				anyQ = max(anyQ, q)
			}
		}
	}
	if gzipQ < 0 {
		gzipQ = anyQ
	}
	if gzipRefused || gzipQ <= 0 {
		return false
	}
	if identityQ < 0 {
		identityQ = anyQ
	}
	return gzipQ >= identityQ
}

// parseElement reads one element of Accept-Encoding: a coding, lower-cased,
// and its weight, 1 without one. ok is false for an empty element or a
// malformed weight.
func parseElement(element string) (coding string, q float64, ok bool) {
	coding, params, _ := strings.Cut(element, ";")
	coding = strings.ToLower(strings.TrimSpace(coding))
	if coding == "" {
		return "", 0, false
	}
	q = 1
	for p := range strings.SplitSeq(params, ";") {
		name, value, _ := strings.Cut(p, "=")
		if !strings.EqualFold(strings.TrimSpace(name), "q") {
			continue
		}
		if q, ok = qvalue(strings.TrimSpace(value)); !ok {
			return "", 0, false
		}
	}
	return coding, q, true
}

// qvalue parses a weight as RFC 9110 section 12.4.2 writes it: 0 or 1 with
// up to three decimals, never above 1.
func qvalue(s string) (float64, bool) {
	whole, frac, _ := strings.Cut(s, ".")
	if whole != "0" && whole != "1" || len(frac) > 3 {
		return 0, false
	}
	for _, c := range frac {
		if c < '0' || c > '9' {
			return 0, false
		}
	}
	q, err := strconv.ParseFloat(s, 64)
	if err != nil || q > 1 {
		return 0, false
	}
	return q, true
}

package graph_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/areagraph/areagraph/db"
	"github.com/areagraph/areagraph/internal/storetest"
	"github.com/areagraph/areagraph/server"
)

// The GraphQL-over-HTTP draft (https://graphql.github.io/graphql-over-http/draft/),
// rule by rule, through the real server. Each case names the rule it
// checks; "gr+json" is application/graphql-response+json.

const (
	grJSON   = "application/graphql-response+json"
	appJSON  = "application/json"
	typename = `{"query":"{ __typename }"}`
)

type overHTTP struct {
	rule    string
	method  string
	query   url.Values // the URL's query, for GET
	ctype   string     // Content-Type; "-" sends none
	accept  string     // Accept; "" sends none
	body    string
	status  int
	media   string // the response's media type; "" when any
	data    bool   // whether the response must have a data member
	errors  bool   // whether it must have errors
	allow   string // the Allow header expected, if any
	message string // a word the first error must say
}

func TestGraphQLOverHTTP(t *testing.T) {
	get := func(kv ...string) url.Values {
		v := url.Values{}
		for i := 0; i < len(kv); i += 2 {
			v.Set(kv[i], kv[i+1])
		}
		return v
	}
	cases := []overHTTP{
		// Media types and Accept.
		{rule: "SHOULD accept application/graphql-response+json and match the content-type", method: "POST", ctype: appJSON, accept: grJSON, body: typename, status: 200, media: grJSON, data: true},
		{rule: "MUST accept application/json and match the content-type", method: "POST", ctype: appJSON, accept: appJSON, body: typename, status: 200, media: appJSON, data: true},
		{rule: "the recommended Accept gets gr+json", method: "POST", ctype: appJSON, accept: grJSON + "; charset=utf-8, " + appJSON + "; charset=utf-8", body: typename, status: 200, media: grJSON, data: true},
		{rule: "no Accept is treated as Accept: gr+json (after the watershed)", method: "POST", ctype: appJSON, body: typename, status: 200, media: grJSON, data: true},
		{rule: "*/* is served gr+json", method: "POST", ctype: appJSON, accept: "*/*", body: typename, status: 200, media: grJSON, data: true},
		{rule: "application/* is served gr+json", method: "POST", ctype: appJSON, accept: "application/*", body: typename, status: 200, media: grJSON, data: true},
		{rule: "MUST respect Accept: a type named outright beats a wildcard", method: "POST", ctype: appJSON, accept: "application/json, text/plain, */*", body: typename, status: 200, media: appJSON, data: true},
		{rule: "MUST respect Accept: the highest q wins", method: "POST", ctype: appJSON, accept: grJSON + ";q=0.5, " + appJSON, body: typename, status: 200, media: appJSON, data: true},
		{rule: "MUST respect Accept: the highest q wins, either way", method: "POST", ctype: appJSON, accept: appJSON + ";q=0.9, " + grJSON, body: typename, status: 200, media: grJSON, data: true},
		{rule: "MUST respect Accept: q=0 refuses a type", method: "POST", ctype: appJSON, accept: grJSON + ";q=0, */*", body: typename, status: 200, media: appJSON, data: true},
		{rule: "no supported type in Accept: 406 (RECOMMENDED)", method: "POST", ctype: appJSON, accept: "text/html", body: typename, status: 406, errors: true},
		{rule: "a charset other than utf-8 in Accept is not served: 406", method: "POST", ctype: appJSON, accept: appJSON + "; charset=iso-8859-1", body: typename, status: 406, errors: true},

		// Request: methods.
		{rule: "MUST accept POST", method: "POST", ctype: appJSON, body: typename, status: 200, data: true},
		{rule: "MAY accept GET, with the parameters in the URL", method: "GET", query: get("query", "{ __typename }"), accept: grJSON, status: 200, media: grJSON, data: true},
		{rule: "GET: variables are a JSON string", method: "GET", query: get("query", `query($c: String!) { area(code: $c) { name } }`, "variables", `{"c":"1490"}`), accept: appJSON, status: 200, media: appJSON, data: true},
		{rule: "GET: an empty operationName is no operationName", method: "GET", query: get("query", "{ __typename }", "operationName", ""), status: 200, data: true},
		{rule: "GET: variables that are not a JSON object are not well-formed", method: "GET", query: get("query", "{ __typename }", "variables", "[1]"), accept: grJSON, status: 400, errors: true},
		{rule: "GET MUST NOT execute a mutation: 405", method: "GET", query: get("query", "mutation { __typename }"), accept: grJSON, status: 405, allow: "POST", errors: true, message: "POST"},
		{rule: "GET MUST NOT execute a mutation: 405 with application/json too", method: "GET", query: get("query", "mutation { __typename }"), accept: appJSON, status: 405, allow: "POST", errors: true},
		{rule: "GET: the operation operationName picks decides", method: "GET", query: get("query", "query Q { __typename } mutation M { __typename }", "operationName", "M"), status: 405, allow: "POST", errors: true},
		{rule: "other methods: 405 naming the allowed ones", method: "PUT", ctype: appJSON, body: typename, status: 405, allow: "GET, POST", errors: true},

		// Request: POST bodies.
		{rule: "MUST support application/json in UTF-8", method: "POST", ctype: appJSON + "; charset=utf-8", body: typename, status: 200, data: true},
		{rule: "MUST assume utf-8 when no charset is given", method: "POST", ctype: appJSON, body: `{"query":"{ area(code: \"1490\") { name } }"}`, status: 200, data: true},
		{rule: "no Content-Type on a POST: 4xx (SHOULD)", method: "POST", ctype: "-", body: typename, status: 415, errors: true},
		{rule: "a media type not served: 415", method: "POST", ctype: "text/plain", body: typename, status: 415, errors: true},
		{rule: "a form is not served (no CSRF by simple request)", method: "POST", ctype: "application/x-www-form-urlencoded", body: "query=%7B__typename%7D", status: 415, errors: true},
		{rule: "a charset other than utf-8: 415", method: "POST", ctype: appJSON + "; charset=utf-16", body: typename, status: 415, errors: true},
		{rule: "MUST require a body on POST", method: "POST", ctype: appJSON, accept: grJSON, body: "", status: 400, errors: true},
		{rule: "null for optional parameters is as if absent", method: "POST", ctype: appJSON, accept: grJSON, body: `{"query":"{ __typename }","operationName":null,"variables":null,"extensions":null}`, status: 200, media: grJSON, data: true},
		{rule: "a map of variables is allowed", method: "POST", ctype: appJSON, accept: grJSON, body: `{"query":"query($c: String!) { area(code: $c) { name } }","variables":{"c":"1490"}}`, status: 200, data: true},
		{rule: "a map of extensions is allowed", method: "POST", ctype: appJSON, accept: appJSON, body: `{"query":"{ __typename }","extensions":{"some":"value"}}`, status: 200, data: true},
		{rule: "a string operationName is allowed", method: "POST", ctype: appJSON, accept: appJSON, body: `{"query":"query Q { __typename }","operationName":"Q"}`, status: 200, data: true},

		// Not well-formed requests: 400 under either media type.
		{rule: "gr+json: JSON parsing failure is 400", method: "POST", ctype: appJSON, accept: grJSON, body: `{"query":`, status: 400, media: grJSON, errors: true},
		{rule: "application/json: JSON parsing failure is 400 (SHOULD)", method: "POST", ctype: appJSON, accept: appJSON, body: `NONSENSE`, status: 400, media: appJSON, errors: true},
		{rule: "a body that is not an object is not well-formed", method: "POST", ctype: appJSON, accept: grJSON, body: `["{ __typename }"]`, status: 400, errors: true},
		{rule: "gr+json: a missing query is 400", method: "POST", ctype: appJSON, accept: grJSON, body: `{"qeury":"{ __typename }"}`, status: 400, errors: true, message: "no query"},
		{rule: "application/json: a missing query is 400 (SHOULD)", method: "POST", ctype: appJSON, accept: appJSON, body: `{"qeury":"{ __typename }"}`, status: 400, errors: true},
		{rule: "an object query is 400", method: "POST", ctype: appJSON, accept: grJSON, body: `{"query":{"obj":"ect"}}`, status: 400, errors: true},
		{rule: "a number query is 400", method: "POST", ctype: appJSON, accept: grJSON, body: `{"query":0}`, status: 400, errors: true},
		{rule: "a boolean query is 400", method: "POST", ctype: appJSON, accept: grJSON, body: `{"query":false}`, status: 400, errors: true},
		{rule: "an array query is 400", method: "POST", ctype: appJSON, accept: grJSON, body: `{"query":["array"]}`, status: 400, errors: true},
		{rule: "an operationName that is not a string is 400", method: "POST", ctype: appJSON, accept: grJSON, body: `{"query":"{ __typename }","operationName":0}`, status: 400, errors: true},
		{rule: "variables that are a string are 400", method: "POST", ctype: appJSON, accept: grJSON, body: `{"query":"{ __typename }","variables":"string"}`, status: 400, errors: true},
		{rule: "variables that are an array are 400", method: "POST", ctype: appJSON, accept: grJSON, body: `{"query":"{ __typename }","variables":[7]}`, status: 400, errors: true},
		{rule: "extensions that are a number are 400", method: "POST", ctype: appJSON, accept: grJSON, body: `{"query":"{ __typename }","extensions":0}`, status: 400, errors: true},

		// Request errors: no data; 400 with gr+json, 200 with application/json.
		{rule: "gr+json: document parsing failure is 400, without data", method: "POST", ctype: appJSON, accept: grJSON, body: `{"query":"{"}`, status: 400, media: grJSON, errors: true},
		{rule: "application/json: document parsing failure is 200", method: "POST", ctype: appJSON, accept: appJSON, body: `{"query":"{"}`, status: 200, media: appJSON, errors: true},
		{rule: "gr+json: validation failure is 400, without data", method: "POST", ctype: appJSON, accept: grJSON, body: `{"query":"{ nope }"}`, status: 400, errors: true, message: "nope"},
		{rule: "application/json: validation failure is 200, without data", method: "POST", ctype: appJSON, accept: appJSON, body: `{"query":"{ nope }"}`, status: 200, errors: true},
		{rule: "gr+json: an operation that cannot be determined is 400", method: "POST", ctype: appJSON, accept: grJSON, body: `{"query":"query A { __typename } query B { __typename }"}`, status: 400, errors: true},
		{rule: "application/json: an operation that cannot be determined is 200", method: "POST", ctype: appJSON, accept: appJSON, body: `{"query":"query A { __typename }","operationName":"B"}`, status: 200, errors: true},
		{rule: "gr+json: variable coercion failure is 400", method: "POST", ctype: appJSON, accept: grJSON, body: `{"query":"query($n: Int!) { areas(first: $n) { totalCount } }","variables":{"n":"many"}}`, status: 400, errors: true},
		{rule: "application/json: variable coercion failure is 200", method: "POST", ctype: appJSON, accept: appJSON, body: `{"query":"query($n: Int!) { areas(first: $n) { totalCount } }","variables":{}}`, status: 200, errors: true},

		// Field errors during execution: 200 with data, either way.
		{rule: "gr+json: field errors keep 200, with data", method: "POST", ctype: appJSON, accept: grJSON, body: `{"query":"{ area(code: \"nope\") { name } }"}`, status: 200, media: grJSON, data: true, errors: true, message: "nope"},
		{rule: "application/json: field errors keep 200, with data", method: "POST", ctype: appJSON, accept: appJSON, body: `{"query":"{ area(code: \"nope\") { name } }"}`, status: 200, media: appJSON, data: true, errors: true},
	}
	srv := httptest.NewServer(server.New(storetest.Demo(t), server.Config{}))
	defer srv.Close()
	for _, tc := range cases {
		t.Run(tc.rule, func(t *testing.T) {
			checkOverHTTP(t, srv.URL, tc)
		})
	}
}

func checkOverHTTP(t *testing.T, base string, tc overHTTP) {
	t.Helper()
	target := base + "/graphql"
	if tc.query != nil {
		target += "?" + tc.query.Encode()
	}
	req, err := http.NewRequest(tc.method, target, strings.NewReader(tc.body))
	if err != nil {
		t.Fatal(err)
	}
	if tc.method == "GET" {
		req.Body = nil
	}
	if tc.ctype != "" && tc.ctype != "-" {
		req.Header.Set("Content-Type", tc.ctype)
	}
	if tc.accept != "" {
		req.Header.Set("Accept", tc.accept)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	if res.StatusCode != tc.status {
		t.Errorf("status %d, want %d\n%s", res.StatusCode, tc.status, raw)
	}
	ct := res.Header.Get("Content-Type")
	if tc.media != "" && !strings.HasPrefix(ct, tc.media+";") {
		t.Errorf("Content-Type %q, want %s", ct, tc.media)
	}
	// The server says the encoding (SHOULD), and it is UTF-8 (MUST).
	if !strings.Contains(ct, "charset=utf-8") {
		t.Errorf("Content-Type %q does not say charset=utf-8", ct)
	}
	if tc.allow != "" && res.Header.Get("Allow") != tc.allow {
		t.Errorf("Allow %q, want %q", res.Header.Get("Allow"), tc.allow)
	}
	var body map[string]json.RawMessage
	if err := json.Unmarshal(raw, &body); err != nil {
		t.Fatalf("the body is not a JSON object: %v\n%s", err, raw)
	}
	if _, has := body["data"]; has != tc.data {
		t.Errorf("data member present: %v, want %v\n%s", has, tc.data, raw)
	}
	var errs []struct {
		Message    string
		Extensions map[string]any
	}
	_ = json.Unmarshal(body["errors"], &errs)
	if (len(errs) > 0) != tc.errors {
		t.Errorf("errors: %s, want some: %v", body["errors"], tc.errors)
	}
	for _, e := range errs {
		if e.Extensions["code"] == nil {
			t.Errorf("error %q has no code", e.Message)
		}
	}
	if tc.message != "" && (len(errs) == 0 || !strings.Contains(errs[0].Message, tc.message)) {
		t.Errorf("errors %s do not say %q", body["errors"], tc.message)
	}
	// The answer depends on Accept, so shared caches must keep the
	// variants apart.
	if !strings.Contains(strings.Join(res.Header.Values("Vary"), ","), "Accept") {
		t.Errorf("no Vary header, though the answer depends on Accept")
	}
}

// A request error under gr+json is the client's, and its code says so.
func TestRequestErrorCode(t *testing.T) {
	srv := httptest.NewServer(server.New(storetest.Demo(t), server.Config{}))
	defer srv.Close()
	r := postAs(t, srv.URL, grJSON, `{"query":"{ areas { nope } }"}`)
	if r.status != http.StatusBadRequest || r.code() != "GRAPHQL_VALIDATION_FAILED" {
		t.Errorf("validation error: %d %+v", r.status, r.Errors)
	}
	r = postAs(t, srv.URL, grJSON, `{"query":"{ areas { "}`)
	if r.status != http.StatusUnprocessableEntity && r.status != http.StatusBadRequest || r.code() != "GRAPHQL_PARSE_FAILED" {
		t.Errorf("parse error: %d %+v", r.status, r.Errors)
	}
	r = postAs(t, srv.URL, grJSON, `{"query":"fragment F on Area { id } # and a comment"}`)
	if r.status != http.StatusBadRequest || r.code() != "GRAPHQL_VALIDATION_FAILED" || len(r.Errors) != 1 || !strings.Contains(r.Errors[0].Message, "holds no operation") {
		t.Errorf("a document of fragments alone: %d %+v", r.status, r.Errors)
	}
	// A blank query is no query, as an absent one is.
	for _, body := range []string{`{"query":""}`, `{"query":" \n\t "}`} {
		r = postAs(t, srv.URL, grJSON, body)
		if r.status != http.StatusBadRequest || r.code() != db.EINVALID || len(r.Errors) != 1 || !strings.Contains(r.Errors[0].Message, "has no query") {
			t.Errorf("%s: %d %+v", body, r.status, r.Errors)
		}
	}
	r = postAs(t, srv.URL, grJSON, `{"query":"query($f: Int) { areas(first: $f) { totalCount } }","variables":{"f":"ten"}}`)
	if r.status != http.StatusBadRequest && r.status != http.StatusUnprocessableEntity || r.code() != db.EINVALID {
		t.Errorf("variable of the wrong type: %d %+v", r.status, r.Errors)
	}
}

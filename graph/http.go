package graph

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/executor"
	"github.com/99designs/gqlgen/graphql/handler/transport"
	"github.com/areagraph/areagraph/db"
	"github.com/areagraph/areagraph/graph/internal/lists"
	"github.com/areagraph/areagraph/internal/httpcache"
	"github.com/areagraph/areagraph/internal/httpx"
	"github.com/areagraph/areagraph/obs"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
)

// The GraphQL endpoint speaks GraphQL over HTTP as the GraphQL Foundation's
// draft (https://graphql.github.io/graphql-over-http/draft/) says, past its
// watershed of 2025-01-01. gqlgen's executor parses, validates and runs the
// operations; this file is the HTTP around it, because gqlgen's own
// transports differ from the draft in the details clients rely on (status
// codes per media type, a data member on request errors, 406 and 415).

// Response media types, in the server's order of preference.
const (
	mediaGraphQLResponse = "application/graphql-response+json"
	mediaJSON            = "application/json"
)

// graphqlHandler serves POST (any operation) and GET (queries only).
type graphqlHandler struct {
	exec    *executor.Executor
	maxBody int64
	apq     bool
	log     *slog.Logger
	streams StreamConfig
	ws      transport.Websocket
	cache   *httpcache.Cache
	schema  *ast.Schema
	trees   db.TreeReader // nil without tree reads
	plans   treePlans
}

func (h *graphqlHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	// The body's media type, and so the status codes, follow Accept:
	// shared caches must keep the variants apart.
	httpx.AddVary(w.Header(), "Accept")
	// Nothing may keep an answer but a query's that tag says otherwise
	// (tagged): writes, refusals and POSTs are no-store.
	httpcache.NoStore(w.Header())
	defer h.recoverPanic(w, r)
	switch r.Method {
	case http.MethodGet, http.MethodPost:
	case http.MethodOptions:
		w.Header().Set("Allow", "GET, POST, OPTIONS")
		w.WriteHeader(http.StatusNoContent)
		return
	default:
		w.Header().Set("Allow", "GET, POST")
		h.refuse(w, r, mediaJSON, http.StatusMethodNotAllowed, "GraphQL is served over POST, and GET for queries, not %s", r.Method)
		return
	}
	switch {
	case IsWebSocket(r):
		h.serveWebSocket(w, r)
		return
	case IsEventStream(r):
		h.serveEventStream(w, r)
		return
	}
	media, ok := negotiate(r.Header.Values("Accept"))
	if !ok {
		h.refuse(w, r, mediaJSON, http.StatusNotAcceptable,
			"none of the media types in Accept is served here: accept %s or %s", mediaGraphQLResponse, mediaJSON)
		return
	}
	var params *graphql.RawParams
	var bad *badRequest
	if r.Method == http.MethodPost {
		params, bad = h.readPost(w, r)
	} else {
		params, bad = h.readGet(r)
	}
	if bad != nil {
		h.refuse(w, r, media, bad.status, "%s", bad.message)
		return
	}
	h.execute(w, r, media, params)
}

// execute runs a well-formed request. Request errors (parse, validation,
// variables, limits) come back without data: 400 with
// application/graphql-response+json, 200 with application/json, as the
// draft's legacy rules keep old clients working. Once execution starts
// the answer is 200, field errors or not.
func (h *graphqlHandler) execute(w http.ResponseWriter, r *http.Request, media string, params *graphql.RawParams) {
	ctx := graphql.StartOperationTrace(r.Context())
	ctx = context.WithValue(ctx, parsedKey{}, new(parsedQuery))
	if r.Method == http.MethodGet {
		ctx = context.WithValue(ctx, viaGETKey{}, true)
	}
	op, errs := h.exec.CreateOperationContext(ctx, params)
	if errs != nil {
		status := http.StatusOK
		if media == mediaGraphQLResponse {
			status = http.StatusBadRequest
		}
		for _, e := range errs {
			if errors.As(e, new(methodNotAllowed)) {
				w.Header().Set("Allow", "POST")
				status = http.StatusMethodNotAllowed
			}
		}
		h.write(w, r, media, status, operationName(op), h.exec.DispatchError(graphql.WithOperationContext(ctx, op), errs), "")
		return
	}
	keep, done := h.tagged(w, r, media, params, op)
	if done {
		return
	}
	// A tree (tree.go) is answered by the store in one read, and written
	// and kept as any answer.
	answered, failed := h.answerTree(ctx, op, func(data []byte) {
		h.write(w, r, media, http.StatusOK, operationName(op), &graphql.Response{Data: data}, keep)
	})
	if answered {
		return
	}
	if failed != nil {
		ctx = context.WithValue(ctx, treeFailedKey{}, failed)
	}
	// The answer is marshalled into a buffer lent from a pool, and given
	// back once written: write copies it into the body it keeps or writes
	// it out, and nothing else reads it.
	bufs := new(lists.Buffers)
	ctx = lists.WithBuffers(ctx, bufs)
	responses, ctx := h.exec.DispatchOperation(ctx, op)
	resp := responses(ctx)
	if resp == nil {
		// The executor gives nothing when the request's context ended
		// before it began; say why, as a field error would.
		cause := ctx.Err()
		if cause == nil {
			cause = errors.New("the executor returned no response")
		}
		resp = h.exec.DispatchError(ctx, gqlerror.List{{Message: cause.Error(), Err: cause}})
	}
	status := http.StatusOK
	if len(resp.Data) == 0 && media == mediaGraphQLResponse {
		status = statusWithoutData(resp.Errors)
	}
	h.write(w, r, media, status, operationName(op), resp, keep)
	bufs.Release()
}

// cacheRoute labels GraphQL's hits, misses and 304s in the metrics.
const cacheRoute = "/graphql"

// tagged tags the answer of a query with the data it reads: the query's
// text (a persisted query's, once looked up), its operation and
// variables, the media type, the caller and the day, and the heads of the
// record types its selections read (reads.go). A GET gets the tag as its
// ETag, and 304 when it sent it back; an anonymous query is answered from
// the response cache when it holds the tag, else keep is the key to keep
// its answer under. done says the request has been answered, with no
// resolver run.
func (h *graphqlHandler) tagged(w http.ResponseWriter, r *http.Request, media string, params *graphql.RawParams, op *graphql.OperationContext) (keep string, done bool) {
	heads := h.cache.Heads()
	if heads == nil {
		return "", false
	}
	types, ok := operationReads(h.schema, op.Doc, op.Operation)
	if !ok {
		return "", false
	}
	vars, err := json.Marshal(params.Variables) // keys sorted: one spelling
	if err != nil {
		return "", false
	}
	ctx := r.Context()
	pinned := httpcache.Pinned(ctx)
	etag := h.cache.Tag(ctx, "graphql").Add(media, op.RawQuery, op.OperationName, string(vars)).Heads(heads, types).ETag()
	anonymous := httpcache.Anonymous(ctx)
	if r.Method == http.MethodGet {
		h.cache.SetRead(w.Header(), etag, anonymous)
		if !pinned && h.cache.NotModified(w, r, cacheRoute, etag) {
			obs.SetGraphQL(ctx, operationName(op), "ok")
			return "", true
		}
	}
	if !anonymous || pinned || !h.cache.Keeps() {
		return "", false
	}
	if e, ok := h.cache.Get(cacheRoute, etag); ok {
		obs.SetGraphQL(ctx, operationName(op), "ok")
		e.Write(w, r)
		return "", true
	}
	return etag, false
}

// statusWithoutData is the status of a response that has errors and no
// data, which application/graphql-response+json must not send with 2xx.
func statusWithoutData(errs gqlerror.List) int {
	switch outcome(errs) {
	case db.EINTERNAL:
		return http.StatusInternalServerError
	case db.EUNAVAILABLE:
		return http.StatusServiceUnavailable
	}
	return http.StatusBadRequest
}

// wireResponse is a GraphQL response as sent. Unlike graphql.Response it
// leaves data out when there is none: a request error must not carry a
// data member, and data: null means something else (execution began and
// a non-null root field failed).
type wireResponse struct {
	Errors     gqlerror.List   `json:"errors,omitempty"`
	Data       json.RawMessage `json:"data,omitempty"`
	Extensions map[string]any  `json:"extensions,omitempty"`
}

// write sends a response; keep, when not empty, is the key to keep a
// successful answer under in the response cache.
func (h *graphqlHandler) write(w http.ResponseWriter, r *http.Request, media string, status int, operation string, resp *graphql.Response, keep string) {
	// An answer that is not kept and needs no encoding is written in its
	// pieces, not copied into one body first: the data of a map's view
	// of outlines is some 100 KB.
	if keep == "" && wrapsAsIs(resp) {
		obs.SetGraphQL(r.Context(), operation, "ok")
		w.Header().Set("Content-Type", media+"; charset=utf-8")
		w.WriteHeader(status)
		if _, err := io.WriteString(w, dataOpen); err == nil {
			if _, err := w.Write(resp.Data); err == nil {
				_, _ = io.WriteString(w, dataEnd)
			}
		}
		return
	}
	body, err := encodeResponse(resp)
	if err != nil {
		h.log.ErrorContext(r.Context(), "internal error", "error", fmt.Errorf("encoding a response: %w", err))
		status, resp.Errors = http.StatusInternalServerError, gqlerror.List{internalError()}
		body, _ = json.Marshal(wireResponse{Errors: resp.Errors})
	}
	result := outcome(resp.Errors)
	if result != "ok" && obs.ClientGone(r.Context()) {
		// The errors come from the client leaving (or the client
		// will not read them anyway): not the server's failure.
		result = obs.Canceled
	}
	obs.SetGraphQL(r.Context(), operation, result)
	contentType := media + "; charset=utf-8"
	if result != "ok" {
		// An answer with errors is not to be kept or revalidated: the
		// next try may well succeed with the same data.
		w.Header().Del("ETag")
		httpcache.NoStore(w.Header())
	} else if keep != "" && status == http.StatusOK {
		h.cache.Put(keep, &httpcache.Entry{Status: status, Header: http.Header{"Content-Type": {contentType}}, Body: body})
	}
	w.Header().Set("Content-Type", contentType)
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// encodeResponse is json.Marshal of resp as a wireResponse, byte for byte,
// without its cost in the common case. json.Marshal scans data again to
// compact it and to escape <, >, & and U+2028/2029; gqlgen writes data
// compact already, and so do the scalars that write JSON text of their own
// (GeoJSON, and the JSON scalar, which compacts it), so for data without
// those characters json.Marshal would copy it unchanged. Such data, the
// usual answer without errors or extensions, is wrapped as it is.
func encodeResponse(resp *graphql.Response) ([]byte, error) {
	if !wrapsAsIs(resp) {
		return json.Marshal(wireResponse{Errors: resp.Errors, Data: resp.Data, Extensions: resp.Extensions})
	}
	body := make([]byte, 0, len(dataOpen)+len(resp.Data)+len(dataEnd))
	body = append(body, dataOpen...)
	body = append(body, resp.Data...)
	return append(body, dataEnd...), nil
}

// wrapsAsIs tells whether resp is encoded as its data between dataOpen
// and dataEnd (see encodeResponse): data without errors or extensions,
// and nothing in it json.Marshal would escape.
func wrapsAsIs(resp *graphql.Response) bool {
	return len(resp.Errors) == 0 && len(resp.Extensions) == 0 && len(resp.Data) > 0 && !needsEscape(resp.Data)
}

// What encodeResponse wraps data that needs no encoding in.
const dataOpen, dataEnd = `{"data":`, `}`

// needsEscape tells whether json.Marshal would escape anything in b: <, >
// and & (for HTML), or U+2028 and U+2029 (for JavaScript).
func needsEscape(b []byte) bool {
	return bytes.IndexByte(b, '<') >= 0 || bytes.IndexByte(b, '>') >= 0 || bytes.IndexByte(b, '&') >= 0 ||
		bytes.Contains(b, []byte("\u2028")) || bytes.Contains(b, []byte("\u2029"))
}

// refuse answers a request that is not a well-formed GraphQL-over-HTTP
// request, with status whatever the media type, as the draft says.
func (h *graphqlHandler) refuse(w http.ResponseWriter, r *http.Request, media string, status int, format string, args ...any) {
	e := &gqlerror.Error{Message: fmt.Sprintf(format, args...), Extensions: map[string]any{"code": db.EINVALID}}
	h.write(w, r, media, status, "", &graphql.Response{Errors: gqlerror.List{e}}, "")
}

// recoverPanic answers a panic outside the resolvers (gqlgen recovers
// those per field) as an internal error for this request alone.
func (h *graphqlHandler) recoverPanic(w http.ResponseWriter, r *http.Request) {
	p := recover()
	if p == nil {
		return
	}
	if p == http.ErrAbortHandler { //nolint:errorlint // net/http compares it the same way
		panic(p)
	}
	h.log.ErrorContext(r.Context(), "panic serving GraphQL", "panic", fmt.Sprint(p))
	h.write(w, r, mediaJSON, http.StatusInternalServerError, "", &graphql.Response{Errors: gqlerror.List{internalError()}}, "")
}

func internalError() *gqlerror.Error {
	return &gqlerror.Error{Message: "internal error", Extensions: map[string]any{"code": db.EINTERNAL}}
}

// outcome sums up a response for the metrics and the access log: "ok", or
// the code of its gravest error (internal before unavailable before the
// client's own mistakes).
func outcome(errs gqlerror.List) string {
	if len(errs) == 0 {
		return "ok"
	}
	worst := ""
	for _, e := range errs {
		code, _ := e.Extensions["code"].(string)
		switch {
		case code == db.EINTERNAL || code == "":
			return db.EINTERNAL
		case code == db.EUNAVAILABLE:
			worst = code
		case worst == "":
			worst = code
		}
	}
	return worst
}

func operationName(op *graphql.OperationContext) string {
	if op == nil || op.Operation == nil {
		return ""
	}
	return op.Operation.Name
}

type badRequest struct {
	status  int
	message string
}

func badf(status int, format string, args ...any) *badRequest {
	return &badRequest{status, fmt.Sprintf(format, args...)}
}

// readPost reads a POST: application/json in UTF-8, at most maxBody bytes.
func (h *graphqlHandler) readPost(w http.ResponseWriter, r *http.Request) (*graphql.RawParams, *badRequest) {
	start := graphql.Now()
	ct := r.Header.Get("Content-Type")
	if ct == "" {
		return nil, badf(http.StatusUnsupportedMediaType, "a POST must say its body's media type: send Content-Type: %s", mediaJSON)
	}
	mt, mtParams, err := mime.ParseMediaType(ct)
	if err != nil || mt != mediaJSON {
		return nil, badf(http.StatusUnsupportedMediaType, "Content-Type %q is not served: send %s", ct, mediaJSON)
	}
	if cs, ok := mtParams["charset"]; ok && !isUTF8(cs) {
		return nil, badf(http.StatusUnsupportedMediaType, "charset %q is not served: send UTF-8", cs)
	}
	if r.ContentLength > h.maxBody {
		return nil, tooLarge(h.maxBody)
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, h.maxBody))
	if err != nil {
		if errors.As(err, new(*http.MaxBytesError)) {
			return nil, tooLarge(h.maxBody)
		}
		return nil, badf(http.StatusBadRequest, "the request body could not be read: %v", err)
	}
	if len(bytes.TrimSpace(body)) == 0 {
		return nil, badf(http.StatusBadRequest, `the request body is empty: send a JSON object such as {"query": "{ __typename }"}`)
	}
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(body, &fields); err != nil || fields == nil {
		return nil, badf(http.StatusBadRequest, "the request body is not a JSON object: %s", jsonProblem(err))
	}
	p := &graphql.RawParams{Headers: r.Header}
	var hasQuery bool
	if raw, ok := fields["query"]; ok && !isNull(raw) {
		if err := json.Unmarshal(raw, &p.Query); err != nil {
			return nil, badf(http.StatusBadRequest, "query must be a string holding a GraphQL document")
		}
		hasQuery = true
	}
	if raw, ok := fields["operationName"]; ok && !isNull(raw) {
		if err := json.Unmarshal(raw, &p.OperationName); err != nil {
			return nil, badf(http.StatusBadRequest, "operationName must be a string")
		}
	}
	if p.Variables, err = jsonObject(fields["variables"]); err != nil {
		return nil, badf(http.StatusBadRequest, "variables must be a JSON object: %s", jsonProblem(err))
	}
	if p.Extensions, err = jsonObject(fields["extensions"]); err != nil {
		return nil, badf(http.StatusBadRequest, "extensions must be a JSON object: %s", jsonProblem(err))
	}
	if bad := h.needQuery(hasQuery, p); bad != nil {
		return nil, bad
	}
	p.ReadTime = graphql.TraceTiming{Start: start, End: graphql.Now()}
	return p, nil
}

// readGet reads the parameters of a GET from its URL, JSON-encoded where
// they are objects.
func (h *graphqlHandler) readGet(r *http.Request) (*graphql.RawParams, *badRequest) {
	start := graphql.Now()
	q, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		return nil, badf(http.StatusBadRequest, "the URL's query string is malformed: %v", err)
	}
	p := &graphql.RawParams{Headers: r.Header, Query: q.Get("query"), OperationName: q.Get("operationName")}
	for name, dst := range map[string]*map[string]any{"variables": &p.Variables, "extensions": &p.Extensions} {
		if v := q.Get(name); v != "" {
			if *dst, err = jsonObject(json.RawMessage(v)); err != nil {
				return nil, badf(http.StatusBadRequest, "%s must be a JSON object: %s", name, jsonProblem(err))
			}
		}
	}
	if bad := h.needQuery(q.Has("query"), p); bad != nil {
		return nil, bad
	}
	p.ReadTime = graphql.TraceTiming{Start: start, End: graphql.Now()}
	return p, nil
}

// needQuery checks that a request has a query, or a persisted query's hash
// in its place.
func (h *graphqlHandler) needQuery(hasQuery bool, p *graphql.RawParams) *badRequest {
	// A blank query is no query (as for Apollo Server), except that a
	// persisted query's hash may stand in for it.
	if hasQuery && strings.TrimSpace(p.Query) != "" {
		return nil
	}
	if p.Extensions["persistedQuery"] != nil {
		if h.apq {
			return nil
		}
		// The message Apollo's clients read as "stop sending hashes".
		return badf(http.StatusBadRequest, "PersistedQueryNotSupported")
	}
	return badf(http.StatusBadRequest, "the request has no query: send a GraphQL document as query")
}

func tooLarge(limit int64) *badRequest {
	return badf(http.StatusRequestEntityTooLarge, "the request body is larger than the limit of %d bytes", limit)
}

// jsonObject decodes an optional JSON object, keeping numbers as
// json.Number so that large integers reach the scalars intact.
func jsonObject(raw json.RawMessage) (map[string]any, error) {
	if len(raw) == 0 || isNull(raw) {
		return nil, nil
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil {
		return nil, err
	}
	if dec.More() {
		return nil, errors.New("it is followed by more data")
	}
	return m, nil
}

func isNull(raw json.RawMessage) bool {
	return string(bytes.TrimSpace(raw)) == "null"
}

func isUTF8(charset string) bool {
	return strings.EqualFold(charset, "utf-8") || strings.EqualFold(charset, "utf8")
}

// jsonProblem words a decoding error without Go's type names.
func jsonProblem(err error) string {
	var typeErr *json.UnmarshalTypeError
	switch {
	case err == nil:
		return "got null"
	case errors.As(err, &typeErr):
		return "got " + typeErr.Value
	}
	return err.Error()
}

// negotiate picks the response media type for an Accept header: the
// acceptable type with the highest q, a type named outright before one
// matched by a wildcard, then the one listed first, then
// application/graphql-response+json. No Accept at all counts as
// application/graphql-response+json, as the draft says since its
// watershed. ok is false when neither type is acceptable, for 406.
func negotiate(accept []string) (media string, ok bool) {
	header := strings.Join(accept, ",")
	if strings.TrimSpace(header) == "" {
		return mediaGraphQLResponse, true
	}
	type match struct {
		q           float64
		specificity int
		position    int
	}
	served := []string{mediaGraphQLResponse, mediaJSON}
	best := make([]match, len(served))
	for pos, part := range strings.Split(header, ",") {
		mt, params, err := mime.ParseMediaType(strings.TrimSpace(part))
		if err != nil {
			continue
		}
		if cs, ok := params["charset"]; ok && !isUTF8(cs) {
			continue
		}
		q := 1.0
		if s, ok := params["q"]; ok {
			if q, err = strconv.ParseFloat(s, 64); err != nil || q < 0 || q > 1 {
				continue
			}
		}
		for i, t := range served {
			spec := 0
			switch mt {
			case t:
				spec = 3
			case "application/*":
				spec = 2
			case "*/*":
				spec = 1
			}
			// The most specific range that matches a type sets its q.
			if spec > best[i].specificity {
				best[i] = match{q: q, specificity: spec, position: pos}
			}
		}
	}
	chosen := -1
	for i, m := range best {
		if m.specificity == 0 || m.q == 0 {
			continue
		}
		if chosen < 0 {
			chosen = i
			continue
		}
		c := best[chosen]
		if m.q > c.q || m.q == c.q && (m.specificity > c.specificity || m.specificity == c.specificity && m.position < c.position) {
			chosen = i
		}
	}
	if chosen < 0 {
		return "", false
	}
	return served[chosen], true
}

// viaGETKey marks the context of a GET, for getGuard.
type viaGETKey struct{}

// methodNotAllowed is the refusal of an operation the method may not
// carry; the handler answers it with 405 whatever the media type.
type methodNotAllowed struct{ err *db.Error }

func (e methodNotAllowed) Error() string { return e.err.Error() }
func (e methodNotAllowed) Unwrap() error { return e.err }

// getGuard refuses any operation but a query over GET, before it is
// validated: GET is a safe method, which caches, prefetchers and crawlers
// may repeat at will, and a cross-site page can send one without a CORS
// preflight. It runs after the persisted-query lookup, so a mutation sent
// by its hash is caught too.
type getGuard struct {
	cache graphql.Cache[*ast.QueryDocument]
}

var _ interface {
	graphql.HandlerExtension
	graphql.OperationParameterMutator
} = getGuard{}

func (getGuard) ExtensionName() string                   { return "GETGuard" }
func (getGuard) Validate(graphql.ExecutableSchema) error { return nil }

func (g getGuard) MutateOperationParameters(ctx context.Context, p *graphql.RawParams) *gqlerror.Error {
	if ctx.Value(viaGETKey{}) == nil {
		return nil
	}
	doc, err := parsedDocument(ctx, g.cache, p.Query)
	if err != nil {
		return nil // the executor reports the syntax error
	}
	op := doc.Operations.ForName(p.OperationName)
	if op == nil || op.Operation == ast.Query {
		return nil
	}
	if op.Operation == ast.Subscription && streamOf(ctx) != nil {
		// A subscription reads, and EventSource can only GET.
		return nil
	}
	e := methodNotAllowed{db.Errorf(db.EINVALID, "a %s cannot be sent with GET: send it with POST", op.Operation)}
	return &gqlerror.Error{Message: e.err.Message, Err: e}
}

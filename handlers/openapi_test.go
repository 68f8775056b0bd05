package handlers_test

import (
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"flag"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/legacy"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fileapi/fileapi/docs"
	"github.com/fileapi/fileapi/models/modelstest"
)

// Every response the suite gets through fx.do is checked against docs/openapi.yaml (checkOpenAPI), and when the
// whole package has run, every documented (operation, status) pair must have been seen (openAPICoverage). So the
// document can drift from the server in neither direction: an undocumented status, media type, header or body
// shape fails the test that met it, and a documented answer no test produces fails the run.

// unreachable are documented (operation, status) pairs that no test can produce through the real router, with
// the reason. Each entry must be documented and must stay unseen: a test that reaches it makes it stale.
var unreachable = []struct {
	op     string
	status int
	why    string
}{}

// mysqlOnly are the documented 503s: only a database that can go away produces them, and the embedded SQLite
// file cannot. They count only when the suite runs on MySQL as well (FILEAPI_TEST_MYSQL_DSN, as in CI).
func mysqlOnly(status int) bool { return status == http.StatusServiceUnavailable }

// exactPrefixes are the paths the server routes exactly as received (the other dialects and the reset page).
var exactPrefixes = []string{"/auth/v1/", "/management/v1/", "/oauth/v2/", "/.well-known/", "/password-reset"}

const workspacePrefix = "/api/workspace/"

// Path namespaces: how the server matches a request path (docs/openapi.yaml, info.description).
const (
	nsExact     = iota // matched as received
	nsSaasu            // slash runs collapsed, one trailing slash dropped; Saasu API paths case-insensitive
	nsWorkspace        // case-insensitive, one trailing slash dropped
)

// openAPIDoc is the loaded document and what the checker derives from it once.
type openAPIDoc struct {
	doc    *openapi3.T
	router routers.Router
	routes []docRoute
}

// docRoute is a documented path template and the namespace in which its literal segments match in any case.
type docRoute struct {
	template string
	segments []string
	foldIn   int // nsSaasu or nsWorkspace; nsExact means never folded
}

var (
	openAPIOnce sync.Once
	openAPIVal  *openAPIDoc
	openAPIErr  error
)

// loadOpenAPI loads, validates and indexes docs/openapi.yaml, once per test binary.
func loadOpenAPI() (*openAPIDoc, error) {
	openAPIOnce.Do(func() {
		// Saasu answers text/json as well; kin-openapi knows application/json and the +json types.
		openapi3filter.RegisterBodyDecoder("text/json", openapi3filter.JSONBodyDecoder)
		doc, err := openapi3.NewLoader().LoadFromData(docs.OpenAPI)
		if err != nil {
			openAPIErr = fmt.Errorf("load docs/openapi.yaml: %w", err)
			return
		}
		if err := doc.Validate(context.Background()); err != nil {
			openAPIErr = fmt.Errorf("validate docs/openapi.yaml: %w", err)
			return
		}
		// Requests are routed on their canonical path, relative to the server; kin's router would otherwise
		// try to match the request URL against the document's servers.
		bare := *doc
		bare.Servers = nil
		router, err := legacy.NewRouter(&bare)
		if err != nil {
			openAPIErr = err
			return
		}
		o := &openAPIDoc{doc: doc, router: router}
		for _, tmpl := range doc.Paths.InMatchingOrder() {
			r := docRoute{template: tmpl, segments: strings.Split(tmpl, "/")}
			switch {
			case strings.HasPrefix(tmpl, workspacePrefix):
				r.foldIn = nsWorkspace
			case hasAnyPrefix(tmpl, exactPrefixes):
			case hasTag(doc.Paths.Value(tmpl), "Saasu"):
				r.foldIn = nsSaasu
			}
			o.routes = append(o.routes, r)
		}
		openAPIVal = o
	})
	return openAPIVal, openAPIErr
}

func hasAnyPrefix(p string, prefixes []string) bool {
	return slices.ContainsFunc(prefixes, func(prefix string) bool { return strings.HasPrefix(p, prefix) })
}

func hasTag(item *openapi3.PathItem, tag string) bool {
	for _, op := range item.Operations() {
		if slices.Contains(op.Tags, tag) {
			return true
		}
	}
	return false
}

// resolve matches a request path the way the server does and returns the path as the router sees it, the
// namespace it was matched in, and the documented route it matches (nil for none).
func (o *openAPIDoc) resolve(p string) (string, int, *docRoute) {
	ns := nsExact
	switch {
	case len(p) >= len(workspacePrefix) && strings.EqualFold(p[:len(workspacePrefix)], workspacePrefix):
		ns = nsWorkspace
		if len(p) > len(workspacePrefix) {
			p = strings.TrimSuffix(p, "/")
		}
	case hasAnyPrefix(p, exactPrefixes):
	default:
		ns = nsSaasu
		for strings.Contains(p, "//") {
			p = strings.ReplaceAll(p, "//", "/")
		}
		if len(p) > 1 {
			p = strings.TrimSuffix(p, "/")
		}
	}
	segs := strings.Split(p, "/")
	for i := range o.routes {
		r := &o.routes[i]
		if canonical, ok := r.match(segs, ns == r.foldIn && ns != nsExact); ok {
			return canonical, ns, r
		}
	}
	return p, ns, nil
}

// match compares path segments with the template's: literals exactly or in any case, parameters any
// non-empty segment. canonical is the path in the template's spelling.
func (r *docRoute) match(segs []string, fold bool) (canonical string, ok bool) {
	if len(segs) != len(r.segments) {
		return "", false
	}
	out := make([]string, len(segs))
	for i, want := range r.segments {
		switch {
		case strings.HasPrefix(want, "{"):
			if segs[i] == "" {
				return "", false
			}
			out[i] = segs[i]
		case want == segs[i], fold && strings.EqualFold(want, segs[i]):
			out[i] = want
		default:
			return "", false
		}
	}
	return strings.Join(out, "/"), true
}

// dialectOf names the dialect that answers an unrouted path (handlers/router.go byDialect), as the prefix of
// its components/responses names.
func dialectOf(ns int, p string) string {
	switch {
	case ns == nsWorkspace, strings.HasPrefix(p, workspacePrefix):
		return "Workspace"
	case strings.HasPrefix(p, "/auth/v1/"), strings.HasPrefix(p, "/management/v1/"):
		return "Zitadel"
	case strings.HasPrefix(p, "/oauth/v2/"), strings.HasPrefix(p, "/.well-known/"):
		return "OAuth"
	}
	return "Saasu"
}

// unroutedResponses are the components/responses of each dialect's 404 and 405.
var unroutedResponses = map[string][2]string{
	"Saasu":     {"SaasuNotFound", "SaasuMethodNotAllowed"},
	"OAuth":     {"OAuthNotFound", "OAuthMethodNotAllowed"},
	"Zitadel":   {"ZitadelRouteNotFound", "ZitadelMethodNotAllowed"},
	"Workspace": {"WorkspaceNotFound", "WorkspaceMethodNotAllowed"},
}

// openAPIResult is what validating one response found.
type openAPIResult struct {
	op       string // the documented operation, "" for an unrouted request
	problems []string
}

// validateOpenAPI checks one response of the real router against docs/openapi.yaml.
func validateOpenAPI(req *http.Request, status int, header http.Header, body []byte) openAPIResult {
	o, err := loadOpenAPI()
	if err != nil {
		first, _, _ := strings.Cut(err.Error(), "\n")
		return openAPIResult{problems: []string{first + " (TestOpenAPIDocument has the whole error)"}}
	}
	var res openAPIResult
	fail := func(format string, args ...any) { res.problems = append(res.problems, fmt.Sprintf(format, args...)) }

	canonical, ns, route := o.resolve(req.URL.Path)
	var (
		op     *openapi3.Operation
		params map[string]string
	)
	if route != nil {
		item := o.doc.Paths.Value(route.template)
		op = item.GetOperation(req.Method)
		if op == nil {
			// A documented path with another method: the dialect's 405, whose Allow lists the documented methods.
			if status != http.StatusMethodNotAllowed {
				fail("method %s is not documented for %s, so the answer must be 405", req.Method, route.template)
			} else if got, want := methodSet(header.Get("Allow")), methodSet(strings.Join(slices.Collect(maps.Keys(item.Operations())), ",")); !slices.Equal(got, want) {
				fail("Allow is %q; documented methods are %v", header.Get("Allow"), want)
			}
		} else {
			clone := req.Clone(context.Background())
			clone.URL.Path, clone.URL.RawPath = canonical, ""
			var kr *routers.Route
			kr, params, err = o.router.FindRoute(clone)
			if err != nil || kr.Operation != op {
				fail("kin-openapi routes %s %s elsewhere: %v", req.Method, canonical, err)
				return res
			}
			res.op = op.OperationID
		}
	} else if status != http.StatusNotFound && status != http.StatusMethodNotAllowed {
		fail("no documented path matches %s, so the answer must be 404 or 405", req.URL.Path)
	}
	if op == nil {
		if status != http.StatusNotFound && status != http.StatusMethodNotAllowed {
			return res
		}
		// An unrouted request: the dialect's own 404 or 405.
		names := unroutedResponses[dialectOf(ns, canonical)]
		name := names[0]
		if status == http.StatusMethodNotAllowed {
			name = names[1]
		}
		ref := o.doc.Components.Responses[name]
		op = &openapi3.Operation{OperationID: name, Responses: openapi3.NewResponses(openapi3.WithStatus(status, ref))}
	}

	ref := op.Responses.Status(status)
	if ref == nil || ref.Value == nil {
		fail("status %d is not documented for %s", status, op.OperationID)
		return res
	}
	resp := ref.Value
	for name, h := range resp.Headers {
		if h.Value.Required && header.Get(name) == "" {
			fail("header %s is documented as required but missing", name)
		}
	}
	ct := header.Get("Content-Type")
	var media *openapi3.MediaType
	switch {
	case len(resp.Content) == 0:
		if len(body) > 0 {
			fail("the response has a body (%s) but status %d documents none", ct, status)
		}
	case len(body) == 0 && req.Method == http.MethodHead:
	case len(body) == 0:
		fail("status %d documents a body but the response has none", status)
	default:
		if media = resp.Content.Get(ct); media == nil {
			fail("Content-Type %q is not documented for status %d (documented: %v)", ct, status, slices.Sorted(maps.Keys(resp.Content)))
		}
	}
	if len(res.problems) > 0 {
		return res
	}

	base, _, _ := strings.Cut(strings.ToLower(ct), ";")
	base = strings.TrimSpace(base)
	// kin-openapi decodes JSON (with text/json registered in loadOpenAPI) and YAML, and validates them.
	decoded := base == "application/json" || base == "text/json" || strings.HasSuffix(base, "+json") || base == "application/yaml"
	kreq := req
	if req.Method == http.MethodHead && len(body) > 0 {
		// kin-openapi skips HEAD responses, which have no body; ours (405s) do, so validate them as a GET's.
		kreq = req.Clone(context.Background())
		kreq.Method = http.MethodGet
	}
	input := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: &openapi3filter.RequestValidationInput{Request: kreq, PathParams: params,
			Route: &routers.Route{Spec: o.doc, Path: canonical, Method: req.Method, Operation: op}},
		Status: status,
		Header: header,
		Options: &openapi3filter.Options{IncludeResponseStatus: true, MultiError: true,
			ExcludeResponseBody: media == nil || !decoded},
	}
	input.SetBodyBytes(body)
	if err := openapi3filter.ValidateResponse(context.Background(), input); err != nil {
		fail("%v", err)
	}
	if media == nil || decoded {
		return res
	}
	// Bodies kin-openapi cannot read: XML is checked for well-formedness and its root element, HTML for a doctype.
	switch base {
	case "application/xml", "text/xml":
		root, err := xmlRoot(body)
		switch want := xmlName(media.Schema); {
		case err != nil:
			fail("the XML body is not well-formed: %v", err)
		case bytes.HasPrefix(body, []byte("<?xml")):
			fail("the XML body has a declaration")
		case want != "" && root != want:
			fail("the XML root is <%s>; the schema names <%s>", root, want)
		}
	case "text/html":
		if len(body) < 15 || !strings.EqualFold(string(body[:15]), "<!doctype html>") {
			fail("the HTML body does not start with <!doctype html>")
		}
	}
	return res
}

// methodSet is a comma-separated method list, upper-cased and sorted.
func methodSet(list string) []string {
	var out []string
	for _, m := range strings.Split(list, ",") {
		if m = strings.ToUpper(strings.TrimSpace(m)); m != "" {
			out = append(out, m)
		}
	}
	slices.Sort(out)
	return out
}

// xmlRoot is the local name of the root element of a well-formed XML document.
func xmlRoot(body []byte) (string, error) {
	d := xml.NewDecoder(bytes.NewReader(body))
	root := ""
	for {
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			if root == "" {
				return "", errors.New("no root element")
			}
			return root, nil
		}
		if err != nil {
			return "", err
		}
		if se, ok := tok.(xml.StartElement); ok && root == "" {
			root = se.Name.Local
		}
	}
}

// xmlName is the XML element name a schema gives its value: its own xml.name, else that of an allOf member.
func xmlName(s *openapi3.SchemaRef) string {
	if s == nil || s.Value == nil {
		return ""
	}
	if s.Value.XML != nil && s.Value.XML.Name != "" {
		return s.Value.XML.Name
	}
	for _, sub := range s.Value.AllOf {
		if n := xmlName(sub); n != "" {
			return n
		}
	}
	return ""
}

// seenOpenAPI records every documented (operation, status) a test response carried: "operationId status".
var seenOpenAPI sync.Map

// checkOpenAPI validates a response of fx.do against docs/openapi.yaml and records its (operation, status).
func checkOpenAPI(t testing.TB, req *http.Request, w *httptest.ResponseRecorder) {
	t.Helper()
	// The headers as written with the status: later changes to w.Header() never reach a client.
	res := w.Result()
	_ = res.Body.Close()
	r := validateOpenAPI(req, w.Code, res.Header, w.Body.Bytes())
	if r.op != "" {
		seenOpenAPI.Store(r.op+" "+strconv.Itoa(w.Code), true)
	}
	if len(r.problems) > 0 {
		body := w.Body.String()
		if len(body) > 600 {
			body = body[:600] + "…"
		}
		t.Errorf("docs/openapi.yaml: %s %s → %d %s:\n  %s\n  body: %s", req.Method, req.URL.RequestURI(), w.Code,
			res.Header.Get("Content-Type"), strings.Join(r.problems, "\n  "), body)
	}
}

// openAPIChecked serves h and checks each answer like checkOpenAPI, for the tests that reach the router over
// a real connection (httptest servers driven by x/oauth2 or a browser) rather than through fx.do. The answer
// is buffered, which those tests do not notice.
func openAPIChecked(t testing.TB, h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		checkOpenAPI(t, req, rec)
		maps.Copy(w.Header(), rec.Result().Header)
		w.WriteHeader(rec.Code)
		_, _ = w.Write(rec.Body.Bytes())
	})
}

// openAPICoverage reports, when the whole package ran, the documented (operation, status) pairs that no test
// response carried. It returns false when there are any, or when the exclusion lists are out of date.
func openAPICoverage(out io.Writer) bool {
	for _, name := range []string{"test.run", "test.skip"} {
		if f := flag.Lookup(name); f == nil || f.Value.String() != "" {
			return true // a partial run: coverage is not expected
		}
	}
	o, err := loadOpenAPI()
	if err != nil {
		fmt.Fprintln(out, err)
		return false
	}
	mysql := os.Getenv(modelstest.EnvMySQL) != ""
	excluded := map[string]bool{}
	ok := true
	for _, u := range unreachable {
		key := u.op + " " + strconv.Itoa(u.status)
		excluded[key] = true
		if _, seen := seenOpenAPI.Load(key); seen {
			fmt.Fprintf(out, "docs/openapi.yaml: %s is listed as unreachable (%s) but a test reached it: remove it from the list\n", key, u.why)
			ok = false
		}
	}
	documented := map[string]bool{}
	var missing []string
	for _, tmpl := range o.doc.Paths.InMatchingOrder() {
		for method, op := range o.doc.Paths.Value(tmpl).Operations() {
			for code := range op.Responses.Map() {
				key := op.OperationID + " " + code
				documented[key] = true
				status, _ := strconv.Atoi(code)
				_, seen := seenOpenAPI.Load(key)
				switch {
				case seen, excluded[key], mysqlOnly(status) && !mysql:
				default:
					missing = append(missing, fmt.Sprintf("%s (%s %s)", key, method, tmpl))
				}
			}
		}
	}
	for _, u := range unreachable {
		if key := u.op + " " + strconv.Itoa(u.status); !documented[key] {
			fmt.Fprintf(out, "docs/openapi.yaml: %s is listed as unreachable but is not documented\n", key)
			ok = false
		}
	}
	if len(missing) > 0 {
		slices.Sort(missing)
		fmt.Fprintf(out, "docs/openapi.yaml: %d documented (operation, status) pairs were never answered by a test:\n  %s\n",
			len(missing), strings.Join(missing, "\n  "))
		ok = false
	}
	return ok
}

// TestOpenAPIDocument: the served document is docs/openapi.yaml byte for byte, it loads and is a valid
// OpenAPI 3.1 document (examples included), and it is cached and revalidated by its entity tag.
func TestOpenAPIDocument(t *testing.T) {
	each(t, func(t *testing.T, fx *fixture) {
		w := fx.do("GET", "/openapi.yaml", "")
		require.Equal(t, http.StatusOK, w.Code)
		assert.Equal(t, "application/yaml", w.Header().Get("Content-Type"))
		assert.Equal(t, "public, max-age=300", w.Header().Get("Cache-Control"))
		require.True(t, bytes.Equal(docs.OpenAPI, w.Body.Bytes()), "the served document is not docs/openapi.yaml")
		tag := w.Header().Get("ETag")
		require.Regexp(t, `^"[0-9a-f]{64}"$`, tag)

		doc, err := openapi3.NewLoader().LoadFromData(w.Body.Bytes())
		require.NoError(t, err)
		require.NoError(t, doc.Validate(context.Background()))
		assert.Equal(t, "3.1.0", doc.OpenAPI)

		for _, inm := range []string{tag, "W/" + tag, `"other", ` + tag, "*"} {
			w = fx.do("GET", "/openapi.yaml", "", "If-None-Match: "+inm)
			assert.Equal(t, http.StatusNotModified, w.Code, inm)
			assert.Empty(t, w.Body.String())
			assert.Equal(t, tag, w.Header().Get("ETag"))
		}
		w = fx.do("GET", "/openapi.yaml", "", `If-None-Match: "stale"`)
		assert.Equal(t, http.StatusOK, w.Code)

		w = fx.do("HEAD", "/openapi.yaml", "")
		assert.Equal(t, http.StatusOK, w.Code)
		assert.Empty(t, w.Body.String())
		assert.Equal(t, strconv.Itoa(len(docs.OpenAPI)), w.Header().Get("Content-Length"))
		assert.Equal(t, tag, w.Header().Get("ETag"))
		w = fx.do("HEAD", "/openapi.yaml", "", "If-None-Match: "+tag)
		assert.Equal(t, http.StatusNotModified, w.Code)

		// Not a Saasu route: slashes are tolerated as for every root path, the case is not.
		assert.Equal(t, http.StatusOK, fx.do("GET", "//openapi.yaml/", "").Code)
		assert.Equal(t, http.StatusNotFound, fx.do("GET", "/OpenAPI.yaml", "").Code)
	})
}

// recorded builds a response as the router would have written it, for the checker's own tests.
func recorded(status int, contentType, body string, headers ...string) (int, http.Header, []byte) {
	h := http.Header{}
	if contentType != "" {
		h.Set("Content-Type", contentType)
	}
	for _, kv := range headers {
		k, v, _ := strings.Cut(kv, ":")
		h.Add(strings.TrimSpace(k), strings.TrimSpace(v))
	}
	return status, h, []byte(body)
}

// TestOpenAPIChecker: the checker accepts what the document describes and finds each kind of drift.
func TestOpenAPIChecker(t *testing.T) {
	user := `{"Id":42,"Username":"ann@example.com","FirstName":"Ann","LastName":"Lee","MobileNumber":null,"Is2FAEnabled":false,"TimezoneId":22,"DateTimeFormatId":1,"NumberFormatId":1,"_links":[{"rel":"self","href":"https://api.example.com/User?FileId=777","method":"GET","title":null}]}`
	userXML := `<UserDetail xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><_links /><Id>42</Id></UserDetail>`
	cases := []struct {
		name, method, path string
		status             int
		header             http.Header
		body               []byte
		op                 string
		problem            string // "" when the response is as documented
	}{}
	add := func(name, method, path, op, problem string, status int, h http.Header, body []byte) {
		cases = append(cases, struct {
			name, method, path string
			status             int
			header             http.Header
			body               []byte
			op                 string
			problem            string
		}{name, method, path, status, h, body, op, problem})
	}
	var (
		s int
		h http.Header
		b []byte
	)
	s, h, b = recorded(200, "application/json; charset=utf-8", user, `ETag: "2"`)
	add("as documented", "GET", "/User?FileId=777", "saasuGetUser", "", s, h, b)
	add("any case, slashes", "GET", "//user/?fileid=777", "saasuGetUser", "", s, h, b)
	s, h, b = recorded(200, "text/json; charset=utf-8", user, `ETag: "2"`)
	add("text/json", "GET", "/USER?FileId=777", "saasuGetUser", "", s, h, b)
	s, h, b = recorded(200, "application/json; charset=utf-8", strings.Replace(user, `"Id":42`, `"Id":42,"Email":"x"`, 1), `ETag: "2"`)
	add("an undocumented property", "GET", "/User?FileId=777", "saasuGetUser", "doesn't match schema", s, h, b)
	s, h, b = recorded(200, "application/json; charset=utf-8", strings.Replace(user, `"Username":"ann@example.com"`, `"Username":null`, 1), `ETag: "2"`)
	add("a null where none is documented", "GET", "/User?FileId=777", "saasuGetUser", "doesn't match schema", s, h, b)
	s, h, b = recorded(200, "application/json; charset=utf-8", user)
	add("a required header missing", "GET", "/User?FileId=777", "saasuGetUser", "ETag", s, h, b)
	s, h, b = recorded(418, "application/json; charset=utf-8", `{"Message":"x"}`)
	add("an undocumented status", "GET", "/User?FileId=777", "saasuGetUser", "status 418 is not documented", s, h, b)
	s, h, b = recorded(200, "text/plain", user, `ETag: "2"`)
	add("an undocumented media type", "GET", "/User?FileId=777", "saasuGetUser", "Content-Type", s, h, b)
	s, h, b = recorded(200, "application/xml; charset=utf-8", userXML, `ETag: "2"`)
	add("XML", "GET", "/User?FileId=777", "saasuGetUser", "", s, h, b)
	s, h, b = recorded(200, "application/xml; charset=utf-8", strings.ReplaceAll(userXML, "UserDetail", "User"), `ETag: "2"`)
	add("another XML root", "GET", "/User?FileId=777", "saasuGetUser", "XML root", s, h, b)
	s, h, b = recorded(401, "application/json; charset=utf-8", `{"Message":"Authorization has been denied for this request."}`)
	add("401 without WWW-Authenticate", "GET", "/User?FileId=777", "saasuGetUser", "WWW-Authenticate", s, h, b)
	s, h, b = recorded(200, "application/json; charset=utf-8", `{}`)
	add("an undocumented route", "GET", "/Users", "", "404 or 405", s, h, b)
	s, h, b = recorded(404, "application/json; charset=utf-8", `{"Message":"No HTTP resource was found that matches the request URI '/Users'."}`)
	add("the Saasu 404", "GET", "/Users", "", "", s, h, b)
	s, h, b = recorded(405, "application/json; charset=utf-8", `{"Message":"The requested resource does not support http method 'DELETE'."}`, "Allow: GET, PUT")
	add("the Saasu 405", "DELETE", "/user", "", "", s, h, b)
	s, h, b = recorded(405, "application/json; charset=utf-8", `{"Message":"The requested resource does not support http method 'DELETE'."}`, "Allow: GET")
	add("an Allow that is not the documented methods", "DELETE", "/User", "", "Allow", s, h, b)
	s, h, b = recorded(404, "application/json", `{"code":5,"message":"Not Found"}`, "Cache-Control: no-store", "Pragma: no-cache")
	add("the ZITADEL 404", "GET", "/auth/v1/users/me", "", "", s, h, b)
	add("exact paths outside Saasu", "GET", "/Auth/v1/users/me/profile", "", "doesn't match schema", s, h, b)
	s, h, b = recorded(401, "", "", "WWW-Authenticate: Bearer", "Cache-Control: no-store", "Referrer-Policy: no-referrer")
	add("an empty workspace 401", "GET", "/API/Workspace/Auth/Me/", "workspaceMe", "", s, h, b)
	s, h, b = recorded(401, "application/json", "{}", "WWW-Authenticate: Bearer", "Cache-Control: no-store", "Referrer-Policy: no-referrer")
	add("a body where none is documented", "GET", "/api/workspace/auth/me", "workspaceMe", "documents none", s, h, b)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			req := httptest.NewRequest(c.method, c.path, nil)
			r := validateOpenAPI(req, c.status, c.header, c.body)
			assert.Equal(t, c.op, r.op)
			if c.problem == "" {
				assert.Empty(t, r.problems)
			} else if assert.NotEmpty(t, r.problems) {
				assert.Contains(t, strings.Join(r.problems, "\n"), c.problem)
			}
		})
	}
}

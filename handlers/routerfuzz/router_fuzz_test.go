// Package routerfuzz holds FuzzRouter apart from the handler tests: Go's fuzzer copies every coverage counter
// of the test binary after each execution, so the target runs several times faster without the counters of
// the handler tests' own dependencies (the OpenAPI validator, the headless browser).
package routerfuzz_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/fileapi/fileapi/auth"
	"github.com/fileapi/fileapi/handlers"
	"github.com/fileapi/fileapi/models"
)

// fuzzMethods are the methods FuzzRouter picks from; a pick of 250 or more sends the fuzzed method instead.
var fuzzMethods = []string{http.MethodGet, http.MethodPut, http.MethodPost, http.MethodHead, http.MethodDelete, http.MethodPatch, http.MethodOptions}

// isToken reports whether s is an RFC 9110 token, as net/http's server requires of a method.
func isToken(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case '0' <= c && c <= '9', 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0:
		default:
			return false
		}
	}
	return true
}

// validHeaderValue reports whether net/http's server would accept v as a header value: no control
// characters but tab.
func validHeaderValue(v string) bool {
	for i := 0; i < len(v); i++ {
		if c := v[i]; c < ' ' && c != '\t' || c == 0x7f {
			return false
		}
	}
	return true
}

// mentionsPassword reports whether a query or body may carry a password field, in any of the spellings
// the dialects read (percent- or \u-escaped, any case, ſ for s): those requests run bcrypt, which FuzzRouter
// steers away from to keep its executions cheap. The password paths are covered by the handler tests.
func mentionsPassword(s string) bool {
	if !strings.ContainsAny(s, "sSwW%\\ſ") {
		return false
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		switch {
		case s[i] == '%' && i+2 < len(s):
			if n, err := strconv.ParseUint(s[i+1:i+3], 16, 8); err == nil {
				b.WriteByte(byte(n))
				i += 2
				continue
			}
		case s[i] == '\\' && i+5 < len(s) && s[i+1] == 'u':
			if n, err := strconv.ParseUint(s[i+2:i+6], 16, 16); err == nil {
				b.WriteRune(rune(n))
				i += 5
				continue
			}
		}
		b.WriteByte(s[i])
	}
	return strings.Contains(strings.ReplaceAll(strings.ToLower(b.String()), "ſ", "s"), "password")
}

// FuzzRouter sends fuzzed requests through the real router on SQLite, built once with the handler tests'
// fixture (plus a live bearer token of ann, and one confidential and one public OAuth client): a method
// (one of fuzzMethods, or fuzzed bytes), a request target (fuzzed bytes, seeded with the routes of all
// three dialects and OAuth), Content-Type, Accept, Authorization, X-Api-Key and If-Match, and a body.
// The creds bits put real credentials in: 1 Authorization: Bearer <ann's token>, 2 X-Api-Key: fx.key,
// 4 X-Zitadel-Orgid: 777, 8 HTTP Basic of the confidential client. {KEY}, {TOKEN} and {REFRESH} in the
// target, header values and body become fx.key, the token, and the refresh token of another grant of ann.
// addr picks the client address, so that the credential limits do not shut every path after a few failures.
//
// The property: no panic (the router's recovery would log one) and no 5xx other than 503. Requests that
// net/http's server would refuse (bad method, unparsable target, control characters in a header) are
// skipped, and so are requests that carry a password field (bcrypt). The database keeps what earlier
// inputs did (ann's profile, tokens, limits), so a failure found while fuzzing may need its predecessors:
// the log in the failure message says what went wrong.
func FuzzRouter(f *testing.F) {
	ctx := context.Background()
	fx := newFixture(f)
	authn := &auth.Authenticator{Store: fx.store, Limits: auth.NewLimiter(fx.store)}
	grant, err := authn.IssueSaasu(ctx, fx.ann)
	must(f, err)
	refresh, err := authn.IssueSaasu(ctx, fx.ann) // {REFRESH}: refreshing revokes its own family only
	must(f, err)
	const confID, pubID, confSecret = "fuzz-confidential", "fuzz-public", auth.PrefixClientSecret + "fuzz-secret"
	hash := auth.HashSecret(confSecret)
	for _, nc := range []models.NewClient{
		{ClientID: confID, SecretHash: &hash, Name: "Fuzz confidential", RedirectURIs: []string{"https://app.example/cb"}},
		{ClientID: pubID, Name: "Fuzz public", RedirectURIs: []string{"http://127.0.0.1/cb", "com.example.app:/cb"}},
	} {
		_, err := fx.store.CreateClient(ctx, nc)
		must(f, err)
	}
	basic := "Basic " + base64.StdEncoding.EncodeToString([]byte(confID+":"+confSecret))
	// The error log of the router under fuzz: written during ServeHTTP, in the fuzz function's own goroutine
	// (a worker runs one input at a time).
	var errLog bytes.Buffer
	h := handlers.New(handlers.Config{Store: fx.store, PublicURL: "https://api.example.com",
		Logger:    slog.New(slog.NewTextHandler(&errLog, &slog.HandlerOptions{Level: slog.LevelError})),
		AccessLog: slog.New(slog.DiscardHandler)})
	token := grant.AccessToken
	placeholders := func() *strings.Replacer {
		return strings.NewReplacer("{KEY}", fx.key, "{TOKEN}", token, "{REFRESH}", refresh.RefreshToken)
	}
	replacer := placeholders()
	execs := 0

	const (
		json = "application/json"
		xml  = "application/xml"
		form = "application/x-www-form-urlencoded"
	)
	type seed struct {
		method                                  string
		target, ct, accept, authz, key, ifMatch string
		creds                                   uint8
		body                                    string
	}
	golden := func(name string) string {
		b, err := os.ReadFile(filepath.Join("..", "..", "testdata", name))
		must(f, err)
		return string(b)
	}
	zBody := `{"firstName":"Minnie","lastName":"Mouse","nickName":"Minnie","displayName":"Minnie Mouse","preferredLanguage":"en","gender":"GENDER_FEMALE"}`
	challenge := "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
	for _, s := range []seed{
		{"GET", "/User?FileId=777&wsAccessKey={KEY}", "", json, "", "", "", 0, ""},
		{"GET", "/User?FileId=777", "", xml, "", "", "", 1, ""},
		{"GET", "//user//?fileid=777&WSACCESSKEY={KEY}", "", "text/xml;q=0.5, */*", "", "", "", 0, ""},
		{"GET", "/User?FileId=778", "", "", "", "", "", 2, ""},
		{"GET", "/User?FileId=777&wsAccessKey=other", "", "", "", "{KEY}", "", 0, ""},
		{"PUT", "/User?FileId=777&wsAccessKey={KEY}", json, json, "", "", "", 0, golden("saasu/user-get.json")},
		{"PUT", "/User?FileId=777", xml, xml, "", "", `"1"`, 1, golden("saasu/user-get.xml")},
		{"PUT", "/User?FileId=777", "", "", "", "", "", 1, golden("hal/user-detail.xml")},
		{"PUT", "/User?FileId=777", form, "", "", "", "*", 2, "FirstName=Zed+Q&LastName=&TimezoneId=5&MobileNumber=0412+345+678"},
		{"PUT", "/User?FileId=777", "text/plain", "", "", "", "", 2, "x"},
		{"PUT", "/User?FileId=777", json, "", "", "", "", 2, `{"FirstName":{"a":1},"TimezoneId":1e3}`},
		{"GET", "/FileIdentities?wsAccessKey={KEY}&Page=1&PageSize=2", "", xml, "", "", "", 0, ""},
		{"GET", "/FileIdentities", "", json, "Bearer {TOKEN}", "", "", 0, ""},
		{"GET", "/FileIdentity?FileId=777", "", "", "", "{KEY}", "", 0, ""},
		{"GET", "/authorisation/ping?FileId=777", "", "", "", "", "", 1, ""},
		{"GET", "/authorisation/token?grant_type=refresh_token&refresh_token=nope", "", xml, "", "", "", 0, ""},
		{"POST", "/authorisation/refresh", json, "", "", "", "", 0, `{"grant_type":"refresh_token","refresh_token":"{REFRESH}"}`},
		{"POST", "/authorisation/token", xml, "", "", "", "", 0, "<OAuthRefreshAccessTokenRequest><grant_type>refresh_token</grant_type><refresh_token>x</refresh_token></OAuthRefreshAccessTokenRequest>"},
		{"POST", "/authorisation/token-2fa", form, "", "", "", "", 0, "grant_type=client_credentials"},
		{"POST", "/User/reset-password", json, "", "", "", "", 0, `{"Username":"nobody@example.com"}`},
		{"POST", "/User/change-username?FileId=777", json, "", "", "", "", 1, `{"Username":"ann@example.net"}`},
		{"POST", "/User/opt-in-to-2fa?FileId=777", json, "", "", "", "", 1, `{"MobileNumber":"0412 345 678"}`},
		{"POST", "/User/verify-2fa-opt-in?FileId=777", json, "", "", "", "", 1, `{"VerificationCode":"123456"}`},
		{"POST", "/User/opt-out-from-2fa?FileId=777", json, "", "", "", "", 2, `{}`},
		{"OPTIONS", "/User", "", "", "", "", "", 0, ""},
		{"DELETE", "/authorisation/token", "", xml, "", "", "", 0, ""},
		{"GET", "/api/workspace/account/profile", "", "", "", "", "", 1, ""},
		{"GET", "/API/Workspace/Account/Profile/?access_token={TOKEN}", "", "", "", "", "", 0, ""},
		{"GET", "/api/workspace/account/profile", "", "", "Bearer {TOKEN}", "{KEY}", "", 0, ""},
		{"PUT", "/api/workspace/account/profile", json, "", "", "", `"2"`, 1, `{"FirstName":"Ann","LastName":"Lee","UserName":"ann@example.com","Email":null}`},
		{"PUT", "/api/workspace/account/profile", "application/merge-patch+json; charset=utf-8", "", "", "", "", 2, `{"FirstName":5}`},
		{"PATCH", "/api/workspace/account/profile", "", "", "", "", "", 1, ""},
		{"GET", "/api/workspace/auth/me", "", "", "", "", "", 1, ""},
		{"GET", "/api/workspace/nope", "", "", "", "", "", 0, ""},
		{"GET", "/auth/v1/users/me/profile", "", "", "", "", "", 1, ""},
		{"PUT", "/auth/v1/users/me/profile", json, "", "", "", "", 1, zBody},
		{"PUT", "/auth/v1/users/me/profile", "", "", "Bearer {TOKEN}", "", `"3"`, 0, `{"firstName":"a","first_name":null}`},
		{"GET", "/management/v1/users/43/profile", "", "", "", "", "", 1 | 4, ""},
		{"PUT", "/management/v1/users/42/profile", json, "", "", "", "", 1 | 4, `{"userId":"42","firstName":"Ann","lastName":"Lee","displayName":"Ann Lee","gender":2}`},
		{"GET", "/management/v1/users//profile", "", "", "", "", "", 1 | 4, ""},
		{"POST", "/oauth/v2/token", form, "", "", "", "", 8, "grant_type=client_credentials&scope=fileid%3A777"},
		{"POST", "/oauth/v2/token", form, "", "", "", "", 0, "grant_type=refresh_token&refresh_token={REFRESH}&client_id=" + pubID},
		{"POST", "/oauth/v2/token", form, "", "", "", "", 0, "grant_type=authorization_code&code=x&client_id=" + pubID + "&code_verifier=dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"},
		{"POST", "/oauth/v2/token?grant_type=client_credentials", json, "", "", "", "", 8, `{"grant_type":"client_credentials"}`},
		{"POST", "/oauth/v2/revoke", form, "", "", "", "", 8, "token={TOKEN}&token_type_hint=access_token"},
		{"POST", "/oauth/v2/introspect", form, "", "", "", "", 8, "token={TOKEN}"},
		{"POST", "/oauth/v2/introspect", form, "", "Basic !!!", "", "", 0, "token=x&client_id=" + confID},
		{"GET", "/oauth/v2/authorize?response_type=code&client_id=" + pubID + "&code_challenge=" + challenge + "&code_challenge_method=S256&state=xyz&scope=fileid%3A777", "", "", "", "", "", 0, ""},
		{"GET", "/oauth/v2/authorize?response_type=code&client_id=" + pubID + "&redirect_uri=http%3A%2F%2F127.0.0.1%3A8123%2Fcb&code_challenge=" + challenge, "", "", "", "", "", 0, ""},
		{"POST", "/oauth/v2/authorize?client_id=" + pubID, form, "", "", "", "", 0, "response_type=code&client_id=" + pubID + "&step=consent&login_ticket=x&csrf_token=y"},
		{"PUT", "/oauth/v2/authorize", "", "", "", "", "", 0, ""},
		{"GET", "/.well-known/oauth-authorization-server", "", "", "", "", "", 0, ""},
		{"GET", "/oauth/v2/nope", "", "", "", "", "", 0, ""},
		{"GET", "/openapi.yaml", "", "", "", "", "", 0, ""},
		{"HEAD", "//openapi.yaml/", "", "", "", "", "", 0, ""},
		{"GET", "/password-reset?token=fa_pr_x", "", "", "", "", "", 0, ""},
		{"POST", "/password-reset", form, "", "", "", "", 0, "token=fa_pr_x&csrf_token=y"},
		{"GET", "/nope?x=%zz", "", "", "", "", "", 0, ""},
		{"GET", "http://api.example.com/User?FileId=777&wsAccessKey={KEY}", "", "", "", "", "", 0, ""},
		{"GET", "*", "", "", "", "", "", 0, ""},
		{"PROPFIND", "/User?FileId=777", "", "", "", "", "", 2, ""},
	} {
		m := uint8(255)
		for i, name := range fuzzMethods {
			if name == s.method {
				m = uint8(i)
			}
		}
		f.Add(m, s.method, s.target, s.ct, s.accept, s.authz, s.key, s.ifMatch, s.creds, uint16(len(s.target)), []byte(s.body))
	}

	f.Fuzz(func(t *testing.T, m uint8, method, target, contentType, accept, authorization, apiKey, ifMatch string, creds uint8, addr uint16, body []byte) {
		// An input may end ann's token (a refresh of its family, 2FA changes...): take a new one now and then.
		if execs++; execs%500 == 0 {
			g, err := authn.IssueSaasu(ctx, fx.ann)
			must(t, err)
			token, replacer = g.AccessToken, placeholders()
		}
		if m < 250 {
			method = fuzzMethods[int(m)%len(fuzzMethods)]
		}
		target = replacer.Replace(target)
		if !isToken(method) || target == "" || strings.ContainsAny(target, " \t\r\n") {
			return
		}
		u, err := url.ParseRequestURI(target)
		if err != nil {
			return
		}
		body = []byte(replacer.Replace(string(body)))
		if mentionsPassword(u.RawQuery) || mentionsPassword(string(body)) {
			return
		}
		req := httptest.NewRequest(http.MethodGet, "/", bytes.NewReader(body))
		req.Method, req.URL, req.RequestURI = method, u, target
		req.Host = "api.example.com"
		req.RemoteAddr = fmt.Sprintf("10.%d.%d.1:40000", addr>>8, addr&0xff)
		set := func(name, value string) {
			if value = strings.Trim(replacer.Replace(value), " \t"); value != "" && validHeaderValue(value) {
				req.Header.Set(name, value)
			}
		}
		set("Content-Type", contentType)
		set("Accept", accept)
		set("Authorization", authorization)
		set("X-Api-Key", apiKey)
		set("If-Match", ifMatch)
		if creds&1 != 0 {
			set("Authorization", "Bearer "+token)
		}
		if creds&2 != 0 {
			set("X-Api-Key", fx.key)
		}
		if creds&4 != 0 {
			set("X-Zitadel-Orgid", "777")
		}
		if creds&8 != 0 {
			set("Authorization", basic)
		}
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		logged := errLog.String()
		errLog.Reset()
		if w.Code >= 500 && w.Code != http.StatusServiceUnavailable || strings.Contains(logged, "msg=panic") {
			t.Fatalf("%s %s\n%v\nbody: %q\n→ %d %v\n%s\nlog: %s", method, target, req.Header, body, w.Code, w.Header(), w.Body.String(), logged)
		}
	})
}

// fixture is the part of the handler tests' example world that FuzzRouter's seeds use: files 777 (ann
// administrator, web services on) and 778 (web services off for ann), ann@example.com (user 42, TimezoneId 22)
// with an access key for any file, and bob@example.com (user 43).
type fixture struct {
	store *models.Store
	ann   models.User
	key   string
}

func newFixture(t testing.TB) *fixture {
	ctx := context.Background()
	s, err := models.Open(ctx, models.DSN{Dialect: "sqlite", Path: filepath.Join(t.TempDir(), "fileapi.db")})
	must(t, err)
	t.Cleanup(func() { _ = s.Close() })
	_, err = s.Migrate(ctx, "up")
	must(t, err)
	for _, f := range []models.NewFile{{ID: ptr[int64](777), Name: "Acme Pty Ltd", AllowWebServices: true},
		{ID: ptr[int64](778), Name: "Beta Pty Ltd", AllowWebServices: true}} {
		_, err := s.CreateFile(ctx, f)
		must(t, err)
	}
	pw, err := auth.HashPassword("s3cret!")
	must(t, err)
	ann, err := s.CreateUser(ctx, models.NewUser{ID: ptr[int64](42), Username: "ann@example.com", FirstName: "Ann", LastName: ptr("Lee"), PasswordHash: &pw})
	must(t, err)
	_, err = s.CreateUser(ctx, models.NewUser{ID: ptr[int64](43), Username: "bob@example.com", FirstName: "Bob", PasswordHash: &pw})
	must(t, err)
	_, err = s.Grant(ctx, ann.ID, 777, models.AccessAdministrator, true)
	must(t, err)
	_, err = s.Grant(ctx, ann.ID, 778, models.AccessStandard, false)
	must(t, err)
	key := auth.NewSecret(auth.PrefixAccessKey)
	_, err = s.CreateAccessKey(ctx, ann.ID, nil, auth.HashSecret(key), auth.DisplayPrefix(key))
	must(t, err)
	ann, _, err = s.UpdateProfile(ctx, ann.ID, models.ProfileChange{TimezoneID: models.To[int64](22)}, models.ChangeOptions{Via: "test"})
	must(t, err)
	return &fixture{store: s, ann: ann, key: key}
}

func ptr[T any](v T) *T { return &v }

// must ends the test on an error (no testify here: its counters would slow every execution down).
func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

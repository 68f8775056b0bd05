package handlers_test

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fileapi/fileapi/auth"
	"github.com/fileapi/fileapi/handlers"
	"github.com/fileapi/fileapi/models"
	"github.com/fileapi/fileapi/models/modelstest"
)

// The workspace dialect's routes (workspace.md §1).
const (
	wsProfile  = "/api/workspace/account/profile"
	wsLogin    = "/api/workspace/auth/login"
	wsMe       = "/api/workspace/auth/me"
	wsPassword = "/api/workspace/account/change-password"
)

// Challenges of workspace.md §2 and §7.
const (
	wsNoCredential   = `Bearer`
	wsInvalidToken   = `Bearer error="invalid_token"`
	wsInvalidRequest = `Bearer error="invalid_request"`
)

// Profile Data (workspace.md §3) of the fixture's users as the fixture leaves them.
const (
	annProfile = `{"UserId":"42","UserName":"ann@example.com","Email":null,"FirstName":"Ann","LastName":"Lee","UserType":0}`
	bobProfile = `{"UserId":"43","UserName":"bob@example.com","Email":null,"FirstName":"Bob","LastName":null,"UserType":0}`
	svcProfile = `{"UserId":"51","UserName":"svc@example.com","Email":null,"FirstName":"Svc","LastName":null,"UserType":1}`
	annLogin   = `{"UserNameOrEmail":"ann@example.com","Password":"s3cret!"}`
	annWrong   = `{"UserNameOrEmail":"ann@example.com","Password":"wrong!"}`
	wsNotJSON  = "The request body is not valid JSON."
	wsNoBody   = "A non-empty request body is required."
	wsTokenRE  = `^fa_at_[A-Za-z0-9_-]{43}$`
	wsForbid   = "Service accounts cannot access this endpoint via API keys."
	wsKeptTag  = "a no-change PUT keeps the ETag"
)

// annSession is ann's session Data (§6.1) without AccessToken: her workspace is 777, the lowest-id file she is a
// member of, where she is an administrator.
var annSession = wsSession(annProfile, "acme-pty-ltd", "", "AU", "administrator")

// Member order of the envelope, its error items, and its Data objects (§3, §6.1).
var (
	wsTopKeys     = []string{"Data", "Errors", "Warnings", "Success"}
	wsItemKeys    = []string{"Code", "Message", "Target", "Field", "Metadata", "Type", "Severity"}
	wsProfileKeys = []string{"UserId", "UserName", "Email", "FirstName", "LastName", "UserType"}
	wsSessionKeys = []string{"UserId", "UserName", "Email", "FirstName", "LastName", "UserType", "WorkspaceName", "Locale",
		"TimeZone", "DateTimeFormat", "DateFormat", "TimeFormat", "RegionCode", "OnboardingStatus", "Roles", "Permissions", "Modules"}
)

// wsItem is one error of the envelope (§3), its members in the spec's order.
type wsItem struct {
	Code     string            `json:"Code"`
	Message  string            `json:"Message"`
	Target   *string           `json:"Target"`
	Field    *string           `json:"Field"`
	Metadata map[string]string `json:"Metadata"`
	Type     int               `json:"Type"`
	Severity int               `json:"Severity"`
}

// wsOpt is nil for "", else a pointer to s: the null-or-string members of an error item.
func wsOpt(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// wsRequired is Validation.Required; field is the name as sent, name the canonical one (§3).
func wsRequired(target, field, name string) wsItem {
	return wsItem{Code: "Validation.Required", Message: name + " is required.", Target: wsOpt(target), Field: wsOpt(field)}
}

func wsMaxLength(field, name string, n int) wsItem {
	return wsItem{Code: "Validation.MaxLength", Message: fmt.Sprintf("%s must be at most %d characters.", name, n),
		Target: wsOpt("Account"), Field: wsOpt(field), Metadata: map[string]string{"MaxLength": strconv.Itoa(n)}}
}

func wsMinLength(field string) wsItem {
	return wsItem{Code: "Validation.MinLength", Message: "NewPassword must be at least 6 characters.",
		Target: wsOpt("Account"), Field: wsOpt(field), Metadata: map[string]string{"MinLength": "6"}}
}

func wsEmailInvalid(field string) wsItem {
	return wsItem{Code: "Validation.EmailInvalid", Message: "Email must be a valid email address.", Target: wsOpt("Account"), Field: wsOpt(field)}
}

func wsInvalidType(target, field, name string) wsItem {
	return wsItem{Code: "Validation.InvalidType", Message: name + " must be a string.", Target: wsOpt(target), Field: wsOpt(field)}
}

func wsInvalidBody(message string) wsItem {
	return wsItem{Code: "Request.InvalidBody", Message: message}
}

// wsBusiness is an error item of Type 1 (business).
func wsBusiness(code, message, target, field string) wsItem {
	return wsItem{Code: code, Message: message, Target: wsOpt(target), Field: wsOpt(field), Type: 1}
}

var (
	wsTwoCredentials = wsItem{Code: "Auth.InvalidRequest", Target: wsOpt("Auth"),
		Message: "Send exactly one credential: the Authorization header, the access_token query parameter or the X-Api-Key header."}
	wsBadLogin      = wsBusiness("Auth.InvalidCredentials", "The user name or password is incorrect.", "Auth", "")
	wsBadCurrent    = wsBusiness("Auth.InvalidCredentials", "The current password is incorrect.", "Auth", "CurrentPassword")
	wsTwoFactor     = wsBusiness("Auth.TwoFactorRequired", "This account uses two-factor authentication, which this sign-in does not support.", "Auth", "")
	wsTooMany       = wsBusiness("Auth.TooManyAttempts", "Too many failed attempts. Try again later.", "Auth", "")
	wsNotFound      = wsBusiness("Account.NotFound", "The account was not found.", "Account", "")
	wsUserNameTaken = wsBusiness("Account.UserNameTaken", "The user name is already in use.", "Account", "UserName")
	wsEmailTaken    = wsBusiness("Account.EmailTaken", "The email address is already in use.", "Account", "Email")
	wsConflict      = wsBusiness("Account.Conflict", "The account has changed since it was read.", "Account", "")
)

// wsOK is a success envelope around data.
func wsOK(data string) string {
	return `{"Data":` + data + `,"Errors":[],"Warnings":[],"Success":true}`
}

// wsFail is an error envelope with these items.
func wsFail(items ...wsItem) string {
	b, err := json.Marshal(struct {
		Data     any
		Errors   []wsItem
		Warnings []any
		Success  bool
	}{nil, items, []any{}, false})
	if err != nil {
		panic(err)
	}
	return string(b)
}

// wsStr is a JSON string, or null for "".
func wsStr(s string) string {
	if s == "" {
		return "null"
	}
	b, _ := json.Marshal(s)
	return string(b)
}

// wsSession is session Data (§6.1) without AccessToken: a profile followed by the session fields. An empty
// workspace, locale or region is null.
func wsSession(profile, workspace, locale, region string, roles ...string) string {
	r := "[]"
	if len(roles) > 0 {
		b, _ := json.Marshal(roles)
		r = string(b)
	}
	return strings.TrimSuffix(profile, "}") + `,"WorkspaceName":` + wsStr(workspace) + `,"Locale":` + wsStr(locale) +
		`,"TimeZone":null,"DateTimeFormat":null,"DateFormat":null,"TimeFormat":null,"RegionCode":` + wsStr(region) +
		`,"OnboardingStatus":0,"Roles":` + r + `,"Permissions":[],"Modules":{}}`
}

// wsProfileOf is the profile Data of a stored user (§3).
func wsProfileOf(u models.User) string {
	b, err := json.Marshal(struct {
		UserID    string  `json:"UserId"`
		UserName  string  `json:"UserName"`
		Email     *string `json:"Email"`
		FirstName *string `json:"FirstName"`
		LastName  *string `json:"LastName"`
		UserType  int64   `json:"UserType"`
	}{strconv.FormatInt(u.ID, 10), u.Username, u.Email, u.FirstName, u.LastName, u.UserType})
	if err != nil {
		panic(err)
	}
	return string(b)
}

// jsonMembers reads a JSON object's member names in the order they were sent, and their raw values.
func jsonMembers(t *testing.T, raw []byte) ([]string, map[string]json.RawMessage) {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(raw))
	tok, err := dec.Token()
	require.NoError(t, err, "%s", raw)
	require.Equal(t, json.Delim('{'), tok, "not an object: %s", raw)
	var keys []string
	vals := map[string]json.RawMessage{}
	for dec.More() {
		k, err := dec.Token()
		require.NoError(t, err)
		var v json.RawMessage
		require.NoError(t, dec.Decode(&v))
		keys = append(keys, k.(string))
		vals[k.(string)] = v
	}
	return keys, vals
}

// wsHeaders checks what every workspace response carries (§2): 200s, errors, 401s, 404s, 405s, 413s and 415s alike.
func wsHeaders(t *testing.T, w *httptest.ResponseRecorder) {
	t.Helper()
	assert.Equal(t, "no-store", w.Header().Get("Cache-Control"), "Cache-Control on a %d", w.Code)
	assert.Equal(t, "no-referrer", w.Header().Get("Referrer-Policy"), "Referrer-Policy on a %d", w.Code)
}

// wsShape checks the envelope's member order and its invariants (§3): Errors and Warnings are arrays, Warnings
// is empty, Success is true exactly when Errors is empty, Data is null on any error, and the members of the
// error items and of Data come in the spec's order.
func wsShape(t *testing.T, raw []byte) {
	t.Helper()
	keys, m := jsonMembers(t, raw)
	require.Equal(t, wsTopKeys, keys, "envelope members in order: %s", raw)
	require.True(t, strings.HasPrefix(string(m["Errors"]), "["), "Errors is an array: %s", raw)
	var items []json.RawMessage
	require.NoError(t, json.Unmarshal(m["Errors"], &items))
	assert.Equal(t, "[]", string(m["Warnings"]), "we never send warnings")
	assert.Equal(t, strconv.FormatBool(len(items) == 0), string(m["Success"]), "Success is true exactly when Errors is empty")
	if len(items) > 0 {
		assert.Equal(t, "null", string(m["Data"]), "Data is null on any error")
	}
	for _, it := range items {
		k, _ := jsonMembers(t, it)
		assert.Equal(t, wsItemKeys, k, "error item members in order")
	}
	data := m["Data"]
	if len(data) == 0 || data[0] != '{' {
		return
	}
	k, _ := jsonMembers(t, data)
	switch {
	case len(k) == 1:
		assert.Equal(t, []string{"PasswordChanged"}, k)
	case len(k) > 0 && k[0] == "AccessToken":
		assert.Equal(t, append([]string{"AccessToken"}, wsSessionKeys...), k, "login Data members in order")
	case len(k) > len(wsProfileKeys):
		assert.Equal(t, wsSessionKeys, k, "session Data members in order")
	default:
		assert.Equal(t, wsProfileKeys, k, "profile Data members in order")
	}
}

// wsEnvelope checks a response with an envelope body (§3): status, headers, media type, shape and, unless want
// is empty, the body.
func wsEnvelope(t *testing.T, w *httptest.ResponseRecorder, status int, want string) {
	t.Helper()
	require.Equal(t, status, w.Code, w.Body.String())
	wsHeaders(t, w)
	assert.Equal(t, jsonUTF8, w.Header().Get("Content-Type"))
	wsShape(t, w.Body.Bytes())
	if want != "" {
		assertBody(t, want, w)
	}
}

// wsProblemTypes are the problem types and titles of §7.
var wsProblemTypes = map[int][2]string{
	403: {"https://tools.ietf.org/html/rfc9110#section-15.5.4", "Forbidden"},
	404: {"https://tools.ietf.org/html/rfc9110#section-15.5.5", "Not Found"},
	405: {"https://tools.ietf.org/html/rfc9110#section-15.5.6", "Method Not Allowed"},
	413: {"https://tools.ietf.org/html/rfc9110#section-15.5.14", "Content Too Large"},
	415: {"https://tools.ietf.org/html/rfc9110#section-15.5.16", "Unsupported Media Type"},
	500: {"https://tools.ietf.org/html/rfc9110#section-15.6.1", "An error occurred while processing your request."},
	503: {"https://tools.ietf.org/html/rfc9110#section-15.6.4", "Service Unavailable"},
}

// wsProblem checks a problem response (§7): members type, title, status, detail (403 only), instance, in order.
func wsProblem(t *testing.T, w *httptest.ResponseRecorder, status int, instance string) {
	t.Helper()
	require.Equal(t, status, w.Code, w.Body.String())
	wsHeaders(t, w)
	assert.Equal(t, "application/problem+json; charset=utf-8", w.Header().Get("Content-Type"))
	p := wsProblemTypes[status]
	want := map[string]any{"type": p[0], "title": p[1], "status": status, "instance": instance}
	order := []string{"type", "title", "status", "instance"}
	if status == http.StatusForbidden {
		want["detail"] = wsForbid
		order = []string{"type", "title", "status", "detail", "instance"}
	}
	b, err := json.Marshal(want)
	require.NoError(t, err)
	assertBody(t, string(b), w)
	keys, _ := jsonMembers(t, w.Body.Bytes())
	assert.Equal(t, order, keys, "problem members in order; no traceId")
}

// wsUnauthorized checks a 401 (§2): empty body and the challenge.
func wsUnauthorized(t *testing.T, w *httptest.ResponseRecorder, challenge string) {
	t.Helper()
	require.Equal(t, http.StatusUnauthorized, w.Code, w.Body.String())
	wsHeaders(t, w)
	assert.Equal(t, challenge, w.Header().Get("WWW-Authenticate"))
	assert.Empty(t, w.Body.String(), "a 401 has an empty body")
}

// wsAllow compares Allow headers as sets of methods.
func wsAllow(t *testing.T, want, got string) {
	t.Helper()
	split := func(s string) []string {
		var out []string
		for _, m := range strings.Split(s, ",") {
			if m = strings.TrimSpace(m); m != "" {
				out = append(out, m)
			}
		}
		sort.Strings(out)
		return out
	}
	assert.Equal(t, split(want), split(got), "Allow: %q", got)
}

// wsCase is one request and the answer the spec gives it.
type wsCase struct {
	name, method, url, body string
	headers                 []string
	status                  int
	want                    string // the envelope; for a 404 an empty want means the problem body
	challenge               string // WWW-Authenticate of a 400 or 401
	allow                   string // Allow of a 405
	instance                string // of a problem; default: the path of url
}

// wsRun sends a case and checks the answer by its kind: 401 (empty), problem, or envelope.
func (fx *fixture) wsRun(t *testing.T, c wsCase) *httptest.ResponseRecorder {
	t.Helper()
	w := fx.do(c.method, c.url, c.body, c.headers...)
	_, isProblem := wsProblemTypes[c.status]
	switch {
	case c.status == http.StatusUnauthorized:
		wsUnauthorized(t, w, c.challenge)
	case isProblem && c.want == "":
		inst := c.instance
		if inst == "" {
			inst, _, _ = strings.Cut(c.url, "?")
		}
		wsProblem(t, w, c.status, inst)
	default:
		wsEnvelope(t, w, c.status, c.want)
		if c.challenge != "" {
			assert.Equal(t, c.challenge, w.Header().Get("WWW-Authenticate"))
		}
	}
	if c.allow != "" {
		wsAllow(t, c.allow, w.Header().Get("Allow"))
	}
	return w
}

// wsWorld is what most workspace tests add to the fixture.
type wsWorld struct {
	token, bearer     string // a live access token of ann of the Saasu kind (no client), and its Authorization header
	svcKey, svcBearer string // service account 51: an API key, and an Authorization header with a token of its own
}

func newWSWorld(t *testing.T, fx *fixture) wsWorld {
	t.Helper()
	b := fx.zToken(fx.ann.ID, "full fileid:777 fileid:778 fileid:779")
	fx.user(models.NewUser{ID: ptr[int64](51), Username: "svc@example.com", FirstName: "Svc", Type: models.UserService})
	return wsWorld{token: strings.TrimPrefix(b, "Authorization: Bearer "), bearer: b, svcKey: fx.newKey(51, nil), svcBearer: fx.zToken(51, "full")}
}

// wsHumanWithPassword creates a human user with a password.
func (fx *fixture) wsHumanWithPassword(id int64, username, password string) models.User {
	pw, err := auth.HashPassword(password)
	require.NoError(fx.t, err)
	return fx.user(models.NewUser{ID: &id, Username: username, FirstName: "U" + strconv.FormatInt(id, 10), PasswordHash: &pw})
}

// wsSetProfile changes a stored profile behind the API.
func (fx *fixture) wsSetProfile(id int64, pc models.ProfileChange) {
	_, _, err := fx.store.UpdateProfile(context.Background(), id, pc, models.ChangeOptions{Via: "test"})
	require.NoError(fx.t, err)
}

// wsChangedColumns lists the columns a profile event recorded, sorted.
func wsChangedColumns(t *testing.T, ev models.ProfileEvent) []string {
	t.Helper()
	var m map[string]json.RawMessage
	require.NoError(t, json.Unmarshal([]byte(ev.Changed), &m), ev.Changed)
	var cols []string
	for c := range m {
		cols = append(cols, c)
	}
	sort.Strings(cols)
	return cols
}

// wsAssertNoChange checks that a 200 PUT wrote nothing: same version, no event, ETag (when sent) unchanged.
func (fx *fixture) wsAssertNoChange(t *testing.T, w *httptest.ResponseRecorder, before models.User, events int) {
	t.Helper()
	after := fx.reload(before.ID)
	assert.Equal(t, before.Version, after.Version, "version unchanged")
	assert.Len(t, fx.events(before.ID), events, "no new profile event")
	if tag := w.Header().Get("ETag"); tag != "" {
		assert.Equal(t, `"`+strconv.FormatInt(before.Version, 10)+`"`, tag, wsKeptTag)
	}
}

// TestWorkspaceRoutes covers workspace.md §1: the five routes, case-insensitive paths with an optional trailing
// slash, 405 with Allow for other methods and 404 problems for unknown paths under /api/workspace/, both before
// any credential is looked at; instance is the path as received, never the query.
func TestWorkspaceRoutes(t *testing.T) {
	each(t, func(t *testing.T, fx *fixture) {
		ww := newWSWorld(t, fx)
		b := []string{ww.bearer}
		cases := []wsCase{
			{name: "GET profile", method: "GET", url: wsProfile, headers: b, status: 200, want: wsOK(annProfile)},
			{name: "PUT profile", method: "PUT", url: wsProfile, body: `{"FirstName":"Ann"}`, headers: b, status: 200, want: wsOK(annProfile)},
			{name: "POST login", method: "POST", url: wsLogin, body: annLogin, status: 200},
			{name: "GET me", method: "GET", url: wsMe, headers: b, status: 200, want: wsOK(annSession)},
			{name: "POST change-password", method: "POST", url: wsPassword, body: `{"CurrentPassword":"s3cret!","NewPassword":"s3cret!"}`, headers: b,
				status: 200, want: wsOK(`{"PasswordChanged":true}`)},
			{name: "upper-case path", method: "GET", url: "/API/WORKSPACE/ACCOUNT/PROFILE", headers: b, status: 200, want: wsOK(annProfile)},
			{name: "mixed-case path", method: "GET", url: "/Api/Workspace/Auth/Me", headers: b, status: 200, want: wsOK(annSession)},
			{name: "trailing slash", method: "GET", url: wsProfile + "/", headers: b, status: 200, want: wsOK(annProfile)},
			{name: "trailing slash and query", method: "GET", url: wsMe + "/?x=1", headers: b, status: 200, want: wsOK(annSession)},
			{name: "case and trailing slash on PUT", method: "PUT", url: "/api/workspace/Account/Profile/", body: `{"LastName":"Lee"}`, headers: b, status: 200, want: wsOK(annProfile)},
			{name: "case and trailing slash on login", method: "POST", url: "/api/Workspace/AUTH/Login/", body: annLogin, status: 200},
			{name: "case and trailing slash on change-password", method: "POST", url: "/API/workspace/account/Change-Password/",
				body: `{"CurrentPassword":"s3cret!","NewPassword":"s3cret!"}`, headers: b, status: 200, want: wsOK(`{"PasswordChanged":true}`)},

			{name: "DELETE profile", method: "DELETE", url: wsProfile, headers: b, status: 405, allow: "GET, PUT"},
			{name: "POST profile", method: "POST", url: wsProfile, body: `{}`, headers: b, status: 405, allow: "GET, PUT"},
			{name: "PATCH profile", method: "PATCH", url: wsProfile, body: `{}`, headers: b, status: 405, allow: "GET, PUT"},
			{name: "OPTIONS profile", method: "OPTIONS", url: wsProfile, status: 405, allow: "GET, PUT"},
			{name: "GET login", method: "GET", url: wsLogin, status: 405, allow: "POST"},
			{name: "PUT login", method: "PUT", url: wsLogin, body: annLogin, status: 405, allow: "POST"},
			{name: "POST me", method: "POST", url: wsMe, headers: b, status: 405, allow: "GET"},
			{name: "DELETE me", method: "DELETE", url: wsMe, status: 405, allow: "GET"},
			{name: "GET change-password", method: "GET", url: wsPassword, headers: b, status: 405, allow: "POST"},
			{name: "PUT change-password", method: "PUT", url: wsPassword, status: 405, allow: "POST"},
			{name: "405 before credentials: none", method: "DELETE", url: wsProfile, status: 405, allow: "GET, PUT"},
			{name: "405 before credentials: two", method: "DELETE", url: wsProfile + "?access_token=" + ww.token, headers: b, status: 405, allow: "GET, PUT"},
			{name: "405 instance: the path as received, without the query", method: "DELETE", url: "/API/Workspace/Account/Profile/?access_token=fa_at_secret",
				status: 405, allow: "GET, PUT", instance: "/API/Workspace/Account/Profile/"},

			{name: "unknown path", method: "GET", url: "/api/workspace/nope", status: 404},
			{name: "unknown path with a credential", method: "GET", url: "/api/workspace/nope", headers: b, status: 404},
			{name: "unknown path, POST", method: "POST", url: "/api/workspace/auth/logout", body: `{}`, status: 404},
			{name: "the workspace root", method: "GET", url: "/api/workspace/", status: 404},
			{name: "below a route", method: "GET", url: wsProfile + "/extra", headers: b, status: 404},
			{name: "404 before credentials: a bad one", method: "GET", url: "/api/workspace/account", headers: []string{"Authorization: Bearer fa_at_nope"}, status: 404},
			{name: "404 instance: never the query", method: "GET", url: "/api/workspace/nope?access_token=fa_at_secret&x=1", status: 404, instance: "/api/workspace/nope"},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				w := fx.wsRun(t, c)
				assert.NotContains(t, w.Body.String(), "fa_at_secret", "a query value never appears in a body")
				if c.method == "POST" && c.status == 200 && c.want == "" {
					wsLoginOK(t, w, annSession)
				}
			})
		}
		t.Run("the raw body starts with Data", func(t *testing.T) {
			w := fx.do("GET", wsProfile, "", ww.bearer)
			require.Equal(t, http.StatusOK, w.Code)
			assert.True(t, strings.HasPrefix(w.Body.String(), `{"Data":`), w.Body.String())
		})
	})
}

// wsLoginOK checks a successful login (§6.1): the envelope, an opaque access token first in Data, no refresh
// token, and the rest of Data equal to session. It returns the token.
func wsLoginOK(t *testing.T, w *httptest.ResponseRecorder, session string) string {
	t.Helper()
	wsEnvelope(t, w, http.StatusOK, "")
	var env struct{ Data map[string]any }
	require.NoError(t, json.Unmarshal(w.Body.Bytes(), &env))
	tok, _ := env.Data["AccessToken"].(string)
	assert.Regexp(t, wsTokenRE, tok)
	delete(env.Data, "AccessToken")
	var want map[string]any
	require.NoError(t, json.Unmarshal([]byte(session), &want))
	assert.Equal(t, want, env.Data, "login Data is the session plus AccessToken, nothing else")
	return tok
}

// TestWorkspaceCredentials covers workspace.md §2 and §7 (credentials): one credential from the Authorization
// header (any scheme case), the access_token query parameter or X-Api-Key; more than one is 400
// Auth.InvalidRequest; none is 401 "Bearer"; a bad one is 401 invalid_token.
func TestWorkspaceCredentials(t *testing.T) {
	each(t, func(t *testing.T, fx *fixture) {
		ctx := context.Background()
		ww := newWSWorld(t, fx)
		g := fx.login(t)
		mk := func(clientID *string, expires time.Time) string {
			s := auth.NewSecret(auth.PrefixAccessToken)
			_, err := fx.store.CreateToken(ctx, models.NewToken{UserID: fx.ann.ID, ClientID: clientID, Scope: "full fileid:777",
				AccessHash: auth.HashSecret(s), ExpiresAt: expires})
			require.NoError(t, err)
			return s
		}
		later := fx.store.Now().Add(time.Hour)
		expired := mk(nil, fx.store.Now().Add(-time.Second))
		expiresNow := mk(nil, fx.store.Now())
		revoked := mk(nil, later)
		ti, err := fx.store.TokenByHash(ctx, auth.HashSecret(revoked))
		require.NoError(t, err)
		require.NoError(t, fx.store.RevokeToken(ctx, ti.Token.ID))
		oauthToken := mk(ptr("n_bxVoYYWPMevPfXD2GG0Q"), later)
		fullOnly := fx.zToken(fx.ann.ID, "full")
		otherFile := fx.zToken(fx.ann.ID, "full fileid:780")

		ok := wsOK(annProfile)
		two := wsFail(wsTwoCredentials)
		bearer := func(tok string) string { return "Authorization: Bearer " + tok }
		key := func(k string) string { return "X-Api-Key: " + k }
		q := func(tok string) string { return wsProfile + "?access_token=" + url.QueryEscape(tok) }
		cases := []wsCase{
			{name: "Bearer header", url: wsProfile, headers: []string{ww.bearer}, status: 200, want: ok},
			{name: "scheme in lower case", url: wsProfile, headers: []string{"Authorization: bearer " + ww.token}, status: 200, want: ok},
			{name: "scheme in upper case", url: wsProfile, headers: []string{"Authorization: BEARER " + ww.token}, status: 200, want: ok},
			{name: "access_token query parameter", url: q(ww.token), status: 200, want: ok},
			{name: "X-Api-Key", url: wsProfile, headers: []string{key(fx.key)}, status: 200, want: ok},
			{name: "X-Api-Key bound to a file whose binding does not hold (web services off there)", url: wsProfile, headers: []string{key(fx.key778)},
				status: 401, challenge: wsInvalidToken},
			{name: "a key answers for its own user", url: wsProfile, headers: []string{key(fx.bobKey)}, status: 200, want: wsOK(bobProfile)},
			{name: "a Saasu-issued token", url: wsProfile, headers: []string{bearer(g.AccessToken)}, status: 200, want: ok},
			{name: "an OAuth-issued token", url: wsProfile, headers: []string{bearer(oauthToken)}, status: 200, want: ok},
			{name: "file scope does not matter: none", url: wsProfile, headers: []string{fullOnly}, status: 200, want: ok},
			{name: "file scope does not matter: another file", url: wsProfile, headers: []string{otherFile}, status: 200, want: ok},
			{name: "empty access_token is absent: with a header", url: wsProfile + "?access_token=", headers: []string{ww.bearer}, status: 200, want: ok},
			{name: "empty access_token is absent: with a key", url: wsProfile + "?access_token=", headers: []string{key(fx.key)}, status: 200, want: ok},
			{name: "Basic is ignored: with a key", url: wsProfile, headers: []string{"Authorization: Basic YW5uOnMzY3JldCE=", key(fx.key)}, status: 200, want: ok},
			{name: "Basic is ignored: with access_token", url: q(ww.token), headers: []string{"Authorization: Basic YW5uOnMzY3JldCE="}, status: 200, want: ok},

			{name: "header and query", url: q(g.AccessToken), headers: []string{ww.bearer}, status: 400, want: two, challenge: wsInvalidRequest},
			{name: "header and query, the same token", url: q(ww.token), headers: []string{ww.bearer}, status: 400, want: two, challenge: wsInvalidRequest},
			{name: "a token and a key", url: wsProfile, headers: []string{ww.bearer, key(fx.key)}, status: 400, want: two, challenge: wsInvalidRequest},
			{name: "access_token and a key", url: q(ww.token), headers: []string{key(fx.key)}, status: 400, want: two, challenge: wsInvalidRequest},
			{name: "access_token repeated", url: q(ww.token) + "&access_token=" + ww.token, status: 400, want: two, challenge: wsInvalidRequest},
			{name: "access_token repeated, different values", url: q(ww.token) + "&access_token=" + g.AccessToken, status: 400, want: two, challenge: wsInvalidRequest},
			{name: "counted before checked: a bad token and a good key", url: wsProfile, headers: []string{bearer("fa_at_nope"), key(fx.key)}, status: 400, want: two, challenge: wsInvalidRequest},
			{name: "counted before checked: both bad", url: q("fa_at_nope"), headers: []string{bearer("fa_at_nope2")}, status: 400, want: two, challenge: wsInvalidRequest},

			{name: "no credential", url: wsProfile, status: 401, challenge: wsNoCredential},
			{name: "empty access_token alone", url: wsProfile + "?access_token=", status: 401, challenge: wsNoCredential},
			{name: "Basic alone", url: wsProfile, headers: []string{"Authorization: Basic YW5uOnMzY3JldCE="}, status: 401, challenge: wsNoCredential},
			{name: "access_token in a form body is not read", method: "PUT", url: wsProfile, body: "access_token=" + ww.token,
				headers: []string{"Content-Type: application/x-www-form-urlencoded"}, status: 401, challenge: wsNoCredential},
			{name: "access_token in a form body is not read: change-password", method: "POST", url: wsPassword, body: "access_token=" + ww.token,
				headers: []string{"Content-Type: application/x-www-form-urlencoded"}, status: 401, challenge: wsNoCredential},
			{name: "access_token in a form body is not a second credential", method: "PUT", url: wsProfile, body: "access_token=" + ww.token,
				headers: []string{ww.bearer, "Content-Type: application/x-www-form-urlencoded"}, status: 415},

			{name: "unknown token", url: wsProfile, headers: []string{bearer("fa_at_nope")}, status: 401, challenge: wsInvalidToken},
			{name: "unknown access_token", url: q("fa_at_nope"), status: 401, challenge: wsInvalidToken},
			{name: "unknown key", url: wsProfile, headers: []string{key("fa_ak_nope")}, status: 401, challenge: wsInvalidToken},
			{name: "expired token", url: wsProfile, headers: []string{bearer(expired)}, status: 401, challenge: wsInvalidToken},
			{name: "token at its expiry instant", url: wsProfile, headers: []string{bearer(expiresNow)}, status: 401, challenge: wsInvalidToken},
			{name: "expired access_token", url: q(expired), status: 401, challenge: wsInvalidToken},
			{name: "revoked token", url: wsProfile, headers: []string{bearer(revoked)}, status: 401, challenge: wsInvalidToken},
			{name: "refresh token as bearer", url: wsProfile, headers: []string{bearer(g.RefreshToken)}, status: 401, challenge: wsInvalidToken},
			{name: "refresh token as access_token", url: q(g.RefreshToken), status: 401, challenge: wsInvalidToken},
			{name: "revoked key", url: wsProfile, headers: []string{key(fx.revoked)}, status: 401, challenge: wsInvalidToken},
			{name: "a key sent as a bearer token", url: wsProfile, headers: []string{bearer(fx.key)}, status: 401, challenge: wsInvalidToken},
			{name: "a token sent as a key", url: wsProfile, headers: []string{key(ww.token)}, status: 401, challenge: wsInvalidToken},
		}
		for _, c := range cases {
			if c.method == "" {
				c.method = "GET"
			}
			t.Run(c.name, func(t *testing.T) {
				w := fx.wsRun(t, c)
				assert.NotContains(t, w.Body.String(), ww.token, "a credential never appears in a body")
			})
		}

		// Every authenticated route applies the same rules.
		routes := []struct{ method, path, body string }{
			{"GET", wsProfile, ""},
			{"PUT", wsProfile, `{"FirstName":"Ann"}`},
			{"GET", wsMe, ""},
			{"POST", wsPassword, `{"CurrentPassword":"wrong!","NewPassword":"n3w-secret"}`},
		}
		for _, r := range routes {
			t.Run(r.method+" "+r.path, func(t *testing.T) {
				fx.wsRun(t, wsCase{method: r.method, url: r.path, body: r.body, status: 401, challenge: wsNoCredential})
				fx.wsRun(t, wsCase{method: r.method, url: r.path, body: r.body, headers: []string{bearer("fa_at_nope")}, status: 401, challenge: wsInvalidToken})
				fx.wsRun(t, wsCase{method: r.method, url: r.path, body: r.body, headers: []string{key(fx.revoked)}, status: 401, challenge: wsInvalidToken})
				fx.wsRun(t, wsCase{method: r.method, url: r.path + "?access_token=" + ww.token, body: r.body, headers: []string{key(fx.key)},
					status: 400, want: two, challenge: wsInvalidRequest})
			})
		}

		t.Run("login ignores every credential", func(t *testing.T) {
			for _, h := range [][]string{
				{bearer("fa_at_nope"), key("fa_ak_nope")},
				{ww.bearer, key(fx.key)},
				{ww.svcKey},
				{key(fx.bobKey)},
			} {
				w := fx.do("POST", wsLogin+"?access_token=a&access_token=b", annLogin, append(h, "Content-Type: application/json")...)
				wsLoginOK(t, w, annSession)
			}
		})
		assert.Equal(t, int64(2), fx.reload(fx.ann.ID).Version, "no request here changed anything")
	})
}

// TestWorkspaceServiceAccountKey covers the API-key rule of workspace.md §2: a service account using an API key
// gets the 403 problem on all four authenticated routes, after the credential checks and before the body; the
// same account with an access token is served, and so are human keys.
func TestWorkspaceServiceAccountKey(t *testing.T) {
	each(t, func(t *testing.T, fx *fixture) {
		oc := fx.oauthClients(t) // robot: a service account behind a confidential client
		ww := newWSWorld(t, fx)
		robotKey := fx.newKey(oc.robot.ID, nil)
		svcKey := "X-Api-Key: " + ww.svcKey
		w := fx.do("POST", "/oauth/v2/token", "grant_type=client_credentials&scope=fileid:777", basic(oc.ledger, oc.ledgerSecret), formCT)
		require.Equal(t, http.StatusOK, w.Code, w.Body.String())
		var cc tokenPair
		require.NoError(t, json.Unmarshal(w.Body.Bytes(), &cc))
		robotBearer := "Authorization: Bearer " + cc.AccessToken

		cases := []wsCase{
			{name: "GET profile", method: "GET", url: wsProfile, headers: []string{svcKey}, status: 403},
			{name: "PUT profile", method: "PUT", url: wsProfile, body: `{"FirstName":"Svc2"}`, headers: []string{svcKey}, status: 403},
			{name: "GET me", method: "GET", url: wsMe, headers: []string{svcKey}, status: 403},
			{name: "POST change-password", method: "POST", url: wsPassword, body: `{"CurrentPassword":"x","NewPassword":"n3w-secret"}`, headers: []string{svcKey}, status: 403},
			{name: "a client-credentials service account's key", method: "GET", url: wsMe, headers: []string{"X-Api-Key: " + robotKey}, status: 403},
			{name: "instance is the path as received, without the query", method: "GET", url: "/api/workspace/Account/Profile/?x=1",
				headers: []string{svcKey}, status: 403, instance: "/api/workspace/Account/Profile/"},
			{name: "before the media type", method: "PUT", url: wsProfile, body: `FirstName=x`, headers: []string{svcKey, "Content-Type: text/plain"}, status: 403},
			{name: "before the size limit", method: "PUT", url: wsProfile, body: `{"FirstName":"` + strings.Repeat("a", handlers.MaxBody) + `"}`, headers: []string{svcKey}, status: 403},
			{name: "before the body", method: "PUT", url: wsProfile, body: `{`, headers: []string{svcKey}, status: 403},
			{name: "before validation", method: "POST", url: wsPassword, body: `{}`, headers: []string{svcKey}, status: 403},
			{name: "after counting credentials", method: "GET", url: wsProfile, headers: []string{svcKey, ww.svcBearer}, status: 400,
				want: wsFail(wsTwoCredentials), challenge: wsInvalidRequest},

			{name: "the same account with a token: GET profile", method: "GET", url: wsProfile, headers: []string{ww.svcBearer}, status: 200, want: wsOK(svcProfile)},
			{name: "the same account with a token: GET me", method: "GET", url: wsMe, headers: []string{ww.svcBearer}, status: 200},
			{name: "the same account with access_token", method: "GET", url: wsProfile + "?access_token=" + strings.TrimPrefix(ww.svcBearer, "Authorization: Bearer "),
				status: 200, want: wsOK(svcProfile)},
			{name: "a client-credentials token", method: "GET", url: wsMe, headers: []string{robotBearer}, status: 200},
			{name: "the same account with a token: change-password is reached", method: "POST", url: wsPassword,
				body: `{"CurrentPassword":"x","NewPassword":"n3w-secret"}`, headers: []string{ww.svcBearer}, status: 400, want: wsFail(wsBadCurrent)},

			{name: "human key: GET profile", method: "GET", url: wsProfile, headers: []string{"X-Api-Key: " + fx.key}, status: 200, want: wsOK(annProfile)},
			{name: "human key: PUT profile", method: "PUT", url: wsProfile, body: `{"FirstName":"Ann"}`, headers: []string{"X-Api-Key: " + fx.key}, status: 200, want: wsOK(annProfile)},
			{name: "human key: GET me", method: "GET", url: wsMe, headers: []string{"X-Api-Key: " + fx.key}, status: 200, want: wsOK(annSession)},
			{name: "human key: change-password is reached", method: "POST", url: wsPassword, body: `{"CurrentPassword":"wrong!","NewPassword":"n3w-secret"}`,
				headers: []string{"X-Api-Key: " + fx.bobKey}, status: 400, want: wsFail(wsBadCurrent)},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) { fx.wsRun(t, c) })
		}
		t.Run("the same account with a token: PUT profile", func(t *testing.T) {
			w := fx.do("PUT", wsProfile, `{"FirstName":"Svc2"}`, ww.svcBearer)
			wsEnvelope(t, w, http.StatusOK, wsOK(strings.Replace(svcProfile, `"Svc"`, `"Svc2"`, 1)))
			assert.Equal(t, `"2"`, w.Header().Get("ETag"))
			evs := fx.events(51)
			require.Len(t, evs, 1)
			assert.Equal(t, "workspace/bearer", evs[0].Via)
		})
		assert.Equal(t, int64(2), fx.reload(51).Version, "the 403s wrote nothing")
	})
}

// TestWorkspaceOrder covers the processing order of workspace.md §2: route → credentials → API-key rule → body →
// validation → If-Match.
func TestWorkspaceOrder(t *testing.T) {
	each(t, func(t *testing.T, fx *fixture) {
		ww := newWSWorld(t, fx)
		big := `{"FirstName":"` + strings.Repeat("a", handlers.MaxBody) + `"}`
		long := strings.Repeat("é", 201)
		cases := []wsCase{
			{name: "route before credentials: 404", method: "PUT", url: "/api/workspace/account/profiles", body: `{`, status: 404},
			{name: "route before credentials: 405", method: "POST", url: wsMe, body: `{`, status: 405, allow: "GET"},
			{name: "credentials before the media type", method: "PUT", url: wsProfile, body: `x`, headers: []string{"Content-Type: text/plain"}, status: 401, challenge: wsNoCredential},
			{name: "credentials before the size limit", method: "PUT", url: wsProfile, body: big, headers: []string{"Authorization: Bearer fa_at_nope"}, status: 401, challenge: wsInvalidToken},
			{name: "credentials before the body", method: "PUT", url: wsProfile, body: `{`, status: 401, challenge: wsNoCredential},
			{name: "two credentials before the body", method: "PUT", url: wsProfile, body: `{`, headers: []string{ww.bearer, "X-Api-Key: " + fx.key},
				status: 400, want: wsFail(wsTwoCredentials), challenge: wsInvalidRequest},
			{name: "media type before size", method: "PUT", url: wsProfile, body: big, headers: []string{ww.bearer, "Content-Type: text/plain"}, status: 415},
			{name: "size before decoding", method: "PUT", url: wsProfile, body: big + `{`, headers: []string{ww.bearer}, status: 413},
			{name: "body before If-Match", method: "PUT", url: wsProfile, body: `{`, headers: []string{ww.bearer, `If-Match: "1"`}, status: 400, want: wsFail(wsInvalidBody(wsNotJSON))},
			{name: "validation before If-Match", method: "PUT", url: wsProfile, body: `{"FirstName":"` + long + `"}`, headers: []string{ww.bearer, `If-Match: "1"`},
				status: 400, want: wsFail(wsMaxLength("FirstName", "FirstName", 200))},
			{name: "If-Match before the no-change rule", method: "PUT", url: wsProfile, body: `{"FirstName":"Ann"}`, headers: []string{ww.bearer, `If-Match: "1"`},
				status: 412, want: wsFail(wsConflict)},
			{name: "validation before the current password", method: "POST", url: wsPassword, body: `{"CurrentPassword":"wrong!","NewPassword":"123"}`,
				headers: []string{ww.bearer}, status: 400, want: wsFail(wsMinLength("NewPassword"))},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) { fx.wsRun(t, c) })
		}
		assert.Equal(t, int64(2), fx.reload(fx.ann.ID).Version, "nothing written")
	})
}

// TestWorkspaceErrorCodes covers the code table of workspace.md §3, one row per code, each item exact: Code,
// Message, Target, Field, Metadata, Type, Severity. (Account.NotFound: TestWorkspaceUserGone.)
func TestWorkspaceErrorCodes(t *testing.T) {
	each(t, func(t *testing.T, fx *fixture) {
		ww := newWSWorld(t, fx)
		fx.wsSetProfile(fx.bob.ID, models.ProfileChange{Email: models.To("bob.b@example.net")})
		dana := fx.wsHumanWithPassword(55, "dana@example.com", "s3cret!")
		fx.wsSetProfile(dana.ID, models.ProfileChange{MobileNumber: models.To("0412 345 678")})
		fx.enable2FA(dana.ID)
		b := []string{ww.bearer}
		cases := []wsCase{
			{name: "Validation.Required on a profile", method: "PUT", url: wsProfile, body: `{"UserName":""}`, headers: b, status: 400,
				want: wsFail(wsRequired("Account", "UserName", "UserName"))},
			{name: "Validation.Required on login: Target Auth", method: "POST", url: wsLogin, body: `{"Password":"x"}`, status: 400,
				want: wsFail(wsRequired("Auth", "UserNameOrEmail", "UserNameOrEmail"))},
			{name: "Validation.Required on change-password: Target Account", method: "POST", url: wsPassword, body: `{"NewPassword":"n3w-secret"}`, headers: b, status: 400,
				want: wsFail(wsRequired("Account", "CurrentPassword", "CurrentPassword"))},
			{name: "Validation.MaxLength", method: "PUT", url: wsProfile, body: `{"FirstName":"` + strings.Repeat("a", 201) + `"}`, headers: b, status: 400,
				want: wsFail(wsMaxLength("FirstName", "FirstName", 200))},
			{name: "Validation.MinLength", method: "POST", url: wsPassword, body: `{"CurrentPassword":"s3cret!","NewPassword":"12345"}`, headers: b, status: 400,
				want: wsFail(wsMinLength("NewPassword"))},
			{name: "Validation.EmailInvalid", method: "PUT", url: wsProfile, body: `{"Email":"ann"}`, headers: b, status: 400,
				want: wsFail(wsEmailInvalid("Email"))},
			{name: "Validation.InvalidType on a profile", method: "PUT", url: wsProfile, body: `{"LastName":5}`, headers: b, status: 400,
				want: wsFail(wsInvalidType("Account", "LastName", "LastName"))},
			{name: "Validation.InvalidType on login: Target Auth", method: "POST", url: wsLogin, body: `{"UserNameOrEmail":"ann@example.com","Password":5}`, status: 400,
				want: wsFail(wsInvalidType("Auth", "Password", "Password"))},
			{name: "Request.InvalidBody: not JSON", method: "PUT", url: wsProfile, body: `{`, headers: b, status: 400,
				want: wsFail(wsInvalidBody(wsNotJSON))},
			{name: "Request.InvalidBody: empty", method: "PUT", url: wsProfile, body: ``, headers: b, status: 400,
				want: wsFail(wsInvalidBody(wsNoBody))},
			{name: "Auth.InvalidRequest", method: "GET", url: wsMe, headers: []string{ww.bearer, "X-Api-Key: " + fx.key}, status: 400,
				want: wsFail(wsTwoCredentials), challenge: wsInvalidRequest},
			{name: "Auth.InvalidCredentials on login", method: "POST", url: wsLogin, body: annWrong, status: 400,
				want: wsFail(wsBadLogin)},
			{name: "Auth.InvalidCredentials on change-password", method: "POST", url: wsPassword, body: `{"CurrentPassword":"wrong!","NewPassword":"n3w-secret"}`, headers: b, status: 400,
				want: wsFail(wsBadCurrent)},
			{name: "Auth.TwoFactorRequired", method: "POST", url: wsLogin, body: `{"UserNameOrEmail":"dana@example.com","Password":"s3cret!"}`, status: 400,
				want: wsFail(wsTwoFactor)},
			{name: "Account.UserNameTaken", method: "PUT", url: wsProfile, body: `{"UserName":"bob@example.com"}`, headers: b, status: 400,
				want: wsFail(wsUserNameTaken)},
			{name: "Account.EmailTaken", method: "PUT", url: wsProfile, body: `{"Email":"bob.b@example.net"}`, headers: b, status: 400,
				want: wsFail(wsEmailTaken)},
			{name: "Account.Conflict", method: "PUT", url: wsProfile, body: `{"FirstName":"Zed"}`, headers: []string{ww.bearer, `If-Match: "1"`}, status: 412,
				want: wsFail(wsConflict)},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) { fx.wsRun(t, c) })
		}
		t.Run("Auth.TooManyAttempts", func(t *testing.T) {
			wrong := `{"UserNameOrEmail":"nobody@example.com","Password":"wrong!"}`
			for i := 0; i < auth.FailuresPerUserAddress; i++ {
				fx.wsRun(t, wsCase{method: "POST", url: wsLogin, body: wrong, status: 400, want: wsFail(wsBadLogin)})
			}
			w := fx.wsRun(t, wsCase{method: "POST", url: wsLogin, body: wrong, status: 429, want: wsFail(wsTooMany)})
			assert.Equal(t, "900", w.Header().Get("Retry-After"), "whole seconds left in the window")
		})
		assert.Equal(t, int64(2), fx.reload(fx.ann.ID).Version, "no error wrote anything")
		assert.Len(t, fx.events(fx.ann.ID), 1)
	})
}

// TestWorkspaceBody covers workspace.md §4: media types, the size limit, empty and malformed bodies, property
// names, unknown and duplicate properties, wrong JSON types, null, and several problems reported together.
func TestWorkspaceBody(t *testing.T) {
	each(t, func(t *testing.T, fx *fixture) {
		ww := newWSWorld(t, fx)

		t.Run("media types", func(t *testing.T) {
			for i, c := range []struct {
				contentType string
				status      int
			}{
				{"application/json", 200},
				{"application/json; charset=utf-8", 200},
				{"application/json; charset=UTF-8", 200},
				{"application/json;charset=utf-8", 200},
				{"application/json; foo=bar", 200},
				{"text/json", 200},
				{"text/json; charset=utf-8", 200},
				{"application/vnd.foo+json", 200},
				{"application/problem+json", 200},
				{"application/json-patch+json", 200},
				{"", 200},
				{"application/json; charset=utf-16", 415},
				{"application/json; charset=iso-8859-1", 415},
				{"text/json; charset=us-ascii", 415},
				{"text/plain", 415},
				{"application/xml", 415},
				{"text/xml", 415},
				{"application/x-www-form-urlencoded", 415},
				{"multipart/form-data; boundary=x", 415},
				{"text/html", 415},
				{"json", 415},
			} {
				t.Run(c.contentType, func(t *testing.T) {
					name := "M" + strconv.Itoa(i)
					h := []string{ww.bearer}
					if c.contentType != "" {
						h = append(h, "Content-Type: "+c.contentType)
					}
					w := fx.do("PUT", wsProfile, `{"FirstName":"`+name+`"}`, h...)
					if c.status == 415 {
						wsProblem(t, w, 415, wsProfile)
						assert.NotEqual(t, name, *fx.reload(fx.ann.ID).FirstName)
						return
					}
					wsEnvelope(t, w, 200, "")
					assert.Equal(t, name, *fx.reload(fx.ann.ID).FirstName, "read as JSON")
				})
			}
			fx.wsRun(t, wsCase{name: "415 on login", method: "POST", url: wsLogin, body: annLogin, headers: []string{"Content-Type: text/plain"}, status: 415})
			fx.wsRun(t, wsCase{name: "415 on change-password", method: "POST", url: wsPassword, body: `{}`,
				headers: []string{ww.bearer, "Content-Type: application/x-www-form-urlencoded"}, status: 415})
			w := fx.do("POST", wsLogin, annLogin, "Content-Type: text/json; charset=utf-8")
			wsLoginOK(t, w, wsSession(wsProfileOf(fx.reload(fx.ann.ID)), "acme-pty-ltd", "", "AU", "administrator"))
		})

		t.Run("size", func(t *testing.T) {
			over := `{"FirstName":"` + strings.Repeat("a", handlers.MaxBody) + `"}`
			pad := `{"Pad":"` + strings.Repeat("a", handlers.MaxBody-10) + `"}`
			require.Len(t, pad, handlers.MaxBody)
			before := fx.reload(fx.ann.ID)
			fx.wsRun(t, wsCase{method: "PUT", url: wsProfile, body: over, headers: []string{ww.bearer, "Content-Type: application/json"}, status: 413})
			fx.wsRun(t, wsCase{method: "PUT", url: wsProfile, body: over, headers: []string{ww.bearer}, status: 413})
			fx.wsRun(t, wsCase{method: "PUT", url: "/API/Workspace/Account/Profile/", body: pad + " ", headers: []string{ww.bearer}, status: 413,
				instance: "/API/Workspace/Account/Profile/"})
			fx.wsRun(t, wsCase{method: "POST", url: wsLogin, body: over, status: 413})
			fx.wsRun(t, wsCase{method: "POST", url: wsPassword, body: over, headers: []string{ww.bearer}, status: 413})
			w := fx.do("PUT", wsProfile, pad, ww.bearer)
			wsEnvelope(t, w, 200, wsOK(wsProfileOf(before)))
			assert.Equal(t, before.Version, fx.reload(fx.ann.ID).Version, "exactly 1 MiB is read: nothing to change")
		})

		t.Run("empty and malformed bodies", func(t *testing.T) {
			before := fx.reload(fx.ann.ID)
			empty, notJSON := wsFail(wsInvalidBody(wsNoBody)), wsFail(wsInvalidBody(wsNotJSON))
			for _, c := range []struct{ name, url, body, want string }{
				{"empty", wsProfile, ``, empty},
				{"empty login", wsLogin, ``, empty},
				{"empty change-password", wsPassword, ``, empty},
				{"whitespace only (our choice: only a zero-length body is empty, as in ASP.NET Core)", wsProfile, "  \n", notJSON},
				{"whitespace only on login (our choice: only a zero-length body is empty)", wsLogin, "  \n", notJSON},
				{"whitespace only on change-password (our choice: only a zero-length body is empty)", wsPassword, "  \n", notJSON},
				{"truncated", wsProfile, `{"FirstName":"Zed"`, notJSON},
				{"no value", wsProfile, `{"FirstName":}`, notJSON},
				{"not JSON at all", wsProfile, `FirstName=Zed`, notJSON},
				{"trailing comma", wsProfile, `{"FirstName":"Zed",}`, notJSON},
				{"comment", wsProfile, `{/* c */"FirstName":"Zed"}`, notJSON},
				{"trailing data", wsProfile, `{"FirstName":"Zed"} {}`, notJSON},
				{"invalid UTF-8 (System.Text.Json refuses it)", wsProfile, "{\"FirstName\":\"a\xffb\"}", notJSON},
				{"a lone UTF-16 surrogate escape (System.Text.Json refuses it)", wsProfile, `{"FirstName":"a\ud800"}`, notJSON},
				{"array", wsProfile, `[]`, notJSON},
				{"array of an object", wsProfile, `[{"FirstName":"Zed"}]`, notJSON},
				{"string", wsProfile, `"Zed"`, notJSON},
				{"number", wsProfile, `5`, notJSON},
				{"boolean", wsProfile, `true`, notJSON},
				{"null", wsProfile, `null`, notJSON},
				{"array on login", wsLogin, `[]`, notJSON},
				{"malformed change-password", wsPassword, `{"NewPassword":"n3w-secret"`, notJSON},
			} {
				t.Run(c.name, func(t *testing.T) {
					method := "PUT"
					if c.url != wsProfile {
						method = "POST"
					}
					fx.wsRun(t, wsCase{method: method, url: c.url, body: c.body, headers: []string{ww.bearer, "Content-Type: application/json"}, status: 400, want: c.want})
				})
			}
			assert.Equal(t, before.Version, fx.reload(fx.ann.ID).Version)
		})

		t.Run("properties", func(t *testing.T) {
			put := func(body string) models.User {
				t.Helper()
				w := fx.do("PUT", wsProfile, body, ww.bearer, "Content-Type: application/json")
				u := fx.reload(fx.ann.ID)
				wsEnvelope(t, w, 200, wsOK(wsProfileOf(u)))
				return u
			}
			u := put(" \n\t{\"FirstName\":\"Spaced\"}\r\n ")
			assert.Equal(t, "Spaced", *u.FirstName, "whitespace around the object")
			u = put(`{"firstname":"Lower","LASTNAME":"Upper"}`)
			assert.Equal(t, "Lower", *u.FirstName, "names match case-insensitively")
			assert.Equal(t, "Upper", *u.LastName)
			u = put(`{"FirstName":"Known","Nickname":5,"UserId":"1","UserType":2,"Data":{"x":[1]},"Password":"x"}`)
			assert.Equal(t, "Known", *u.FirstName, "unknown properties are ignored")
			assert.Equal(t, int64(42), u.ID)
			assert.Equal(t, int64(models.UserHuman), u.UserType, "UserType is not a PUT field")
			u = put(`{"FirstName":"First","FirstName":"Last"}`)
			assert.Equal(t, "Last", *u.FirstName, "the last duplicate wins")
			u = put(`{"FirstName":"First","firstName":"Again","FIRSTNAME":"Final"}`)
			assert.Equal(t, "Final", *u.FirstName, "the last duplicate wins, whatever its case")
			u = put(`{"FirstName":5,"FirstName":"Valid"}`)
			assert.Equal(t, "Valid", *u.FirstName, "an earlier duplicate of the wrong type is discarded")
			before := u
			w := fx.do("PUT", wsProfile, `{"FirstName":"Changed","FirstName":null}`, ww.bearer)
			wsEnvelope(t, w, 200, wsOK(wsProfileOf(before)))
			assert.Equal(t, before.Version, fx.reload(fx.ann.ID).Version, "a last null leaves the field unchanged")
			w = fx.do("PUT", wsProfile, `{"UserName":null,"Email":null,"FirstName":null,"LastName":null}`, ww.bearer)
			wsEnvelope(t, w, 200, wsOK(wsProfileOf(before)))
			w = fx.do("PUT", wsProfile, `{}`, ww.bearer)
			wsEnvelope(t, w, 200, wsOK(wsProfileOf(before)))
			assert.Equal(t, before.Version, fx.reload(fx.ann.ID).Version, "null and absent fields are kept")
		})

		t.Run("problems", func(t *testing.T) {
			before := fx.reload(fx.ann.ID)
			long201, long255 := strings.Repeat("é", 201), strings.Repeat("é", 243)+"@example.com"
			for _, c := range []struct {
				name, url, body string
				want            []wsItem
			}{
				{"number for a string", wsProfile, `{"FirstName":5}`, []wsItem{wsInvalidType("Account", "FirstName", "FirstName")}},
				{"boolean for a string", wsProfile, `{"LastName":false}`, []wsItem{wsInvalidType("Account", "LastName", "LastName")}},
				{"object for a string", wsProfile, `{"Email":{"a":1}}`, []wsItem{wsInvalidType("Account", "Email", "Email")}},
				{"array for a string", wsProfile, `{"UserName":["ann@example.com"]}`, []wsItem{wsInvalidType("Account", "UserName", "UserName")}},
				{"Field is the name as sent", wsProfile, `{"firstname":1.5}`, []wsItem{wsInvalidType("Account", "firstname", "FirstName")}},
				{"Field is the name as sent: MaxLength", wsProfile, `{"LASTNAME":"` + long201 + `"}`, []wsItem{wsMaxLength("LASTNAME", "LastName", 200)}},
				{"Field is the last duplicate's name", wsProfile, `{"FirstName":"ok","firstName":true}`, []wsItem{wsInvalidType("Account", "firstName", "FirstName")}},
				{"all four together, in table order", wsProfile, `{"LastName":"` + long201 + `","FirstName":7,"Email":"nope","UserName":""}`, []wsItem{
					wsRequired("Account", "UserName", "UserName"), wsEmailInvalid("Email"),
					wsInvalidType("Account", "FirstName", "FirstName"), wsMaxLength("LastName", "LastName", 200)}},
				{"names as sent, in table order", wsProfile, `{"lastname":"` + long201 + `","EMAIL":"x"}`, []wsItem{
					wsEmailInvalid("EMAIL"), wsMaxLength("lastname", "LastName", 200)}},
				{"one problem per field: the first rule", wsProfile, `{"Email":"` + strings.Repeat("x", 255) + `"}`, []wsItem{wsMaxLength("Email", "Email", 254)}},
				{"one problem per field: length before address", wsProfile, `{"Email":"` + long255 + `"}`, []wsItem{wsMaxLength("Email", "Email", 254)}},
				{"login: both missing", wsLogin, `{}`, []wsItem{wsRequired("Auth", "UserNameOrEmail", "UserNameOrEmail"), wsRequired("Auth", "Password", "Password")}},
				{"login: both empty", wsLogin, `{"UserNameOrEmail":"","Password":""}`, []wsItem{wsRequired("Auth", "UserNameOrEmail", "UserNameOrEmail"), wsRequired("Auth", "Password", "Password")}},
				{"login: both null", wsLogin, `{"UserNameOrEmail":null,"Password":null}`, []wsItem{wsRequired("Auth", "UserNameOrEmail", "UserNameOrEmail"), wsRequired("Auth", "Password", "Password")}},
				{"login: names as sent, canonical when absent", wsLogin, `{"password":""}`, []wsItem{wsRequired("Auth", "UserNameOrEmail", "UserNameOrEmail"), wsRequired("Auth", "password", "Password")}},
				{"login: wrong types", wsLogin, `{"Password":{},"usernameoremail":["ann"]}`, []wsItem{wsInvalidType("Auth", "usernameoremail", "UserNameOrEmail"), wsInvalidType("Auth", "Password", "Password")}},
				{"change-password: both missing", wsPassword, `{}`, []wsItem{wsRequired("Account", "CurrentPassword", "CurrentPassword"), wsRequired("Account", "NewPassword", "NewPassword")}},
				{"change-password: names as sent", wsPassword, `{"newpassword":"abc"}`, []wsItem{wsRequired("Account", "CurrentPassword", "CurrentPassword"), wsMinLength("newpassword")}},
				{"change-password: wrong types", wsPassword, `{"CurrentPassword":1,"NewPassword":true}`, []wsItem{wsInvalidType("Account", "CurrentPassword", "CurrentPassword"), wsInvalidType("Account", "NewPassword", "NewPassword")}},
			} {
				t.Run(c.name, func(t *testing.T) {
					method := "PUT"
					if c.url != wsProfile {
						method = "POST"
					}
					fx.wsRun(t, wsCase{method: method, url: c.url, body: c.body, headers: []string{ww.bearer}, status: 400, want: wsFail(c.want...)})
				})
			}
			assert.Equal(t, before.Version, fx.reload(fx.ann.ID).Version, "any problem: nothing written")
		})
	})
}

// TestWorkspaceProfileGet covers GET /api/workspace/account/profile (workspace.md §5, §3 profile Data).
func TestWorkspaceProfileGet(t *testing.T) {
	each(t, func(t *testing.T, fx *fixture) {
		ww := newWSWorld(t, fx)
		sys := fx.user(models.NewUser{ID: ptr[int64](60), Username: "system", FirstName: "System", Type: models.UserSystem})
		cases := []struct {
			name    string
			headers []string
			etag    string
			want    string
		}{
			{"ann with a token", []string{ww.bearer}, `"2"`, annProfile},
			{"ann with a key", []string{"X-Api-Key: " + fx.key}, `"2"`, annProfile},
			{"bob: LastName null", []string{"X-Api-Key: " + fx.bobKey}, `"1"`, bobProfile},
			{"a service account with a token: UserType 1", []string{ww.svcBearer}, `"1"`, svcProfile},
			{"a system user with a token: UserType 2", []string{fx.zToken(sys.ID, "full")}, `"1"`,
				`{"UserId":"60","UserName":"system","Email":null,"FirstName":"System","LastName":null,"UserType":2}`},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				w := fx.do("GET", wsProfile, "", c.headers...)
				wsEnvelope(t, w, http.StatusOK, wsOK(c.want))
				assert.Equal(t, c.etag, w.Header().Get("ETag"))
			})
		}
		t.Run("the stored values, and the version as ETag", func(t *testing.T) {
			fx.wsSetProfile(fx.ann.ID, models.ProfileChange{Email: models.To("Ann.Lee@Example.org"), FirstName: models.To(""), LastName: models.To(" Lee ")})
			w := fx.do("GET", wsProfile, "", ww.bearer)
			wsEnvelope(t, w, http.StatusOK, wsOK(`{"UserId":"42","UserName":"ann@example.com","Email":"Ann.Lee@Example.org","FirstName":"","LastName":" Lee ","UserType":0}`))
			assert.Equal(t, `"3"`, w.Header().Get("ETag"))
		})
	})
}

// TestWorkspaceProfilePutRejected covers the failing rows of the PUT table (workspace.md §5): each answers 400
// (or 412) with its code and writes nothing.
func TestWorkspaceProfilePutRejected(t *testing.T) {
	each(t, func(t *testing.T, fx *fixture) {
		ww := newWSWorld(t, fx)
		fx.wsSetProfile(fx.bob.ID, models.ProfileChange{Email: models.To("bob.b@example.net")})
		before := fx.reload(fx.ann.ID)
		evs := len(fx.events(fx.ann.ID))
		for _, c := range []struct {
			name, body string
			headers    []string
			status     int
			want       wsItem
		}{
			{"UserName empty", `{"UserName":""}`, nil, 400, wsRequired("Account", "UserName", "UserName")},
			{"UserName over 254 code points", `{"UserName":"` + strings.Repeat("é", 255) + `"}`, nil, 400, wsMaxLength("UserName", "UserName", 254)},
			{"UserName of another user", `{"UserName":"bob@example.com"}`, nil, 400, wsUserNameTaken},
			{"UserName of another user, other case", `{"UserName":"BOB@Example.COM"}`, nil, 400, wsUserNameTaken},
			{"Email over 254 code points", `{"Email":"` + strings.Repeat("é", 243) + `@example.com"}`, nil, 400, wsMaxLength("Email", "Email", 254)},
			{"Email with a display name", `{"Email":"Ann <ann@example.com>"}`, nil, 400, wsEmailInvalid("Email")},
			{"Email in angle brackets", `{"Email":"<ann@example.com>"}`, nil, 400, wsEmailInvalid("Email")},
			{"Email with a comment", `{"Email":"ann@example.com (Ann)"}`, nil, 400, wsEmailInvalid("Email")},
			{"Email with a leading space", `{"Email":" ann@example.com"}`, nil, 400, wsEmailInvalid("Email")},
			{"Email with a trailing space", `{"Email":"ann@example.com "}`, nil, 400, wsEmailInvalid("Email")},
			{"Email with a quoted local part", `{"Email":"\"ann lee\"@example.com"}`, nil, 400, wsEmailInvalid("Email")},
			{"Email without @", `{"Email":"ann"}`, nil, 400, wsEmailInvalid("Email")},
			{"Email without a domain", `{"Email":"ann@"}`, nil, 400, wsEmailInvalid("Email")},
			{"Email with two @", `{"Email":"ann@@example.com"}`, nil, 400, wsEmailInvalid("Email")},
			{"Email of another user", `{"Email":"bob.b@example.net"}`, nil, 400, wsEmailTaken},
			{"Email of another user, other case", `{"Email":"BOB.B@Example.NET"}`, nil, 400, wsEmailTaken},
			{"FirstName over 200 code points", `{"FirstName":"` + strings.Repeat("é", 201) + `"}`, nil, 400, wsMaxLength("FirstName", "FirstName", 200)},
			{"LastName over 200 code points", `{"LastName":"` + strings.Repeat("日", 201) + `"}`, nil, 400, wsMaxLength("LastName", "LastName", 200)},
			{"If-Match an older version", `{"FirstName":"Zed"}`, []string{`If-Match: "1"`}, 412, wsConflict},
			{"If-Match a newer version", `{"FirstName":"Zed"}`, []string{`If-Match: "3"`}, 412, wsConflict},
			{"If-Match weak: never matches", `{"FirstName":"Zed"}`, []string{`If-Match: W/"2"`}, 412, wsConflict},
			{"If-Match unquoted", `{"FirstName":"Zed"}`, []string{`If-Match: 2`}, 412, wsConflict},
			{"If-Match not matching, same values", `{"FirstName":"Ann"}`, []string{`If-Match: "1"`}, 412, wsConflict},
		} {
			t.Run(c.name, func(t *testing.T) {
				fx.wsRun(t, wsCase{method: "PUT", url: wsProfile, body: c.body, headers: append([]string{ww.bearer, "Content-Type: application/json"}, c.headers...),
					status: c.status, want: wsFail(c.want)})
				after := fx.reload(fx.ann.ID)
				assert.Equal(t, before, after, "nothing written")
				assert.Len(t, fx.events(fx.ann.ID), evs, "no event")
			})
		}
	})
}

// TestWorkspaceProfilePut covers the accepted rows of the PUT table (workspace.md §5), in order on one user:
// lengths in code points at the limit, Email "" clearing to NULL, verbatim values, no change, If-Match, and
// for every real change: version + 1, the new ETag, exactly one profile event of the changed fields with the
// right via.
func TestWorkspaceProfilePut(t *testing.T) {
	each(t, func(t *testing.T, fx *fixture) {
		ctx := context.Background()
		ww := newWSWorld(t, fx)
		at200, at254 := strings.Repeat("é", 200), strings.Repeat("é", 254)
		email254 := strings.Repeat("é", 242) + "@example.com"
		steps := []struct {
			name, url, body string
			headers         []string // nil: ann's bearer
			changed         []string // the columns of the new event; nil: no change
			via             string
			check           func(t *testing.T, u models.User)
		}{
			{name: "same values: no change", body: `{"UserName":"ann@example.com","FirstName":"Ann","LastName":"Lee"}`},
			{name: "Email empty when already NULL: no change", body: `{"Email":""}`},
			{name: "If-Match matching", body: `{"FirstName":"Zed"}`, headers: []string{ww.bearer, `If-Match: "2"`}, changed: []string{"first_name"},
				check: func(t *testing.T, u models.User) { assert.Equal(t, "Zed", *u.FirstName) }},
			{name: "If-Match *", body: `{"FirstName":"Ann"}`, headers: []string{ww.bearer, `If-Match: *`}, changed: []string{"first_name"}},
			{name: "If-Match list with the current version", body: `{"LastName":""}`, headers: []string{ww.bearer, `If-Match: "1", "4"`}, changed: []string{"last_name"},
				check: func(t *testing.T, u models.User) {
					require.NotNil(t, u.LastName)
					assert.Equal(t, "", *u.LastName, `"" is allowed and stored`)
				}},
			{name: "FirstName empty", body: `{"FirstName":""}`, changed: []string{"first_name"},
				check: func(t *testing.T, u models.User) { require.NotNil(t, u.FirstName); assert.Equal(t, "", *u.FirstName) }},
			{name: "FirstName at 200 code points", body: `{"FirstName":"` + at200 + `"}`, changed: []string{"first_name"},
				check: func(t *testing.T, u models.User) { assert.Equal(t, at200, *u.FirstName) }},
			{name: "LastName at 200 code points", body: `{"LastName":"` + strings.Repeat("日", 200) + `"}`, changed: []string{"last_name"}},
			{name: "values stored verbatim", body: `{"FirstName":"  Zed  ","LastName":" Lee\t"}`, changed: []string{"first_name", "last_name"},
				check: func(t *testing.T, u models.User) {
					assert.Equal(t, "  Zed  ", *u.FirstName)
					assert.Equal(t, " Lee\t", *u.LastName)
				}},
			{name: "UserName at 254 code points", body: `{"UserName":"` + at254 + `"}`, changed: []string{"username"},
				check: func(t *testing.T, u models.User) { assert.Equal(t, at254, u.Username) }},
			{name: "UserName back: the token still works", body: `{"UserName":"ann@example.com"}`, changed: []string{"username"}},
			{name: "own UserName in another case: a change, not taken", body: `{"UserName":"ANN@example.com"}`, changed: []string{"username"},
				check: func(t *testing.T, u models.User) { assert.Equal(t, "ANN@example.com", u.Username) }},
			{name: "Email at 254 code points", body: `{"Email":"` + email254 + `"}`, changed: []string{"email"},
				check: func(t *testing.T, u models.User) { assert.Equal(t, email254, *u.Email) }},
			{name: "Email set", body: `{"Email":"ann.lee@example.org"}`, changed: []string{"email"}},
			{name: "own Email in another case: a change, not taken", body: `{"Email":"ANN.LEE@example.org"}`, changed: []string{"email"},
				check: func(t *testing.T, u models.User) { assert.Equal(t, "ANN.LEE@example.org", *u.Email) }},
			{name: "Email empty clears it", body: `{"Email":""}`, changed: []string{"email"},
				check: func(t *testing.T, u models.User) { assert.Nil(t, u.Email, "NULL, not the empty string") }},
			{name: "through an API key", body: `{"FirstName":"Keyed"}`, headers: []string{"X-Api-Key: " + fx.key}, changed: []string{"first_name"}, via: "workspace/key"},
			{name: "through access_token", url: wsProfile + "?access_token=" + ww.token, body: `{"FirstName":"Queried"}`, headers: []string{}, changed: []string{"first_name"}},
			{name: "four fields, one event", body: `{"UserName":"ann@example.com","Email":"ann@example.com","FirstName":"Ann","LastName":"Lee"}`,
				changed: []string{"email", "first_name", "last_name", "username"}},
			{name: "the same again: no change", body: `{"UserName":"ann@example.com","Email":"ann@example.com","FirstName":"Ann","LastName":"Lee"}`},
		}
		for _, s := range steps {
			t.Run(s.name, func(t *testing.T) {
				before := fx.reload(fx.ann.ID)
				evs := len(fx.events(fx.ann.ID))
				target, headers := s.url, s.headers
				if target == "" {
					target = wsProfile
				}
				if headers == nil {
					headers = []string{ww.bearer}
				}
				w := fx.do("PUT", target, s.body, append(headers, "Content-Type: application/json")...)
				after := fx.reload(fx.ann.ID)
				wsEnvelope(t, w, http.StatusOK, wsOK(wsProfileOf(after)))
				if s.changed == nil {
					fx.wsAssertNoChange(t, w, before, evs)
					assert.Equal(t, before, after)
					return
				}
				assert.Equal(t, before.Version+1, after.Version, "version + 1")
				assert.Equal(t, `"`+strconv.FormatInt(after.Version, 10)+`"`, w.Header().Get("ETag"), "the new ETag")
				all := fx.events(fx.ann.ID)
				require.Len(t, all, evs+1, "exactly one profile event")
				ev := all[len(all)-1]
				via := s.via
				if via == "" {
					via = "workspace/bearer"
				}
				assert.Equal(t, via, ev.Via)
				assert.Equal(t, after.Version, ev.Version)
				require.NotNil(t, ev.ActorUserID)
				assert.Equal(t, fx.ann.ID, *ev.ActorUserID)
				assert.Equal(t, s.changed, wsChangedColumns(t, ev), "changed fields only")
				if s.check != nil {
					s.check(t, after)
				}
			})
		}
		t.Run("read back: the spec's example", func(t *testing.T) {
			w := fx.do("GET", wsProfile, "", "X-Api-Key: "+fx.key)
			wsEnvelope(t, w, http.StatusOK, `{"Data":{"UserId":"42","UserName":"ann@example.com","Email":"ann@example.com","FirstName":"Ann","LastName":"Lee","UserType":0},"Errors":[],"Warnings":[],"Success":true}`)
			assert.Equal(t, `"19"`, w.Header().Get("ETag"))
			assert.Equal(t, int64(19), fx.reload(fx.ann.ID).Version)
		})
		t.Run("no re-verification", func(t *testing.T) {
			msgs, err := fx.store.Outbox(ctx, "")
			require.NoError(t, err)
			assert.Empty(t, msgs, "a changed user name or email sends nothing")
		})
	})
}

// TestWorkspaceUserGone covers the last row of workspace.md §5 and the order of §2: a valid credential whose user
// was deleted after it was issued gets 404 Account.NotFound on every authenticated route; a credential that is
// itself bad (revoked, expired) is still 401 invalid_token, since credentials are checked first.
func TestWorkspaceUserGone(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, dsn models.DSN) {
		fx := newFixture(t, dsn)
		bearer := fx.zToken(fx.ann.ID, "full")
		expired := auth.NewSecret(auth.PrefixAccessToken)
		_, err := fx.store.CreateToken(context.Background(), models.NewToken{UserID: fx.ann.ID, Scope: "full",
			AccessHash: auth.HashSecret(expired), ExpiresAt: fx.store.Now().Add(-time.Second)})
		require.NoError(t, err)
		wsDeleteUser(t, dsn, fx.ann.ID)
		for _, c := range []struct{ name, method, path, body, auth string }{
			{"GET profile", "GET", wsProfile, "", bearer},
			{"PUT profile", "PUT", wsProfile, `{"FirstName":"Zed"}`, bearer},
			{"GET me", "GET", wsMe, "", bearer},
			{"POST change-password", "POST", wsPassword, `{"CurrentPassword":"s3cret!","NewPassword":"n3w-secret"}`, bearer},
			{"GET profile with a key", "GET", wsProfile, "", "X-Api-Key: " + fx.key},
			{"PUT profile with a key", "PUT", wsProfile, `{"FirstName":"Zed"}`, "X-Api-Key: " + fx.key},
			{"PUT profile: the user is gone before the body is read", "PUT", wsProfile, `{`, bearer},
			{"change-password: the user is gone before the body is validated", "POST", wsPassword, `{}`, bearer},
		} {
			t.Run(c.name, func(t *testing.T) {
				wsEnvelope(t, fx.do(c.method, c.path, c.body, c.auth), http.StatusNotFound, wsFail(wsNotFound))
			})
		}
		t.Run("a revoked key of the deleted user", func(t *testing.T) {
			wsUnauthorized(t, fx.do("GET", wsProfile, "", "X-Api-Key: "+fx.revoked), wsInvalidToken)
		})
		t.Run("an expired token of the deleted user", func(t *testing.T) {
			wsUnauthorized(t, fx.do("GET", wsMe, "", "Authorization: Bearer "+expired), wsInvalidToken)
		})
		t.Run("two credentials of the deleted user", func(t *testing.T) {
			w := fx.do("GET", wsProfile, "", bearer, "X-Api-Key: "+fx.key)
			wsEnvelope(t, w, http.StatusBadRequest, wsFail(wsTwoCredentials))
		})
	})
}

// wsRawDB opens the test database directly, for what no Store method does (the caller closes it).
func wsRawDB(t *testing.T, dsn models.DSN) *sql.DB {
	return rawDB(t, dsn, "_pragma=busy_timeout(5000)")
}

// rawDB opens the test database with database/sql alone, with sqliteParams on SQLite (the caller closes it).
func rawDB(tb testing.TB, dsn models.DSN, sqliteParams string) *sql.DB {
	tb.Helper()
	var db *sql.DB
	var err error
	if dsn.Dialect == "sqlite" {
		db, err = sql.Open("sqlite", dsn.Path+"?"+sqliteParams)
	} else {
		db, err = sql.Open("mysql", dsn.Config.FormatDSN())
	}
	require.NoError(tb, err)
	return db
}

// wsDeleteUser removes a user row behind the store's back: no Store method deletes users.
func wsDeleteUser(t *testing.T, dsn models.DSN, id int64) {
	t.Helper()
	db := wsRawDB(t, dsn)
	defer func() { _ = db.Close() }()
	_, err := db.Exec("DELETE FROM users WHERE id = ?", id)
	require.NoError(t, err)
}

// TestWorkspaceLogin covers POST /api/workspace/auth/login (workspace.md §6.1): by user name, else by email,
// case-insensitively; the same InvalidCredentials for a wrong password, an unknown user, a user without a
// password and a service account; TwoFactorRequired; the session Data; the token's kind, lifetime and scope,
// and that it works on every workspace route and on Saasu's GET /User.
func TestWorkspaceLogin(t *testing.T) {
	each(t, func(t *testing.T, fx *fixture) {
		ctx := context.Background()
		fx.wsSetProfile(fx.ann.ID, models.ProfileChange{Email: models.To("ann.lee@example.org")})
		carol := fx.wsHumanWithPassword(53, "carol@example.com", "carol-pw")
		fx.grant(carol.ID, 780, models.AccessStandard, false)
		erin := fx.wsHumanWithPassword(54, "erin@example.com", "erin-pw")
		// One sign-in namespace: erin cannot make carol's user name her e-mail, in any case, so a name never
		// means two users and "user name before e-mail" has nobody to choose between.
		_, _, taken := fx.store.UpdateProfile(ctx, erin.ID, models.ProfileChange{Email: models.To("Carol@Example.com")}, models.ChangeOptions{Via: "test"})
		require.Equal(t, models.KindConflict, models.KindOf(taken))
		dana := fx.wsHumanWithPassword(55, "dana@example.com", "s3cret!")
		fx.wsSetProfile(dana.ID, models.ProfileChange{MobileNumber: models.To("0412 345 678")})
		fx.enable2FA(dana.ID)
		pw, err := auth.HashPassword("s3cret!")
		require.NoError(t, err)
		fx.user(models.NewUser{ID: ptr[int64](56), Username: "robot@example.com", FirstName: "Robot", PasswordHash: &pw, Type: models.UserService})
		fx.user(models.NewUser{ID: ptr[int64](57), Username: "nopw@example.com", FirstName: "Nopw"})
		annWithEmail := wsSession(strings.Replace(annProfile, `"Email":null`, `"Email":"ann.lee@example.org"`, 1), "acme-pty-ltd", "", "AU", "administrator")
		carolSession := wsSession(wsProfileOf(carol), "delta-pty-ltd", "", "AU", "standard")

		for _, c := range []struct {
			name, body string
			headers    []string
			session    string
		}{
			{"by user name", annLogin, nil, annWithEmail},
			{"by user name, other case", `{"UserNameOrEmail":"ANN@EXAMPLE.COM","Password":"s3cret!"}`, nil, annWithEmail},
			{"by email", `{"UserNameOrEmail":"ann.lee@example.org","Password":"s3cret!"}`, nil, annWithEmail},
			{"by email, other case", `{"UserNameOrEmail":"Ann.Lee@Example.ORG","Password":"s3cret!"}`, nil, annWithEmail},
			{"property names in any case", `{"usernameoremail":"ann@example.com","PASSWORD":"s3cret!"}`, []string{"Content-Type: application/json"}, annWithEmail},
			{"user name before email", `{"UserNameOrEmail":"carol@example.com","Password":"carol-pw"}`, nil, carolSession},
		} {
			t.Run(c.name, func(t *testing.T) {
				w := fx.do("POST", wsLogin, c.body, c.headers...)
				wsLoginOK(t, w, c.session)
				assert.True(t, strings.HasPrefix(w.Body.String(), `{"Data":{"AccessToken":`), w.Body.String())
				assert.NotContains(t, w.Body.String(), "fa_rt_", "no refresh token")
				assert.NotContains(t, strings.ToLower(w.Body.String()), "refresh")
			})
		}

		t.Run("the token", func(t *testing.T) {
			w := fx.do("POST", wsLogin, annLogin)
			tok := wsLoginOK(t, w, annWithEmail)
			ti, err := fx.store.TokenByHash(ctx, auth.HashSecret(tok))
			require.NoError(t, err)
			assert.False(t, ti.Refresh)
			assert.Equal(t, fx.ann.ID, ti.Token.UserID)
			assert.Nil(t, ti.Token.ClientID, "the same kind as Saasu's")
			assert.Nil(t, ti.Token.RefreshHash, "no refresh token")
			assert.Equal(t, "full fileid:777 fileid:778 fileid:779", ti.Token.Scope)
			assert.True(t, fx.store.Now().Add(10800*time.Second).Equal(ti.Token.ExpiresAt), "10800 s: %s", ti.Token.ExpiresAt)
			bearer := "Authorization: Bearer " + tok
			wsEnvelope(t, fx.do("GET", wsProfile, "", bearer), 200, "")
			wsEnvelope(t, fx.do("GET", wsMe, "", bearer), 200, wsOK(annWithEmail))
			wsEnvelope(t, fx.do("GET", wsMe+"?access_token="+tok, ""), 200, wsOK(annWithEmail))
			wsEnvelope(t, fx.do("PUT", wsProfile, `{"FirstName":"Ann"}`, bearer), 200, "")
			s := fx.do("GET", "/User?FileId=777", "", bearer, "Accept: application/json")
			require.Equal(t, http.StatusOK, s.Code, s.Body.String())
			assert.Contains(t, s.Body.String(), `"Id":42`)
			for _, f := range []string{"778", "779"} {
				assert.Equal(t, http.StatusOK, fx.do("GET", "/User?FileId="+f, "", bearer).Code, "file %s in scope", f)
			}
			assert.Equal(t, http.StatusUnauthorized, fx.do("GET", "/User?FileId=780", "", bearer).Code)

			w = fx.do("POST", wsLogin, `{"UserNameOrEmail":"bob@example.com","Password":"s3cret!"}`)
			bt := wsLoginOK(t, w, wsSession(bobProfile, "delta-pty-ltd", "", "AU", "standard"))
			ti, err = fx.store.TokenByHash(ctx, auth.HashSecret(bt))
			require.NoError(t, err)
			assert.Equal(t, "full fileid:780", ti.Token.Scope)

			start := fx.store.Now()
			fx.store.Now = func() time.Time { return start.Add(10800*time.Second - time.Second) }
			wsEnvelope(t, fx.do("GET", wsMe, "", bearer), 200, "")
			fx.store.Now = func() time.Time { return start.Add(10800 * time.Second) }
			wsUnauthorized(t, fx.do("GET", wsMe, "", bearer), wsInvalidToken)
			fx.store.Now = func() time.Time { return start }
		})

		for _, c := range []struct{ name, body string }{
			{"wrong password", annWrong},
			{"wrong password by email", `{"UserNameOrEmail":"ann.lee@example.org","Password":"S3CRET!"}`},
			{"unknown user", `{"UserNameOrEmail":"nobody@example.com","Password":"s3cret!"}`},
			{"a service account", `{"UserNameOrEmail":"robot@example.com","Password":"s3cret!"}`},
			{"a user without a password", `{"UserNameOrEmail":"nopw@example.com","Password":"s3cret!"}`},
			{"2FA user, wrong password", `{"UserNameOrEmail":"dana@example.com","Password":"wrong!"}`},
		} {
			t.Run(c.name, func(t *testing.T) {
				fx.wsRun(t, wsCase{method: "POST", url: wsLogin, body: c.body, status: 400, want: wsFail(wsBadLogin)})
			})
		}
		t.Run("2FA user, right password", func(t *testing.T) {
			fx.wsRun(t, wsCase{method: "POST", url: wsLogin, body: `{"UserNameOrEmail":"dana@example.com","Password":"s3cret!"}`, status: 400, want: wsFail(wsTwoFactor)})
			fx.wsRun(t, wsCase{method: "POST", url: wsLogin, body: `{"UserNameOrEmail":"DANA@example.com","Password":"s3cret!"}`, status: 400, want: wsFail(wsTwoFactor)})
		})
	})
}

// TestWorkspaceLoginRateLimit covers the shared credential limit of workspace.md §6.1 and saasu.md §6.7: failures
// at the workspace login and at /authorisation/token count together per user name; at the limit both answer
// 429 with Retry-After, each in its own dialect; other users go on; the window closes after 15 minutes.
func TestWorkspaceLoginRateLimit(t *testing.T) {
	each(t, func(t *testing.T, fx *fixture) {
		saasuWrong := `{"grant_type":"password","username":"ann@example.com","password":"wrong!"}`
		saasuRight := `{"grant_type":"password","username":"ann@example.com","password":"s3cret!"}`
		for i := 0; i < auth.FailuresPerUserAddress/2; i++ {
			fx.wsRun(t, wsCase{method: "POST", url: wsLogin, body: `{"UserNameOrEmail":"Ann@Example.com","Password":"wrong!"}`, status: 400, want: wsFail(wsBadLogin)})
			require.Equal(t, http.StatusBadRequest, fx.do("POST", "/authorisation/token", saasuWrong, "Content-Type: application/json").Code)
		}
		w := fx.wsRun(t, wsCase{method: "POST", url: wsLogin, body: annLogin, status: 429, want: wsFail(wsTooMany)})
		assert.Equal(t, "900", w.Header().Get("Retry-After"))
		w = fx.do("POST", "/authorisation/token", saasuRight, "Content-Type: application/json")
		require.Equal(t, http.StatusTooManyRequests, w.Code, "the workspace failures count at the Saasu endpoint")
		assertBody(t, `{"error":"too_many_requests","error_description":"Too many failed attempts. Try again later."}`, w)

		start := fx.store.Now()
		fx.store.Now = func() time.Time { return start.Add(100 * time.Second) }
		w = fx.wsRun(t, wsCase{method: "POST", url: wsLogin, body: `{"UserNameOrEmail":"ANN@example.com","Password":"s3cret!"}`, status: 429, want: wsFail(wsTooMany)})
		assert.Equal(t, "800", w.Header().Get("Retry-After"), "whole seconds left in the window")
		w = fx.do("POST", wsLogin, `{"UserNameOrEmail":"bob@example.com","Password":"s3cret!"}`)
		wsLoginOK(t, w, wsSession(bobProfile, "delta-pty-ltd", "", "AU", "standard"))

		fx.store.Now = func() time.Time { return start.Add(auth.FailureWindow) }
		wsLoginOK(t, fx.do("POST", wsLogin, annLogin), annSession)

		// The other way round, and a success resets the count for both.
		for i := 0; i < auth.FailuresPerUserAddress-1; i++ {
			require.Equal(t, http.StatusBadRequest, fx.do("POST", "/authorisation/token", saasuWrong, "Content-Type: application/json").Code)
		}
		wsLoginOK(t, fx.do("POST", wsLogin, annLogin), annSession)
		for i := 0; i < auth.FailuresPerUserAddress-1; i++ {
			fx.wsRun(t, wsCase{method: "POST", url: wsLogin, body: annWrong, status: 400, want: wsFail(wsBadLogin)})
		}
		require.Equal(t, http.StatusOK, fx.do("POST", "/authorisation/token", saasuRight, "Content-Type: application/json").Code, "9 failures after the reset")
		for i := 0; i < auth.FailuresPerUserAddress; i++ {
			require.Equal(t, http.StatusBadRequest, fx.do("POST", "/authorisation/token", saasuWrong, "Content-Type: application/json").Code)
		}
		fx.wsRun(t, wsCase{method: "POST", url: wsLogin, body: annLogin, status: 429, want: wsFail(wsTooMany)})
	})
}

// TestWorkspaceLoginAddressLimit: failures at the workspace login count towards the per-address limit (50)
// shared with the Saasu token endpoint.
func TestWorkspaceLoginAddressLimit(t *testing.T) {
	each(t, func(t *testing.T, fx *fixture) {
		for i := 0; i < auth.FailuresPerAddress; i++ {
			fx.wsRun(t, wsCase{method: "POST", url: wsLogin, body: `{"UserNameOrEmail":"u` + strconv.Itoa(i) + `@example.com","Password":"p"}`,
				status: 400, want: wsFail(wsBadLogin)})
		}
		w := fx.wsRun(t, wsCase{method: "POST", url: wsLogin, body: `{"UserNameOrEmail":"bob@example.com","Password":"s3cret!"}`, status: 429, want: wsFail(wsTooMany)})
		assert.NotEmpty(t, w.Header().Get("Retry-After"))
		w = fx.do("POST", "/authorisation/token", `{"grant_type":"password","username":"bob@example.com","password":"s3cret!"}`, "Content-Type: application/json")
		assert.Equal(t, http.StatusTooManyRequests, w.Code)
	})
}

// TestWorkspaceMe covers GET /api/workspace/auth/me (workspace.md §6.2) and the session values of §6.1: the
// workspace is owner_file_id, else the lowest-id membership, else none; Roles is the access level there.
func TestWorkspaceMe(t *testing.T) {
	each(t, func(t *testing.T, fx *fixture) {
		ctx := context.Background()
		id := int64(790)
		_, err := fx.store.CreateFile(ctx, models.NewFile{ID: &id, Name: "Kiwi Books Ltd", Country: "NZ", Currency: "NZD"})
		require.NoError(t, err)
		fx.wsSetProfile(fx.ann.ID, models.ProfileChange{PreferredLanguage: models.To("en-AU")})
		gus := fx.user(models.NewUser{ID: ptr[int64](61), Username: "gus@example.com", FirstName: "Gus", OwnerFileID: ptr[int64](778)})
		fx.grant(gus.ID, 777, models.AccessAdministrator, true)
		fx.grant(gus.ID, 778, models.AccessReadonly, false)
		hal := fx.user(models.NewUser{ID: ptr[int64](62), Username: "hal@example.com", FirstName: "Hal", OwnerFileID: ptr[int64](790)})
		jim := fx.user(models.NewUser{ID: ptr[int64](63), Username: "jim@example.com", FirstName: "Jim"})
		fx.grant(jim.ID, 780, models.AccessReadonly, true)
		fx.grant(jim.ID, 779, models.AccessStandard, true)
		ivy := fx.user(models.NewUser{ID: ptr[int64](64), Username: "ivy@example.com", FirstName: "Ivy"})

		annMe := wsSession(annProfile, "acme-pty-ltd", "en-AU", "AU", "administrator")
		for _, c := range []struct {
			name, auth, etag, want string
		}{
			{"ann: lowest-id membership, her language", fx.zToken(fx.ann.ID, "full"), `"3"`, annMe},
			{"ann with a key", "X-Api-Key: " + fx.key, `"3"`, annMe},
			{"bob: standard on 780", "X-Api-Key: " + fx.bobKey, `"1"`, wsSession(bobProfile, "delta-pty-ltd", "", "AU", "standard")},
			{"gus: owner file first, readonly there", fx.zToken(gus.ID, "full"), `"1"`, wsSession(wsProfileOf(gus), "beta-pty-ltd", "", "AU", "readonly")},
			{"hal: owner file without membership, its country", fx.zToken(hal.ID, "full"), `"1"`, wsSession(wsProfileOf(hal), "kiwi-books-ltd", "", "NZ")},
			{"jim: the lowest id, not the first granted", fx.zToken(jim.ID, "full"), `"1"`, wsSession(wsProfileOf(jim), "gamma-pty-ltd", "", "AU", "standard")},
		} {
			t.Run(c.name, func(t *testing.T) {
				w := fx.do("GET", wsMe, "", c.auth)
				wsEnvelope(t, w, http.StatusOK, wsOK(c.want))
				assert.Equal(t, c.etag, w.Header().Get("ETag"))
				assert.NotContains(t, w.Body.String(), "AccessToken")
			})
		}
		// Without a workspace: WorkspaceName and RegionCode null, no roles (RegionCode is the workspace file's
		// country, so without one it is null: our reading of §6.1).
		for _, c := range []struct {
			name string
			id   int64
		}{{"ivy: no workspace", ivy.ID}, {"a service account: no workspace", 0}} {
			t.Run(c.name, func(t *testing.T) {
				uid := c.id
				if uid == 0 {
					uid = fx.user(models.NewUser{ID: ptr[int64](65), Username: "svc@example.com", FirstName: "Svc", Type: models.UserService}).ID
				}
				w := fx.do("GET", wsMe, "", fx.zToken(uid, "full"))
				wsEnvelope(t, w, http.StatusOK, wsOK(wsSession(wsProfileOf(fx.reload(uid)), "", "", "")))
			})
		}
	})
}

// TestWorkspaceChangePassword covers POST /api/workspace/account/change-password (workspace.md §6.3): the rules,
// the wrong current password, and a success: the new password logs in and the old one does not, every other
// token of the user (Saasu's, OAuth's, the workspace login's) is revoked with its refresh token, the caller's
// token and its refresh token stay, API keys stay, and the version does not move.
func TestWorkspaceChangePassword(t *testing.T) {
	each(t, func(t *testing.T, fx *fixture) {
		ctx := context.Background()
		ww := newWSWorld(t, fx)
		before := fx.reload(fx.ann.ID)
		evs := len(fx.events(fx.ann.ID))

		for _, c := range []struct {
			name, body string
			want       []wsItem
		}{
			{"both missing", `{}`, []wsItem{wsRequired("Account", "CurrentPassword", "CurrentPassword"), wsRequired("Account", "NewPassword", "NewPassword")}},
			{"both empty", `{"CurrentPassword":"","NewPassword":""}`, []wsItem{wsRequired("Account", "CurrentPassword", "CurrentPassword"), wsRequired("Account", "NewPassword", "NewPassword")}},
			{"both null", `{"CurrentPassword":null,"NewPassword":null}`, []wsItem{wsRequired("Account", "CurrentPassword", "CurrentPassword"), wsRequired("Account", "NewPassword", "NewPassword")}},
			{"NewPassword 5 characters", `{"CurrentPassword":"s3cret!","NewPassword":"12345"}`, []wsItem{wsMinLength("NewPassword")}},
			{"NewPassword 5 code points, 10 bytes", `{"CurrentPassword":"s3cret!","NewPassword":"ééééé"}`, []wsItem{wsMinLength("NewPassword")}},
			{"NewPassword 251 code points", `{"CurrentPassword":"s3cret!","NewPassword":"` + strings.Repeat("é", 251) + `"}`, []wsItem{wsMaxLength("NewPassword", "NewPassword", 250)}},
			{"validation before the current password", `{"CurrentPassword":"wrong!","NewPassword":"123"}`, []wsItem{wsMinLength("NewPassword")}},
			{"wrong current password", `{"CurrentPassword":"wrong!","NewPassword":"n3w-secret"}`, []wsItem{wsBadCurrent}},
			{"current password in another case", `{"CurrentPassword":"S3CRET!","NewPassword":"n3w-secret"}`, []wsItem{wsBadCurrent}},
		} {
			t.Run(c.name, func(t *testing.T) {
				fx.wsRun(t, wsCase{method: "POST", url: wsPassword, body: c.body, headers: []string{ww.bearer, "Content-Type: application/json"}, status: 400, want: wsFail(c.want...)})
			})
		}
		wsLoginOK(t, fx.do("POST", wsLogin, annLogin), annSession) // the refusals changed nothing

		// The tokens ann holds before the change.
		mine := fx.login(t)  // the caller: a Saasu password grant
		other := fx.login(t) // another Saasu grant
		oc := fx.oauthClients(t)
		cb := "https://app.example.com/callback"
		ch := challengeOf(verifier)
		code := fx.codeFor(t, oc.public, &cb, "openid fileid:777", &ch)
		w, oauthPair := fx.exchange(t, "grant_type=authorization_code&client_id="+oc.public+"&code="+code+"&redirect_uri="+url.QueryEscape(cb)+"&code_verifier="+verifier)
		require.Equal(t, http.StatusOK, w.Code, w.Body.String())
		wsTok := wsLoginOK(t, fx.do("POST", wsLogin, annLogin), annSession)
		for _, tok := range []string{mine.AccessToken, other.AccessToken, oauthPair.AccessToken, wsTok, ww.token} {
			require.Equal(t, http.StatusOK, fx.do("GET", wsMe, "", "Authorization: Bearer "+tok).Code)
		}

		t.Run("success", func(t *testing.T) {
			w := fx.do("POST", wsPassword, `{"CurrentPassword":"s3cret!","NewPassword":"n3w-secret"}`, "Authorization: Bearer "+mine.AccessToken, "Content-Type: application/json")
			wsEnvelope(t, w, http.StatusOK, `{"Data":{"PasswordChanged":true},"Errors":[],"Warnings":[],"Success":true}`)
		})
		t.Run("the caller's token stays", func(t *testing.T) {
			wsEnvelope(t, fx.do("GET", wsMe, "", "Authorization: Bearer "+mine.AccessToken), 200, wsOK(annSession))
		})
		t.Run("every other token is revoked", func(t *testing.T) {
			for name, tok := range map[string]string{"Saasu": other.AccessToken, "OAuth": oauthPair.AccessToken, "workspace login": wsTok, "stored": ww.token} {
				wsUnauthorized(t, fx.do("GET", wsProfile, "", "Authorization: Bearer "+tok), wsInvalidToken)
				assert.Equal(t, http.StatusUnauthorized, fx.do("GET", "/User?FileId=777", "", "Authorization: Bearer "+tok).Code, name)
			}
			w := fx.do("POST", "/authorisation/refresh", `{"grant_type":"refresh_token","refresh_token":"`+other.RefreshToken+`"}`, "Content-Type: application/json")
			assertBody(t, `{"error":"invalid_grant","error_description":"The refresh token is invalid or has expired."}`, w)
			ti, err := fx.store.TokenByHash(ctx, auth.HashSecret(oauthPair.RefreshToken))
			require.NoError(t, err)
			assert.False(t, ti.Active(fx.store.Now()), "the OAuth refresh token is revoked")
		})
		t.Run("API keys stay", func(t *testing.T) {
			wsEnvelope(t, fx.do("GET", wsProfile, "", "X-Api-Key: "+fx.key), 200, wsOK(annProfile))
		})
		t.Run("not a profile change", func(t *testing.T) {
			assert.Equal(t, before.Version, fx.reload(fx.ann.ID).Version)
			assert.Len(t, fx.events(fx.ann.ID), evs)
		})
		t.Run("the new password logs in, the old one does not", func(t *testing.T) {
			fx.wsRun(t, wsCase{method: "POST", url: wsLogin, body: annLogin, status: 400, want: wsFail(wsBadLogin)})
			wsLoginOK(t, fx.do("POST", wsLogin, `{"UserNameOrEmail":"ann@example.com","Password":"n3w-secret"}`), annSession)
			w := fx.do("POST", "/authorisation/token", `{"grant_type":"password","username":"ann@example.com","password":"n3w-secret"}`, "Content-Type: application/json")
			assert.Equal(t, http.StatusOK, w.Code, w.Body.String())
		})
		t.Run("the caller's refresh token stays", func(t *testing.T) {
			w := fx.do("POST", "/authorisation/refresh", `{"grant_type":"refresh_token","refresh_token":"`+mine.RefreshToken+`"}`, "Content-Type: application/json")
			assert.Equal(t, http.StatusOK, w.Code, w.Body.String())
		})
		t.Run("through an API key, 6 code points", func(t *testing.T) {
			tok := wsLoginOK(t, fx.do("POST", wsLogin, `{"UserNameOrEmail":"ann@example.com","Password":"n3w-secret"}`), annSession)
			w := fx.do("POST", wsPassword, `{"currentpassword":"n3w-secret","newpassword":"éééééé"}`, "X-Api-Key: "+fx.key)
			wsEnvelope(t, w, http.StatusOK, wsOK(`{"PasswordChanged":true}`))
			wsUnauthorized(t, fx.do("GET", wsMe, "", "Authorization: Bearer "+tok), wsInvalidToken)
			wsLoginOK(t, fx.do("POST", wsLogin, `{"UserNameOrEmail":"ann@example.com","Password":"éééééé"}`), annSession)
		})
		t.Run("250 code points", func(t *testing.T) {
			long := strings.Repeat("é", 250)
			w := fx.do("POST", wsPassword, `{"CurrentPassword":"éééééé","NewPassword":"`+long+`"}`, "X-Api-Key: "+fx.key)
			wsEnvelope(t, w, http.StatusOK, wsOK(`{"PasswordChanged":true}`))
		})
	})
}

// TestWorkspaceChangePasswordRateLimit: a wrong current password counts towards the per-user-name limit shared
// with the logins (workspace.md §6.3); at the limit the route answers 429 without checking the password.
func TestWorkspaceChangePasswordRateLimit(t *testing.T) {
	each(t, func(t *testing.T, fx *fixture) {
		ww := newWSWorld(t, fx)
		wrong := `{"CurrentPassword":"wrong!","NewPassword":"n3w-secret"}`
		right := `{"CurrentPassword":"s3cret!","NewPassword":"n3w-secret"}`
		for i := 0; i < auth.FailuresPerUserAddress; i++ {
			fx.wsRun(t, wsCase{method: "POST", url: wsPassword, body: wrong, headers: []string{ww.bearer}, status: 400, want: wsFail(wsBadCurrent)})
		}
		w := fx.wsRun(t, wsCase{method: "POST", url: wsPassword, body: right, headers: []string{ww.bearer}, status: 429, want: wsFail(wsTooMany)})
		assert.Equal(t, "900", w.Header().Get("Retry-After"))
		fx.wsRun(t, wsCase{method: "POST", url: wsLogin, body: annLogin, status: 429, want: wsFail(wsTooMany)})
		wsLoginOK(t, fx.do("POST", wsLogin, `{"UserNameOrEmail":"bob@example.com","Password":"s3cret!"}`), wsSession(bobProfile, "delta-pty-ltd", "", "AU", "standard"))
		wsEnvelope(t, fx.do("GET", wsProfile, "", ww.bearer), 200, wsOK(annProfile))

		start := fx.store.Now()
		fx.store.Now = func() time.Time { return start.Add(auth.FailureWindow) }
		w = fx.do("POST", wsPassword, right, ww.bearer)
		wsEnvelope(t, w, http.StatusOK, wsOK(`{"PasswordChanged":true}`))
		wsLoginOK(t, fx.do("POST", wsLogin, `{"UserNameOrEmail":"ann@example.com","Password":"n3w-secret"}`), annSession)
	})
}

// TestWorkspaceAccessTokenRedacted: the access_token query value never reaches the log (workspace.md §2).
func TestWorkspaceAccessTokenRedacted(t *testing.T) {
	each(t, func(t *testing.T, fx *fixture) {
		ww := newWSWorld(t, fx)
		var logs bytes.Buffer
		h := handlers.New(handlers.Config{Store: fx.store, PublicURL: publicURL, Logger: slog.New(slog.NewTextHandler(&logs, nil))})
		for _, target := range []string{
			wsProfile + "?access_token=" + ww.token,
			wsMe + "?x=1&access_token=" + ww.token,
			wsProfile + "?access_token=fa_at_unknownsecret",
			"/api/workspace/nope?access_token=" + ww.token,
			wsProfile + "?access_token=" + ww.token + "&access_token=" + ww.token,
		} {
			w := httptest.NewRecorder()
			h.ServeHTTP(w, httptest.NewRequest("GET", target, nil))
			wsHeaders(t, w)
		}
		require.NotEmpty(t, logs.String())
		assert.NotContains(t, logs.String(), ww.token)
		assert.NotContains(t, logs.String(), "unknownsecret")
	})
}

// TestWorkspaceOutage: with the database gone, every workspace route answers the 503 problem with Retry-After: 5
// (workspace.md §7).
func TestWorkspaceOutage(t *testing.T) {
	eachOutage(t, func(t *testing.T, fx *fixture, p *proxy) {
		bearer := fx.zToken(fx.ann.ID, "full")
		require.Equal(t, http.StatusOK, fx.do("GET", wsProfile, "", bearer).Code)
		p.stop()
		for _, c := range []struct{ method, path, body string }{
			{"GET", wsProfile, ""},
			{"PUT", wsProfile, `{"FirstName":"Zed"}`},
			{"GET", wsMe, ""},
			{"POST", wsLogin, annLogin},
			{"POST", wsPassword, `{"CurrentPassword":"s3cret!","NewPassword":"n3w-secret"}`},
		} {
			w := fx.do(c.method, c.path, c.body, bearer)
			wsProblem(t, w, http.StatusServiceUnavailable, c.path)
			assert.Equal(t, "5", w.Header().Get("Retry-After"))
		}
		p.start()
		require.Equal(t, http.StatusOK, fx.do("GET", wsProfile, "", bearer).Code)
	})
}

// TestWorkspaceChangePasswordAddressLimit: a wrong current password at change-password counts towards the
// per-address limit (50 per 15 minutes) shared with the logins (workspace.md §6.3, §6.1): failures of several
// users from one address, at the login and at change-password, fill the budget; then even the right current
// password from that address is 429 without being checked, and nothing is written. (httptest requests all come
// from 192.0.2.1.)
func TestWorkspaceChangePasswordAddressLimit(t *testing.T) {
	each(t, func(t *testing.T, fx *fixture) {
		ww := newWSWorld(t, fx)
		wrong := `{"CurrentPassword":"wrong!","NewPassword":"n3w-secret"}`
		right := `{"CurrentPassword":"s3cret!","NewPassword":"n3w-secret"}`
		fx.wsHumanWithPassword(70, "dora@example.com", "s3cret!")
		dora := fx.zToken(70, "full")
		perUser := auth.FailuresPerUserAddress - 1 // below every per-username limit
		logins := auth.FailuresPerAddress - 2*perUser - 2
		require.Positive(t, logins)
		for i := 0; i < logins; i++ {
			fx.wsRun(t, wsCase{method: "POST", url: wsLogin, body: `{"UserNameOrEmail":"u` + strconv.Itoa(i) + `@example.com","Password":"p"}`,
				status: 400, want: wsFail(wsBadLogin)})
		}
		for i := 0; i < perUser; i++ {
			fx.wsRun(t, wsCase{method: "POST", url: wsPassword, body: wrong, headers: []string{"X-Api-Key: " + fx.bobKey}, status: 400, want: wsFail(wsBadCurrent)})
			fx.wsRun(t, wsCase{method: "POST", url: wsPassword, body: wrong, headers: []string{dora}, status: 400, want: wsFail(wsBadCurrent)})
		}
		// 48 failures so far; ann's first wrong password is the 49th, her second the 50th: both still checked.
		for i := 0; i < 2; i++ {
			fx.wsRun(t, wsCase{method: "POST", url: wsPassword, body: wrong, headers: []string{ww.bearer}, status: 400, want: wsFail(wsBadCurrent)})
		}
		annBefore := fx.reload(fx.ann.ID)

		w := fx.wsRun(t, wsCase{method: "POST", url: wsPassword, body: right, headers: []string{ww.bearer}, status: 429, want: wsFail(wsTooMany)})
		assert.Equal(t, "900", w.Header().Get("Retry-After"), "whole seconds left in the window")
		assert.Equal(t, annBefore, fx.reload(fx.ann.ID), "the password is not changed")
		w = fx.wsRun(t, wsCase{method: "POST", url: wsPassword, body: right, headers: []string{"X-Api-Key: " + fx.key}, status: 429, want: wsFail(wsTooMany)})
		assert.Equal(t, "900", w.Header().Get("Retry-After"))
		fx.wsRun(t, wsCase{method: "POST", url: wsLogin, body: `{"UserNameOrEmail":"bob@example.com","Password":"s3cret!"}`, status: 429, want: wsFail(wsTooMany)})
		w = fx.do("POST", "/authorisation/token", `{"grant_type":"password","username":"bob@example.com","password":"s3cret!"}`, "Content-Type: application/json")
		assert.Equal(t, http.StatusTooManyRequests, w.Code, "the Saasu token endpoint shares the address budget")
		wsEnvelope(t, fx.do("GET", wsProfile, "", ww.bearer), 200, wsOK(annProfile))

		start := fx.store.Now()
		fx.store.Now = func() time.Time { return start.Add(auth.FailureWindow - time.Second) }
		w = fx.wsRun(t, wsCase{method: "POST", url: wsPassword, body: right, headers: []string{ww.bearer}, status: 429, want: wsFail(wsTooMany)})
		assert.Equal(t, "1", w.Header().Get("Retry-After"))
		fx.store.Now = func() time.Time { return start.Add(auth.FailureWindow) }
		wsEnvelope(t, fx.do("POST", wsPassword, right, ww.bearer), http.StatusOK, wsOK(`{"PasswordChanged":true}`))
		assert.Equal(t, annBefore.Version, fx.reload(fx.ann.ID).Version, "not a profile change")
		wsLoginOK(t, fx.do("POST", wsLogin, `{"UserNameOrEmail":"ann@example.com","Password":"n3w-secret"}`), annSession)
	})
}

// TestWorkspaceLoginSystemUser: a system user (user_type 2) with a password cannot sign in: 400
// Auth.InvalidCredentials, and no token is issued. workspace.md §6.1 names only service accounts; refusing
// system users too (every non-human user) is our reading.
func TestWorkspaceLoginSystemUser(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, dsn models.DSN) {
		fx := newFixture(t, dsn)
		pw, err := auth.HashPassword("s3cret!")
		require.NoError(t, err)
		sys := fx.user(models.NewUser{ID: ptr[int64](59), Username: "system@example.com", FirstName: "System", PasswordHash: &pw,
			Type: models.UserSystem, OwnerFileID: ptr[int64](777)})
		fx.grant(sys.ID, 777, models.AccessAdministrator, true)
		sys = fx.reload(sys.ID) // as the grant left it (it moves the access version)
		for _, c := range []struct{ name, body string }{
			{"a system user (our reading: like a service account), right password", `{"UserNameOrEmail":"system@example.com","Password":"s3cret!"}`},
			{"a system user (our reading), user name in another case", `{"UserNameOrEmail":"SYSTEM@example.com","Password":"s3cret!"}`},
			{"a system user (our reading), wrong password", `{"UserNameOrEmail":"system@example.com","Password":"wrong!"}`},
		} {
			t.Run(c.name, func(t *testing.T) {
				fx.wsRun(t, wsCase{method: "POST", url: wsLogin, body: c.body, status: 400, want: wsFail(wsBadLogin)})
			})
		}
		assert.Equal(t, 0, wsCountTokens(t, dsn, sys.ID), "no token issued")
		n := wsCountTokens(t, dsn, fx.ann.ID)
		wsLoginOK(t, fx.do("POST", wsLogin, annLogin), annSession)
		assert.Equal(t, n+1, wsCountTokens(t, dsn, fx.ann.ID), "the count sees a human's login token")
		assert.Equal(t, sys, fx.reload(sys.ID), "nothing written")
	})
}

// wsCountTokens counts a user's rows in oauth_tokens behind the store's back: no Store method lists them.
func wsCountTokens(t *testing.T, dsn models.DSN, userID int64) int {
	t.Helper()
	db := wsRawDB(t, dsn)
	defer func() { _ = db.Close() }()
	var n int
	require.NoError(t, db.QueryRow("SELECT COUNT(*) FROM oauth_tokens WHERE user_id = ?", userID).Scan(&n))
	return n
}

// TestWorkspaceBoundKey: a key bound to a file works here only while its binding holds (§2): a membership on
// that file with web services on, and the file allowing them. Otherwise 401 as for an unknown key. An
// unbound key has no file check.
func TestWorkspaceBoundKey(t *testing.T) {
	each(t, func(t *testing.T, fx *fixture) {
		ctx := context.Background()
		bound := fx.newKey(fx.ann.ID, ptr[int64](777))
		get := func() int {
			return fx.do("GET", "/api/workspace/account/profile", "", "X-Api-Key: "+bound).Code
		}
		require.Equal(t, http.StatusOK, get())
		assert.Equal(t, http.StatusUnauthorized, fx.do("GET", "/api/workspace/account/profile", "", "X-Api-Key: "+fx.key778).Code,
			"bound to 778, where ann's membership has web services off")

		fx.grant(fx.ann.ID, 777, models.AccessAdministrator, false)
		w := fx.do("GET", "/api/workspace/account/profile", "", "X-Api-Key: "+bound)
		assert.Equal(t, http.StatusUnauthorized, w.Code, "web services off on the membership")
		assert.Equal(t, `Bearer error="invalid_token"`, w.Header().Get("WWW-Authenticate"))
		assert.Equal(t, http.StatusOK, fx.do("GET", "/api/workspace/account/profile", "", "X-Api-Key: "+fx.key).Code, "unbound keys: no file check")
		fx.grant(fx.ann.ID, 777, models.AccessAdministrator, true)
		require.Equal(t, http.StatusOK, get())

		_, err := fx.store.SetFileWebServices(ctx, 777, false)
		require.NoError(t, err)
		assert.Equal(t, http.StatusUnauthorized, get(), "the file's web services off")
		_, err = fx.store.SetFileWebServices(ctx, 777, true)
		require.NoError(t, err)
		require.Equal(t, http.StatusOK, get())

		require.NoError(t, fx.store.Revoke(ctx, fx.ann.ID, 777))
		assert.Equal(t, http.StatusUnauthorized, get(), "no membership any more")
	})
}

package handlers_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fileapi/fileapi/auth"
	"github.com/fileapi/fileapi/models"
	"github.com/fileapi/fileapi/models/modelstest"
)

const (
	zMe       = "/auth/v1/users/me/profile"
	zSeedBody = `{"firstName":"Minnie","lastName":"Mouse","nickName":"Minnie","displayName":"Minnie Mouse","preferredLanguage":"en","gender":"GENDER_UNSPECIFIED"}`
	zMinimal  = `{"firstName":"Minnie","lastName":"Mouse","displayName":"Minnie Mouse"}`
)

// zErr is the body of a ZITADEL error: with one detail when id is set.
func zErr(code int, text, id string) string {
	type detail struct {
		Type    string `json:"@type"`
		ID      string `json:"id"`
		Message string `json:"message"`
	}
	body := struct {
		Code    int      `json:"code"`
		Message string   `json:"message"`
		Details []detail `json:"details,omitempty"`
	}{Code: code, Message: text}
	if id != "" {
		body.Message = text + " (" + id + ")"
		body.Details = []detail{{"type.googleapis.com/zitadel.v1.ErrorDetail", id, text}}
	}
	b, _ := json.Marshal(body)
	return string(b)
}

// zToken stores a live access token for a user with the given scope and returns its Authorization header.
func (fx *fixture) zToken(userID int64, scope string) string {
	secret := auth.NewSecret(auth.PrefixAccessToken)
	_, err := fx.store.CreateToken(context.Background(), models.NewToken{UserID: userID, Scope: scope,
		AccessHash: auth.HashSecret(secret), ExpiresAt: fx.store.Now().Add(time.Hour)})
	require.NoError(fx.t, err)
	return "Authorization: Bearer " + secret
}

// zWorld adds to the fixture: dave (human, owned by 777), svc (service account owned by 777), erin (owned by
// 780) and file 781 where ann is readonly; it returns ann's bearer header with 777, 778 and 781 in scope.
type zWorld struct {
	ann              string
	dave, svc, erin  models.User
	daveURL, svcURL  string
	erinURL, missing string
}

func newZWorld(t *testing.T, fx *fixture) zWorld {
	t.Helper()
	id := int64(781)
	_, err := fx.store.CreateFile(context.Background(), models.NewFile{ID: &id, Name: "Echo Pty Ltd", AllowWebServices: true})
	require.NoError(t, err)
	fx.grant(fx.ann.ID, 781, models.AccessReadonly, true)
	w := zWorld{ann: fx.zToken(fx.ann.ID, "full fileid:777 fileid:778 fileid:779 fileid:781")}
	w.dave = fx.user(models.NewUser{ID: ptr[int64](50), Username: "dave@example.com", FirstName: "Dave", LastName: ptr("Doe"), OwnerFileID: ptr[int64](777)})
	w.svc = fx.user(models.NewUser{ID: ptr[int64](51), Username: "svc@example.com", FirstName: "Svc", Type: models.UserService, OwnerFileID: ptr[int64](777)})
	w.erin = fx.user(models.NewUser{ID: ptr[int64](52), Username: "erin@example.com", FirstName: "Erin", OwnerFileID: ptr[int64](780)})
	w.daveURL, w.svcURL, w.erinURL = "/management/v1/users/50/profile", "/management/v1/users/51/profile", "/management/v1/users/52/profile"
	w.missing = "/management/v1/users/9999/profile"
	return w
}

func assertZHeaders(t *testing.T, w interface{ Header() http.Header }) {
	t.Helper()
	assert.Equal(t, "application/json", w.Header().Get("Content-Type"))
	assert.Equal(t, "no-store", w.Header().Get("Cache-Control"))
	assert.Equal(t, "no-cache", w.Header().Get("Pragma"))
}

func TestZitadelProfileSeeds(t *testing.T) {
	each(t, func(t *testing.T, fx *fixture) {
		zw := newZWorld(t, fx)
		bearer := "Authorization: Bearer " + fx.login(t).AccessToken

		t.Run("auth GET before", func(t *testing.T) {
			w := fx.do("GET", zMe, "", bearer)
			require.Equal(t, http.StatusOK, w.Code, w.Body.String())
			assertZHeaders(t, w)
			assert.Equal(t, `"2"`, w.Header().Get("ETag"))
			assertBody(t, `{"details":{"sequence":"2","creationDate":"2026-11-23T10:04:05.123456Z","changeDate":"2026-11-23T10:04:05.123456Z"},
				"profile":{"firstName":"Ann","lastName":"Lee","displayName":"Ann Lee","preferredLanguage":"und"}}`, w)
		})
		t.Run("UpdateMyProfile seed", func(t *testing.T) {
			w := fx.do("PUT", zMe, zSeedBody, bearer, "Content-Type: application/json", "Accept: application/json")
			require.Equal(t, http.StatusOK, w.Code, w.Body.String())
			assertZHeaders(t, w)
			assert.Equal(t, `"3"`, w.Header().Get("ETag"))
			assertBody(t, `{"details":{"sequence":"3","changeDate":"2026-11-23T10:04:05.123456Z"}}`, w)
			u := fx.reload(fx.ann.ID)
			assert.Equal(t, "Minnie", *u.FirstName)
			assert.Equal(t, "Minnie Mouse", *u.DisplayName)
			assert.Equal(t, "en", *u.PreferredLanguage)
			evs := fx.events(fx.ann.ID)
			last := evs[len(evs)-1]
			assert.Equal(t, "zitadel/bearer", last.Via)
			assert.Equal(t, int64(3), last.Version)
			require.NotNil(t, last.ActorUserID)
			assert.Equal(t, fx.ann.ID, *last.ActorUserID)
			assert.Contains(t, last.Changed, `"display_name"`)
		})
		t.Run("auth GET after", func(t *testing.T) {
			w := fx.do("GET", zMe, "", bearer)
			require.Equal(t, http.StatusOK, w.Code, w.Body.String())
			assertBody(t, `{"details":{"sequence":"3","creationDate":"2026-11-23T10:04:05.123456Z","changeDate":"2026-11-23T10:04:05.123456Z"},
				"profile":{"firstName":"Minnie","lastName":"Mouse","nickName":"Minnie","displayName":"Minnie Mouse","preferredLanguage":"en"}}`, w)
		})
		t.Run("UpdateHumanProfile seed", func(t *testing.T) {
			w := fx.do("PUT", zw.daveURL, strings.Replace(zSeedBody, "GENDER_UNSPECIFIED", "GENDER_FEMALE", 1), zw.ann, "x-zitadel-orgid: 777")
			require.Equal(t, http.StatusOK, w.Code, w.Body.String())
			assert.Equal(t, `"2"`, w.Header().Get("ETag"))
			assertBody(t, `{"details":{"sequence":"2","changeDate":"2026-11-23T10:04:05.123456Z","resourceOwner":"777"}}`, w)
			w = fx.do("GET", zw.daveURL, "", zw.ann, "X-ZITADEL-ORGID: 777")
			require.Equal(t, http.StatusOK, w.Code, w.Body.String())
			assert.Equal(t, `"2"`, w.Header().Get("ETag"))
			assertBody(t, `{"details":{"sequence":"2","creationDate":"2026-11-23T10:04:05.123456Z","changeDate":"2026-11-23T10:04:05.123456Z","resourceOwner":"777"},
				"profile":{"firstName":"Minnie","lastName":"Mouse","nickName":"Minnie","displayName":"Minnie Mouse","preferredLanguage":"en","gender":"GENDER_FEMALE"}}`, w)
			evs := fx.events(zw.dave.ID)
			require.Len(t, evs, 1)
			assert.Equal(t, "zitadel/bearer", evs[0].Via)
			assert.Equal(t, fx.ann.ID, *evs[0].ActorUserID)
		})
		t.Run("snake_case body, path userId wins", func(t *testing.T) {
			w := fx.do("PUT", zw.daveURL, `{"user_id":"1","first_name":"D","last_name":"E","display_name":"F","preferred_language":"en_US","gender":2}`, zw.ann, "x-zitadel-orgid: 777")
			require.Equal(t, http.StatusOK, w.Code, w.Body.String())
			u := fx.reload(zw.dave.ID)
			assert.Equal(t, "D", *u.FirstName)
			assert.Nil(t, u.NickName, "omitted nickName clears")
			assert.Equal(t, "en-US", *u.PreferredLanguage)
			assert.Equal(t, int64(2), u.Gender)
		})
	})
}

func TestZitadelProfileErrors(t *testing.T) {
	each(t, func(t *testing.T, fx *fixture) {
		zw := newZWorld(t, fx)
		g := fx.login(t)
		expired := fx.zToken(fx.ann.ID, "full fileid:777")
		revokedSecret := auth.NewSecret(auth.PrefixAccessToken)
		tok, err := fx.store.CreateToken(context.Background(), models.NewToken{UserID: fx.ann.ID, Scope: "full fileid:777",
			AccessHash: auth.HashSecret(revokedSecret), ExpiresAt: fx.store.Now().Add(time.Hour)})
		require.NoError(t, err)
		require.NoError(t, fx.store.RevokeToken(context.Background(), tok.ID))
		th, err := fx.store.UserByAccessToken(context.Background(), auth.HashSecret(strings.TrimPrefix(expired, "Authorization: Bearer ")))
		require.NoError(t, err)
		require.NoError(t, fx.store.ExpireAccess(context.Background(), th.Token.ID))
		svc := fx.zToken(zw.svc.ID, "full fileid:777")
		// carol is owned by 777 and administers it, so her management calls need no org header.
		carol := fx.user(models.NewUser{ID: ptr[int64](53), Username: "carol@example.com", FirstName: "Carol", LastName: ptr("Cole"), OwnerFileID: ptr[int64](777)})
		fx.grant(carol.ID, 777, models.AccessAdministrator, true)
		carolTok := fx.zToken(carol.ID, "full fileid:777")
		fx.user(models.NewUser{ID: ptr[int64](54), Username: "fay@example.com", FirstName: "Fay", OwnerFileID: ptr[int64](778)})
		org := "x-zitadel-orgid: 777"
		body := zMinimal

		cases := []struct {
			name, method, url, body string
			headers                 []string
			status                  int
			want                    string
		}{
			{"unknown auth path", "GET", "/auth/v1/users/me", "", nil, 404, zErr(5, "Not Found", "")},
			{"unknown management path", "PUT", "/management/v1/users/50", body, nil, 404, zErr(5, "Not Found", "")},
			{"trailing slash", "GET", zMe + "/", "", nil, 404, zErr(5, "Not Found", "")},
			{"wrong method auth", "POST", zMe, body, nil, 405, zErr(12, "Method Not Allowed", "")},
			{"wrong method management", "DELETE", zw.daveURL, "", nil, 405, zErr(12, "Method Not Allowed", "")},
			{"body too large", "PUT", zMe, `{"x":"` + strings.Repeat("a", 1<<20) + `"}`, nil, 413, zErr(8, "Request Entity Too Large", "")},
			{"undecodable before auth", "PUT", zMe, `{"firstName":`, nil, 400, zErr(3, "unexpected EOF", "")},
			{"no Authorization", "GET", zMe, "", nil, 401, zErr(16, "auth header missing", "")},
			{"empty Authorization", "PUT", zMe, body, []string{"Authorization:"}, 401, zErr(16, "auth header missing", "")},
			{"access key only", "GET", zMe, "", []string{"X-Api-Key: " + fx.key}, 401, zErr(16, "auth header missing", "")},
			{"lower-case bearer", "GET", zMe, "", []string{"Authorization: bearer " + g.AccessToken}, 401, zErr(16, "invalid auth header", "AUTH-toLo1")},
			{"basic", "GET", zMe, "", []string{"Authorization: Basic YTpi"}, 401, zErr(16, "invalid auth header", "AUTH-toLo1")},
			{"unknown token", "GET", zMe, "", []string{"Authorization: Bearer fa_at_nope"}, 401, zErr(16, "Errors.Token.Invalid", "AUTH-7fs1e")},
			{"expired token", "GET", zMe, "", []string{expired}, 401, zErr(16, "Errors.Token.Invalid", "AUTH-7fs1e")},
			{"revoked token", "GET", zMe, "", []string{"Authorization: Bearer " + revokedSecret}, 401, zErr(16, "Errors.Token.Invalid", "AUTH-7fs1e")},
			{"refresh token", "PUT", zMe, body, []string{"Authorization: Bearer " + g.RefreshToken}, 401, zErr(16, "Errors.Token.Invalid", "AUTH-7fs1e")},
			{"auth: org header naming no file", "GET", zMe, "", []string{zw.ann, "x-zitadel-orgid: 999"}, 403, zErr(7, "Organisation doesn't exist", "AUTH-Bs7Ds")},
			{"org not a number", "GET", zw.daveURL, "", []string{zw.ann, "x-zitadel-orgid: abc"}, 403, zErr(7, "Organisation doesn't exist", "AUTH-Bs7Ds")},
			{"org with leading zero", "GET", zw.daveURL, "", []string{zw.ann, "x-zitadel-orgid: 0777"}, 403, zErr(7, "Organisation doesn't exist", "AUTH-Bs7Ds")},
			{"org over 2^31-1", "PUT", zw.daveURL, body, []string{zw.ann, "x-zitadel-orgid: 2147483648"}, 403, zErr(7, "Organisation doesn't exist", "AUTH-Bs7Ds")},
			{"no org header, caller without owner", "GET", zw.daveURL, "", []string{zw.ann}, 403, zErr(7, "Organisation doesn't exist", "AUTH-Bs7Ds")},
			{"no membership", "GET", zw.erinURL, "", []string{zw.ann, "x-zitadel-orgid: 780"}, 404, zErr(5, "membership not found", "AUTHZ-cdgFk")},
			{"order: token (step 5) before org (step 6)", "GET", zw.daveURL, "", []string{"Authorization: Bearer fa_at_nope", "x-zitadel-orgid: 999"}, 401, zErr(16, "Errors.Token.Invalid", "AUTH-7fs1e")},
			{"order: validation (step 8) before target lookup (step 9)", "PUT", zw.missing, `{}`, []string{zw.ann, org}, 400,
				zErr(3, "invalid UpdateHumanProfileRequest.FirstName: value length must be between 1 and 200 runes, inclusive", "")},
			{"order: target lookup before If-Match", "PUT", zw.missing, body, []string{zw.ann, org, `If-Match: "99"`}, 400, zErr(9, "Profile not found", "COMMAND-3M9sd")},
			{"order: authorisation (step 7) before path validation", "GET", "/management/v1/users/" + strings.Repeat("é", 201) + "/profile", "", []string{zw.ann, "x-zitadel-orgid: 780"}, 404,
				zErr(5, "membership not found", "AUTHZ-cdgFk")},
			{"file outside token scope", "GET", zw.daveURL, "", []string{fx.zToken(fx.ann.ID, "full fileid:778"), org}, 404, zErr(5, "membership not found", "AUTHZ-cdgFk")},
			{"standard cannot write", "PUT", zw.daveURL, body, []string{zw.ann, "x-zitadel-orgid: 778"}, 403, zErr(7, "No matching permissions found", "AUTH-5mWD2")},
			{"readonly cannot read", "GET", zw.daveURL, "", []string{zw.ann, "x-zitadel-orgid: 781"}, 403, zErr(7, "No matching permissions found", "AUTH-5mWD2")},
			{"readonly cannot write", "PUT", zw.daveURL, body, []string{zw.ann, "x-zitadel-orgid: 781"}, 403, zErr(7, "No matching permissions found", "AUTH-5mWD2")},
			{"standard reads: other org user not found", "GET", zw.daveURL, "", []string{zw.ann, "x-zitadel-orgid: 778"}, 404, zErr(5, "User could not be found", "QUERY-HNhb3")},
			{"GET missing user", "GET", zw.missing, "", []string{zw.ann, org}, 404, zErr(5, "User could not be found", "QUERY-HNhb3")},
			{"GET non-numeric user", "GET", "/management/v1/users/abc/profile", "", []string{zw.ann, org}, 404, zErr(5, "User could not be found", "QUERY-HNhb3")},
			{"GET other-org user", "GET", zw.erinURL, "", []string{zw.ann, org}, 404, zErr(5, "User could not be found", "QUERY-HNhb3")},
			{"GET user without owner", "GET", "/management/v1/users/43/profile", "", []string{zw.ann, org}, 404, zErr(5, "User could not be found", "QUERY-HNhb3")},
			{"GET machine user", "GET", zw.svcURL, "", []string{zw.ann, org}, 400, zErr(9, "The User must be personal", "QUERY-WLTce")},
			{"GET me as machine user", "GET", zMe, "", []string{svc}, 400, zErr(9, "The User must be personal", "QUERY-WLTce")},
			{"GET userId over 200 runes", "GET", "/management/v1/users/" + strings.Repeat("é", 201) + "/profile", "", []string{zw.ann, org}, 400,
				zErr(3, "invalid GetHumanProfileRequest.UserId: value length must be between 1 and 200 runes, inclusive", "")},
			{"PUT userId over 200 runes", "PUT", "/management/v1/users/" + strings.Repeat("1", 201) + "/profile", body, []string{zw.ann, org}, 400,
				zErr(3, "invalid UpdateHumanProfileRequest.UserId: value length must be between 1 and 200 runes, inclusive", "")},
			{"PUT missing user", "PUT", zw.missing, body, []string{zw.ann, org}, 400, zErr(9, "Profile not found", "COMMAND-3M9sd")},
			{"GET leading-zero user id names no user", "GET", "/management/v1/users/050/profile", "", []string{zw.ann, org}, 404, zErr(5, "User could not be found", "QUERY-HNhb3")},
			{"PUT leading-zero user id names no user", "PUT", "/management/v1/users/050/profile", body, []string{zw.ann, org}, 400, zErr(9, "Profile not found", "COMMAND-3M9sd")},
			{"GET empty user id is no route", "GET", "/management/v1/users//profile", "", []string{zw.ann, org}, 404, `{"code":5,"message":"Not Found"}`},
			{"PUT empty user id is no route", "PUT", "/management/v1/users//profile", body, []string{zw.ann, org}, 404, `{"code":5,"message":"Not Found"}`},
			{"PUT other-org user", "PUT", zw.erinURL, body, []string{zw.ann, org}, 400, zErr(9, "Profile not found", "COMMAND-3M9sd")},
			{"PUT machine user", "PUT", zw.svcURL, body, []string{zw.ann, org}, 400, zErr(9, "Profile not found", "COMMAND-3M9sd")},
			{"PUT me as machine user", "PUT", zMe, body, []string{svc}, 400, zErr(9, "Profile not found", "COMMAND-3M9sd")},
			{"If-Match mismatch", "PUT", zMe, body, []string{zw.ann, `If-Match: "1"`}, 412, zErr(9, "Precondition Failed", "")},
			{"weak If-Match never matches", "PUT", zMe, body, []string{zw.ann, `If-Match: W/"2"`}, 412, zErr(9, "Precondition Failed", "")},
			{"no org header uses caller's owner: GET", "GET", "/management/v1/users/53/profile", "", []string{carolTok}, 200, ""},
			{"standard reads; display name falls back to the username", "GET", "/management/v1/users/54/profile", "", []string{zw.ann, "x-zitadel-orgid: 778"}, 200,
				`{"details":{"sequence":"1","creationDate":"2026-11-23T10:04:05.123456Z","changeDate":"2026-11-23T10:04:05.123456Z","resourceOwner":"778"},
				"profile":{"firstName":"Fay","displayName":"fay@example.com","preferredLanguage":"und"}}`},
			{"no org header uses caller's owner: PUT", "PUT", "/management/v1/users/50/profile", body, []string{carolTok}, 200, ""},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				w := fx.do(c.method, c.url, c.body, c.headers...)
				require.Equal(t, c.status, w.Code, w.Body.String())
				assertZHeaders(t, w)
				if c.want != "" {
					assertBody(t, c.want, w)
				}
				if c.status == 401 {
					var msg struct{ Message string }
					require.NoError(t, json.Unmarshal(w.Body.Bytes(), &msg))
					assert.Equal(t, msg.Message, w.Header().Get("WWW-Authenticate"))
				}
				if c.status == 405 {
					assert.Equal(t, "GET, PUT", w.Header().Get("Allow"))
				}
			})
		}
		assert.Len(t, fx.events(fx.ann.ID), 1, "no error wrote anything")
		assert.Len(t, fx.events(zw.dave.ID), 1, "only carol's PUT")
	})
}

// TestZitadelProfileDecode runs the decoder of §3. It precedes authentication, so a body that decodes answers
// 401 here; one that does not answers 400 with the decoder's message.
func TestZitadelProfileDecode(t *testing.T) {
	each(t, func(t *testing.T, fx *fixture) {
		missing := zErr(16, "auth header missing", "")
		for _, c := range []struct{ name, body, want string }{
			{"encoding/json syntax", `{"firstName":}`, zErr(3, "invalid character '}' looking for beginning of value", "")},
			{"truncated", `{"firstName":"a"`, zErr(3, "unexpected EOF", "")},
			{"array", `[]`, zErr(3, "proto: syntax error (line 1:1): unexpected token [", "")},
			{"array after whitespace", " \n [1]", zErr(3, "proto: syntax error (line 1:1): unexpected token [", "")},
			{"string", `"x"`, zErr(3, `proto: syntax error (line 1:1): unexpected token "x"`, "")},
			{"number", `5`, zErr(3, "proto: syntax error (line 1:1): unexpected token 5", "")},
			{"null", `null`, zErr(3, "proto: syntax error (line 1:1): unexpected token null", "")},
			{"duplicate", `{"firstName":"a","firstName":"b"}`, zErr(3, `proto: (line 1:18): duplicate field "firstName"`, "")},
			{"duplicate across spellings", `{"firstName":"a","first_name":null}`, zErr(3, `proto: (line 1:18): duplicate field "first_name"`, "")},
			{"duplicate on line 3", "{\n  \"lastName\": \"x\",\n  \"last_name\": \"y\"\n}", zErr(3, `proto: (line 3:3): duplicate field "last_name"`, "")},
			{"duplicate gender", `{"gender":1,"gender":"GENDER_MALE"}`, zErr(3, `proto: (line 1:13): duplicate field "gender"`, "")},
			{"number for string", `{"firstName":5}`, zErr(3, "proto: (line 1:14): invalid value for string field firstName: 5", "")},
			{"bool for snake string", `{"first_name":true}`, zErr(3, "proto: (line 1:15): invalid value for string field firstName: true", "")},
			{"object for string", `{"nickName":{"a":1}}`, zErr(3, "proto: (line 1:13): invalid value for string field nickName: {", "")},
			{"array for string", `{"preferred_language":["en"]}`, zErr(3, "proto: (line 1:23): invalid value for string field preferredLanguage: [", "")},
			{"columns count runes", `{"firstName":"é","lastName":5}`, zErr(3, "proto: (line 1:29): invalid value for string field lastName: 5", "")},
			{"object for enum", `{"gender":{}}`, zErr(3, "proto: (line 1:11): invalid value for enum field gender: {", "")},
			{"bool for enum", `{"gender":true}`, zErr(3, "proto: (line 1:11): invalid value for enum field gender: true", "")},
			{"fraction for enum", `{"gender":1.5}`, zErr(3, "proto: (line 1:11): invalid value for enum field gender: 1.5", "")},
			{"enum over int32", `{"gender":2147483648}`, zErr(3, "proto: (line 1:11): invalid value for enum field gender: 2147483648", "")},
			{"huge exponent for enum", `{"gender":1e4000000000}`, zErr(3, "proto: (line 1:11): invalid value for enum field gender: 1e4000000000", "")},
			{"exponent over 20 digits", `{"gender":1e20}`, zErr(3, "proto: (line 1:11): invalid value for enum field gender: 1e20", "")},
			{"negative exponent leaves a fraction", `{"gender":15e-1}`, zErr(3, "proto: (line 1:11): invalid value for enum field gender: 15e-1", "")},
			{"invalid UTF-8", "{\"firstName\":\"a\xffb\"}", zErr(3, "proto: syntax error (line 1:14): invalid UTF-8 in string", "")},
			{"invalid UTF-8 in unknown field", "{\"x\":[1,{\"y\":\"\xfe\"}]}", zErr(3, "proto: syntax error (line 1:14): invalid UTF-8 in string", "")},
			{"invalid UTF-8 in a name", "{\"\xff\":1}", zErr(3, "proto: syntax error (line 1:2): invalid UTF-8 in string", "")},
			{"lone high surrogate", `{"firstName":"\ud800","lastName":"a","displayName":"b"}`, zErr(3, `proto: syntax error (line 1:14): invalid escape code "\ud800" in string`, "")},
			{"lone low surrogate after text", `{"firstName":"ab\\\udc00"}`, zErr(3, `proto: syntax error (line 1:14): invalid escape code "\udc00" in string`, "")},
			{"a surrogate pair is one character", `{"firstName":"\ud83d\ude00","lastName":"a","displayName":"b"}`, missing},
			{"userId is unknown on the auth route", `{"userId":5}`, missing},
			{"unknown fields skipped", `{"FirstName":5,"extra":{"a":[1,{"b":null}]},"firstName":"a"}`, missing},
			{"null is the default", `{"firstName":null,"gender":null}`, missing},
			{"first value only", `{"firstName":"a"} trailing {`, missing},
			{"empty body", "", missing},
			{"whitespace body", " \n\t", missing},
			{"gender names and numbers", `{"gender":"GENDER_UNKNOWN"}`, missing},
			{"gender as digits string", `{"gender":"2"}`, missing},
			{"gender exponent", `{"gender":1e1}`, missing},
		} {
			t.Run(c.name, func(t *testing.T) {
				w := fx.do("PUT", zMe, c.body, "Content-Type: text/plain")
				assertZHeaders(t, w)
				assertBody(t, c.want, w)
			})
		}
		t.Run("management userId type checked", func(t *testing.T) {
			w := fx.do("PUT", "/management/v1/users/50/profile", `{"userId":5}`)
			assertBody(t, zErr(3, "proto: (line 1:11): invalid value for string field userId: 5", ""), w)
		})
	})
}

func TestZitadelProfileValidation(t *testing.T) {
	each(t, func(t *testing.T, fx *fixture) {
		zw := newZWorld(t, fx)
		long := strings.Repeat("é", 201)
		ok200 := strings.Repeat("é", 200)
		between := ": value length must be between 1 and 200 runes, inclusive"
		for _, c := range []struct{ name, body, field, msg string }{
			{"empty body", ``, "FirstName", between},
			{"first name empty", `{"firstName":"","lastName":"","displayName":""}`, "FirstName", between},
			{"first name too long", `{"firstName":"` + long + `"}`, "FirstName", between},
			{"last name missing", `{"firstName":" "}`, "LastName", between},
			{"last name too long", `{"firstName":"a","lastName":"` + long + `"}`, "LastName", between},
			{"nick name too long", `{"firstName":"a","lastName":"b","nickName":"` + long + `"}`, "NickName", ": value length must be at most 200 runes"},
			{"display name missing", `{"firstName":"a","lastName":"b","nickName":""}`, "DisplayName", between},
			{"display name too long", `{"firstName":"a","lastName":"b","displayName":"` + long + `"}`, "DisplayName", between},
			{"language too long", `{"firstName":"a","lastName":"b","displayName":"c","preferredLanguage":"ééééééééééé"}`, "PreferredLanguage", ": value length must be at most 10 runes"},
		} {
			t.Run(c.name, func(t *testing.T) {
				w := fx.do("PUT", zMe, c.body, zw.ann)
				require.Equal(t, http.StatusBadRequest, w.Code)
				assertBody(t, zErr(3, "invalid UpdateMyProfileRequest."+c.field+c.msg, ""), w)
				w = fx.do("PUT", zw.daveURL, c.body, zw.ann, "x-zitadel-orgid: 777")
				require.Equal(t, http.StatusBadRequest, w.Code)
				assertBody(t, zErr(3, "invalid UpdateHumanProfileRequest."+c.field+c.msg, ""), w)
			})
		}
		t.Run("limits are inclusive and in runes", func(t *testing.T) {
			w := fx.do("PUT", zMe, `{"firstName":"`+ok200+`","lastName":" ","nickName":"`+ok200+`","displayName":"`+ok200+`","preferredLanguage":"éééééééééé"}`, zw.ann)
			require.Equal(t, http.StatusOK, w.Code, w.Body.String())
			assert.Equal(t, " ", *fx.reload(fx.ann.ID).LastName, "stored verbatim")
		})
		t.Run("validation runs after authorisation", func(t *testing.T) {
			w := fx.do("PUT", zw.daveURL, `{}`, zw.ann, "x-zitadel-orgid: 778")
			assertBody(t, zErr(7, "No matching permissions found", "AUTH-5mWD2"), w)
		})
	})
}

func TestZitadelProfileSemantics(t *testing.T) {
	each(t, func(t *testing.T, fx *fixture) {
		zw := newZWorld(t, fx)
		put := func(body string, headers ...string) *httptest.ResponseRecorder {
			return fx.do("PUT", zMe, body, append([]string{zw.ann}, headers...)...)
		}
		unchanged := zErr(9, "Profile not changed", "COMMAND-2M0fs")

		t.Run("same values as derived display name: no change", func(t *testing.T) {
			w := put(`{"firstName":"Ann","lastName":"Lee","displayName":"Ann Lee","nickName":"","preferredLanguage":"und","gender":0}`)
			require.Equal(t, http.StatusBadRequest, w.Code, w.Body.String())
			assertBody(t, unchanged, w)
			assert.Len(t, fx.events(fx.ann.ID), 1)
		})
		t.Run("If-Match mismatch beats no change", func(t *testing.T) {
			before := fx.reload(fx.ann.ID)
			evs := len(fx.events(fx.ann.ID))
			w := put(`{"firstName":"Ann","lastName":"Lee","displayName":"Ann Lee"}`, `If-Match: "7"`)
			require.Equal(t, http.StatusPreconditionFailed, w.Code, w.Body.String())
			assertZHeaders(t, w)
			assertBody(t, `{"code":9,"message":"Precondition Failed"}`, w)
			assert.Empty(t, w.Header().Get("ETag"), "ETag only on GET and successful PUT")
			assert.Equal(t, before, fx.reload(fx.ann.ID), "nothing written")
			assert.Len(t, fx.events(fx.ann.ID), evs, "no new event")
		})
		t.Run("full replacement", func(t *testing.T) {
			w := put(`{"firstName":"Ann","lastName":"Lee","displayName":"Ann Lee","nickName":"Annie","preferredLanguage":"EN","gender":"GENDER_DIVERSE"}`, `If-Match: "2"`)
			require.Equal(t, http.StatusOK, w.Code, w.Body.String())
			assert.Equal(t, `"3"`, w.Header().Get("ETag"))
			u := fx.reload(fx.ann.ID)
			assert.Equal(t, "Ann Lee", *u.DisplayName, "stored once anything else changes")
			assert.Equal(t, "en", *u.PreferredLanguage)
			assert.Equal(t, int64(3), u.Gender)
			w = put(`{"firstName":"Ann","lastName":"Lee","displayName":"Ann Lee","nickName":"Annie","preferredLanguage":"en","gender":3}`, `If-Match: *`)
			assertBody(t, unchanged, w)
			w = put(`{"firstName":"Ann","lastName":"Lee","displayName":"Ann Lee"}`, `If-Match: "1", "3"`)
			require.Equal(t, http.StatusOK, w.Code, w.Body.String())
			u = fx.reload(fx.ann.ID)
			assert.Nil(t, u.NickName)
			assert.Nil(t, u.PreferredLanguage)
			assert.Equal(t, int64(0), u.Gender)
			assert.Equal(t, int64(4), u.Version)
		})
		for _, c := range []struct {
			lang   string
			stored *string
		}{{"en_US", ptr("en-US")}, {"zz-ZZ", ptr("und-ZZ")}, {"xx", nil}, {"de", ptr("de")}, {"", nil}} {
			t.Run("language "+c.lang, func(t *testing.T) {
				w := put(`{"firstName":"L` + c.lang + `","lastName":"Lee","displayName":"Ann Lee","preferredLanguage":"` + c.lang + `"}`)
				require.Equal(t, http.StatusOK, w.Code, w.Body.String())
				assert.Equal(t, c.stored, fx.reload(fx.ann.ID).PreferredLanguage)
			})
		}
		for _, c := range []struct {
			gender string
			stored int64
		}{{`"GENDER_FEMALE"`, 1}, {`2`, 2}, {`"2"`, 0}, {`3`, 3}, {`9`, 0}, {`-1`, 0}, {`"GENDER_MALE"`, 2}, {`"gender_male"`, 0}, {`2.0`, 2}, {`20e-1`, 2}, {`0.1e1`, 1}, {`0e50`, 0}, {`-0`, 0}} {
			t.Run("gender "+c.gender, func(t *testing.T) {
				w := put(`{"firstName":"G` + strings.Trim(c.gender, `"`) + `","lastName":"Lee","displayName":"Ann Lee","gender":` + c.gender + `}`)
				require.Equal(t, http.StatusOK, w.Code, w.Body.String())
				assert.Equal(t, c.stored, fx.reload(fx.ann.ID).Gender)
			})
		}
		t.Run("unknown gender number reads unspecified", func(t *testing.T) {
			w := fx.do("GET", zMe, "", zw.ann)
			assert.NotContains(t, w.Body.String(), `"gender":`)
		})
	})
}

func TestZitadelProfileAcrossDialects(t *testing.T) {
	each(t, func(t *testing.T, fx *fixture) {
		bearer := "Authorization: Bearer " + fx.login(t).AccessToken
		w := fx.do("PUT", zMe, `{"firstName":"Zed","lastName":"Lee","displayName":"Zed Lee"}`, bearer)
		require.Equal(t, http.StatusOK, w.Code, w.Body.String())
		tag := w.Header().Get("ETag")
		assert.Equal(t, `"3"`, tag)

		s := fx.do("GET", "/User?FileId=777", "", bearer, "Accept: application/json")
		require.Equal(t, http.StatusOK, s.Code, s.Body.String())
		assert.Equal(t, tag, s.Header().Get("ETag"), "one version for every dialect")
		assert.Contains(t, s.Body.String(), `"FirstName":"Zed"`)

		s = fx.do("PUT", "/User?FileId=777", `{"FirstName":"Ann"}`, bearer, "Content-Type: application/json", "If-Match: "+tag)
		require.Equal(t, http.StatusOK, s.Code, s.Body.String())
		w = fx.do("GET", zMe, "", bearer)
		require.Equal(t, http.StatusOK, w.Code, w.Body.String())
		assert.Equal(t, `"4"`, w.Header().Get("ETag"))
		assertBody(t, `{"details":{"sequence":"4","creationDate":"2026-11-23T10:04:05.123456Z","changeDate":"2026-11-23T10:04:05.123456Z"},
			"profile":{"firstName":"Ann","lastName":"Lee","displayName":"Zed Lee","preferredLanguage":"und"}}`, w)
		evs := fx.events(fx.ann.ID)
		require.Len(t, evs, 3)
		assert.Equal(t, "zitadel/bearer", evs[1].Via)
		assert.Equal(t, "saasu/bearer", evs[2].Via)
	})
}

// TestZitadelProfileOutage: with the database gone, the ZITADEL routes answer 503 code 14 and Retry-After.
func TestZitadelProfileOutage(t *testing.T) {
	eachOutage(t, func(t *testing.T, fx *fixture, p *proxy) {
		bearer := fx.zToken(fx.ann.ID, "full fileid:777")
		require.Equal(t, http.StatusOK, fx.do("GET", zMe, "", bearer).Code)
		p.stop()
		for _, method := range []string{"GET", "PUT"} {
			w := fx.do(method, zMe, zMinimal, bearer)
			require.Equal(t, http.StatusServiceUnavailable, w.Code, w.Body.String())
			assert.Equal(t, "5", w.Header().Get("Retry-After"))
			assertZHeaders(t, w)
			assertBody(t, `{"code":14,"message":"Service Unavailable"}`, w)
		}
		p.start()
		require.Equal(t, http.StatusOK, fx.do("PUT", zMe, zMinimal, bearer).Code)
	})
}

// TestZitadelProfileTimes: creationDate stays, changeDate is the time of the last real change, in protojson's
// Timestamp form (UTC, 0, 3, 6 or 9 fraction digits) truncated to microseconds (zitadel.md §6).
func TestZitadelProfileTimes(t *testing.T) {
	each(t, func(t *testing.T, fx *fixture) {
		at := func(d time.Duration) { fx.store.Now = func() time.Time { return modelstest.Epoch.Add(d) } }
		at(time.Hour + 876544*time.Microsecond) // 11:04:06 exactly
		bearer := fx.zToken(fx.ann.ID, "full")
		put := func(first, want string) {
			t.Helper()
			w := fx.do("PUT", zMe, `{"firstName":"`+first+`","lastName":"Lee","displayName":"Ann Lee"}`, bearer)
			require.Equal(t, http.StatusOK, w.Code, w.Body.String())
			assertBody(t, want, w)
		}
		get := func(want string) {
			t.Helper()
			w := fx.do("GET", zMe, "", bearer)
			require.Equal(t, http.StatusOK, w.Code, w.Body.String())
			assertBody(t, want, w)
		}
		put("Zed", `{"details":{"sequence":"3","changeDate":"2026-11-23T11:04:06Z"}}`)
		get(`{"details":{"sequence":"3","creationDate":"2026-11-23T10:04:05.123456Z","changeDate":"2026-11-23T11:04:06Z"},
			"profile":{"firstName":"Zed","lastName":"Lee","displayName":"Ann Lee","preferredLanguage":"und"}}`)
		at(time.Hour + 1756544*time.Microsecond) // 11:04:06.880
		put("Zoe", `{"details":{"sequence":"4","changeDate":"2026-11-23T11:04:06.880Z"}}`)
		at(time.Hour + 1756544*time.Microsecond + 123*time.Nanosecond) // below a microsecond: truncated
		put("Zia", `{"details":{"sequence":"5","changeDate":"2026-11-23T11:04:06.880Z"}}`)

		// Not a profile change: neither the version nor changeDate moves.
		at(2 * time.Hour)
		w := fx.do("POST", "/api/workspace/account/change-password", `{"CurrentPassword":"s3cret!","NewPassword":"n3w-secret"}`, bearer)
		require.Equal(t, http.StatusOK, w.Code, w.Body.String())
		get(`{"details":{"sequence":"5","creationDate":"2026-11-23T10:04:05.123456Z","changeDate":"2026-11-23T11:04:06.880Z"},
			"profile":{"firstName":"Zia","lastName":"Lee","displayName":"Ann Lee","preferredLanguage":"und"}}`)
	})
}

// zAnnBefore is ann's GET body as the fixture leaves her: version 2, no display name stored (derived), no owner.
const zAnnBefore = `{"details":{"sequence":"2","creationDate":"2026-11-23T10:04:05.123456Z","changeDate":"2026-11-23T10:04:05.123456Z"},
	"profile":{"firstName":"Ann","lastName":"Lee","displayName":"Ann Lee","preferredLanguage":"und"}}`

// TestZitadelProfileChangedFieldsOnly: the PUT is a full replacement, but the write records the changed fields
// only (zitadel.md §5 "Write"): resending every value but nickName gives one event whose changed columns are
// exactly nick_name.
func TestZitadelProfileChangedFieldsOnly(t *testing.T) {
	each(t, func(t *testing.T, fx *fixture) {
		zw := newZWorld(t, fx)
		require.Equal(t, http.StatusOK, fx.do("PUT", zMe, zSeedBody, zw.ann).Code, "store every field first")
		without := strings.Replace(zSeedBody, `"nickName":"Minnie",`, "", 1)
		require.NotEqual(t, zSeedBody, without)
		for _, c := range []struct {
			name, body, changed string
			nick                *string
		}{
			{"only nickName differs", strings.Replace(zSeedBody, `"nickName":"Minnie"`, `"nickName":"Min"`, 1), `{"nick_name":{"old":"Minnie","new":"Min"}}`, ptr("Min")},
			{"nickName omitted: only nick_name is cleared", without, `{"nick_name":{"old":"Min","new":null}}`, nil},
		} {
			t.Run(c.name, func(t *testing.T) {
				before := fx.reload(fx.ann.ID)
				evs := len(fx.events(fx.ann.ID))
				w := fx.do("PUT", zMe, c.body, zw.ann)
				require.Equal(t, http.StatusOK, w.Code, w.Body.String())
				assertZHeaders(t, w)
				seq := strconv.FormatInt(before.Version+1, 10)
				assert.Equal(t, `"`+seq+`"`, w.Header().Get("ETag"))
				assertBody(t, `{"details":{"sequence":"`+seq+`","changeDate":"2026-11-23T10:04:05.123456Z"}}`, w)
				after := fx.reload(fx.ann.ID)
				assert.Equal(t, before.Version+1, after.Version)
				assert.Equal(t, c.nick, after.NickName)
				assert.Equal(t, before.FirstName, after.FirstName)
				assert.Equal(t, before.LastName, after.LastName)
				assert.Equal(t, before.DisplayName, after.DisplayName)
				assert.Equal(t, before.PreferredLanguage, after.PreferredLanguage)
				assert.Equal(t, before.Gender, after.Gender)
				all := fx.events(fx.ann.ID)
				require.Len(t, all, evs+1, "exactly one new profile event")
				ev := all[len(all)-1]
				assert.Equal(t, []string{"nick_name"}, wsChangedColumns(t, ev), "changed fields only")
				assert.JSONEq(t, c.changed, ev.Changed)
				assert.Equal(t, after.Version, ev.Version)
				assert.Equal(t, "zitadel/bearer", ev.Via)
				require.NotNil(t, ev.ActorUserID)
				assert.Equal(t, fx.ann.ID, *ev.ActorUserID)
			})
		}
	})
}

// TestZitadelProfileUnknownGenderNoChange: an unknown gender number is normalised to unspecified (0) before the
// no-change rule (zitadel.md §3, §5): with gender 0 stored, resending the same values with such a number is
// 400 "Profile not changed" and writes nothing.
func TestZitadelProfileUnknownGenderNoChange(t *testing.T) {
	each(t, func(t *testing.T, fx *fixture) {
		zw := newZWorld(t, fx)
		require.Equal(t, http.StatusOK, fx.do("PUT", zMe, zSeedBody, zw.ann).Code, "store every field first")
		before := fx.reload(fx.ann.ID)
		require.Equal(t, int64(0), before.Gender)
		evs := len(fx.events(fx.ann.ID))
		for _, g := range []string{"9", "-1", "2147483647", "-2147483648"} {
			t.Run("gender "+g, func(t *testing.T) {
				w := fx.do("PUT", zMe, strings.Replace(zSeedBody, `"gender":"GENDER_UNSPECIFIED"`, `"gender":`+g, 1), zw.ann)
				require.Equal(t, http.StatusBadRequest, w.Code, w.Body.String())
				assertZHeaders(t, w)
				assertBody(t, zErr(9, "Profile not changed", "COMMAND-2M0fs"), w)
				assert.Empty(t, w.Header().Get("ETag"))
				assert.Equal(t, before, fx.reload(fx.ann.ID), "nothing written")
				assert.Len(t, fx.events(fx.ann.ID), evs, "no event")
			})
		}
	})
}

// TestZitadelProfileSystemUser: a system user (user_type 2) is a machine user here (zitadel.md §1), so the
// target rules of §5 apply: GET → 400 "The User must be personal", PUT → 400 "Profile not found", on the
// management routes and on the auth routes with the system user's own token.
func TestZitadelProfileSystemUser(t *testing.T) {
	each(t, func(t *testing.T, fx *fixture) {
		zw := newZWorld(t, fx)
		sys := fx.user(models.NewUser{ID: ptr[int64](58), Username: "system@example.com", FirstName: "System", LastName: ptr("User"),
			Type: models.UserSystem, OwnerFileID: ptr[int64](777)})
		sysTok := fx.zToken(sys.ID, "full fileid:777")
		sysURL := "/management/v1/users/58/profile"
		notPersonal := zErr(9, "The User must be personal", "QUERY-WLTce")
		notFound := zErr(9, "Profile not found", "COMMAND-3M9sd")
		for _, c := range []struct {
			name, method, url, body string
			headers                 []string
			want                    string
		}{
			{"management GET", "GET", sysURL, "", []string{zw.ann, "x-zitadel-orgid: 777"}, notPersonal},
			{"management PUT", "PUT", sysURL, zMinimal, []string{zw.ann, "x-zitadel-orgid: 777"}, notFound},
			{"GET me with its own token", "GET", zMe, "", []string{sysTok}, notPersonal},
			{"PUT me with its own token", "PUT", zMe, zMinimal, []string{sysTok}, notFound},
		} {
			t.Run(c.name, func(t *testing.T) {
				w := fx.do(c.method, c.url, c.body, c.headers...)
				require.Equal(t, http.StatusBadRequest, w.Code, w.Body.String())
				assertZHeaders(t, w)
				assertBody(t, c.want, w)
				assert.Empty(t, w.Header().Get("ETag"))
			})
		}
		assert.Equal(t, sys, fx.reload(sys.ID), "nothing written")
		assert.Empty(t, fx.events(sys.ID))
	})
}

// TestZitadelProfileAuthIgnoresOrgHeader: the auth routes never target by x-zitadel-orgid (zitadel.md §1); one
// naming an existing file (even one where the caller has no membership, or no write permission) only passes
// step 6, and the call still acts on the token's user.
func TestZitadelProfileAuthIgnoresOrgHeader(t *testing.T) {
	each(t, func(t *testing.T, fx *fixture) {
		zw := newZWorld(t, fx)
		t.Run("GET with an org where the caller is no member", func(t *testing.T) {
			w := fx.do("GET", zMe, "", zw.ann, "x-zitadel-orgid: 780")
			require.Equal(t, http.StatusOK, w.Code, w.Body.String())
			assertZHeaders(t, w)
			assert.Equal(t, `"2"`, w.Header().Get("ETag"))
			assertBody(t, zAnnBefore, w)
		})
		t.Run("PUT with an org where the caller is no member", func(t *testing.T) {
			w := fx.do("PUT", zMe, zMinimal, zw.ann, "x-zitadel-orgid: 780")
			require.Equal(t, http.StatusOK, w.Code, w.Body.String())
			assertZHeaders(t, w)
			assert.Equal(t, `"3"`, w.Header().Get("ETag"))
			assertBody(t, `{"details":{"sequence":"3","changeDate":"2026-11-23T10:04:05.123456Z"}}`, w)
			assert.Equal(t, "Minnie", *fx.reload(fx.ann.ID).FirstName)
		})
		t.Run("PUT with an org where the caller only reads", func(t *testing.T) {
			w := fx.do("PUT", zMe, strings.Replace(zMinimal, "Minnie", "Mickey", 1), zw.ann, "X-Zitadel-OrgId: 778")
			require.Equal(t, http.StatusOK, w.Code, w.Body.String())
			assert.Equal(t, `"4"`, w.Header().Get("ETag"))
			assert.Equal(t, "Mickey", *fx.reload(fx.ann.ID).FirstName)
		})
		evs := fx.events(fx.ann.ID)
		require.Len(t, evs, 3)
		assert.Equal(t, "zitadel/bearer", evs[2].Via)
		assert.Empty(t, fx.events(zw.erin.ID), "nobody in org 780 was touched")
		assert.Equal(t, int64(1), fx.reload(fx.bob.ID).Version)
	})
}

// TestZitadelProfileHeaderHygiene: zitadel.md §8 [ours]: no Expires and no grpc-gateway echoes (Grpc-Metadata-*,
// Grpcgateway-*) on any answer, 200 or error; §7 [ours]: Accept-Language is ignored, the texts stay English.
func TestZitadelProfileHeaderHygiene(t *testing.T) {
	each(t, func(t *testing.T, fx *fixture) {
		zw := newZWorld(t, fx)
		probe := []string{"Accept-Language: de", "Grpc-Metadata-Foo: bar", "Grpcgateway-Trace: x"}
		org := "x-zitadel-orgid: 777"
		for _, c := range []struct {
			name, method, url, body string
			headers                 []string
			status                  int
			want, etag              string
		}{
			{"GET me", "GET", zMe, "", []string{zw.ann}, 200, zAnnBefore, `"2"`},
			{"PUT me", "PUT", zMe, zSeedBody, []string{zw.ann}, 200, `{"details":{"sequence":"3","changeDate":"2026-11-23T10:04:05.123456Z"}}`, `"3"`},
			{"management GET", "GET", zw.daveURL, "", []string{zw.ann, org}, 200,
				`{"details":{"sequence":"1","creationDate":"2026-11-23T10:04:05.123456Z","changeDate":"2026-11-23T10:04:05.123456Z","resourceOwner":"777"},
				"profile":{"firstName":"Dave","lastName":"Doe","displayName":"Dave Doe","preferredLanguage":"und"}}`, `"1"`},
			{"no change", "PUT", zMe, zSeedBody, []string{zw.ann}, 400, zErr(9, "Profile not changed", "COMMAND-2M0fs"), ""},
			{"validation", "PUT", zMe, `{}`, []string{zw.ann}, 400,
				zErr(3, "invalid UpdateMyProfileRequest.FirstName: value length must be between 1 and 200 runes, inclusive", ""), ""},
			{"decoding", "PUT", zMe, `{"firstName":`, []string{zw.ann}, 400, zErr(3, "unexpected EOF", ""), ""},
			{"no membership", "GET", zw.daveURL, "", []string{zw.ann, "x-zitadel-orgid: 780"}, 404, zErr(5, "membership not found", "AUTHZ-cdgFk"), ""},
			{"no permission", "PUT", zw.daveURL, zMinimal, []string{zw.ann, "x-zitadel-orgid: 778"}, 403, zErr(7, "No matching permissions found", "AUTH-5mWD2"), ""},
			{"org naming no file", "GET", zMe, "", []string{zw.ann, "x-zitadel-orgid: 999"}, 403, zErr(7, "Organisation doesn't exist", "AUTH-Bs7Ds"), ""},
			{"user not found", "GET", zw.missing, "", []string{zw.ann, org}, 404, zErr(5, "User could not be found", "QUERY-HNhb3"), ""},
			{"profile not found", "PUT", zw.missing, zMinimal, []string{zw.ann, org}, 400, zErr(9, "Profile not found", "COMMAND-3M9sd"), ""},
			{"If-Match mismatch", "PUT", zMe, zMinimal, []string{zw.ann, `If-Match: "1"`}, 412, `{"code":9,"message":"Precondition Failed"}`, ""},
			{"bad token", "GET", zMe, "", []string{"Authorization: Bearer fa_at_nope"}, 401, zErr(16, "Errors.Token.Invalid", "AUTH-7fs1e"), ""},
			{"no Authorization", "GET", zMe, "", nil, 401, zErr(16, "auth header missing", ""), ""},
			{"unknown path", "GET", "/auth/v1/users/me", "", []string{zw.ann}, 404, `{"code":5,"message":"Not Found"}`, ""},
			{"wrong method", "POST", zMe, zMinimal, []string{zw.ann}, 405, `{"code":12,"message":"Method Not Allowed"}`, ""},
		} {
			t.Run(c.name, func(t *testing.T) {
				w := fx.do(c.method, c.url, c.body, append(append([]string{}, c.headers...), probe...)...)
				require.Equal(t, c.status, w.Code, w.Body.String())
				assertZHeaders(t, w)
				assertBody(t, c.want, w)
				assert.Equal(t, c.etag, w.Header().Get("ETag"))
				assert.Empty(t, w.Header().Values("Expires"), "no Expires")
				for name := range w.Header() {
					l := strings.ToLower(name)
					assert.False(t, strings.HasPrefix(l, "grpc-") || strings.HasPrefix(l, "grpcgateway-"), "no gateway header: %s", name)
				}
				if c.status == http.StatusUnauthorized {
					var msg struct{ Message string }
					require.NoError(t, json.Unmarshal(w.Body.Bytes(), &msg))
					assert.Equal(t, msg.Message, w.Header().Get("WWW-Authenticate"))
				}
				if c.status == http.StatusMethodNotAllowed {
					assert.Equal(t, "GET, PUT", w.Header().Get("Allow"))
				}
			})
		}
		assert.Len(t, fx.events(fx.ann.ID), 2, "only the one PUT wrote")
		assert.Equal(t, int64(1), fx.reload(zw.dave.ID).Version)
	})
}

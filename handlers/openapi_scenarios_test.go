package handlers_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fileapi/fileapi/handlers"
	"github.com/fileapi/fileapi/models"
)

// The scenarios below answer, through fx.do, the documented (operation, status) pairs that the feature tests
// reach only over an httptest server (which checkOpenAPI does not see) or not at all. Each row checks its
// status; checkOpenAPI checks the headers and the body against docs/openapi.yaml.

// scenario is one request and the status it must get.
type scenario struct {
	name, method, url, body string
	headers                 []string
	want                    int
}

func runScenarios(t *testing.T, fx *fixture, rows []scenario) {
	t.Helper()
	for _, r := range rows {
		w := fx.do(r.method, r.url, r.body, r.headers...)
		assert.Equal(t, r.want, w.Code, "%s: %s %s: %s", r.name, r.method, r.url, w.Body.String())
	}
}

const (
	jsonCT  = "Content-Type: application/json"
	plainCT = "Content-Type: text/plain"
	// csrfPair is a double-submit pair of the pages: the cookie, and the csrf_token the form sends back.
	csrfCookie = "Cookie: fileapi_csrf=c5rf"
	csrfField  = "csrf_token=c5rf"
)

// tooLarge is a body one byte over the limit of every route.
var tooLarge = strings.Repeat(" ", handlers.MaxBody+1)

func TestOpenAPIScenarios(t *testing.T) {
	each(t, func(t *testing.T, fx *fixture) {
		key := "FileId=777&wsAccessKey=" + fx.key
		zw := newZWorld(t, fx)
		oc := fx.oauthClients(t)
		ctx := context.Background()
		_, _, err := fx.store.UpdateProfile(ctx, fx.bob.ID, models.ProfileChange{MobileNumber: models.To("0412 345 678")}, models.ChangeOptions{Via: "test"})
		require.NoError(t, err)
		fx.enable2FA(fx.bob.ID)
		bobGrant := `{"grant_type":"password","username":"bob@example.com","password":"s3cret!"}`
		zBody := `{"firstName":"David","lastName":"Doe","displayName":"David Doe"}`
		authorize := "/oauth/v2/authorize"

		runScenarios(t, fx, []scenario{
			{"change-password without a credential", "POST", "/User/change-password?FileId=777", `{"Password":"n3w-s3cret!"}`, []string{jsonCT}, 401},
			{"change-password too large", "POST", "/User/change-password?" + key, tooLarge, []string{jsonCT}, 413},
			{"change-password text/plain", "POST", "/User/change-password?" + key, "x", []string{plainCT}, 415},
			{"change-username too large", "POST", "/User/change-username?" + key, tooLarge, []string{jsonCT}, 413},
			{"change-username text/plain", "POST", "/User/change-username?" + key, "x", []string{plainCT}, 415},
			{"opt-in without a credential", "POST", "/User/opt-in-to-2fa?FileId=777", `{"MobileNumber":"0412 345 678"}`, []string{jsonCT}, 401},
			{"opt-in too large", "POST", "/User/opt-in-to-2fa?" + key, tooLarge, []string{jsonCT}, 413},
			{"opt-in text/plain", "POST", "/User/opt-in-to-2fa?" + key, "x", []string{plainCT}, 415},
			{"verify without a credential", "POST", "/User/verify-2fa-opt-in?FileId=777", `{"ProviderUserId":42,"Otp":"123456"}`, []string{jsonCT}, 401},
			{"verify too large", "POST", "/User/verify-2fa-opt-in?" + key, tooLarge, []string{jsonCT}, 413},
			{"verify text/plain", "POST", "/User/verify-2fa-opt-in?" + key, "x", []string{plainCT}, 415},
			{"opt-out without a credential", "POST", "/User/opt-out-from-2fa?FileId=777", "", nil, 401},
			{"reset-password too large", "POST", "/User/reset-password", tooLarge, []string{jsonCT}, 413},
			{"reset-password text/plain", "POST", "/User/reset-password", "x", []string{plainCT}, 415},
			{"token too large", "POST", "/authorisation/token", tooLarge, []string{jsonCT}, 413},
			{"token-2fa wrong password", "POST", "/authorisation/token-2fa", `{"grant_type":"password","username":"ann@example.com","password":"wrong"}`, []string{jsonCT}, 400},
			{"token-2fa too large", "POST", "/authorisation/token-2fa", tooLarge, []string{jsonCT}, 413},
			{"token-2fa text/plain", "POST", "/authorisation/token-2fa", "x", []string{plainCT}, 415},
			{"refresh: password grant of a 2FA user", "POST", "/authorisation/refresh", bobGrant, []string{jsonCT}, 401},
			{"refresh too large", "POST", "/authorisation/refresh", tooLarge, []string{jsonCT}, 413},
			{"refresh text/plain", "POST", "/authorisation/refresh", "x", []string{plainCT}, 415},
			{"GET token without grant_type", "GET", "/authorisation/token", "", nil, 400},
			{"GET token of a 2FA user", "GET", "/authorisation/token?grant_type=password&username=bob%40example.com&password=s3cret%21", "", nil, 401},

			{"ZITADEL GetHumanProfile without a token", "GET", zw.daveURL, "", nil, 401},
			{"ZITADEL UpdateHumanProfile without a token", "PUT", zw.daveURL, zBody, nil, 401},
			{"ZITADEL UpdateHumanProfile too large", "PUT", zw.daveURL, tooLarge, []string{zw.ann}, 413},
			{"ZITADEL UpdateHumanProfile without a membership", "PUT", zw.erinURL, zBody, []string{zw.ann, "x-zitadel-orgid: 780"}, 404},
			{"ZITADEL UpdateHumanProfile If-Match", "PUT", zw.daveURL, zBody, []string{zw.ann, "x-zitadel-orgid: 777", `If-Match: "999"`}, 412},
			{"ZITADEL UpdateMyProfile unknown org", "PUT", zMe, zBody, []string{zw.ann, "x-zitadel-orgid: 999999"}, 403},

			{"revoke too large", "POST", "/oauth/v2/revoke", tooLarge, []string{formCT}, 413},
			{"introspect too large", "POST", "/oauth/v2/introspect", tooLarge, []string{formCT}, 413},
			{"authorize POST without a step", "POST", authorize, "response_type=code&client_id=" + oc.ledger + "&" + csrfField, []string{formCT, csrfCookie}, 200},
			{"authorize POST without response_type", "POST", authorize, "client_id=" + oc.ledger + "&" + csrfField + "&step=login", []string{formCT, csrfCookie}, 303},
			{"authorize POST too large", "POST", authorize, tooLarge, []string{formCT}, 413},
		})

		// The password-reset page, with the double-submit cookie set by hand.
		w := fx.do("POST", "/User/reset-password", `{"Username":"ann@example.com"}`, jsonCT)
		require.Equal(t, http.StatusOK, w.Code)
		token := fx.resetToken(t, "ann@example.com")
		form := url.Values{"token": {token}, "csrf_token": {"c5rf"}, "password": {"n3w-s3cret!"}, "password_confirm": {"n3w-s3cret!"}}.Encode()
		runScenarios(t, fx, []scenario{
			{"reset page", "GET", "/password-reset?token=" + token, "", nil, 200},
			{"reset page of an unknown link", "GET", "/password-reset?token=fa_pr_unknown", "", nil, 400},
			{"reset form without its cookie", "POST", "/password-reset", form, []string{formCT}, 400},
			{"reset form", "POST", "/password-reset", form, []string{formCT, csrfCookie}, 200},
		})
	})
}

// TestOpenAPIRateLimits: the 429s of the routes that share the credential limits (saasu.md §6.7).
func TestOpenAPIRateLimits(t *testing.T) {
	each(t, func(t *testing.T, fx *fixture) {
		oc := fx.oauthClients(t)
		wrong := `{"grant_type":"password","username":"ann@example.com","password":"wrong"}`
		for i := 0; i < 10; i++ {
			require.Equal(t, http.StatusBadRequest, fx.do("POST", "/authorisation/refresh", wrong, jsonCT).Code)
		}
		login := "response_type=code&client_id=" + oc.ledger + "&" + csrfField + "&step=login&username=ann%40example.com&password=s3cret%21"
		runScenarios(t, fx, []scenario{
			{"refresh at the username limit", "POST", "/authorisation/refresh", wrong, []string{jsonCT}, 429},
			{"token-2fa at the username limit", "POST", "/authorisation/token-2fa", wrong, []string{jsonCT}, 429},
			{"authorize login at the username limit", "POST", "/oauth/v2/authorize", login, []string{formCT, csrfCookie}, 429},
		})
		// Then the address limit: failed client authentications count towards it.
		bad := "token=x&client_id=" + oc.ledger + "&client_secret=fa_cs_wrong"
		for i := 0; i < 60; i++ {
			if fx.do("POST", "/oauth/v2/revoke", bad, formCT).Code == http.StatusTooManyRequests {
				break
			}
		}
		runScenarios(t, fx, []scenario{
			{"revoke at the address limit", "POST", "/oauth/v2/revoke", bad, []string{formCT}, 429},
			{"introspect at the address limit", "POST", "/oauth/v2/introspect", bad, []string{formCT}, 429},
		})
	})
}

// storeCalls is one request per documented operation that reads the database before it can answer: with the
// database broken every one gets 500, with it gone 503. None needs a live credential, since the lookup fails.
func storeCalls() []scenario {
	key := "FileId=777&wsAccessKey=fa_ak_anything"
	bearer := "Authorization: Bearer fa_at_anything"
	page := "token=fa_pr_anything&" + csrfField + "&password=n3w-s3cret!&password_confirm=n3w-s3cret!"
	client := "client_id=anything&client_secret=fa_cs_anything"
	zBody := `{"firstName":"Ann","lastName":"Lee","displayName":"Ann Lee"}`
	return []scenario{
		{"GET /User", "GET", "/User?" + key, "", nil, 0},
		{"PUT /User", "PUT", "/User?" + key, `{"FirstName":"Anne"}`, []string{jsonCT}, 0},
		{"reset-password", "POST", "/User/reset-password", `{"Username":"ann@example.com"}`, []string{jsonCT}, 0},
		{"change-username", "POST", "/User/change-username?" + key, `{"Username":"anne@example.com"}`, []string{jsonCT}, 0},
		{"change-password", "POST", "/User/change-password?" + key, `{"Password":"n3w-s3cret!"}`, []string{jsonCT}, 0},
		{"opt-in-to-2fa", "POST", "/User/opt-in-to-2fa?" + key, `{"MobileNumber":"0412 345 678"}`, []string{jsonCT}, 0},
		{"verify-2fa-opt-in", "POST", "/User/verify-2fa-opt-in?" + key, `{"ProviderUserId":42,"Otp":"123456"}`, []string{jsonCT}, 0},
		{"opt-out-from-2fa", "POST", "/User/opt-out-from-2fa?" + key, "", nil, 0},
		{"POST token", "POST", "/authorisation/token", `{"grant_type":"password","username":"ann@example.com","password":"s3cret!"}`, []string{jsonCT}, 0},
		{"GET token", "GET", "/authorisation/token?grant_type=password&username=ann%40example.com&password=s3cret%21", "", nil, 0},
		{"token-2fa", "POST", "/authorisation/token-2fa", `{"grant_type":"password","username":"ann@example.com","password":"s3cret!"}`, []string{jsonCT}, 0},
		{"refresh", "POST", "/authorisation/refresh", `{"grant_type":"refresh_token","refresh_token":"fa_rt_anything"}`, []string{jsonCT}, 0},
		{"ping", "GET", "/authorisation/ping?" + key, "", nil, 0},
		{"FileIdentities", "GET", "/FileIdentities?" + key, "", nil, 0},
		{"FileIdentity", "GET", "/FileIdentity?" + key, "", nil, 0},
		{"reset page", "GET", "/password-reset?token=fa_pr_anything", "", nil, 0},
		{"reset form", "POST", "/password-reset", page, []string{formCT, csrfCookie}, 0},
		{"authorize", "GET", "/oauth/v2/authorize?response_type=code&client_id=anything", "", nil, 0},
		{"authorize step", "POST", "/oauth/v2/authorize", "response_type=code&client_id=anything&" + csrfField + "&step=login", []string{formCT, csrfCookie}, 0},
		{"OAuth token", "POST", "/oauth/v2/token", "grant_type=client_credentials&" + client, []string{formCT}, 0},
		{"revoke", "POST", "/oauth/v2/revoke", "token=fa_at_anything&" + client, []string{formCT}, 0},
		{"introspect", "POST", "/oauth/v2/introspect", "token=fa_at_anything&" + client, []string{formCT}, 0},
		{"GetMyProfile", "GET", "/auth/v1/users/me/profile", "", []string{bearer}, 0},
		{"UpdateMyProfile", "PUT", "/auth/v1/users/me/profile", zBody, []string{bearer}, 0},
		{"GetHumanProfile", "GET", "/management/v1/users/42/profile", "", []string{bearer}, 0},
		{"UpdateHumanProfile", "PUT", "/management/v1/users/42/profile", zBody, []string{bearer}, 0},
		{"workspace GET profile", "GET", "/api/workspace/account/profile", "", []string{bearer}, 0},
		{"workspace PUT profile", "PUT", "/api/workspace/account/profile", `{"FirstName":"Anne"}`, []string{bearer, jsonCT}, 0},
		{"workspace login", "POST", "/api/workspace/auth/login", `{"UserNameOrEmail":"ann@example.com","Password":"s3cret!"}`, []string{jsonCT}, 0},
		{"workspace me", "GET", "/api/workspace/auth/me", "", []string{bearer}, 0},
		{"workspace change-password", "POST", "/api/workspace/account/change-password", `{"CurrentPassword":"s3cret!","NewPassword":"n3w-s3cret!"}`, []string{bearer, jsonCT}, 0},
	}
}

// withStatus sets the status every call must get.
func withStatus(rows []scenario, status int) []scenario {
	for i := range rows {
		rows[i].want = status
	}
	return rows
}

// TestOpenAPIInternalErrors: with every table gone, each operation answers its dialect's 500.
func TestOpenAPIInternalErrors(t *testing.T) {
	each(t, func(t *testing.T, fx *fixture) {
		fx.migrateDownTo(t, 0)
		runScenarios(t, fx, withStatus(storeCalls(), http.StatusInternalServerError))
	})
}

// TestOpenAPIOutage: with the database unreachable, each operation answers its dialect's 503 (MariaDB only:
// an embedded SQLite file cannot go away).
func TestOpenAPIOutage(t *testing.T) {
	eachOutage(t, func(t *testing.T, fx *fixture, p *proxy) {
		p.stop()
		runScenarios(t, fx, withStatus(storeCalls(), http.StatusServiceUnavailable))
	})
}

package handlers_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"

	"github.com/fileapi/fileapi/auth"
	"github.com/fileapi/fileapi/models"
)

// oauthClients registers the partner apps of the OAuth tests: a confidential client with a service account
// (robot, member of 777 and 778), a confidential client without one, and a public client.
type oauthClients struct {
	robot                models.User
	ledger, ledgerSecret string
	plain, plainSecret   string
	public               string
}

func (fx *fixture) oauthClients(t *testing.T) oauthClients {
	t.Helper()
	ctx := context.Background()
	var oc oauthClients
	oc.robot = fx.user(models.NewUser{Username: "robot@example.com", FirstName: "Robot", Type: models.UserService})
	fx.grant(oc.robot.ID, 777, models.AccessStandard, false)
	fx.grant(oc.robot.ID, 778, models.AccessStandard, false)
	mk := func(name string, secret bool, sa *int64) (string, string) {
		id := auth.NewClientID()
		var hash *string
		s := ""
		if secret {
			s = auth.NewSecret(auth.PrefixClientSecret)
			h := auth.HashSecret(s)
			hash = &h
		}
		_, err := fx.store.CreateClient(ctx, models.NewClient{ClientID: id, SecretHash: hash, Name: name,
			RedirectURIs: []string{"https://app.example.com/callback"}, ServiceAccountUserID: sa})
		require.NoError(t, err)
		return id, s
	}
	oc.ledger, oc.ledgerSecret = mk("Ledger Sync", true, &oc.robot.ID)
	oc.plain, oc.plainSecret = mk("Plain App", true, nil)
	oc.public, _ = mk("Mobile App", false, nil)
	return oc
}

func basic(id, secret string) string {
	return "Authorization: Basic " + base64.StdEncoding.EncodeToString([]byte(url.QueryEscape(id)+":"+url.QueryEscape(secret)))
}

const formCT = "Content-Type: application/x-www-form-urlencoded"

func TestOAuthClientCredentials(t *testing.T) {
	each(t, func(t *testing.T, fx *fixture) {
		oc := fx.oauthClients(t)
		srv := httptest.NewServer(fx.handler)
		defer srv.Close()
		ctx := context.WithValue(context.Background(), oauth2.HTTPClient, srv.Client())
		for _, style := range []oauth2.AuthStyle{oauth2.AuthStyleAutoDetect, oauth2.AuthStyleInHeader, oauth2.AuthStyleInParams} {
			cfg := clientcredentials.Config{ClientID: oc.ledger, ClientSecret: oc.ledgerSecret, TokenURL: srv.URL + "/oauth/v2/token",
				Scopes: []string{"fileid:777", "fileid:999"}, AuthStyle: style}
			tok, err := cfg.Token(ctx)
			require.NoError(t, err)
			assert.Equal(t, "full fileid:777", tok.Extra("scope"), "unknown files are dropped")
			assert.Empty(t, tok.RefreshToken)
			assert.Equal(t, "Bearer", tok.TokenType)

			resp, err := cfg.Client(ctx).Get(srv.URL + "/User?FileId=777")
			require.NoError(t, err)
			body := make([]byte, 512)
			n, _ := resp.Body.Read(body)
			_ = resp.Body.Close()
			require.Equal(t, http.StatusOK, resp.StatusCode, string(body[:n]))
			assert.Contains(t, string(body[:n]), `"Username":"robot@example.com"`, "the token acts as the service account")

			resp, err = cfg.Client(ctx).Get(srv.URL + "/User?FileId=778")
			require.NoError(t, err)
			_ = resp.Body.Close()
			assert.Equal(t, http.StatusUnauthorized, resp.StatusCode, "778 is outside the granted scope")
		}
		// No scope asked: every membership of the service account.
		w := fx.do("POST", "/oauth/v2/token", "grant_type=client_credentials", formCT, basic(oc.ledger, oc.ledgerSecret))
		require.Equal(t, http.StatusOK, w.Code, w.Body.String())
		assert.Equal(t, "application/json;charset=UTF-8", w.Header().Get("Content-Type"))
		assert.Equal(t, "no-store", w.Header().Get("Cache-Control"))
		assert.Equal(t, "no-cache", w.Header().Get("Pragma"))
		assert.Regexp(t, `^\{"access_token":"fa_at_[A-Za-z0-9_-]{43}","token_type":"Bearer","expires_in":3600,"scope":"full fileid:777 fileid:778"\}$`, w.Body.String())
	})
}

func TestOAuthTokenErrors(t *testing.T) {
	each(t, func(t *testing.T, fx *fixture) {
		oc := fx.oauthClients(t)
		good := basic(oc.ledger, oc.ledgerSecret)
		cases := []struct {
			name, body string
			headers    []string
			status     int
			code, desc string
		}{
			{"not form-encoded", `{"grant_type":"client_credentials"}`, []string{"Content-Type: application/json", good}, 400, "invalid_request", "The request is missing a required parameter, repeats one, or is not form-encoded."},
			{"repeated parameter", "grant_type=client_credentials&grant_type=client_credentials", []string{formCT, good}, 400, "invalid_request", "The request is missing a required parameter, repeats one, or is not form-encoded."},
			{"grant_type missing", "scope=full", []string{formCT, good}, 400, "invalid_request", "The request is missing a required parameter, repeats one, or is not form-encoded."},
			{"Basic and body secret", "grant_type=client_credentials&client_secret=" + oc.ledgerSecret, []string{formCT, good}, 400, "invalid_request", "Use exactly one client authentication method."},
			{"body id differs from Basic", "grant_type=client_credentials&client_id=" + oc.plain, []string{formCT, good}, 400, "invalid_request", "Use exactly one client authentication method."},
			{"unknown client", "grant_type=client_credentials", []string{formCT, basic("nobody", "x")}, 401, "invalid_client", "Client authentication failed."},
			{"wrong secret", "grant_type=client_credentials", []string{formCT, basic(oc.ledger, "fa_cs_wrong")}, 401, "invalid_client", "Client authentication failed."},
			{"no secret for a confidential client", "grant_type=client_credentials&client_id=" + oc.ledger, []string{formCT}, 401, "invalid_client", "Client authentication failed."},
			{"undecodable Basic", "grant_type=client_credentials", []string{formCT, "Authorization: Basic !!!"}, 401, "invalid_client", "Client authentication failed."},
			{"no client at all", "grant_type=client_credentials", []string{formCT}, 401, "invalid_client", "Client authentication failed."},
			{"public client", "grant_type=client_credentials&client_id=" + oc.public, []string{formCT}, 400, "unauthorized_client", "This client may not use this grant type."},
			{"public client with a secret", "grant_type=client_credentials", []string{formCT, basic(oc.public, "x")}, 401, "invalid_client", "Client authentication failed."},
			{"no service account", "grant_type=client_credentials", []string{formCT, basic(oc.plain, oc.plainSecret)}, 400, "unauthorized_client", "This client may not use this grant type."},
			{"password grant", "grant_type=password&username=ann%40example.com&password=s3cret%21", []string{formCT, good}, 400, "unsupported_grant_type", "The grant type is not supported."},
			{"too large", "grant_type=client_credentials&x=" + strings.Repeat("a", 1<<20), []string{formCT, good}, 413, "invalid_request", "The request body is too large."},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				w := fx.do("POST", "/oauth/v2/token?grant_type=client_credentials", c.body, c.headers...)
				require.Equal(t, c.status, w.Code, w.Body.String())
				assert.Equal(t, "application/json;charset=UTF-8", w.Header().Get("Content-Type"))
				assert.Equal(t, "no-store", w.Header().Get("Cache-Control"))
				assertBody(t, `{"error":"`+c.code+`","error_description":"`+c.desc+`"}`, w)
				if c.status == 401 {
					assert.Equal(t, `Basic realm="fileapi"`, w.Header().Get("WWW-Authenticate"))
				}
			})
		}
		w := fx.do("GET", "/oauth/v2/token", "")
		require.Equal(t, http.StatusMethodNotAllowed, w.Code)
		assert.Equal(t, "POST", w.Header().Get("Allow"))
		assertBody(t, `{"error":"invalid_request","error_description":"The HTTP method is not allowed here."}`, w)
		w = fx.do("GET", "/oauth/v2/nope", "")
		require.Equal(t, http.StatusNotFound, w.Code)
		assertBody(t, `{"error":"not_found","error_description":"The endpoint does not exist."}`, w)
		w = fx.do("GET", "/.well-known/nope", "")
		require.Equal(t, http.StatusNotFound, w.Code)
	})
}

func TestOAuthRevokeAndIntrospect(t *testing.T) {
	each(t, func(t *testing.T, fx *fixture) {
		oc := fx.oauthClients(t)
		issue := func() string {
			w := fx.do("POST", "/oauth/v2/token", "grant_type=client_credentials&scope=fileid%3A777", formCT, basic(oc.ledger, oc.ledgerSecret))
			require.Equal(t, http.StatusOK, w.Code, w.Body.String())
			var tr struct {
				AccessToken string `json:"access_token"`
			}
			require.NoError(t, json.Unmarshal(w.Body.Bytes(), &tr))
			return tr.AccessToken
		}
		tok := issue()
		introspect := func(token string, headers ...string) *httptest.ResponseRecorder {
			return fx.do("POST", "/oauth/v2/introspect", "token="+url.QueryEscape(token)+"&token_type_hint=access_token", append([]string{formCT}, headers...)...)
		}
		w := introspect(tok, basic(oc.ledger, oc.ledgerSecret))
		require.Equal(t, http.StatusOK, w.Code, w.Body.String())
		assert.Equal(t, "no-store", w.Header().Get("Cache-Control"))
		// The clock is fixed at 2026-11-23T10:04:05.123456Z: iat 1795428245, exp an hour later.
		assertBody(t, `{"active":true,"scope":"full fileid:777","client_id":"`+oc.ledger+`","username":"robot@example.com","token_type":"Bearer","exp":1795431845,"iat":1795428245,"sub":"`+itoa(oc.robot.ID)+`","iss":"https://api.example.com"}`, w)

		assertBody(t, `{"active":false}`, introspect(tok, basic(oc.plain, oc.plainSecret))) // another client's token
		assertBody(t, `{"active":false}`, introspect("fa_at_unknown", basic(oc.ledger, oc.ledgerSecret)))
		ann := fx.login(t)
		assertBody(t, `{"active":false}`, introspect(ann.AccessToken, basic(oc.ledger, oc.ledgerSecret))) // Saasu-issued
		w = introspect(tok, "X-Ignored: 1")
		require.Equal(t, http.StatusUnauthorized, w.Code)
		w = fx.do("POST", "/oauth/v2/introspect", "token="+tok+"&client_id="+oc.public, formCT)
		require.Equal(t, http.StatusUnauthorized, w.Code, "public clients cannot introspect")
		w = fx.do("POST", "/oauth/v2/introspect", "token_type_hint=access_token", formCT, basic(oc.ledger, oc.ledgerSecret))
		require.Equal(t, http.StatusBadRequest, w.Code)

		// Revocation: 200 and an empty body whatever happened; only the client's own tokens are revoked.
		revoke := func(token string, headers ...string) *httptest.ResponseRecorder {
			return fx.do("POST", "/oauth/v2/revoke", "token="+url.QueryEscape(token), append([]string{formCT}, headers...)...)
		}
		for _, w := range []*httptest.ResponseRecorder{
			revoke(tok, basic(oc.plain, oc.plainSecret)), // another client's: nothing happens
			revoke(ann.AccessToken, basic(oc.ledger, oc.ledgerSecret)),
			revoke("fa_at_unknown", basic(oc.ledger, oc.ledgerSecret)),
		} {
			require.Equal(t, http.StatusOK, w.Code, w.Body.String())
			assert.Empty(t, w.Body.String())
			assert.Equal(t, "no-store", w.Header().Get("Cache-Control"))
		}
		assert.Equal(t, http.StatusOK, fx.do("GET", "/User?FileId=777", "", "Authorization: Bearer "+tok).Code, "still valid")
		assert.Equal(t, http.StatusOK, fx.do("GET", "/User?FileId=777", "", "Authorization: Bearer "+ann.AccessToken).Code, "Saasu tokens are not revoked here")

		w = revoke(tok, basic(oc.ledger, oc.ledgerSecret))
		require.Equal(t, http.StatusOK, w.Code)
		assert.Empty(t, w.Body.String())
		assert.Equal(t, http.StatusUnauthorized, fx.do("GET", "/User?FileId=777", "", "Authorization: Bearer "+tok).Code, "revoked at once")
		assertBody(t, `{"active":false}`, introspect(tok, basic(oc.ledger, oc.ledgerSecret)))
		require.Equal(t, http.StatusOK, revoke(tok, basic(oc.ledger, oc.ledgerSecret)).Code, "revoking twice is fine")

		w = fx.do("POST", "/oauth/v2/revoke", "token_type_hint=refresh_token", formCT, basic(oc.ledger, oc.ledgerSecret))
		require.Equal(t, http.StatusBadRequest, w.Code)
		assertBody(t, `{"error":"invalid_request","error_description":"The request is missing a required parameter, repeats one, or is not form-encoded."}`, w)
		w = revoke(tok, basic(oc.ledger, "fa_cs_wrong"))
		require.Equal(t, http.StatusUnauthorized, w.Code)
		w = fx.do("POST", "/oauth/v2/revoke", "token=x&client_id="+oc.public, formCT)
		require.Equal(t, http.StatusOK, w.Code, "a public client revokes by client_id")
	})
}

func itoa(id int64) string { return strconv.FormatInt(id, 10) }

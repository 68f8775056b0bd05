package handlers_test

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/oauth2"

	"github.com/fileapi/fileapi/auth"
	"github.com/fileapi/fileapi/models"
)

const verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk" // RFC 7636 appendix B

func challengeOf(v string) string {
	sum := sha256.Sum256([]byte(v))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

// codeFor makes an authorization code the way the consent page does: a ticket for ann, then the code.
func (fx *fixture) codeFor(t *testing.T, clientID string, redirect *string, scope string, challenge *string) string {
	t.Helper()
	a := &auth.Authenticator{Store: fx.store}
	ticket, err := a.NewTicket(context.Background(), fx.ann, auth.Authorization{ClientID: clientID, RedirectURI: redirect, Scope: scope, CodeChallenge: challenge}, models.StageConsent)
	require.NoError(t, err)
	code, _, err := a.IssueCode(context.Background(), ticket)
	require.NoError(t, err)
	return code
}

type tokenPair struct {
	AccessToken  string `json:"access_token"`
	RefreshToken string `json:"refresh_token"`
	Scope        string `json:"scope"`
	ExpiresIn    int    `json:"expires_in"`
}

func (fx *fixture) exchange(t *testing.T, body string, headers ...string) (*httptest.ResponseRecorder, tokenPair) {
	t.Helper()
	w := fx.do("POST", "/oauth/v2/token", body, append([]string{formCT}, headers...)...)
	var tp tokenPair
	if w.Code == http.StatusOK {
		require.NoError(t, json.Unmarshal(w.Body.Bytes(), &tp))
	}
	return w, tp
}

func TestOAuthCodeExchange(t *testing.T) {
	each(t, func(t *testing.T, fx *fixture) {
		oc := fx.oauthClients(t)
		cb := "https://app.example.com/callback"
		ch := challengeOf(verifier)
		code := fx.codeFor(t, oc.public, &cb, "openid fileid:777 fileid:780", &ch)
		badCode := `{"error":"invalid_grant","error_description":"The authorization code is invalid or has expired."}`
		badPKCE := `{"error":"invalid_grant","error_description":"The code_verifier does not match the code_challenge."}`
		base := "grant_type=authorization_code&client_id=" + oc.public + "&code=" + code

		// Refusals consume nothing: the same code works afterwards.
		for _, c := range []struct{ body, want string }{
			{base + "&redirect_uri=" + url.QueryEscape(cb), badPKCE},                                           // no verifier
			{base + "&redirect_uri=" + url.QueryEscape(cb) + "&code_verifier=" + verifier[:42] + "x", badPKCE}, // wrong
			{base + "&redirect_uri=" + url.QueryEscape(cb) + "&code_verifier=short", badPKCE},                  // malformed
			{base + "&code_verifier=" + verifier, badCode},                                                     // redirect_uri missing
			{base + "&redirect_uri=" + url.QueryEscape(cb+"/") + "&code_verifier=" + verifier, badCode},        // not byte-equal
		} {
			w, _ := fx.exchange(t, c.body)
			require.Equal(t, http.StatusBadRequest, w.Code, c.body)
			assertBody(t, c.want, w)
		}
		w, _ := fx.exchange(t, "grant_type=authorization_code&code="+code+"&redirect_uri="+url.QueryEscape(cb)+"&code_verifier="+verifier, basic(oc.ledger, oc.ledgerSecret))
		assertBody(t, badCode, w) // another client's code

		w, tp := fx.exchange(t, base+"&redirect_uri="+url.QueryEscape(cb)+"&code_verifier="+verifier)
		require.Equal(t, http.StatusOK, w.Code, w.Body.String())
		assert.Regexp(t, `^\{"access_token":"fa_at_[A-Za-z0-9_-]{43}","token_type":"Bearer","expires_in":3600,"refresh_token":"fa_rt_[A-Za-z0-9_-]{43}","scope":"full fileid:777"\}$`, w.Body.String(), "780 is not ann's: dropped")
		assert.Equal(t, http.StatusOK, fx.do("GET", "/User?FileId=777", "", "Authorization: Bearer "+tp.AccessToken).Code)

		// Replaying the code revokes everything it produced.
		w, _ = fx.exchange(t, base+"&redirect_uri="+url.QueryEscape(cb)+"&code_verifier="+verifier)
		assertBody(t, badCode, w)
		assert.Equal(t, http.StatusUnauthorized, fx.do("GET", "/User?FileId=777", "", "Authorization: Bearer "+tp.AccessToken).Code)
		w, _ = fx.exchange(t, "grant_type=refresh_token&client_id="+oc.public+"&refresh_token="+tp.RefreshToken)
		assert.Equal(t, http.StatusBadRequest, w.Code)

		// A confidential client without PKCE and without redirect_uri in either request.
		code = fx.codeFor(t, oc.plain, nil, "", nil)
		w, _ = fx.exchange(t, "grant_type=authorization_code&code="+code+"&code_verifier="+verifier, basic(oc.plain, oc.plainSecret))
		assertBody(t, badPKCE, w) // a verifier for a code without a challenge
		w, tp = fx.exchange(t, "grant_type=authorization_code&code="+code, basic(oc.plain, oc.plainSecret))
		require.Equal(t, http.StatusOK, w.Code, w.Body.String())
		assert.Equal(t, "full fileid:777 fileid:778 fileid:779", tp.Scope, "no fileid asked: every membership")

		// Codes live 60 seconds.
		code = fx.codeFor(t, oc.plain, nil, "", nil)
		start := fx.store.Now()
		fx.store.Now = func() time.Time { return start.Add(auth.CodeTTL) }
		w, _ = fx.exchange(t, "grant_type=authorization_code&code="+code, basic(oc.plain, oc.plainSecret))
		assertBody(t, badCode, w)
		w, _ = fx.exchange(t, "grant_type=authorization_code", basic(oc.plain, oc.plainSecret))
		assertBody(t, `{"error":"invalid_request","error_description":"The request is missing a required parameter, repeats one, or is not form-encoded."}`, w)
	})
}

func TestOAuthRefreshRotation(t *testing.T) {
	each(t, func(t *testing.T, fx *fixture) {
		oc := fx.oauthClients(t)
		code := fx.codeFor(t, oc.plain, nil, "fileid:777", nil)
		w, first := fx.exchange(t, "grant_type=authorization_code&code="+code, basic(oc.plain, oc.plainSecret))
		require.Equal(t, http.StatusOK, w.Code, w.Body.String())

		w, second := fx.exchange(t, "grant_type=refresh_token&refresh_token="+first.RefreshToken+"&scope=ignored", basic(oc.plain, oc.plainSecret))
		require.Equal(t, http.StatusOK, w.Code, w.Body.String())
		assert.NotEqual(t, first.RefreshToken, second.RefreshToken, "rotated")
		assert.NotEqual(t, first.AccessToken, second.AccessToken)
		assert.Equal(t, "full fileid:777", second.Scope)
		assert.Equal(t, http.StatusOK, fx.do("GET", "/User?FileId=777", "", "Authorization: Bearer "+first.AccessToken).Code, "earlier access tokens live on")
		assert.Equal(t, http.StatusOK, fx.do("GET", "/User?FileId=777", "", "Authorization: Bearer "+second.AccessToken).Code)

		badRefresh := `{"error":"invalid_grant","error_description":"The refresh token is invalid or has expired."}`
		w, _ = fx.exchange(t, "grant_type=refresh_token&refresh_token="+second.RefreshToken, basic(oc.ledger, oc.ledgerSecret))
		assertBody(t, badRefresh, w) // another client's: refused, nothing revoked
		assert.Equal(t, http.StatusOK, fx.do("GET", "/User?FileId=777", "", "Authorization: Bearer "+second.AccessToken).Code)
		ann := fx.login(t)
		w, _ = fx.exchange(t, "grant_type=refresh_token&refresh_token="+ann.RefreshToken, basic(oc.plain, oc.plainSecret))
		assertBody(t, badRefresh, w) // a Saasu refresh token refreshes only at the Saasu endpoints

		// Reuse of the retired refresh token revokes the whole family.
		w, _ = fx.exchange(t, "grant_type=refresh_token&refresh_token="+first.RefreshToken, basic(oc.plain, oc.plainSecret))
		assertBody(t, badRefresh, w)
		for _, tok := range []string{first.AccessToken, second.AccessToken} {
			assert.Equal(t, http.StatusUnauthorized, fx.do("GET", "/User?FileId=777", "", "Authorization: Bearer "+tok).Code)
		}
		w, _ = fx.exchange(t, "grant_type=refresh_token&refresh_token="+second.RefreshToken, basic(oc.plain, oc.plainSecret))
		assertBody(t, badRefresh, w)
		assert.Equal(t, http.StatusOK, fx.do("GET", "/User?FileId=777", "", "Authorization: Bearer "+ann.AccessToken).Code, "other families are untouched")

		// Revoking a refresh token at /oauth/v2/revoke takes its family with it.
		code = fx.codeFor(t, oc.plain, nil, "fileid:777", nil)
		_, fresh := fx.exchange(t, "grant_type=authorization_code&code="+code, basic(oc.plain, oc.plainSecret))
		w = fx.do("POST", "/oauth/v2/revoke", "token="+fresh.RefreshToken+"&token_type_hint=refresh_token", formCT, basic(oc.plain, oc.plainSecret))
		require.Equal(t, http.StatusOK, w.Code)
		assert.Equal(t, http.StatusUnauthorized, fx.do("GET", "/User?FileId=777", "", "Authorization: Bearer "+fresh.AccessToken).Code)
	})
}

// TestOAuthTokenSourceRotation: golang.org/x/oauth2's TokenSource refreshes against /oauth/v2/token and keeps
// the rotated refresh token.
func TestOAuthTokenSourceRotation(t *testing.T) {
	each(t, func(t *testing.T, fx *fixture) {
		oc := fx.oauthClients(t)
		srv := httptest.NewServer(fx.handler)
		defer srv.Close()
		ctx := context.WithValue(context.Background(), oauth2.HTTPClient, srv.Client())
		cfg := &oauth2.Config{ClientID: oc.plain, ClientSecret: oc.plainSecret, Endpoint: oauth2.Endpoint{TokenURL: srv.URL + "/oauth/v2/token"}}
		tok, err := cfg.Exchange(ctx, fx.codeFor(t, oc.plain, nil, "fileid:777", nil))
		require.NoError(t, err)
		tok.Expiry = time.Now().Add(-time.Minute)
		ts := cfg.TokenSource(ctx, tok)
		resp, err := oauth2.NewClient(ctx, ts).Get(srv.URL + "/User?FileId=777")
		require.NoError(t, err)
		_ = resp.Body.Close()
		require.Equal(t, http.StatusOK, resp.StatusCode)
		fresh, err := ts.Token()
		require.NoError(t, err)
		assert.NotEqual(t, tok.RefreshToken, fresh.RefreshToken)
	})
}

func TestOAuthMetadata(t *testing.T) {
	each(t, func(t *testing.T, fx *fixture) {
		w := fx.do("GET", "/.well-known/oauth-authorization-server", "")
		require.Equal(t, http.StatusOK, w.Code)
		assert.Equal(t, "application/json", w.Header().Get("Content-Type"))
		assert.Equal(t, "max-age=3600", w.Header().Get("Cache-Control"))
		// oauth.md §3, verbatim.
		assert.Equal(t, `{"issuer":"https://api.example.com","authorization_endpoint":"https://api.example.com/oauth/v2/authorize","token_endpoint":"https://api.example.com/oauth/v2/token","revocation_endpoint":"https://api.example.com/oauth/v2/revoke","introspection_endpoint":"https://api.example.com/oauth/v2/introspect","response_types_supported":["code"],"response_modes_supported":["query"],"grant_types_supported":["authorization_code","refresh_token","client_credentials"],"token_endpoint_auth_methods_supported":["client_secret_basic","client_secret_post","none"],"revocation_endpoint_auth_methods_supported":["client_secret_basic","client_secret_post","none"],"introspection_endpoint_auth_methods_supported":["client_secret_basic","client_secret_post"],"code_challenge_methods_supported":["S256"]}`, w.Body.String())
		w = fx.do("POST", "/.well-known/oauth-authorization-server", "")
		assert.Equal(t, http.StatusMethodNotAllowed, w.Code)
		assert.Equal(t, "GET", w.Header().Get("Allow"))
	})
}

// TestOAuthTokenErrorRows covers the rows of oauth.md §5.3 that need time, load or a broken database.
func TestOAuthTokenErrorRows(t *testing.T) {
	each(t, func(t *testing.T, fx *fixture) {
		oc := fx.oauthClients(t)
		creds := basic(oc.plain, oc.plainSecret)
		missing := `{"error":"invalid_request","error_description":"The request is missing a required parameter, repeats one, or is not form-encoded."}`
		w, _ := fx.exchange(t, "grant_type=refresh_token", creds)
		assertBody(t, missing, w)

		// An unexpected failure: the codes table (migration 3) is gone.
		code := fx.codeFor(t, oc.plain, nil, "", nil)
		fx.migrateDownTo(t, 2)
		w, _ = fx.exchange(t, "grant_type=authorization_code&code="+code, creds)
		require.Equal(t, http.StatusInternalServerError, w.Code)
		assertBody(t, `{"error":"server_error","error_description":"An unexpected error occurred."}`, w)
		_, err := fx.store.Migrate(context.Background(), "up")
		require.NoError(t, err)

		// A refresh token lives 30 days. (After the migrations above: the limits' counters live in a table.)
		code = fx.codeFor(t, oc.plain, nil, "", nil)
		_, tp := fx.exchange(t, "grant_type=authorization_code&code="+code, creds)
		start := fx.store.Now()
		fx.store.Now = func() time.Time { return start.Add(auth.OAuthRefreshTTL) }
		w, _ = fx.exchange(t, "grant_type=refresh_token&refresh_token="+tp.RefreshToken, creds)
		assertBody(t, `{"error":"invalid_grant","error_description":"The refresh token is invalid or has expired."}`, w)
		fx.store.Now = func() time.Time { return start }

		// 50 failures from one address (the expired refresh token above was the first): then every request gets
		// 429, before any credential is checked.
		for i := 0; i < 48; i++ {
			w, _ = fx.exchange(t, "grant_type=client_credentials", basic(oc.ledger, "fa_cs_wrong"))
			require.Equal(t, http.StatusUnauthorized, w.Code)
		}
		w, _ = fx.exchange(t, "grant_type=refresh_token&refresh_token=fa_rt_guess", creds) // a failed grant counts too
		require.Equal(t, http.StatusBadRequest, w.Code)
		w, _ = fx.exchange(t, "grant_type=client_credentials", basic(oc.ledger, oc.ledgerSecret))
		require.Equal(t, http.StatusTooManyRequests, w.Code)
		assert.Equal(t, "900", w.Header().Get("Retry-After"))
		assert.Equal(t, "no-store", w.Header().Get("Cache-Control"))
		assertBody(t, `{"error":"too_many_requests","error_description":"Too many failed attempts. Try again later."}`, w)
	})
}

// migrateDownTo rolls migrations back, newest first, until version is the newest applied one.
func (fx *fixture) migrateDownTo(t *testing.T, version int64) {
	t.Helper()
	for {
		st, err := fx.store.Migrate(context.Background(), "status")
		require.NoError(t, err)
		newest := int64(0)
		for _, m := range st {
			if m.Applied {
				newest = m.Version
			}
		}
		if newest <= version {
			return
		}
		_, err = fx.store.Migrate(context.Background(), "down")
		require.NoError(t, err)
	}
}

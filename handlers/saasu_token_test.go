package handlers_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/oauth2"

	"github.com/fileapi/fileapi/auth"
	"github.com/fileapi/fileapi/handlers"
	"github.com/fileapi/fileapi/models"
	"github.com/fileapi/fileapi/models/modelstest"
)

// grantJSON is an OAuthAccessTokenGrant as sent in JSON (saasu.md §5.7).
type grantJSON struct {
	AccessToken  string `json:"access_token"`
	TokenType    string `json:"token_type"`
	ExpiresIn    int    `json:"expires_in"`
	RefreshToken string `json:"refresh_token"`
	Scope        string `json:"scope"`
}

var grantShape = regexp.MustCompile(`^\{"access_token":"fa_at_[A-Za-z0-9_-]{43}","token_type":"Bearer","expires_in":10800,"refresh_token":"fa_rt_[A-Za-z0-9_-]{43}","scope":"full fileid:777 fileid:778 fileid:779"\}$`)
var grantShapeXML = regexp.MustCompile(`^<OAuthAccessTokenGrant xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><access_token>fa_at_[A-Za-z0-9_-]{43}</access_token><token_type>Bearer</token_type><expires_in>10800</expires_in><refresh_token>fa_rt_[A-Za-z0-9_-]{43}</refresh_token><scope>full fileid:777 fileid:778 fileid:779</scope></OAuthAccessTokenGrant>$`)

// login runs the password grant for ann and returns the grant.
func (fx *fixture) login(t *testing.T) grantJSON {
	t.Helper()
	w := fx.do("POST", "/authorisation/token", `{"grant_type":"password","scope":"full","username":"ann@example.com","password":"s3cret!"}`, "Content-Type: application/json")
	require.Equal(t, http.StatusOK, w.Code, w.Body.String())
	var g grantJSON
	require.NoError(t, json.Unmarshal(w.Body.Bytes(), &g))
	return g
}

func TestTokenPasswordGrant(t *testing.T) {
	each(t, func(t *testing.T, fx *fixture) {
		cases := []struct {
			name, method, url, body string
			headers                 []string
			xml                     bool
		}{
			{"json (Ruby gem)", "POST", "/authorisation/token", `{"grant_type":"password","scope":"full","username":"ann@example.com","password":"s3cret!"}`, []string{"Content-Type: application/json", "Accept: */*", "X-Api-Version: 1.0", "Authorization: Bearer fa_at_stale"}, false},
			{"xml (.NET SDK)", "POST", "/authorisation/token", `<OAuthPasswordCredentialsGrantRequest xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><grant_type>password</grant_type><username>ann@example.com</username><password>s3cret!</password><scope>full</scope></OAuthPasswordCredentialsGrantRequest>`, []string{"Content-Type: application/xml", "Accept: application/xml"}, true},
			{"form", "POST", "/authorisation/token", `grant_type=password&username=ann%40example.com&password=s3cret%21&scope=full`, []string{"Content-Type: application/x-www-form-urlencoded"}, false},
			{"GET with query, any case", "GET", "/authorisation/token?GRANT_TYPE=password&UserName=ANN%40example.com&Password=s3cret%21&FileId=1", ``, nil, false},
			{"token-2fa", "POST", "/authorisation/token-2fa", `{"grant_type":"password","username":"ann@example.com","password":"s3cret!"}`, []string{"Content-Type: application/json"}, false},
			{"password grant to /refresh (Python client)", "POST", "/authorisation/refresh", `{"grant_type":"password","scope":"FileId:777","username":"ann@example.com","password":"s3cret!"}`, []string{"Content-Type: application/json"}, false},
			{"lower-case path (.NET SDK)", "POST", "/authorisation/Token/?", `{"grant_type":"password","username":"ann@example.com","password":"s3cret!","verification_code":null}`, []string{"Content-Type: application/json"}, false},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				w := fx.do(c.method, c.url, c.body, c.headers...)
				require.Equal(t, http.StatusOK, w.Code, w.Body.String())
				assert.Equal(t, "no-store", w.Header().Get("Cache-Control"))
				assert.Equal(t, "no-cache", w.Header().Get("Pragma"))
				if c.xml {
					assert.Equal(t, xmlUTF8, w.Header().Get("Content-Type"))
					assert.Regexp(t, grantShapeXML, w.Body.String())
				} else {
					assert.Equal(t, jsonUTF8, w.Header().Get("Content-Type"))
					assert.Regexp(t, grantShape, w.Body.String())
				}
			})
		}
		// Every token is usable at once.
		g := fx.login(t)
		w := fx.do("GET", "/User?fileid=777", "", "Authorization: Bearer "+g.AccessToken)
		require.Equal(t, http.StatusOK, w.Code, w.Body.String())
		golden(t, "saasu/user-get.json", w)
	})
}

func TestTokenErrors(t *testing.T) {
	each(t, func(t *testing.T, fx *fixture) {
		pw, err := auth.HashPassword("s3cret!")
		require.NoError(t, err)
		fx.user(models.NewUser{Username: "robot@example.com", FirstName: "Robot", PasswordHash: &pw, Type: models.UserService})
		g := fx.login(t)
		cases := []struct {
			name, url, body string
			contentType     string
			status          int
			code, desc      string
		}{
			{"grant_type missing", "/authorisation/token", `{"username":"ann@example.com","password":"s3cret!"}`, "application/json", 400, "invalid_request", "The grant_type parameter is required."},
			{"other grant type", "/authorisation/token", `grant_type=client_credentials`, "application/x-www-form-urlencoded", 400, "unsupported_grant_type", "The grant type is not supported."},
			{"username missing", "/authorisation/token", `{"grant_type":"password","password":"s3cret!"}`, "application/json", 400, "invalid_request", "The username and password parameters are required."},
			{"password empty", "/authorisation/token", `{"grant_type":"password","username":"ann@example.com","password":""}`, "application/json", 400, "invalid_request", "The username and password parameters are required."},
			{"wrong password", "/authorisation/token", `{"grant_type":"password","username":"ann@example.com","password":"nope!!"}`, "application/json", 400, "invalid_grant", "The user name or password is incorrect."},
			{"unknown user", "/authorisation/token", `{"grant_type":"password","username":"nobody@example.com","password":"s3cret!"}`, "application/json", 400, "invalid_grant", "The user name or password is incorrect."},
			{"service account", "/authorisation/token", `{"grant_type":"password","username":"robot@example.com","password":"s3cret!"}`, "application/json", 400, "invalid_grant", "The user name or password is incorrect."},
			{"refresh_token missing", "/authorisation/refresh", `{"grant_type":"refresh_token"}`, "application/json", 400, "invalid_request", "The refresh_token parameter is required."},
			{"unknown refresh token", "/authorisation/refresh", `{"grant_type":"refresh_token","refresh_token":"fa_rt_nope"}`, "application/json", 400, "invalid_grant", "The refresh token is invalid or has expired."},
			{"access token as refresh token", "/authorisation/refresh", `{"grant_type":"refresh_token","refresh_token":"` + g.AccessToken + `"}`, "application/json", 400, "invalid_grant", "The refresh token is invalid or has expired."},
			{"malformed JSON", "/authorisation/token", `{"grant_type":`, "application/json", 400, "invalid_request", "The request body is not valid."},
			{"malformed XML", "/authorisation/token", `<a><grant_type>password</a>`, "application/xml", 400, "invalid_request", "The request body is not valid."},
			{"object for a field", "/authorisation/token", `{"grant_type":{"x":1}}`, "application/json", 400, "invalid_request", "The request body is not valid."},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				w := fx.do("POST", c.url, c.body, "Content-Type: "+c.contentType, "Accept: application/json")
				require.Equal(t, c.status, w.Code, w.Body.String())
				assert.Equal(t, "no-store", w.Header().Get("Cache-Control"))
				assert.Equal(t, "no-cache", w.Header().Get("Pragma"))
				assertBody(t, `{"error":"`+c.code+`","error_description":"`+c.desc+`"}`, w)
				w = fx.do("POST", c.url, c.body, "Content-Type: "+c.contentType, "Accept: application/xml")
				assert.Equal(t, `<OAuthGrantRequestError xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><error>`+c.code+`</error><error_description>`+c.desc+`</error_description></OAuthGrantRequestError>`, w.Body.String())
			})
		}
		w := fx.do("POST", "/authorisation/token", `grant_type=password`, "Content-Type: text/plain")
		require.Equal(t, http.StatusUnsupportedMediaType, w.Code)
		assertBody(t, `{"Message":"The request entity's media type 'text/plain' is not supported for this resource."}`, w)
		w = fx.do("DELETE", "/authorisation/token", "")
		require.Equal(t, http.StatusMethodNotAllowed, w.Code)
		assert.Equal(t, "GET, POST", w.Header().Get("Allow"))
		w = fx.do("GET", "/authorisation/refresh", "")
		assert.Equal(t, "POST", w.Header().Get("Allow"))
	})
}

func TestTokenRefresh(t *testing.T) {
	each(t, func(t *testing.T, fx *fixture) {
		g := fx.login(t)
		w := fx.do("POST", "/authorisation/refresh", `{"grant_type":"refresh_token","refresh_token":"`+g.RefreshToken+`","scope":null}`, "Content-Type: application/json", "Authorization: Bearer "+g.AccessToken)
		require.Equal(t, http.StatusOK, w.Code, w.Body.String())
		var g2 grantJSON
		require.NoError(t, json.Unmarshal(w.Body.Bytes(), &g2))
		assert.Equal(t, g.RefreshToken, g2.RefreshToken, "a Saasu refresh token is not rotated")
		assert.NotEqual(t, g.AccessToken, g2.AccessToken)
		assert.Equal(t, 10800, g2.ExpiresIn)

		assert.Equal(t, http.StatusUnauthorized, fx.do("GET", "/User?FileId=777", "", "Authorization: Bearer "+g.AccessToken).Code, "the previous access token dies at once")
		assert.Equal(t, http.StatusOK, fx.do("GET", "/User?FileId=777", "", "Authorization: Bearer "+g2.AccessToken).Code)
		assert.Equal(t, http.StatusUnauthorized, fx.do("GET", "/User?FileId=777", "", "Authorization: Bearer "+g.RefreshToken).Code, "a refresh token is no bearer token")

		// The scope follows the memberships at refresh time.
		fx.grant(fx.ann.ID, 780, models.AccessStandard, false)
		w = fx.do("POST", "/authorisation/token", `grant_type=refresh_token&refresh_token=`+url.QueryEscape(g.RefreshToken), "Content-Type: application/x-www-form-urlencoded")
		require.Equal(t, http.StatusOK, w.Code)
		require.NoError(t, json.Unmarshal(w.Body.Bytes(), &g2))
		assert.Equal(t, "full fileid:777 fileid:778 fileid:779 fileid:780", g2.Scope)

		// A refresh token issued to an OAuth client cannot be refreshed here.
		clientID := "n_bxVoYYWPMevPfXD2GG0Q"
		rt := auth.NewSecret(auth.PrefixRefreshToken)
		rh, exp := auth.HashSecret(rt), modelstest.Epoch.Add(time.Hour)
		_, err := fx.store.CreateToken(context.Background(), models.NewToken{UserID: fx.ann.ID, ClientID: &clientID, Scope: "full fileid:777",
			AccessHash: auth.HashSecret(auth.NewSecret(auth.PrefixAccessToken)), ExpiresAt: exp, RefreshHash: &rh, RefreshExpiresAt: &exp})
		require.NoError(t, err)
		w = fx.do("POST", "/authorisation/refresh", `{"grant_type":"refresh_token","refresh_token":"`+rt+`"}`, "Content-Type: application/json")
		assertBody(t, `{"error":"invalid_grant","error_description":"The refresh token is invalid or has expired."}`, w)

		// An expired refresh token (365 days) is refused.
		fx.store.Now = func() time.Time { return modelstest.Epoch.Add(366 * 24 * time.Hour) }
		w = fx.do("POST", "/authorisation/refresh", `{"grant_type":"refresh_token","refresh_token":"`+g.RefreshToken+`"}`, "Content-Type: application/json")
		assertBody(t, `{"error":"invalid_grant","error_description":"The refresh token is invalid or has expired."}`, w)
	})
}

// TestBearer: a token reaches the files of its scope that the user still belongs to, on every Saasu route.
func TestBearer(t *testing.T) {
	each(t, func(t *testing.T, fx *fixture) {
		g := fx.login(t)
		bearer := "Authorization: Bearer " + g.AccessToken
		ok := func(url string, headers ...string) {
			t.Helper()
			w := fx.do("GET", url, "", append(headers, bearer)...)
			assert.Equal(t, http.StatusOK, w.Code, "%s: %s", url, w.Body.String())
		}
		denied := func(url string, headers ...string) {
			t.Helper()
			w := fx.do("GET", url, "", append(headers, bearer)...)
			assert.Equal(t, http.StatusUnauthorized, w.Code, url)
			assertBody(t, `{"Message":"Authorization has been denied for this request."}`, w)
		}
		ok("/User?FileId=777")
		ok("/User?FileId=778", "X-Api-Key: "+fx.bobKey) // the bearer is the only credential; web services do not matter for tokens
		ok("/User?FileId=779")
		denied("/User")            // no FileId
		denied("/User?FileId=0")   // zero FileId
		denied("/User?FileId=780") // not in scope
		denied("/User?FileId=999") // unknown file
		w := fx.do("GET", "/authorisation/ping?FileId=777", "", bearer)
		require.Equal(t, http.StatusOK, w.Code)
		assert.Equal(t, "true", w.Body.String())
		w = fx.do("GET", "/authorisation/Ping?fileid=777", "", bearer, "Accept: application/xml")
		assert.Equal(t, "<boolean>true</boolean>", w.Body.String())
		w = fx.do("GET", "/authorisation/ping?FileId=777&wsAccessKey="+fx.key, "")
		assert.Equal(t, "true", w.Body.String(), "ping takes a key too")
		denied("/authorisation/ping?FileId=780")

		// Granted later: still outside the token's scope until the next token.
		fx.grant(fx.ann.ID, 780, models.AccessStandard, false)
		denied("/User?FileId=780")

		// A PUT with a bearer is recorded as such.
		w = fx.do("PUT", "/User?FileId=777", `{"FirstName":"Anne"}`, bearer, "Content-Type: application/json")
		require.Equal(t, http.StatusOK, w.Code)
		evs := fx.events(fx.ann.ID)
		assert.Equal(t, "saasu/bearer", evs[len(evs)-1].Via)

		// A revoked membership ends access at once, whatever the token says.
		require.NoError(t, fx.store.Revoke(context.Background(), fx.ann.ID, 777))
		denied("/User?FileId=777")
		ok("/User?FileId=779")

		// Expired after 10800 seconds.
		fx.store.Now = func() time.Time { return modelstest.Epoch.Add(10800 * time.Second) }
		denied("/User?FileId=779")
	})
}

// TestTokenTwoInstances: a token issued by one server is accepted by another on the same database.
func TestTokenTwoInstances(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, dsn models.DSN) {
		fx := newFixture(t, dsn)
		g := fx.login(t)
		other := modelstest.OpenDSN(t, dsn)
		h := handlers.New(handlers.Config{Store: other, PublicURL: publicURL})
		req := httptest.NewRequest("GET", "/User?FileId=777", nil)
		req.Header.Set("Authorization", "Bearer "+g.AccessToken)
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		require.Equal(t, http.StatusOK, w.Code, w.Body.String())
		golden(t, "saasu/user-get.json", w)
	})
}

// TestOAuth2Client uses golang.org/x/oauth2, unmodified, against the Saasu token endpoint: the password grant,
// then calls through its client, then an automatic refresh through its TokenSource.
func TestOAuth2Client(t *testing.T) {
	each(t, func(t *testing.T, fx *fixture) {
		srv := httptest.NewServer(fx.handler)
		defer srv.Close()
		ctx := context.WithValue(context.Background(), oauth2.HTTPClient, srv.Client())
		cfg := &oauth2.Config{Endpoint: oauth2.Endpoint{TokenURL: srv.URL + "/authorisation/token"}, Scopes: []string{"full"}}
		tok, err := cfg.PasswordCredentialsToken(ctx, "ann@example.com", "s3cret!")
		require.NoError(t, err)
		assert.True(t, strings.HasPrefix(tok.AccessToken, "fa_at_"))
		assert.True(t, strings.HasPrefix(tok.RefreshToken, "fa_rt_"))
		assert.Equal(t, "Bearer", tok.TokenType)
		assert.Equal(t, "full fileid:777 fileid:778 fileid:779", tok.Extra("scope"))

		get := func(c *http.Client) *http.Response {
			t.Helper()
			resp, err := c.Get(srv.URL + "/User?FileId=777")
			require.NoError(t, err)
			t.Cleanup(func() { _ = resp.Body.Close() })
			return resp
		}
		require.Equal(t, http.StatusOK, get(cfg.Client(ctx, tok)).StatusCode)

		_, err = cfg.PasswordCredentialsToken(ctx, "ann@example.com", "wrong!")
		var re *oauth2.RetrieveError
		require.ErrorAs(t, err, &re)
		assert.Equal(t, "invalid_grant", re.ErrorCode)

		// An expired token is refreshed by the TokenSource against the same URL, with the same refresh token.
		old := tok.AccessToken
		tok.Expiry = time.Now().Add(-time.Minute)
		ts := cfg.TokenSource(ctx, tok)
		require.Equal(t, http.StatusOK, get(oauth2.NewClient(ctx, ts)).StatusCode)
		fresh, err := ts.Token()
		require.NoError(t, err)
		assert.NotEqual(t, old, fresh.AccessToken)
		assert.Equal(t, tok.RefreshToken, fresh.RefreshToken)
		resp := get(cfg.Client(ctx, &oauth2.Token{AccessToken: old}))
		assert.Equal(t, http.StatusUnauthorized, resp.StatusCode, "the replaced access token is dead")
	})
}

// TestTokenRateLimit: 10 failures per username and 50 per address in a 15-minute window opened by the first
// failure; at the limit even the right password gets 429 with Retry-After; a success resets the username.
func TestTokenRateLimit(t *testing.T) {
	each(t, func(t *testing.T, fx *fixture) {
		wrong := `{"grant_type":"password","username":"Ann@Example.com","password":"wrong!"}`
		right := `{"grant_type":"password","username":"ann@example.com","password":"s3cret!"}`
		tooMany := `{"error":"too_many_requests","error_description":"Too many failed attempts. Try again later."}`
		for i := 0; i < 9; i++ {
			require.Equal(t, http.StatusBadRequest, fx.do("POST", "/authorisation/token", wrong, "Content-Type: application/json").Code)
		}
		require.Equal(t, http.StatusOK, fx.do("POST", "/authorisation/token", right, "Content-Type: application/json").Code, "9 failures: still allowed")
		for i := 0; i < 10; i++ {
			require.Equal(t, http.StatusBadRequest, fx.do("POST", "/authorisation/token", wrong, "Content-Type: application/json").Code, "the success reset the count")
		}
		start := fx.store.Now()
		fx.store.Now = func() time.Time { return start.Add(100 * time.Second) }
		w := fx.do("POST", "/authorisation/token", right, "Content-Type: application/json")
		require.Equal(t, http.StatusTooManyRequests, w.Code)
		assert.Equal(t, "800", w.Header().Get("Retry-After"), "whole seconds left in the window")
		assert.Equal(t, "no-store", w.Header().Get("Cache-Control"))
		assertBody(t, tooMany, w)
		w = fx.do("GET", "/authorisation/token?grant_type=password&username=ANN@example.com&password=s3cret!", "", "Accept: application/xml")
		require.Equal(t, http.StatusTooManyRequests, w.Code, "the username is folded")
		assert.Equal(t, `<OAuthGrantRequestError xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><error>too_many_requests</error><error_description>Too many failed attempts. Try again later.</error_description></OAuthGrantRequestError>`, w.Body.String())
		require.Equal(t, http.StatusOK, fx.do("POST", "/authorisation/token", `{"grant_type":"password","username":"bob@example.com","password":"s3cret!"}`, "Content-Type: application/json").Code, "other users go on")

		fx.store.Now = func() time.Time { return start.Add(auth.FailureWindow) }
		require.Equal(t, http.StatusOK, fx.do("POST", "/authorisation/token", right, "Content-Type: application/json").Code, "the window closed")

		// Per address: failures of many usernames and bad refresh tokens add up to 50.
		for i := 0; i < 25; i++ {
			fx.do("POST", "/authorisation/token", `{"grant_type":"password","username":"u`+strings.Repeat("x", i)+`@example.com","password":"p"}`, "Content-Type: application/json")
			fx.do("POST", "/authorisation/refresh", `{"grant_type":"refresh_token","refresh_token":"fa_rt_guess"}`, "Content-Type: application/json")
		}
		w = fx.do("POST", "/authorisation/token", `{"grant_type":"password","username":"bob@example.com","password":"s3cret!"}`, "Content-Type: application/json")
		require.Equal(t, http.StatusTooManyRequests, w.Code)
		w = fx.do("POST", "/authorisation/token", `{"grant_type":"password","username":"bob@example.com","password":"s3cret!"}`, "Content-Type: application/json", "X-Forwarded-For: 198.51.100.9")
		require.Equal(t, http.StatusTooManyRequests, w.Code, "X-Forwarded-For is not trusted")
		// Requests that check no credential are never limited.
		w = fx.do("POST", "/authorisation/token", `{"grant_type":"password"}`, "Content-Type: application/json")
		assert.Equal(t, http.StatusBadRequest, w.Code)
	})
}

var smsCode = regexp.MustCompile(`^Your verification code is (\d{6})\. It expires in 5 minutes\.$`)

// TestToken2FA: the second factor in the password grant, on /token and /token-2fa.
func TestToken2FA(t *testing.T) {
	each(t, func(t *testing.T, fx *fixture) {
		ctx := context.Background()
		_, _, err := fx.store.UpdateProfile(ctx, fx.ann.ID, models.ProfileChange{MobileNumber: models.To("0412 345 678")}, models.ChangeOptions{Via: "test"})
		require.NoError(t, err)
		fx.enable2FA(fx.ann.ID)
		body := func(code string) string {
			if code == "" {
				return `{"grant_type":"password","username":"ann@example.com","password":"s3cret!","verification_code":null}`
			}
			return `{"grant_type":"password","username":"ann@example.com","password":"s3cret!","verification_code":"` + code + `"}`
		}
		sms := func() []models.OutboxMessage {
			msgs, err := fx.store.Outbox(ctx, "+61412345678")
			require.NoError(t, err)
			return msgs
		}
		for _, path := range []string{"/authorisation/token", "/authorisation/token-2fa"} {
			w := fx.do("POST", path, body(""), "Content-Type: application/json", "Accept: */*")
			require.Equal(t, http.StatusUnauthorized, w.Code, w.Body.String())
			assert.Equal(t, jsonUTF8, w.Header().Get("Content-Type"), "the 2FA 401 is JSON")
			assertBody(t, `{"error":"2fa_code_required","error_description":"A verification code has been sent to your mobile."}`, w)
		}
		msgs := sms()
		require.Len(t, msgs, 1, "a retry within 60 s sends no second SMS")
		assert.Equal(t, "sms", msgs[0].Kind)
		m := smsCode.FindStringSubmatch(msgs[0].Body)
		require.NotNil(t, m, msgs[0].Body)
		code := m[1]

		wrong := "000000"
		if code == wrong {
			wrong = "111111"
		}
		w := fx.do("POST", "/authorisation/token", body(wrong), "Content-Type: application/json")
		require.Equal(t, http.StatusBadRequest, w.Code)
		assertBody(t, `{"error":"invalid_grant","error_description":"The verification code is incorrect."}`, w)

		w = fx.do("POST", "/authorisation/token-2fa", body(code), "Content-Type: application/json")
		require.Equal(t, http.StatusOK, w.Code, w.Body.String())
		assert.Regexp(t, grantShape, w.Body.String())
		w = fx.do("POST", "/authorisation/token", body(code), "Content-Type: application/json")
		assertBody(t, `{"error":"invalid_grant","error_description":"The verification code has expired."}`, w)

		// A code older than 5 minutes has expired.
		start := fx.store.Now()
		fx.store.Now = func() time.Time { return start.Add(2 * time.Minute) }
		require.Equal(t, http.StatusUnauthorized, fx.do("POST", "/authorisation/token", body(""), "Content-Type: application/json").Code)
		require.Len(t, sms(), 2)
		code = smsCode.FindStringSubmatch(sms()[1].Body)[1]
		fx.store.Now = func() time.Time { return start.Add(7*time.Minute + time.Second) }
		w = fx.do("POST", "/authorisation/token", body(code), "Content-Type: application/json")
		assertBody(t, `{"error":"invalid_grant","error_description":"The verification code has expired."}`, w)

		// A wrong password never reaches the second factor, and sends nothing.
		w = fx.do("POST", "/authorisation/token", `{"grant_type":"password","username":"ann@example.com","password":"nope!!"}`, "Content-Type: application/json")
		assertBody(t, `{"error":"invalid_grant","error_description":"The user name or password is incorrect."}`, w)
		require.Len(t, sms(), 2)

		// A user without 2FA: a code sent along is ignored.
		w = fx.do("POST", "/authorisation/token", `{"grant_type":"password","username":"bob@example.com","password":"s3cret!","verification_code":"123456"}`, "Content-Type: application/json")
		require.Equal(t, http.StatusOK, w.Code)
	})
}

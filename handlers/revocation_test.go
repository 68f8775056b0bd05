package handlers_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fileapi/fileapi/auth"
	"github.com/fileapi/fileapi/handlers"
	"github.com/fileapi/fileapi/models"
	"github.com/fileapi/fileapi/models/modelstest"
)

// TestRevocationAcrossInstances runs two instances on one database: A (the fixture) and B, a second store
// and router, as another instance of a fleet or the command line would be. Each credential is used on A
// twice first, so that A's credential cache (SQLite) holds it; then it is revoked through B, and A's very
// next request must refuse it.
func TestRevocationAcrossInstances(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, dsn models.DSN) {
		fx := newFixture(t, dsn)
		other := modelstest.OpenDSN(t, dsn)
		b := handlers.New(handlers.Config{Store: other, PublicURL: publicURL})
		ctx := context.Background()
		onB := func(method, target, body string, headers ...string) *httptest.ResponseRecorder {
			req := httptest.NewRequest(method, target, strings.NewReader(body))
			for _, h := range headers {
				k, v, _ := strings.Cut(h, ":")
				req.Header.Add(strings.TrimSpace(k), strings.TrimSpace(v))
			}
			w := httptest.NewRecorder()
			b.ServeHTTP(w, req)
			return w
		}
		// used checks that A serves a credential, twice; refused that A's next request is 401.
		used := func(t *testing.T, target string, headers ...string) {
			t.Helper()
			for range 2 {
				w := fx.do("GET", target, "", headers...)
				require.Equal(t, http.StatusOK, w.Code, w.Body.String())
			}
		}
		refused := func(t *testing.T, target string, headers ...string) {
			t.Helper()
			assert.Equal(t, http.StatusUnauthorized, fx.do("GET", target, "", headers...).Code, "refused on A at once")
		}
		keyID := func(key string) int64 {
			k, err := fx.store.UserByAccessKey(ctx, auth.HashSecret(key))
			require.NoError(t, err)
			return k.KeyID
		}

		t.Run("key revoked", func(t *testing.T) {
			key := fx.newKey(fx.ann.ID, nil)
			used(t, "/User?FileId=777&wsAccessKey="+key)
			used(t, "/api/workspace/account/profile", "X-Api-Key: "+key)
			_, err := other.RevokeAccessKey(ctx, keyID(key))
			require.NoError(t, err)
			refused(t, "/User?FileId=777&wsAccessKey="+key)
			refused(t, "/api/workspace/account/profile", "X-Api-Key: "+key)
		})

		t.Run("membership removed", func(t *testing.T) {
			carl := fx.user(models.NewUser{Username: "carl@example.com", FirstName: "Carl"})
			fx.grant(carl.ID, 777, models.AccessStandard, true)
			key := fx.newKey(carl.ID, nil)
			used(t, "/User?FileId=777&wsAccessKey="+key)
			require.NoError(t, other.Revoke(ctx, carl.ID, 777))
			refused(t, "/User?FileId=777&wsAccessKey="+key)
		})

		t.Run("web services switched off", func(t *testing.T) {
			key := fx.newKey(fx.ann.ID, nil)
			used(t, "/User?FileId=777&wsAccessKey="+key)
			_, err := other.SetFileWebServices(ctx, 777, false)
			require.NoError(t, err)
			refused(t, "/User?FileId=777&wsAccessKey="+key)
			_, err = other.SetFileWebServices(ctx, 777, true)
			require.NoError(t, err)
			used(t, "/User?FileId=777&wsAccessKey="+key)
		})

		t.Run("access token replaced by a refresh", func(t *testing.T) {
			g := fx.login(t)
			used(t, "/User?FileId=777", "Authorization: Bearer "+g.AccessToken)
			w := onB("POST", "/authorisation/refresh", `{"grant_type":"refresh_token","refresh_token":"`+g.RefreshToken+`"}`, "Content-Type: application/json")
			require.Equal(t, http.StatusOK, w.Code, w.Body.String())
			var next grantJSON
			require.NoError(t, json.Unmarshal(w.Body.Bytes(), &next))
			refused(t, "/User?FileId=777", "Authorization: Bearer "+g.AccessToken)
			used(t, "/User?FileId=777", "Authorization: Bearer "+next.AccessToken)
		})

		t.Run("token revoked through /oauth/v2/revoke", func(t *testing.T) {
			oc := fx.oauthClients(t)
			w := fx.do("POST", "/oauth/v2/token", "grant_type=client_credentials&scope=fileid%3A777", formCT, basic(oc.ledger, oc.ledgerSecret))
			require.Equal(t, http.StatusOK, w.Code, w.Body.String())
			var tr struct {
				AccessToken string `json:"access_token"`
			}
			require.NoError(t, json.Unmarshal(w.Body.Bytes(), &tr))
			used(t, "/User?FileId=777", "Authorization: Bearer "+tr.AccessToken)
			w = onB("POST", "/oauth/v2/revoke", "token="+url.QueryEscape(tr.AccessToken), formCT, basic(oc.ledger, oc.ledgerSecret))
			require.Equal(t, http.StatusOK, w.Code, w.Body.String())
			refused(t, "/User?FileId=777", "Authorization: Bearer "+tr.AccessToken)
		})

		t.Run("password changed", func(t *testing.T) {
			g := fx.login(t)
			used(t, "/User?FileId=777", "Authorization: Bearer "+g.AccessToken)
			used(t, "/auth/v1/users/me/profile", "Authorization: Bearer "+g.AccessToken)
			key := fx.newKey(fx.ann.ID, nil)
			w := onB("POST", "/User/change-password?FileId=777&wsAccessKey="+key, `{"Password":"n3w-s3cret!"}`, "Content-Type: application/json")
			require.Equal(t, http.StatusOK, w.Code, w.Body.String())
			refused(t, "/User?FileId=777", "Authorization: Bearer "+g.AccessToken)
			refused(t, "/auth/v1/users/me/profile", "Authorization: Bearer "+g.AccessToken)
			used(t, "/User?FileId=777&wsAccessKey="+key) // keys outlive a password change
		})
	})
}

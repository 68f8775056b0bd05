package main

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/oauth2/clientcredentials"

	"github.com/fileapi/fileapi/handlers"
	"github.com/fileapi/fileapi/models"
	"github.com/fileapi/fileapi/models/modelstest"
)

// TestServiceAccountFromCLI sets up a service account only with the command line, then uses it through the
// dialects: its API key is refused by the workspace API (403), its client-credentials token is accepted, and
// `user grant --access-level administrator` is what gives it ZITADEL's user.write on that file.
func TestServiceAccountFromCLI(t *testing.T) {
	for _, dialect := range modelstest.Dialects() {
		t.Run(dialect, func(t *testing.T) {
			db := dbFlag(t, dialect)
			env := map[string]string{"FILEAPI_DB": db}
			object(t, call(t, env, "file", "create", "--name", "Acme Pty Ltd", "--id", "777"))
			object(t, call(t, env, "user", "create", "--username", "robot", "--first-name", "Robot", "--type", "service", "--owner-file", "777"))
			dave := object(t, call(t, env, "user", "create", "--username", "dave@example.com", "--first-name", "Dave", "--last-name", "Doe", "--owner-file", "777"))
			key := object(t, call(t, env, "key", "create", "--user", "robot"))["key"].(string)
			cl := object(t, call(t, env, "client", "create", "--name", "Ledger Sync", "--service-account", "robot"))

			d, err := models.ParseDSN(db)
			require.NoError(t, err)
			s, err := models.Open(context.Background(), d)
			require.NoError(t, err)
			defer func() { _ = s.Close() }()
			srv := httptest.NewServer(handlers.New(handlers.Config{Store: s}))
			defer srv.Close()
			send := func(method, path, body string, headers ...string) (int, string) {
				t.Helper()
				req, err := http.NewRequest(method, srv.URL+path, strings.NewReader(body))
				require.NoError(t, err)
				for _, h := range headers {
					k, v, _ := strings.Cut(h, ": ")
					req.Header.Set(k, v)
				}
				res, err := http.DefaultClient.Do(req)
				require.NoError(t, err)
				defer func() { _ = res.Body.Close() }()
				b, err := io.ReadAll(res.Body)
				require.NoError(t, err)
				return res.StatusCode, string(b)
			}
			token := func() string {
				t.Helper()
				cfg := clientcredentials.Config{ClientID: cl["client_id"].(string), ClientSecret: cl["client_secret"].(string),
					TokenURL: srv.URL + "/oauth/v2/token"}
				tok, err := cfg.Token(context.Background())
				require.NoError(t, err)
				return "Authorization: Bearer " + tok.AccessToken
			}

			code, body := send("GET", "/api/workspace/account/profile", "", "X-Api-Key: "+key)
			assert.Equal(t, http.StatusForbidden, code)
			assert.JSONEq(t, `{"type":"https://tools.ietf.org/html/rfc9110#section-15.5.4","title":"Forbidden","status":403,
				"detail":"Service accounts cannot access this endpoint via API keys.","instance":"/api/workspace/account/profile"}`, body)
			code, body = send("GET", "/api/workspace/account/profile", "", token())
			assert.Equal(t, http.StatusOK, code, body)
			assert.Contains(t, body, `"UserName":"robot"`)
			assert.Contains(t, body, `"UserType":1`)

			daveURL := "/management/v1/users/" + itoaF(dave["id"]) + "/profile"
			update := `{"firstName":"David","lastName":"Doe","displayName":"David Doe"}`
			code, body = send("PUT", daveURL, update, token(), "Content-Type: application/json", "X-Zitadel-Orgid: 777")
			assert.Equal(t, http.StatusNotFound, code, "no membership yet: %s", body)

			object(t, call(t, env, "user", "grant", "--user", "robot", "--file", "777", "--access-level", "standard"))
			code, body = send("PUT", daveURL, update, token(), "Content-Type: application/json", "X-Zitadel-Orgid: 777")
			assert.Equal(t, http.StatusForbidden, code, "standard reads but does not write: %s", body)

			object(t, call(t, env, "user", "grant", "--user", "robot", "--file", "777", "--access-level", "administrator"))
			code, body = send("PUT", daveURL, update, token(), "Content-Type: application/json", "X-Zitadel-Orgid: 777")
			require.Equal(t, http.StatusOK, code, body)
			u, err := s.UserByUsername(context.Background(), "dave@example.com")
			require.NoError(t, err)
			assert.Equal(t, "David", *u.FirstName)
			evs, err := s.ProfileEvents(context.Background(), u.ID)
			require.NoError(t, err)
			require.Len(t, evs, 1)
			assert.Equal(t, "zitadel/bearer", evs[0].Via)
		})
	}
}

// itoaF formats a JSON number id.
func itoaF(v any) string {
	f, _ := v.(float64)
	return strconv.FormatInt(int64(f), 10)
}

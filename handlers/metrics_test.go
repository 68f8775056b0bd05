package handlers_test

import (
	"bufio"
	"context"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fileapi/fileapi/auth"
	"github.com/fileapi/fileapi/handlers"
	"github.com/fileapi/fileapi/models"
)

// scrape reads the admin surface's /metrics into "name{labels}" → value.
func scrape(t *testing.T, admin http.Handler) (map[string]float64, string) {
	t.Helper()
	w := httptest.NewRecorder()
	admin.ServeHTTP(w, httptest.NewRequest("GET", "/metrics", nil))
	require.Equal(t, http.StatusOK, w.Code)
	out := map[string]float64{}
	sc := bufio.NewScanner(strings.NewReader(w.Body.String()))
	for sc.Scan() {
		line := sc.Text()
		if line == "" || line[0] == '#' {
			continue
		}
		i := strings.LastIndexByte(line, ' ')
		v, err := strconv.ParseFloat(line[i+1:], 64)
		require.NoError(t, err, line)
		out[line[:i]] = v
	}
	return out, w.Body.String()
}

// TestMetrics: the admin surface's /metrics moves with requests, sign-ins, tokens issued, limiter refusals and
// the outbox, and no label carries a user, a key, a file id or a path as sent. /healthz and /readyz answer.
func TestMetrics(t *testing.T) {
	each(t, func(t *testing.T, fx *fixture) {
		m := handlers.NewMetrics(fx.store)
		h := handlers.New(handlers.Config{Store: fx.store, PublicURL: publicURL, Metrics: m})
		admin := handlers.Admin(fx.store, m)
		do := func(method, target, body string, headers ...string) int {
			req := httptest.NewRequest(method, target, strings.NewReader(body))
			for _, hd := range headers {
				k, v, _ := strings.Cut(hd, ":")
				req.Header.Set(strings.TrimSpace(k), strings.TrimSpace(v))
			}
			w := httptest.NewRecorder()
			h.ServeHTTP(w, req)
			return w.Code
		}
		before, _ := scrape(t, admin)
		require.Equal(t, http.StatusOK, do("GET", "/User?FileId=777&wsAccessKey="+fx.key, ""))
		require.Equal(t, http.StatusOK, do("GET", "/user?fileid=777&wsaccesskey="+fx.key, ""), "one route, whatever the case")
		require.Equal(t, http.StatusUnauthorized, do("GET", "/User?FileId=777&wsAccessKey=fa_ak_wrong", ""))
		require.Equal(t, http.StatusNotFound, do("GET", "/secret-"+fx.key+"/ann@example.com", ""))
		require.Equal(t, http.StatusNotFound, do("GET", "/management/v1/users/43/profile", "", "Authorization: Bearer "+fx.login(t).AccessToken,
			"X-Zitadel-Orgid: 777"))
		require.Equal(t, http.StatusOK, do("POST", "/authorisation/token",
			`{"grant_type":"password","username":"ann@example.com","password":"s3cret!"}`, "Content-Type: application/json"))
		for range auth.FailuresPerUserAddress {
			require.Equal(t, http.StatusBadRequest, do("POST", "/api/workspace/auth/login",
				`{"UserNameOrEmail":"bob@example.com","Password":"wrong!"}`, "Content-Type: application/json"))
		}
		require.Equal(t, http.StatusTooManyRequests, do("POST", "/api/workspace/auth/login",
			`{"UserNameOrEmail":"bob@example.com","Password":"s3cret!"}`, "Content-Type: application/json"))
		require.Equal(t, http.StatusBadRequest, do("PUT", "/User?FileId=777&wsAccessKey="+fx.key, "{", "Content-Type: application/json"))
		_, err := fx.store.IssueOTP(context.Background(), models.OTPRequest{UserID: fx.ann.ID, Purpose: "test", Destination: "+61400000000",
			Code: "123456", CodeHash: strings.Repeat("a", 64)})
		require.NoError(t, err)

		after, text := scrape(t, admin)
		moved := func(series string, by float64) {
			t.Helper()
			assert.Equal(t, by, after[series]-before[series], series)
		}
		moved(`fileapi_http_requests_total{dialect="saasu",method="GET",route="/User",status="200"}`, 2)
		moved(`fileapi_http_requests_total{dialect="saasu",method="GET",route="/User",status="401"}`, 1)
		moved(`fileapi_http_requests_total{dialect="saasu",method="GET",route="unmatched",status="404"}`, 1)
		moved(`fileapi_http_requests_total{dialect="zitadel",method="GET",route="/management/v1/users/:userId/profile",status="404"}`, 1)
		moved(`fileapi_http_requests_total{dialect="saasu",method="PUT",route="/User",status="400"}`, 1)
		moved(`fileapi_http_request_duration_seconds_count{dialect="saasu",method="GET",route="/User"}`, 3)
		moved(`fileapi_sign_ins_total{dialect="saasu",result="succeeded"}`, 1) // fx.login went through the fixture's router
		moved(`fileapi_sign_ins_total{dialect="workspace",result="failed"}`, float64(auth.FailuresPerUserAddress))
		moved(`fileapi_tokens_issued_total{grant="password"}`, 1)
		moved(`fileapi_limiter_refusals_total{limiter="credentials"}`, 1)
		assert.GreaterOrEqual(t, after["fileapi_outbox_pending"], 1.0)
		assert.Contains(t, text, "fileapi_outbox_oldest_pending_age_seconds ")
		assert.Contains(t, text, "go_sql_open_connections{db_name=")
		for _, secret := range []string{fx.key, "fa_ak_wrong", "ann@example.com", "bob@example.com", `"777"`, `"43"`, "secret-", "FileId", `route="/user"`} {
			assert.False(t, strings.Contains(text, secret), "no label carries a value a client chose: %s", secret)
		}

		w := httptest.NewRecorder()
		admin.ServeHTTP(w, httptest.NewRequest("GET", "/healthz", nil))
		assert.Equal(t, http.StatusOK, w.Code)
		w = httptest.NewRecorder()
		admin.ServeHTTP(w, httptest.NewRequest("GET", "/readyz", nil))
		assert.Equal(t, http.StatusOK, w.Code, w.Body.String())
		fx.migrateDownTo(t, 6)
		w = httptest.NewRecorder()
		admin.ServeHTTP(w, httptest.NewRequest("GET", "/readyz", nil))
		assert.Equal(t, http.StatusServiceUnavailable, w.Code)
		assert.Equal(t, "5", w.Header().Get("Retry-After"))
		assert.Contains(t, w.Body.String(), "the schema is at version 6, this binary's is ")
		_, err = fx.store.Migrate(context.Background(), "up")
		require.NoError(t, err)
	})
}

package handlers_test

import (
	"bytes"
	"context"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/fileapi/fileapi/handlers"
)

// TestClientDisconnect: a client that goes away before its answer (its request's context canceled while the
// store works) is no server error in any dialect: logged at info as 499 "client closed the request", counted
// as 499 in the metrics, never as a 5xx, never at error level.
func TestClientDisconnect(t *testing.T) {
	each(t, func(t *testing.T, fx *fixture) {
		var logs bytes.Buffer
		m := handlers.NewMetrics(fx.store)
		log := slog.New(slog.NewJSONHandler(&logs, nil))
		h := handlers.New(handlers.Config{Store: fx.store, PublicURL: publicURL, Logger: log, Metrics: m})
		bearer := "Bearer " + fx.login(t).AccessToken
		for _, c := range []struct{ method, target, header, value string }{
			{"GET", "/User?FileId=777&wsAccessKey=" + fx.key, "", ""},
			{"GET", "/api/workspace/account/profile", "X-Api-Key", fx.key},
			{"GET", "/auth/v1/users/me/profile", "Authorization", bearer},
			{"POST", "/oauth/v2/token", "Authorization", "Basic Zm9vOmJhcg=="},
		} {
			logs.Reset()
			ctx, cancel := context.WithCancel(context.Background())
			cancel() // the client is gone before the store is asked anything
			req := httptest.NewRequest(c.method, c.target, strings.NewReader("grant_type=client_credentials")).WithContext(ctx)
			if c.header != "" {
				req.Header.Set(c.header, c.value)
			}
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			w := httptest.NewRecorder()
			h.ServeHTTP(w, req)
			assert.Equal(t, handlers.StatusClientClosed, w.Code, c.target)
			assert.NotContains(t, logs.String(), `"level":"ERROR"`, c.target)
			assert.Contains(t, logs.String(), `"msg":"client closed the request"`, c.target)
			assert.Contains(t, logs.String(), `"outcome":"client closed the request"`, c.target)
		}
		after, text := scrape(t, handlers.Admin(fx.store, m))
		assert.NotContains(t, text, `status="500"`)
		assert.NotContains(t, text, `status="503"`)
		assert.Equal(t, 1.0, after[`fileapi_http_requests_total{dialect="saasu",method="GET",route="/User",status="499"}`])
	})
}

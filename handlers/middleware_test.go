package handlers

import (
	"bytes"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gin-gonic/gin"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestRecovery: a panic is answered with the dialect's 500 and logged with the request id, never shown.
func TestRecovery(t *testing.T) {
	var logs bytes.Buffer
	log := slog.New(slog.NewJSONHandler(&logs, nil))
	d := &saasuDialect{log: log}
	gin.SetMode(gin.ReleaseMode)
	r := gin.New()
	z := &zitadelDialect{log: log}
	o := &oauthServer{log: log}
	ws := &workspaceDialect{log: log}
	panicked := func(*gin.Context) error { return errPanic }
	r.Use(requestID(), accessLog(log), recovery(log, byDialect(d.chooseFormat, d.handle(panicked), o.handle(panicked), z.handle(panicked), ws.handle(panicked))), d.negotiate())
	r.GET("/boom", func(*gin.Context) { panic("secret detail") })
	r.GET("/fail", d.handle(func(*gin.Context) error { return assert.AnError }))
	for _, path := range []string{"/boom", "/fail"} {
		for accept, want := range map[string]string{
			"application/json": `{"Message":"An error has occurred."}`,
			"application/xml":  `<Error><Message>An error has occurred.</Message></Error>`,
		} {
			logs.Reset()
			req := httptest.NewRequest("GET", path, nil)
			req.Header.Set("Accept", accept)
			req.Header.Set("X-Request-Id", "req-123")
			w := httptest.NewRecorder()
			r.ServeHTTP(w, req)
			require.Equal(t, http.StatusInternalServerError, w.Code)
			assert.Equal(t, want, w.Body.String())
			assert.Equal(t, "req-123", w.Header().Get("X-Request-Id"))
			assert.NotContains(t, w.Body.String(), "secret detail")
			assert.Contains(t, logs.String(), `"request_id":"req-123"`)
			assert.Contains(t, logs.String(), `"status":500`)
		}
	}
}

// TestRecoveryByDialect: a panic in a ZITADEL or OAuth route gets that dialect's 500 body.
func TestRecoveryByDialect(t *testing.T) {
	log := slog.New(slog.DiscardHandler)
	d, z, o, ws := &saasuDialect{log: log}, &zitadelDialect{log: log}, &oauthServer{log: log}, &workspaceDialect{log: log}
	panicked := func(*gin.Context) error { return errPanic }
	gin.SetMode(gin.ReleaseMode)
	r := gin.New()
	r.Use(recovery(log, byDialect(d.chooseFormat, d.handle(panicked), o.handle(panicked), z.handle(panicked), ws.handle(panicked))))
	for _, p := range []string{"/auth/v1/boom", "/oauth/v2/boom", "/api/workspace/boom"} {
		r.GET(p, func(*gin.Context) { panic("secret detail") })
	}
	for path, want := range map[string]string{
		"/auth/v1/boom":       `{"code":13,"message":"An internal error occurred"}`,
		"/oauth/v2/boom":      `{"error":"server_error","error_description":"An unexpected error occurred."}`,
		"/api/workspace/boom": `{"type":"https://tools.ietf.org/html/rfc9110#section-15.6.1","title":"An error occurred while processing your request.","status":500,"instance":"/api/workspace/boom"}`,
	} {
		w := httptest.NewRecorder()
		r.ServeHTTP(w, httptest.NewRequest("GET", path, nil))
		require.Equal(t, http.StatusInternalServerError, w.Code, path)
		assert.JSONEq(t, want, w.Body.String(), path)
	}
}

// TestAccessLogHasNoSecrets sends every kind of credential through the real router and reads the log.
func TestAccessLogHasNoSecrets(t *testing.T) {
	var logs bytes.Buffer
	h := New(Config{Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	req := httptest.NewRequest("GET", "/nowhere?wsAccessKey=fa_ak_querysecret&access_token=fa_at_tokensecret&password=pw-secret&FileId=7", nil)
	req.Header.Set("Authorization", "Bearer fa_at_headersecret")
	req.Header.Set("X-Api-Key", "fa_ak_headersecret")
	req.Header.Set("X-Request-Id", "bad id with spaces")
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)
	out := logs.String()
	for _, secret := range []string{"querysecret", "tokensecret", "pw-secret", "headersecret"} {
		assert.NotContains(t, out, secret)
	}
	assert.Contains(t, out, "wsAccessKey=REDACTED")
	assert.Contains(t, out, "FileId=7")
	id := w.Header().Get("X-Request-Id")
	assert.Len(t, id, 24, "an unusable client id is replaced")
	assert.True(t, strings.Contains(out, "request_id="+id))
}

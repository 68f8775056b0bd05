package handlers_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fileapi/fileapi/handlers"
)

// TestResetLinkBase: a reset link comes from the public URL, else from the server's own listen address, and
// never from the request's Host or X-Forwarded-* (which would mail the victim's token to whoever asked).
func TestResetLinkBase(t *testing.T) {
	each(t, func(t *testing.T, fx *fixture) {
		for _, c := range []struct {
			name              string
			cfg               handlers.Config
			wantBase, notBase string
		}{
			{"no public URL: the listen address", handlers.Config{ListenAddr: "127.0.0.1:8080"}, "http://127.0.0.1:8080/password-reset?token=", "evil"},
			{"a public URL", handlers.Config{PublicURL: "https://id.example.com/", ListenAddr: "10.0.0.5:8080"}, "https://id.example.com/password-reset?token=", "10.0.0.5"},
		} {
			t.Run(c.name, func(t *testing.T) {
				c.cfg.Store = fx.store
				h := handlers.New(c.cfg)
				req := httptest.NewRequest("POST", "/User/reset-password", strings.NewReader(`{"Username":"bob@example.com"}`))
				req.Host = "evil.example"
				req.Header.Set("Content-Type", "application/json")
				req.Header.Set("X-Forwarded-Host", "evil.example")
				req.Header.Set("X-Forwarded-Proto", "https")
				w := httptest.NewRecorder()
				h.ServeHTTP(w, req)
				require.Equal(t, http.StatusOK, w.Code, w.Body.String())
				msgs, err := fx.store.Outbox(context.Background(), "bob@example.com")
				require.NoError(t, err)
				require.NotEmpty(t, msgs)
				body := msgs[len(msgs)-1].Body
				assert.Contains(t, body, c.wantBase)
				assert.NotContains(t, body, "evil.example")
				assert.NotContains(t, body, c.notBase)
			})
		}
	})
}

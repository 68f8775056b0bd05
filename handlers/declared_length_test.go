package handlers_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

// TestDeclaredLengthTooLarge: a body that declares more than 1 MiB is answered 413 at once, in every dialect,
// without reading a byte of it (a client could otherwise hold a request open for the read timeout, or longer).
func TestDeclaredLengthTooLarge(t *testing.T) {
	each(t, func(t *testing.T, fx *fixture) {
		for _, c := range []struct{ method, target, contentType, header, value string }{
			{"PUT", "/User?FileId=777&wsAccessKey=" + fx.key, "application/json", "", ""},
			{"PUT", "/api/workspace/account/profile", "application/json", "X-Api-Key", fx.key},
			{"PUT", "/auth/v1/users/me/profile", "application/json", "Authorization", "Bearer " + fx.login(t).AccessToken},
			{"POST", "/oauth/v2/token", "application/x-www-form-urlencoded", "", ""},
			{"POST", "/oauth/v2/authorize", "application/x-www-form-urlencoded", "", ""},
			{"POST", "/password-reset", "application/x-www-form-urlencoded", "", ""},
		} {
			body, never := io.Pipe() // nothing is ever written: a read would hang
			req := httptest.NewRequest(c.method, c.target, body)
			req.ContentLength = 93 << 30
			req.Header.Set("Content-Type", c.contentType)
			if c.header != "" {
				req.Header.Set(c.header, c.value)
			}
			w := httptest.NewRecorder()
			done := make(chan struct{})
			go func() { fx.raw.ServeHTTP(w, req); close(done) }()
			select {
			case <-done:
				assert.Equal(t, http.StatusRequestEntityTooLarge, w.Code, c.target)
			case <-time.After(5 * time.Second):
				t.Errorf("%s %s: the handler read the body instead of answering 413", c.method, c.target)
				_ = never.Close()
				<-done
			}
			_ = never.Close()
		}
	})
}

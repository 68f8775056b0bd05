package handlers_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fileapi/fileapi/auth"
	"github.com/fileapi/fileapi/models"
)

// TestConcurrentRefreshes: 64 refreshes at once, of one token and of 64 users' tokens, never stall the
// service (a refresh used to wait for a second connection while it held one): no 5xx, none slower than 5 s,
// and GET /User answered meanwhile within 1 s each.
func TestConcurrentRefreshes(t *testing.T) {
	each(t, func(t *testing.T, fx *fixture) {
		login := func(username string) grantJSON {
			w := fx.do("POST", "/authorisation/token", `{"grant_type":"password","username":"`+username+`","password":"s3cret!"}`,
				"Content-Type: application/json")
			require.Equal(t, http.StatusOK, w.Code, w.Body.String())
			var g grantJSON
			require.NoError(t, json.Unmarshal(w.Body.Bytes(), &g))
			return g
		}
		pw, err := auth.HashPassword("s3cret!")
		require.NoError(t, err)
		many := make([]string, 64)
		for i := range many {
			u := fx.user(models.NewUser{Username: fmt.Sprintf("r%02d@example.com", i), FirstName: "R", PasswordHash: &pw})
			fx.grant(u.ID, 777, models.AccessStandard, true)
			many[i] = login(u.Username).RefreshToken
		}
		one := login("ann@example.com").RefreshToken
		for _, c := range []struct {
			name  string
			token func(i int) string
		}{
			{"one token", func(int) string { return one }},
			{"64 users", func(i int) string { return many[i] }},
		} {
			t.Run(c.name, func(t *testing.T) {
				stop := make(chan struct{})
				var slowestGet atomic.Int64
				var gets sync.WaitGroup
				gets.Go(func() {
					for {
						select {
						case <-stop:
							return
						default:
						}
						start := time.Now()
						w := fx.do("GET", "/User?FileId=777&wsAccessKey="+fx.key, "")
						assert.Equal(t, http.StatusOK, w.Code)
						if d := time.Since(start); d > time.Duration(slowestGet.Load()) {
							slowestGet.Store(int64(d))
						}
					}
				})
				var wg sync.WaitGroup
				var slowest atomic.Int64
				for i := range 64 {
					wg.Go(func() {
						start := time.Now()
						w := fx.do("POST", "/authorisation/refresh", `{"grant_type":"refresh_token","refresh_token":"`+c.token(i)+`"}`,
							"Content-Type: application/json")
						assert.Equal(t, http.StatusOK, w.Code, w.Body.String())
						if d := time.Since(start); d > time.Duration(slowest.Load()) {
							slowest.Store(int64(d))
						}
					})
				}
				wg.Wait()
				close(stop)
				gets.Wait()
				t.Logf("slowest refresh %v, slowest GET /User %v", time.Duration(slowest.Load()), time.Duration(slowestGet.Load()))
				assert.Less(t, time.Duration(slowest.Load()), 5*time.Second, "no refresh slower than 5 s")
				assert.Less(t, time.Duration(slowestGet.Load()), time.Second, "GET /User meanwhile within 1 s")
			})
		}
	})
}

// TestConcurrentRotation: sixteen uses at once of one OAuth refresh token: one rotates it, the others are
// refused as reuse (invalid_grant), and none is a 503 (a database deadlock answered as an outage).
func TestConcurrentRotation(t *testing.T) {
	each(t, func(t *testing.T, fx *fixture) {
		oc := fx.oauthClients(t)
		creds := basic(oc.plain, oc.plainSecret)
		code := fx.codeFor(t, oc.plain, nil, "", nil)
		_, tp := fx.exchange(t, "grant_type=authorization_code&code="+code, creds)
		var wg sync.WaitGroup
		var ok, refused atomic.Int32
		for range 16 {
			wg.Go(func() {
				w, _ := fx.exchange(t, "grant_type=refresh_token&refresh_token="+tp.RefreshToken, creds)
				switch w.Code {
				case http.StatusOK:
					ok.Add(1)
				case http.StatusBadRequest:
					refused.Add(1)
				default:
					t.Errorf("status %d: %s", w.Code, w.Body.String())
				}
			})
		}
		wg.Wait()
		assert.Equal(t, int32(1), ok.Load())
		assert.Equal(t, int32(15), refused.Load())
	})
}

package handlers_test

import (
	"io"
	"net"
	"net/http"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fileapi/fileapi/models/modelstest"
)

// proxy is a TCP relay to the database that a test can cut and restore, to play a database outage.
type proxy struct {
	t      *testing.T
	target string
	addr   string
	mu     sync.Mutex
	ln     net.Listener
	conns  []net.Conn
}

func newProxy(t *testing.T, target string) *proxy {
	p := &proxy{t: t, target: target, addr: "127.0.0.1:0"}
	p.start()
	p.addr = p.ln.Addr().String()
	t.Cleanup(p.stop)
	return p
}

func (p *proxy) start() {
	ln, err := net.Listen("tcp", p.addr)
	require.NoError(p.t, err)
	p.mu.Lock()
	p.ln = ln
	p.mu.Unlock()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			up, err := net.Dial("tcp", p.target)
			if err != nil {
				_ = c.Close()
				continue
			}
			p.mu.Lock()
			p.conns = append(p.conns, c, up)
			p.mu.Unlock()
			go func() { _, _ = io.Copy(up, c); _ = up.Close() }()
			go func() { _, _ = io.Copy(c, up); _ = c.Close() }()
		}
	}()
}

// stop refuses new connections and breaks the open ones.
func (p *proxy) stop() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.ln != nil {
		_ = p.ln.Close()
		p.ln = nil
	}
	for _, c := range p.conns {
		_ = c.Close()
	}
	p.conns = nil
}

// eachOutage runs f on MariaDB only (an embedded SQLite file cannot go away), on a fixture whose database
// connections pass through p, which the test cuts (p.stop) and restores (p.start).
func eachOutage(t *testing.T, f func(t *testing.T, fx *fixture, p *proxy)) {
	for _, dialect := range modelstest.Dialects() {
		if dialect != "mysql" {
			continue // MariaDB runs in make test-mysql and CI
		}
		t.Run(dialect, func(t *testing.T) {
			dsn := modelstest.NewDSN(t, "mysql")
			p := newProxy(t, dsn.Config.Addr)
			dsn.Config = dsn.Config.Clone()
			dsn.Config.Addr = p.addr
			f(t, newFixture(t, dsn), p)
		})
	}
}

// TestDatabaseOutage: with the database gone, requests get 503 and Retry-After; when it is back, the same
// server answers again without a restart.
func TestDatabaseOutage(t *testing.T) {
	eachOutage(t, func(t *testing.T, fx *fixture, p *proxy) {
		url := "/User?FileId=777&wsAccessKey=" + fx.key

		require.Equal(t, http.StatusOK, fx.do("GET", url, "").Code)
		p.stop()
		for _, format := range []string{"json", "xml"} {
			w := fx.do("GET", url, "", "Accept: application/"+format)
			require.Equal(t, http.StatusServiceUnavailable, w.Code, w.Body.String())
			assert.Equal(t, "5", w.Header().Get("Retry-After"))
			if format == "json" {
				assertBody(t, `{"Message":"The service is temporarily unavailable."}`, w)
			} else {
				assert.Equal(t, `<Error><Message>The service is temporarily unavailable.</Message></Error>`, w.Body.String())
			}
		}
		w := fx.do("PUT", url, `{"FirstName":"Anne"}`, "Content-Type: application/json")
		require.Equal(t, http.StatusServiceUnavailable, w.Code)
		w = fx.do("POST", "/authorisation/token", `{"grant_type":"password","username":"ann@example.com","password":"s3cret!"}`, "Content-Type: application/json")
		require.Equal(t, http.StatusServiceUnavailable, w.Code)
		assert.Equal(t, "5", w.Header().Get("Retry-After"))
		w = fx.do("POST", "/oauth/v2/token", "grant_type=client_credentials&client_id=x&client_secret=y", "Content-Type: application/x-www-form-urlencoded")
		require.Equal(t, http.StatusServiceUnavailable, w.Code)
		assert.Equal(t, "5", w.Header().Get("Retry-After"))
		assertBody(t, `{"error":"temporarily_unavailable","error_description":"The service is temporarily unavailable."}`, w)
		p.start()
		w = fx.do("GET", url, "")
		require.Equal(t, http.StatusOK, w.Code, w.Body.String())
		w = fx.do("PUT", url, `{"FirstName":"Anne"}`, "Content-Type: application/json")
		require.Equal(t, http.StatusOK, w.Code, w.Body.String())
		assert.Equal(t, "Anne", *fx.reload(fx.ann.ID).FirstName)
	})
}

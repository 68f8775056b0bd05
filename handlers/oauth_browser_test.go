package handlers_test

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/oauth2"
)

// chromiumPath is Debian's Chromium, which .ci/run installs.
const chromiumPath = "/usr/bin/chromium"

// TestAuthorizeBrowser signs in through the pages in headless Chromium: the login form, the consent form,
// and the redirect to the client, a second server that records what arrives. The pages work without
// JavaScript, but a real browser checks what a test client cannot: that it keeps and sends the CSRF cookie,
// submits the forms as written, and follows the 303 to the client.
func TestAuthorizeBrowser(t *testing.T) {
	if _, err := os.Stat(chromiumPath); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("%s is missing; CI must run the browser test (.ci/run installs Debian's chromium)", chromiumPath)
		}
		t.Skipf("%s is missing: apt-get install chromium to run the browser test", chromiumPath)
	}
	each(t, func(t *testing.T, fx *fixture) {
		got := make(chan url.Values, 1)
		app := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			select {
			case got <- r.URL.Query():
			default:
			}
			_, _ = w.Write([]byte("<!DOCTYPE html><title>Callback</title><p id=done>Done</p>"))
		}))
		defer app.Close()
		// The port of a loopback redirect URI is ignored (RFC 8252 §7.3), so the registered URI has none.
		clientID, secret := fx.authzClient(t, "Ledger Sync", false, "http://127.0.0.1/cb")
		// Plain http on 127.0.0.1: the fixture's public URL is https, so the CSRF cookie is Secure, and Chromium
		// keeps Secure cookies for loopback hosts (Go's cookie jar does not, hence TLS in the HTTP tests).
		srv := httptest.NewServer(fx.handler)
		defer srv.Close()

		ctx := newBrowser(t)

		cfg := &oauth2.Config{ClientID: clientID, ClientSecret: secret, RedirectURL: app.URL + "/cb", Scopes: []string{"fileid:777"},
			Endpoint: oauth2.Endpoint{AuthURL: srv.URL + "/oauth/v2/authorize", TokenURL: srv.URL + "/oauth/v2/token"}}
		verifier, state := oauth2.GenerateVerifier(), "st é&=/+"
		require.NoError(t, chromedp.Do(ctx,
			chromedp.Navigate(cfg.AuthCodeURL(state, oauth2.S256ChallengeOption(verifier))),
			chromedp.WaitVisible(chromedp.ID("username")),
			chromedp.SendKeys(chromedp.ID("username"), "ann@example.com"),
			chromedp.SendKeys(chromedp.ID("password"), "s3cret!"),
			chromedp.Click(chromedp.ID("sign-in")),
			chromedp.WaitVisible(chromedp.ID("allow")),
		))
		text, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("main")))
		require.NoError(t, err)
		assert.Contains(t, text, "Ledger Sync")
		assert.Contains(t, text, "Acme Pty Ltd")

		png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
		require.NoError(t, err)
		shot := filepath.Join(t.TempDir(), "consent.png")
		require.NoError(t, os.WriteFile(shot, png, 0o644))
		written, err := os.ReadFile(shot)
		require.NoError(t, err)
		assert.True(t, bytes.HasPrefix(written, []byte("\x89PNG\r\n\x1a\n")), "a PNG")
		t.Logf("consent page: %s (%d bytes)", shot, len(written))

		require.NoError(t, chromedp.Do(ctx,
			chromedp.Click(chromedp.ID("allow")),
			chromedp.WaitVisible(chromedp.ID("done")),
		))
		var q url.Values
		select {
		case q = <-got:
		case <-ctx.Done():
			t.Fatal("the browser never reached the redirect URI")
		}
		assert.Equal(t, state, q.Get("state"))
		require.Regexp(t, `^fa_ac_[A-Za-z0-9_-]{43}$`, q.Get("code"))
		location, err := chromedp.Run(ctx, chromedp.Location())
		require.NoError(t, err)
		assert.Equal(t, app.URL+"/cb?code="+q.Get("code")+"&state="+url.QueryEscape(state), location)

		tok, err := cfg.Exchange(context.WithValue(ctx, oauth2.HTTPClient, srv.Client()), q.Get("code"), oauth2.VerifierOption(verifier))
		require.NoError(t, err)
		assert.Equal(t, "full fileid:777", tok.Extra("scope"))
	})
}

// newBrowser starts headless Chromium for one test, with the flags this closed network needs and a fresh
// profile, bounded to 60 seconds. It fails under CI when Chromium is missing, and skips elsewhere.
func newBrowser(t *testing.T) context.Context {
	t.Helper()
	if _, err := os.Stat(chromiumPath); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("%s is missing; CI must run the browser tests (.ci/run installs Debian's chromium)", chromiumPath)
		}
		t.Skipf("%s is missing: apt-get install chromium to run the browser tests", chromiumPath)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	t.Cleanup(cancel)
	ctx, cancelAlloc := chromedp.NewExecAllocator(ctx,
		chromedp.ExecPath(chromiumPath),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(t.TempDir()),
	)
	t.Cleanup(cancelAlloc)
	ctx, cancelTab := chromedp.NewContext(ctx)
	t.Cleanup(cancelTab)
	return ctx
}

package handlers_test

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/oauth2"

	"github.com/fileapi/fileapi/models"
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
		))
		screenshot(t, ctx, "oauth-signin")
		require.NoError(t, chromedp.Do(ctx,
			chromedp.SendKeys(chromedp.ID("username"), "ann@example.com"),
			chromedp.SendKeys(chromedp.ID("password"), "s3cret!"),
			chromedp.Click(chromedp.ID("sign-in")),
			chromedp.WaitVisible(chromedp.ID("allow")),
		))
		text, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("main")))
		require.NoError(t, err)
		assert.Contains(t, text, "Ledger Sync")
		assert.Contains(t, text, "Acme Pty Ltd")

		screenshot(t, ctx, "oauth-consent")

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

// TestAuthorizeBrowser2FA walks the other pages of the authorization endpoint in headless Chromium: the error
// page of an unknown client, the login page with an error, and the code page of a user with two-factor
// authentication, up to the consent page.
func TestAuthorizeBrowser2FA(t *testing.T) {
	each(t, func(t *testing.T, fx *fixture) {
		ctx := newBrowser(t)
		_, _, err := fx.store.UpdateProfile(context.Background(), fx.ann.ID, models.ProfileChange{MobileNumber: models.To("0412 345 678")}, models.ChangeOptions{Via: "test"})
		require.NoError(t, err)
		fx.enable2FA(fx.ann.ID)
		clientID, _ := fx.authzClient(t, "Ledger Sync", false, "http://127.0.0.1/cb")
		srv := httptest.NewServer(fx.handler)
		defer srv.Close()

		require.NoError(t, chromedp.Do(ctx,
			chromedp.Navigate(srv.URL+authzURL("fa_unknown", "")),
			chromedp.WaitVisible(chromedp.CSS(`p[role="alert"]`)),
		))
		text, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("main")))
		require.NoError(t, err)
		assert.Contains(t, text, "Unknown client.")
		screenshot(t, ctx, "oauth-error")

		require.NoError(t, chromedp.Do(ctx, chromedp.Navigate(srv.URL+authzURL(clientID, "state=xyz")),
			chromedp.WaitVisible(chromedp.ID("username"))))
		text = submit(t, ctx, "sign-in", `p[role="alert"]`, "username", "ann@example.com", "password", "wrong!")
		assert.Contains(t, text, "The user name or password is incorrect.")
		screenshot(t, ctx, "oauth-signin-error")

		require.NoError(t, chromedp.Do(ctx,
			chromedp.SendKeys(chromedp.ID("password"), "s3cret!"),
			chromedp.Click(chromedp.ID("sign-in")),
			chromedp.WaitVisible(chromedp.ID("otp")),
		))
		screenshot(t, ctx, "oauth-code")
		msgs, err := fx.store.Outbox(context.Background(), "+61412345678")
		require.NoError(t, err)
		require.Len(t, msgs, 1)
		code := smsCode.FindStringSubmatch(msgs[0].Body)
		require.NotNil(t, code, msgs[0].Body)
		require.NoError(t, chromedp.Do(ctx,
			chromedp.SendKeys(chromedp.ID("otp"), code[1]),
			chromedp.Click(chromedp.ID("verify")),
			chromedp.WaitVisible(chromedp.ID("allow")),
		))
		text, err = chromedp.Run(ctx, chromedp.Text(chromedp.CSS("main")))
		require.NoError(t, err)
		assert.Contains(t, text, "Ledger Sync")
	})
}

// screenshotSizes are the widths every page is photographed at: a desktop window and a 390px phone.
var screenshotSizes = []struct {
	suffix        string
	width, height int64
	mobile        bool
}{{"", 1280, 800, false}, {"-mobile", 390, 844, true}}

// submit types each value into the input of its id (inputs are id, value pairs), clicks the button of id
// button, waits until an element matching sel shows, and returns the text of the page's main element.
func submit(t *testing.T, ctx context.Context, button, sel string, inputs ...string) string {
	t.Helper()
	var steps []chromedp.Action[chromedp.Void]
	for i := 0; i+1 < len(inputs); i += 2 {
		steps = append(steps, chromedp.SendKeys(chromedp.ID(inputs[i]), inputs[i+1]))
	}
	steps = append(steps, chromedp.Click(chromedp.ID(button)), chromedp.WaitVisible(chromedp.CSS(sel)))
	require.NoError(t, chromedp.Do(ctx, steps...))
	text, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("main")))
	require.NoError(t, err)
	return text
}

// screenshot saves the page the browser shows as PNGs in the test log directory, NAME-PAGE.png at desktop
// width and NAME-PAGE-mobile.png at 390px, where NAME is the test's name, and logs their paths. Each time it
// checks that the shared stylesheet applies (the card of pages_layout.go) and that nothing is wider than the
// screen. The viewport is the desktop one afterwards.
func screenshot(t *testing.T, ctx context.Context, page string) {
	t.Helper()
	dir := testLogDir(t)
	name := strings.NewReplacer("/", "-", " ", "_").Replace(t.Name()) + "-" + page
	for _, size := range screenshotSizes {
		var opts []chromedp.EmulateViewportOption
		if size.mobile {
			opts = append(opts, chromedp.EmulatePortrait, chromedp.EmulateMobile, chromedp.EmulateTouch)
		}
		require.NoError(t, chromedp.Do(ctx, chromedp.EmulateViewport(size.width, size.height, opts...)))
		card, err := chromedp.Run(ctx, chromedp.Evaluate[string](`(() => { const s = getComputedStyle(document.querySelector("main"));
			return [s.backgroundColor, s.borderTopLeftRadius, getComputedStyle(document.body).fontFamily.split(",")[0]].join(" | ") })()`))
		require.NoError(t, err)
		assert.Equal(t, "rgb(255, 255, 255) | 8px | system-ui", card, "%s: the shared stylesheet applies", page)
		overflow, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.documentElement.scrollWidth > window.innerWidth`))
		require.NoError(t, err)
		assert.False(t, overflow, "%s: nothing is wider than %dpx", page, size.width)
		png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
		require.NoError(t, err)
		require.True(t, bytes.HasPrefix(png, []byte("\x89PNG\r\n\x1a\n")), "a PNG")
		path := filepath.Join(dir, name+size.suffix+".png")
		require.NoError(t, os.WriteFile(path, png, 0o644))
		t.Logf("%s page (%dpx wide): %s (%d bytes)", page, size.width, path, len(png))
	}
	require.NoError(t, chromedp.Do(ctx, chromedp.EmulateViewport(screenshotSizes[0].width, screenshotSizes[0].height)))
}

// testLogDir is where tests leave files for people to look at: $FILEAPI_TEST_LOG_DIR, else testlogs at the
// root of the repository (the nearest directory above with a go.mod). It is created.
func testLogDir(t *testing.T) string {
	t.Helper()
	dir := os.Getenv("FILEAPI_TEST_LOG_DIR")
	if dir == "" {
		wd, err := os.Getwd()
		require.NoError(t, err)
		root := wd
		for {
			if _, err := os.Stat(filepath.Join(root, "go.mod")); err == nil {
				break
			}
			parent := filepath.Dir(root)
			if parent == root {
				root = wd
				break
			}
			root = parent
		}
		dir = filepath.Join(root, "testlogs")
	}
	require.NoError(t, os.MkdirAll(dir, 0o755))
	return dir
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

package handlers_test

import (
	"context"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fileapi/fileapi/auth"
	"github.com/fileapi/fileapi/models"
)

var resetLink = regexp.MustCompile(`https://api\.example\.com/password-reset\?token=(fa_pr_[A-Za-z0-9_-]{43})`)

// resetToken reads the token of the newest reset e-mail to an address.
func (fx *fixture) resetToken(t *testing.T, to string) string {
	t.Helper()
	msgs, err := fx.store.Outbox(context.Background(), to)
	require.NoError(t, err)
	require.NotEmpty(t, msgs, "no e-mail to %s", to)
	m := msgs[len(msgs)-1]
	assert.Equal(t, "Reset your password", m.Subject)
	got := resetLink.FindStringSubmatch(m.Body)
	require.NotNil(t, got, m.Body)
	return got[1]
}

const resetOK = `{"StatusMessage":"A password reset email has been sent.","_links":[]}`

func TestResetPasswordRequest(t *testing.T) {
	each(t, func(t *testing.T, fx *fixture) {
		ctx := context.Background()
		fx.user(models.NewUser{Username: "robot@example.com", FirstName: "Robot", Type: models.UserService})
		fx.user(models.NewUser{Username: "carol", FirstName: "Carol", Email: ptr("carol@example.org")})
		fx.user(models.NewUser{Username: "dave", FirstName: "Dave"})
		cases := []struct {
			name, url, body string
			headers         []string
		}{
			{".NET SDK: trailing slash and empty query", "/User/reset-password/?", `{"Username":"ann@example.com","Password":null,"_links":[]}`, []string{"Content-Type: application/json", "Accept: application/json"}},
			{"Ruby gem: bearer and FileId ignored", "/User/reset-password?FileId=777", `{"Username":"nobody@example.com"}`, []string{"Content-Type: application/json", "Authorization: Bearer fa_at_dead", "Accept: */*"}},
			{"saasu-rails: anonymous", "/user/reset-password", `{"Username":"robot@example.com"}`, []string{"Content-Type: application/json"}},
			{"form", "/User/reset-password", `Username=dave`, []string{"Content-Type: application/x-www-form-urlencoded"}},
			{"by e-mail", "/User/reset-password", `{"Username":"CAROL@example.org"}`, []string{"Content-Type: application/json"}},
		}
		for _, c := range cases {
			w := fx.do("POST", c.url, c.body, c.headers...)
			require.Equal(t, http.StatusOK, w.Code, "%s: %s", c.name, w.Body.String())
			assertBody(t, resetOK, w)
		}
		w := fx.do("POST", "/User/reset-password", `<UserCredential><Username>bob@example.com</Username></UserCredential>`, "Content-Type: application/xml")
		assert.Equal(t, `<PasswordResetResponse xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><_links /><StatusMessage>A password reset email has been sent.</StatusMessage></PasswordResetResponse>`, w.Body.String())

		fx.resetToken(t, "ann@example.com")
		fx.resetToken(t, "carol@example.org") // the e-mail, found by e-mail
		all, err := fx.store.Outbox(ctx, "")
		require.NoError(t, err)
		assert.Len(t, all, 3, "ann, carol and bob; nothing for unknown users, service accounts or users without an address")

		for _, body := range []string{`{}`, `{"Username":"  "}`, `{"Username":null}`} {
			w = fx.do("POST", "/User/reset-password", body, "Content-Type: application/json")
			require.Equal(t, http.StatusBadRequest, w.Code)
			assertBody(t, `"Username is required."`, w)
		}
		// 3 requests per username an hour (ann has had one).
		for i := 0; i < 2; i++ {
			require.Equal(t, http.StatusOK, fx.do("POST", "/User/reset-password", `{"Username":"Ann@example.com"}`, "Content-Type: application/json").Code)
		}
		w = fx.do("POST", "/User/reset-password", `{"Username":"ann@example.com"}`, "Content-Type: application/json")
		require.Equal(t, http.StatusTooManyRequests, w.Code)
		assert.Equal(t, "3600", w.Header().Get("Retry-After"))
		assertBody(t, `{"Message":"Too many requests. Try again later."}`, w)
		w = fx.do("POST", "/User/reset-password", `{"Username":"nobody@example.com"}`, "Content-Type: application/json")
		require.Equal(t, http.StatusOK, w.Code, "other usernames go on")
		// 20 per address: 9 have counted so far (refused and malformed requests do not count).
		for i := 0; i < 11; i++ {
			fx.do("POST", "/User/reset-password", `{"Username":"u`+strings.Repeat("x", i)+`"}`, "Content-Type: application/json")
		}
		w = fx.do("POST", "/User/reset-password", `{"Username":"zed"}`, "Content-Type: application/json")
		require.Equal(t, http.StatusTooManyRequests, w.Code)
	})
}

// resetForm opens the page of a link over TLS with a cookie jar and returns the client and the CSRF token.
func resetForm(t *testing.T, srv *httptest.Server, token string) (*http.Client, string, *http.Response, string) {
	t.Helper()
	client := &http.Client{Transport: srv.Client().Transport, Jar: newJar(t)} // srv.Client() is shared: never give it a jar
	resp, err := client.Get(srv.URL + "/password-reset?token=" + url.QueryEscape(token))
	require.NoError(t, err)
	body := readAll(t, resp)
	m := regexp.MustCompile(`name="csrf_token" value="([^"]+)"`).FindStringSubmatch(body)
	csrf := ""
	if m != nil {
		csrf = m[1]
	}
	return client, csrf, resp, body
}

func TestResetPasswordPage(t *testing.T) {
	each(t, func(t *testing.T, fx *fixture) {
		old := fx.login(t)
		require.Equal(t, http.StatusOK, fx.do("POST", "/User/reset-password", `{"Username":"ann@example.com"}`, "Content-Type: application/json").Code)
		first := fx.resetToken(t, "ann@example.com")
		require.Equal(t, http.StatusOK, fx.do("POST", "/User/reset-password", `{"Username":"ann@example.com"}`, "Content-Type: application/json").Code)
		token := fx.resetToken(t, "ann@example.com")
		srv := httptest.NewTLSServer(fx.handler)
		defer srv.Close()

		_, _, resp, body := resetForm(t, srv, first)
		assert.Equal(t, http.StatusBadRequest, resp.StatusCode, "a newer link voids the older")
		assert.Contains(t, body, "This link is invalid or has expired.")
		_, _, resp, body = resetForm(t, srv, "fa_pr_unknown")
		assert.Equal(t, http.StatusBadRequest, resp.StatusCode)
		assert.Contains(t, body, "This link is invalid or has expired.")

		client, csrf, resp, body := resetForm(t, srv, token)
		require.Equal(t, http.StatusOK, resp.StatusCode, body)
		assert.Equal(t, "text/html; charset=utf-8", resp.Header.Get("Content-Type"))
		assert.Equal(t, "no-store", resp.Header.Get("Cache-Control"))
		assert.Equal(t, "no-referrer", resp.Header.Get("Referrer-Policy"))
		assert.Equal(t, "DENY", resp.Header.Get("X-Frame-Options"))
		assert.Equal(t, "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'", resp.Header.Get("Content-Security-Policy"))
		assert.Contains(t, body, `<form method="post" action="/password-reset">`)
		assert.Contains(t, body, `<label for="password">`)
		assert.Contains(t, body, `<label for="password_confirm">`)
		assert.Contains(t, body, `<p class="hint" id="password-rule">6 to 250 characters.</p>`, "the rule, before the user types")
		assert.Regexp(t, `<input type="password" id="password" name="password" autocomplete="new-password" minlength="6" maxlength="250" aria-describedby="password-rule" required>`, body)
		assert.Regexp(t, `<input type="password" id="password_confirm" name="password_confirm" autocomplete="new-password" minlength="6" maxlength="250" required>`, body)
		assert.NotContains(t, body, "<script")

		post := func(c *http.Client, fields ...string) (int, string) {
			form := url.Values{}
			for i := 0; i+1 < len(fields); i += 2 {
				form.Set(fields[i], fields[i+1])
			}
			resp, err := c.PostForm(srv.URL+"/password-reset", form)
			require.NoError(t, err)
			return resp.StatusCode, readAll(t, resp)
		}
		status, body := post(&http.Client{Transport: srv.Client().Transport}, "token", token, "csrf_token", csrf, "password", "n3w-secret", "password_confirm", "n3w-secret")
		assert.Equal(t, http.StatusBadRequest, status, "no CSRF cookie")
		assert.Contains(t, body, "This form has expired.")
		status, body = post(client, "token", token, "csrf_token", csrf, "password", "n3w-secret", "password_confirm", "n3w-secreT")
		assert.Equal(t, http.StatusBadRequest, status)
		assert.Contains(t, body, "The passwords do not match.")
		status, body = post(client, "token", token, "csrf_token", csrf, "password", "short", "password_confirm", "short")
		assert.Equal(t, http.StatusBadRequest, status)
		assert.Contains(t, body, "The password must be between 6 and 250 characters.")
		status, body = post(client, "token", token, "csrf_token", csrf, "password", "n3w-secret", "password_confirm", "n3w-secret",
			"pad", strings.Repeat("x", 1<<20))
		assert.Equal(t, http.StatusRequestEntityTooLarge, status, "a form over 1 MiB")
		assert.Contains(t, body, "The request is too large.")
		status, body = post(client, "token", token, "csrf_token", csrf, "password", "n3w-secret", "password_confirm", "n3w-secret")
		require.Equal(t, http.StatusOK, status, body)
		assert.Contains(t, body, "Your password has been changed.")

		assert.True(t, auth.CheckPassword(fx.reload(fx.ann.ID).PasswordHash, "n3w-secret"))
		assert.Equal(t, http.StatusUnauthorized, fx.do("GET", "/User?FileId=777", "", "Authorization: Bearer "+old.AccessToken).Code, "every token is revoked")
		status, body = post(client, "token", token, "csrf_token", csrf, "password", "n3w-secret", "password_confirm", "n3w-secret")
		assert.Equal(t, http.StatusBadRequest, status, "a used link")
		assert.Contains(t, body, "This link is invalid or has expired.")

		// A link lives one hour.
		require.Equal(t, http.StatusOK, fx.do("POST", "/User/reset-password", `{"Username":"ann@example.com"}`, "Content-Type: application/json").Code)
		token = fx.resetToken(t, "ann@example.com")
		start := fx.store.Now()
		fx.store.Now = func() time.Time { return start.Add(time.Hour) }
		_, _, resp, _ = resetForm(t, srv, token)
		assert.Equal(t, http.StatusBadRequest, resp.StatusCode)
		// change-password voids pending links.
		fx.store.Now = func() time.Time { return start }
		require.Equal(t, http.StatusOK, fx.do("POST", "/User/change-password?FileId=777&wsAccessKey="+fx.key, `{"Password":"another1"}`, "Content-Type: application/json").Code)
		_, _, resp, _ = resetForm(t, srv, token)
		assert.Equal(t, http.StatusBadRequest, resp.StatusCode)
	})
}

// TestResetPasswordBrowser: request a reset, read the link from the outbox, set a new password in the page in
// headless Chromium, sign in with it, and find the old tokens dead.
func TestResetPasswordBrowser(t *testing.T) {
	each(t, func(t *testing.T, fx *fixture) {
		ctx := newBrowser(t)
		old := fx.login(t)
		require.Equal(t, http.StatusOK, fx.do("POST", "/User/reset-password", `{"Username":"ann@example.com"}`, "Content-Type: application/json").Code)
		token := fx.resetToken(t, "ann@example.com")
		srv := httptest.NewServer(fx.handler)
		defer srv.Close()
		require.NoError(t, chromedp.Do(ctx,
			chromedp.Navigate(srv.URL+"/password-reset?token="+url.QueryEscape(token)),
			chromedp.WaitVisible(chromedp.ID("password")),
		))
		rule, err := chromedp.Run(ctx, chromedp.Text(chromedp.ID("password-rule")))
		require.NoError(t, err)
		assert.Equal(t, "6 to 250 characters.", rule, "the rule shows before the user types")
		screenshot(t, ctx, "reset-form")
		text := submit(t, ctx, "set-password", `p[role="status"]`, "password", "br0wser-pw", "password_confirm", "br0wser-pw")
		assert.Contains(t, text, "Your password has been changed.")
		screenshot(t, ctx, "reset-done")
		w := fx.do("POST", "/authorisation/token", `{"grant_type":"password","username":"ann@example.com","password":"br0wser-pw"}`, "Content-Type: application/json")
		assert.Equal(t, http.StatusOK, w.Code, w.Body.String())
		assert.Equal(t, http.StatusUnauthorized, fx.do("GET", "/User?FileId=777", "", "Authorization: Bearer "+old.AccessToken).Code)
	})
}

// TestResetPasswordRequestPage: GET /password-reset without a token is the form that requests a link, and its
// POST is the request of POST /User/reset-password (the same e-mail, limits and answer for any username).
func TestResetPasswordRequestPage(t *testing.T) {
	each(t, func(t *testing.T, fx *fixture) {
		ctx := context.Background()
		fx.user(models.NewUser{Username: "robot@example.com", FirstName: "Robot", Type: models.UserService})
		outbox := func() []models.OutboxMessage {
			msgs, err := fx.store.Outbox(ctx, "")
			require.NoError(t, err)
			return msgs
		}
		resetPageHeaders := func(w *httptest.ResponseRecorder) string {
			t.Helper()
			assert.Equal(t, "text/html; charset=utf-8", w.Header().Get("Content-Type"))
			assert.Equal(t, "no-store", w.Header().Get("Cache-Control"))
			assert.Equal(t, "no-referrer", w.Header().Get("Referrer-Policy"))
			assert.Equal(t, "DENY", w.Header().Get("X-Frame-Options"))
			assert.Equal(t, "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'", w.Header().Get("Content-Security-Policy"))
			body := w.Body.String()
			assert.NotContains(t, body, "<script")
			return body
		}
		csrfOf := func(w *httptest.ResponseRecorder) string {
			t.Helper()
			cookies := w.Result().Cookies()
			require.Len(t, cookies, 1)
			ck := cookies[0]
			assert.Equal(t, "fileapi_csrf="+ck.Value+"; Path=/password-reset; HttpOnly; Secure; SameSite=Lax", w.Header().Get("Set-Cookie"), "the public URL is https")
			assert.Regexp(t, `^[A-Za-z0-9_-]{43}$`, ck.Value)
			return ck.Value
		}

		// The sign-in page links here.
		clientID, _ := fx.authzClient(t, "Ledger Sync", false, authzCallback)
		w := fx.do("GET", authzURL(clientID, ""), "")
		require.Equal(t, http.StatusOK, w.Code)
		assert.Contains(t, w.Body.String(), `<a href="/password-reset" id="forgot-password">Forgot your password?</a>`)

		var csrf string
		for _, target := range []string{"/password-reset", "/password-reset?token="} {
			w = fx.do("GET", target, "")
			require.Equal(t, http.StatusOK, w.Code, target)
			body := resetPageHeaders(w)
			csrf = csrfOf(w)
			assert.Contains(t, body, `<title>Reset your password – fileapi</title>`)
			assert.Contains(t, body, `<form method="post" action="/password-reset">`)
			assert.Contains(t, body, `<input type="hidden" name="csrf_token" value="`+csrf+`">`)
			assert.Contains(t, body, `<label for="username">Email address or username</label>`)
			assert.Contains(t, body, `<input type="text" id="username" name="username" value="" autocomplete="username"`)
			assert.Contains(t, body, `<button type="submit" id="send-link">Send reset link</button>`)
			assert.NotContains(t, body, `name="token"`)
			assert.NotContains(t, body, `role="alert"`)
		}
		post := func(username string, headers ...string) *httptest.ResponseRecorder {
			form := url.Values{"csrf_token": {csrf}, "username": {username}}.Encode()
			return fx.do("POST", "/password-reset", form, append([]string{formCT}, headers...)...)
		}
		cookie := "Cookie: fileapi_csrf=" + csrf

		// Without its cookie, or without a username: the form again, and nothing is sent or counted.
		w = post("ann@example.com")
		require.Equal(t, http.StatusBadRequest, w.Code)
		body := resetPageHeaders(w)
		assert.Contains(t, body, `<p class="alert" role="alert">This form has expired. Please try again.</p>`)
		assert.Contains(t, body, `value="ann@example.com"`, "the username is kept")
		assert.Contains(t, body, `<input type="hidden" name="csrf_token" value="`+csrfOf(w)+`">`, "with a new cookie")
		w = post(" \t", cookie)
		require.Equal(t, http.StatusBadRequest, w.Code)
		body = resetPageHeaders(w)
		assert.Contains(t, body, `<p class="alert" role="alert">Enter your email address or username.</p>`)
		assert.Contains(t, body, `<input type="hidden" name="csrf_token" value="`+csrf+`">`)
		assert.Empty(t, outbox())

		// A user with an address gets the e-mail of POST /User/reset-password, whose link opens the reset form.
		w = post("ann@example.com", cookie)
		require.Equal(t, http.StatusOK, w.Code, w.Body.String())
		sent := resetPageHeaders(w)
		assert.Contains(t, sent, `<title>Check your email – fileapi</title>`)
		assert.Contains(t, sent, `<p class="notice" role="status">If an account with that email address or username exists, we have sent it an email with a link to choose a new password. The link is valid for one hour.</p>`)
		assert.NotContains(t, sent, "<form")
		require.Len(t, outbox(), 1)
		token := fx.resetToken(t, "ann@example.com")
		id, err := fx.store.ResetUser(ctx, auth.HashSecret(token))
		require.NoError(t, err)
		assert.Equal(t, fx.ann.ID, id, "the link is ann's")
		w = fx.do("GET", "/password-reset?token="+url.QueryEscape(token), "")
		require.Equal(t, http.StatusOK, w.Code)
		assert.Contains(t, w.Body.String(), `id="set-password"`)

		// Unknown users and service accounts get the same answer, and nothing; a unique e-mail finds its user.
		for _, name := range []string{"nobody@example.com", "robot@example.com"} {
			w = post(name, cookie)
			require.Equal(t, http.StatusOK, w.Code, name)
			assert.Equal(t, sent, w.Body.String(), name)
		}
		assert.Len(t, outbox(), 1)
		w = post("BOB@example.com", cookie)
		require.Equal(t, http.StatusOK, w.Code)
		assert.Equal(t, sent, w.Body.String())
		fx.resetToken(t, "bob@example.com")
		assert.Len(t, outbox(), 2)

		// The limits are those of POST /User/reset-password, and shared with it: 3 per username an hour.
		require.Equal(t, http.StatusOK, fx.do("POST", "/User/reset-password", `{"Username":"ann@example.com"}`, "Content-Type: application/json").Code)
		require.Equal(t, http.StatusOK, post("Ann@example.com", cookie).Code)
		w = post("ann@example.com", cookie)
		require.Equal(t, http.StatusTooManyRequests, w.Code)
		assert.Equal(t, "3600", w.Header().Get("Retry-After"))
		body = resetPageHeaders(w)
		assert.Contains(t, body, `<p class="alert" role="alert">Too many requests. Try again later.</p>`)
		assert.NotContains(t, body, "<form")
		assert.Equal(t, http.StatusTooManyRequests, fx.do("POST", "/User/reset-password", `{"Username":"ann@example.com"}`, "Content-Type: application/json").Code)
		msgs, err := fx.store.Outbox(ctx, "ann@example.com")
		require.NoError(t, err)
		assert.Len(t, msgs, 3, "one e-mail per counted request")

		// A form with a token is still the form of a link, whatever else it carries.
		w = fx.do("POST", "/password-reset", url.Values{"token": {"fa_pr_unknown"}, "csrf_token": {csrf}, "username": {"ann@example.com"}}.Encode(), formCT, cookie)
		require.Equal(t, http.StatusBadRequest, w.Code)
		assert.Contains(t, w.Body.String(), "This link is invalid or has expired.")
	})
}

// TestResetRequestBrowser: from the sign-in page to the request form, the e-mail, and the form of its link, in
// headless Chromium.
func TestResetRequestBrowser(t *testing.T) {
	each(t, func(t *testing.T, fx *fixture) {
		ctx := newBrowser(t)
		clientID, _ := fx.authzClient(t, "Ledger Sync", false, "http://127.0.0.1/cb")
		srv := httptest.NewServer(fx.handler)
		defer srv.Close()

		require.NoError(t, chromedp.Do(ctx,
			chromedp.Navigate(srv.URL+authzURL(clientID, "state=xyz")),
			chromedp.WaitVisible(chromedp.ID("forgot-password")),
			chromedp.Click(chromedp.ID("forgot-password")),
			chromedp.WaitVisible(chromedp.ID("send-link")),
		))
		location, err := chromedp.Run(ctx, chromedp.Location())
		require.NoError(t, err)
		assert.Equal(t, srv.URL+"/password-reset", location)
		screenshot(t, ctx, "reset-request")

		text := submit(t, ctx, "send-link", `p[role="status"]`, "username", "ann@example.com")
		assert.Contains(t, text, "we have sent it an email with a link")
		screenshot(t, ctx, "reset-request-sent")

		token := fx.resetToken(t, "ann@example.com")
		require.NoError(t, chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/password-reset?token="+url.QueryEscape(token)),
			chromedp.WaitVisible(chromedp.ID("password"))))
		text = submit(t, ctx, "set-password", `p[role="alert"]`, "password", "br0wser-pw", "password_confirm", "br0wser-pX")
		assert.Contains(t, text, "The passwords do not match.")
		assert.Contains(t, text, "6 to 250 characters.")
		screenshot(t, ctx, "reset-mismatch")
	})
}

func newJar(t *testing.T) http.CookieJar {
	t.Helper()
	jar, err := cookiejar.New(nil)
	require.NoError(t, err)
	return jar
}

func readAll(t *testing.T, resp *http.Response) string {
	t.Helper()
	defer func() { _ = resp.Body.Close() }()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return string(b)
}

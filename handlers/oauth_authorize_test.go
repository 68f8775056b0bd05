package handlers_test

import (
	"context"
	"html"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/oauth2"

	"github.com/fileapi/fileapi/auth"
	"github.com/fileapi/fileapi/handlers"
	"github.com/fileapi/fileapi/models"
	"github.com/fileapi/fileapi/models/modelstest"
)

// The RFC 7636 appendix B example: a verifier and its S256 challenge.
const (
	authzVerifier  = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
	authzChallenge = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
	authzCallback  = "https://app.example.com/callback"
	authzFormCT    = "Content-Type: application/x-www-form-urlencoded"
	authzCSP       = "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'"
)

// authzApps are the partner apps of the authorization tests, beside those of oauthClients.
type authzApps struct {
	oauthClients
	multi    string // confidential, two redirect URIs
	loopback string // public, http://127.0.0.1/cb and http://[::1]:8080/cb
	query    string // confidential, a redirect URI with a query
	odd      string // confidential, a name that needs escaping
}

func (fx *fixture) authzApps(t *testing.T) authzApps {
	t.Helper()
	a := authzApps{oauthClients: fx.oauthClients(t)}
	a.multi, _ = fx.authzClient(t, "Two Doors", false, "https://app.example.com/one", "https://app.example.com/two")
	a.loopback, _ = fx.authzClient(t, "Desktop App", true, "http://127.0.0.1/cb", "http://[::1]:8080/cb")
	a.query, _ = fx.authzClient(t, "Tenant App", false, "https://app.example.com/cb?tenant=7")
	a.odd, _ = fx.authzClient(t, `Ledger <b>"Sync"</b> & Co`, false, authzCallback)
	return a
}

// authzClient registers a client and returns its id and secret ("" for a public client).
func (fx *fixture) authzClient(t *testing.T, name string, public bool, uris ...string) (string, string) {
	t.Helper()
	id := auth.NewClientID()
	var hash *string
	secret := ""
	if !public {
		secret = auth.NewSecret(auth.PrefixClientSecret)
		h := auth.HashSecret(secret)
		hash = &h
	}
	_, err := fx.store.CreateClient(context.Background(), models.NewClient{ClientID: id, SecretHash: hash, Name: name, RedirectURIs: uris})
	require.NoError(t, err)
	return id, secret
}

// assertPage checks the status and the headers every page has (oauth.md §4.4) and returns the body.
func assertPage(t *testing.T, status int, got int, h http.Header, body string) string {
	t.Helper()
	require.Equal(t, status, got, body)
	assert.Equal(t, "text/html; charset=utf-8", h.Get("Content-Type"))
	assert.Equal(t, "no-store", h.Get("Cache-Control"))
	assert.Equal(t, "DENY", h.Get("X-Frame-Options"))
	assert.Equal(t, "no-referrer", h.Get("Referrer-Policy"))
	assert.Equal(t, authzCSP, h.Get("Content-Security-Policy"))
	assert.NotContains(t, body, "<script", "no JavaScript")
	return body
}

// pageAlert is how a page shows its one message.
func pageAlert(msg string) string { return `<p class="alert" role="alert">` + msg + `</p>` }

var hiddenInput = regexp.MustCompile(`<input type="hidden"(?: id="[^"]*")? name="([^"]*)" value="([^"]*)">`)

// hiddenInputs reads the hidden inputs of a page's form.
func hiddenInputs(body string) url.Values {
	v := url.Values{}
	for _, m := range hiddenInput.FindAllStringSubmatch(body, -1) {
		v.Add(html.UnescapeString(m[1]), html.UnescapeString(m[2]))
	}
	return v
}

// authzBrowser is a user agent for the pages: a cookie jar, and redirects not followed.
type authzBrowser struct {
	t   *testing.T
	srv *httptest.Server
	hc  *http.Client
}

// newAuthzServer serves the real router over TLS: the fixture's public URL is https, so the CSRF cookie is
// Secure, and the jar sends it back only over https.
func newAuthzServer(t *testing.T, fx *fixture) *httptest.Server {
	srv := httptest.NewTLSServer(fx.handler)
	t.Cleanup(srv.Close)
	return srv
}

func newAuthzBrowser(t *testing.T, srv *httptest.Server) *authzBrowser {
	jar, err := cookiejar.New(nil)
	require.NoError(t, err)
	return &authzBrowser{t: t, srv: srv, hc: &http.Client{Transport: srv.Client().Transport, Jar: jar,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

func (b *authzBrowser) read(resp *http.Response, err error) (*http.Response, string) {
	b.t.Helper()
	require.NoError(b.t, err)
	body, err := io.ReadAll(resp.Body)
	require.NoError(b.t, err)
	require.NoError(b.t, resp.Body.Close())
	return resp, string(body)
}

// get opens a URL, relative to the server unless absolute.
func (b *authzBrowser) get(target string) (*http.Response, string) {
	b.t.Helper()
	if !strings.HasPrefix(target, "https://") {
		target = b.srv.URL + target
	}
	return b.read(b.hc.Get(target))
}

// post sends a form to the authorization endpoint.
func (b *authzBrowser) post(form url.Values) (*http.Response, string) {
	b.t.Helper()
	return b.read(b.hc.PostForm(b.srv.URL+"/oauth/v2/authorize", form))
}

// submit sends the form of a page back with its hidden inputs, after setting the given name/value pairs.
func (b *authzBrowser) submit(page string, set ...string) (*http.Response, string) {
	b.t.Helper()
	form := hiddenInputs(page)
	for i := 0; i+1 < len(set); i += 2 {
		form.Set(set[i], set[i+1])
	}
	return b.post(form)
}

// authzURL is an authorization request for a client with the given extra query (already encoded).
func authzURL(clientID, rest string) string {
	u := "/oauth/v2/authorize?response_type=code&client_id=" + clientID
	if rest != "" {
		u += "&" + rest
	}
	return u
}

func TestAuthorizeNoRedirect(t *testing.T) {
	each(t, func(t *testing.T, fx *fixture) {
		a := fx.authzApps(t)
		cb := url.QueryEscape(authzCallback)
		cases := []struct {
			name, query, text string
		}{
			{"client_id missing", "response_type=code&redirect_uri=" + cb, "Unknown client."},
			{"client_id empty", "response_type=code&client_id=&redirect_uri=" + cb, "Unknown client."},
			{"client_id repeated", "response_type=code&client_id=" + a.ledger + "&client_id=" + a.ledger, "Unknown client."},
			{"client_id unknown", "response_type=code&client_id=n_bxVoYYWPMevPfXD2GG0Q&redirect_uri=" + cb, "Unknown client."},
			{"unknown client with other errors", "response_type=token&client_id=nobody&code_challenge_method=plain", "Unknown client."},
			{"redirect_uri repeated", "response_type=code&client_id=" + a.ledger + "&redirect_uri=" + cb + "&redirect_uri=" + cb, "Invalid redirect URI."},
			{"redirect_uri not registered", "response_type=code&client_id=" + a.ledger + "&redirect_uri=https%3A%2F%2Fevil.example.com%2Fcallback", "Invalid redirect URI."},
			{"redirect_uri with a trailing slash", "response_type=code&client_id=" + a.ledger + "&redirect_uri=" + cb + "%2F", "Invalid redirect URI."},
			{"redirect_uri in another case", "response_type=code&client_id=" + a.ledger + "&redirect_uri=https%3A%2F%2FApp.example.com%2Fcallback", "Invalid redirect URI."},
			{"redirect_uri with an extra query", "response_type=code&client_id=" + a.ledger + "&redirect_uri=" + cb + "%3Fx%3D1", "Invalid redirect URI."},
			{"redirect_uri without the registered query", "response_type=code&client_id=" + a.query + "&redirect_uri=https%3A%2F%2Fapp.example.com%2Fcb", "Invalid redirect URI."},
			{"redirect_uri absent, two registered", "response_type=code&client_id=" + a.multi, "Invalid redirect URI."},
			{"redirect_uri bad, other errors too", "response_type=token&client_id=" + a.ledger + "&redirect_uri=https%3A%2F%2Fevil.example.com%2F", "Invalid redirect URI."},
			{"loopback: another host", "response_type=code&client_id=" + a.loopback + "&code_challenge_method=S256&code_challenge=" + authzChallenge + "&redirect_uri=http%3A%2F%2F127.0.0.2%3A5000%2Fcb", "Invalid redirect URI."},
			{"loopback: localhost is no loopback IP", "response_type=code&client_id=" + a.loopback + "&code_challenge_method=S256&code_challenge=" + authzChallenge + "&redirect_uri=http%3A%2F%2Flocalhost%3A5000%2Fcb", "Invalid redirect URI."},
			{"loopback: another path", "response_type=code&client_id=" + a.loopback + "&code_challenge_method=S256&code_challenge=" + authzChallenge + "&redirect_uri=http%3A%2F%2F127.0.0.1%3A5000%2Fother", "Invalid redirect URI."},
			{"loopback: a host that starts like one", "response_type=code&client_id=" + a.loopback + "&code_challenge_method=S256&code_challenge=" + authzChallenge + "&redirect_uri=http%3A%2F%2F127.0.0.1.evil.example%2Fcb", "Invalid redirect URI."},
			{"loopback: https", "response_type=code&client_id=" + a.loopback + "&code_challenge_method=S256&code_challenge=" + authzChallenge + "&redirect_uri=https%3A%2F%2F127.0.0.1%3A5000%2Fcb", "Invalid redirect URI."},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				w := fx.do("GET", "/oauth/v2/authorize?"+c.query, "")
				body := assertPage(t, http.StatusBadRequest, w.Code, w.Header(), w.Body.String())
				assert.Empty(t, w.Header().Get("Location"))
				assert.Empty(t, w.Header().Get("Set-Cookie"))
				assert.Contains(t, body, pageAlert(c.text))
				assert.NotContains(t, body, "<form")

				// The same parameters posted as the form's hidden inputs: §4.1 A runs before the CSRF check.
				w = fx.do("POST", "/oauth/v2/authorize?client_id="+a.ledger, c.query+"&step=login", authzFormCT)
				assertPage(t, http.StatusBadRequest, w.Code, w.Header(), w.Body.String())
				assert.Contains(t, w.Body.String(), pageAlert(c.text))
			})
		}
		// A POST reads only its form: the query does not make up for missing hidden inputs.
		w := fx.do("POST", "/oauth/v2/authorize?response_type=code&client_id="+a.ledger, "", authzFormCT)
		assert.Contains(t, assertPage(t, http.StatusBadRequest, w.Code, w.Header(), w.Body.String()), pageAlert("Unknown client."))
		w = fx.do("POST", "/oauth/v2/authorize", "response_type=code&client_id="+a.ledger, "Content-Type: application/json")
		assert.Contains(t, assertPage(t, http.StatusBadRequest, w.Code, w.Header(), w.Body.String()), pageAlert("Unknown client."))

		w = fx.do("PUT", "/oauth/v2/authorize", "")
		require.Equal(t, http.StatusMethodNotAllowed, w.Code)
		assert.Equal(t, "GET, POST", w.Header().Get("Allow"))
	})
}

func TestAuthorizeRedirectErrors(t *testing.T) {
	each(t, func(t *testing.T, fx *fixture) {
		a := fx.authzApps(t)
		const (
			missing   = "error=invalid_request&error_description=The+request+is+missing+a+required+parameter+or+repeats+one."
			responses = "error=unsupported_response_type&error_description=Only+response_type%3Dcode+is+supported."
			method    = "error=invalid_request&error_description=code_challenge_method+must+be+S256."
			challenge = "error=invalid_request&error_description=code_challenge+is+not+a+valid+S256+challenge."
			required  = "error=invalid_request&error_description=code_challenge+is+required+for+public+clients."
		)
		pkce := "code_challenge_method=S256&code_challenge=" + authzChallenge
		cases := []struct {
			name, query, location string
		}{
			{"response_type missing", "client_id=" + a.ledger + "&state=xyz", authzCallback + "?" + missing + "&state=xyz"},
			{"response_type empty", "response_type=&client_id=" + a.ledger + "&state=xyz", authzCallback + "?" + missing + "&state=xyz"},
			{"response_type repeated", "response_type=code&response_type=code&client_id=" + a.ledger + "&state=xyz", authzCallback + "?" + missing + "&state=xyz"},
			{"scope repeated", "response_type=code&client_id=" + a.ledger + "&scope=full&scope=fileid%3A777&state=xyz", authzCallback + "?" + missing + "&state=xyz"},
			{"code_challenge repeated", "response_type=code&client_id=" + a.ledger + "&" + pkce + "&code_challenge=" + authzChallenge, authzCallback + "?" + missing},
			{"state repeated: not echoed", "response_type=code&client_id=" + a.ledger + "&state=a&state=b", authzCallback + "?" + missing},
			{"a pair that does not decode", "response_type=code&client_id=" + a.ledger + "&nonce=%zz&state=xyz", authzCallback + "?" + missing + "&state=xyz"},
			{"response_type token", "response_type=token&client_id=" + a.ledger + "&state=xyz", authzCallback + "?" + responses + "&state=xyz"},
			{"response_type code id_token", "response_type=code+id_token&client_id=" + a.ledger, authzCallback + "?" + responses},
			{"response_type in another case", "response_type=Code&client_id=" + a.ledger, authzCallback + "?" + responses},
			{"missing comes before unsupported", "response_type=token&client_id=" + a.ledger + "&scope=a&scope=b", authzCallback + "?" + missing},
			{"method plain", "response_type=code&client_id=" + a.ledger + "&code_challenge_method=plain&code_challenge=" + authzChallenge, authzCallback + "?" + method},
			{"method s256 in lower case", "response_type=code&client_id=" + a.ledger + "&code_challenge_method=s256&code_challenge=" + authzChallenge, authzCallback + "?" + method},
			{"challenge without a method", "response_type=code&client_id=" + a.ledger + "&code_challenge=" + authzChallenge + "&state=xyz", authzCallback + "?" + method + "&state=xyz"},
			{"method without a challenge", "response_type=code&client_id=" + a.ledger + "&code_challenge_method=S256", authzCallback + "?" + method},
			{"method before the challenge's shape", "response_type=code&client_id=" + a.ledger + "&code_challenge_method=plain&code_challenge=short", authzCallback + "?" + method},
			{"challenge too short", "response_type=code&client_id=" + a.ledger + "&code_challenge_method=S256&code_challenge=" + authzChallenge[:42], authzCallback + "?" + challenge},
			{"challenge too long", "response_type=code&client_id=" + a.ledger + "&code_challenge_method=S256&code_challenge=" + authzChallenge + "A", authzCallback + "?" + challenge},
			{"challenge with padding", "response_type=code&client_id=" + a.ledger + "&code_challenge_method=S256&code_challenge=" + authzChallenge[:42] + "%3D", authzCallback + "?" + challenge},
			{"challenge with a dot", "response_type=code&client_id=" + a.ledger + "&code_challenge_method=S256&code_challenge=" + authzChallenge[:42] + ".", authzCallback + "?" + challenge},
			{"public client without PKCE", "response_type=code&client_id=" + a.public + "&state=xyz", authzCallback + "?" + required + "&state=xyz"},
			{"redirect URI with a query", "response_type=token&client_id=" + a.query + "&state=xyz", "https://app.example.com/cb?tenant=7&" + responses + "&state=xyz"},
			{"redirect URI with a query, sent", "response_type=token&client_id=" + a.query + "&redirect_uri=" + url.QueryEscape("https://app.example.com/cb?tenant=7"), "https://app.example.com/cb?tenant=7&" + responses},
			{"one of two redirect URIs", "client_id=" + a.multi + "&redirect_uri=" + url.QueryEscape("https://app.example.com/two"), "https://app.example.com/two?" + missing},
			{"loopback IPv4: the port as sent", "client_id=" + a.loopback + "&redirect_uri=" + url.QueryEscape("http://127.0.0.1:51234/cb") + "&state=s", "http://127.0.0.1:51234/cb?" + missing + "&state=s"},
			{"loopback IPv4: no port", "response_type=code&client_id=" + a.loopback + "&redirect_uri=" + url.QueryEscape("http://127.0.0.1/cb"), "http://127.0.0.1/cb?" + required},
			{"loopback IPv6: another port", "response_type=code&client_id=" + a.loopback + "&redirect_uri=" + url.QueryEscape("http://[::1]:9999/cb"), "http://[::1]:9999/cb?" + required},
			{"loopback IPv6: no port", "response_type=code&client_id=" + a.loopback + "&redirect_uri=" + url.QueryEscape("http://[::1]/cb"), "http://[::1]/cb?" + required},
			{"state with odd characters", "client_id=" + a.ledger + "&state=" + url.QueryEscape(`a b+c&d=e/é?#"<>%`), authzCallback + "?" + missing + "&state=" + url.QueryEscape(`a b+c&d=e/é?#"<>%`)},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				w := fx.do("GET", "/oauth/v2/authorize?"+c.query, "")
				require.Equal(t, http.StatusSeeOther, w.Code, w.Body.String())
				assert.Equal(t, c.location, w.Header().Get("Location"))
				assert.Equal(t, "no-store", w.Header().Get("Cache-Control"))
				assert.Equal(t, "no-referrer", w.Header().Get("Referrer-Policy"))
				assert.Empty(t, w.Header().Get("Set-Cookie"))
			})
		}
		// The state decodes to the bytes that were sent.
		odd := `a b+c&d=e/é?#"<>%`
		w := fx.do("GET", authzURL(a.public, "state="+url.QueryEscape(odd)), "")
		loc, err := url.Parse(w.Header().Get("Location"))
		require.NoError(t, err)
		assert.Equal(t, odd, loc.Query().Get("state"))

		// Scope never fails, and unknown parameters are ignored.
		w = fx.do("GET", authzURL(a.ledger, "scope=fileid%3Anope+fileid%3A999+openid&prompt=consent&access_type=offline&nonce=1&nonce=2"), "")
		assertPage(t, http.StatusOK, w.Code, w.Header(), w.Body.String())
	})
}

func TestAuthorizePages(t *testing.T) {
	each(t, func(t *testing.T, fx *fixture) {
		a := fx.authzApps(t)
		state := `"><script>pageAlert(1)</script>`
		w := fx.do("GET", authzURL(a.odd, "redirect_uri="+url.QueryEscape(authzCallback)+"&scope=fileid%3A777&state="+url.QueryEscape(state)+"&prompt=login"), "")
		body := assertPage(t, http.StatusOK, w.Code, w.Header(), w.Body.String())
		cookies := w.Result().Cookies()
		require.Len(t, cookies, 1)
		ck := cookies[0]
		assert.Equal(t, "fileapi_csrf", ck.Name)
		assert.Regexp(t, `^[A-Za-z0-9_-]{43}$`, ck.Value)
		assert.Equal(t, "fileapi_csrf="+ck.Value+"; Path=/oauth/v2/authorize; HttpOnly; Secure; SameSite=Lax", w.Header().Get("Set-Cookie"),
			"the public URL is https")

		assert.Contains(t, body, `<strong>Ledger &lt;b&gt;&#34;Sync&#34;&lt;/b&gt; &amp; Co</strong>`, "the client's name, escaped")
		assert.Contains(t, body, `<form method="post" action="/oauth/v2/authorize">`)
		assert.Contains(t, body, `<input type="hidden" name="state" value="&#34;&gt;&lt;script&gt;pageAlert(1)&lt;/script&gt;">`)
		assert.Contains(t, body, `<label for="username">`)
		assert.Contains(t, body, `<label for="password">`)
		assert.Regexp(t, `<input type="text" id="username" name="username" value="" autocomplete="username"[^>]*>`, body)
		assert.Regexp(t, `<input type="password" id="password" name="password"[^>]*>`, body)
		assert.Contains(t, body, `<button type="submit" id="sign-in">Sign in</button>`)
		assert.Equal(t, url.Values{"response_type": {"code"}, "client_id": {a.odd}, "redirect_uri": {authzCallback},
			"scope": {"fileid:777"}, "state": {state}, "csrf_token": {ck.Value}, "step": {"login"}}, hiddenInputs(body),
			"the parameters as sent, and only those")
		assert.Equal(t, 1, strings.Count(body, "<form"))

		// Each GET gets a new token.
		w2 := fx.do("GET", authzURL(a.odd, ""), "")
		require.Len(t, w2.Result().Cookies(), 1)
		assert.NotEqual(t, ck.Value, w2.Result().Cookies()[0].Value)
		assert.Equal(t, url.Values{"response_type": {"code"}, "client_id": {a.odd}, "csrf_token": {w2.Result().Cookies()[0].Value},
			"step": {"login"}}, hiddenInputs(w2.Body.String()))

		// Served over plain http without a public URL, the cookie is not Secure.
		plain := handlers.New(handlers.Config{Store: fx.store})
		req := httptest.NewRequest("GET", authzURL(a.ledger, ""), nil)
		rec := httptest.NewRecorder()
		plain.ServeHTTP(rec, req)
		assertPage(t, http.StatusOK, rec.Code, rec.Header(), rec.Body.String())
		assert.Regexp(t, `^fileapi_csrf=[A-Za-z0-9_-]{43}; Path=/oauth/v2/authorize; HttpOnly; SameSite=Lax$`, rec.Header().Get("Set-Cookie"))
	})
}

func TestAuthorizeCSRF(t *testing.T) {
	each(t, func(t *testing.T, fx *fixture) {
		a := fx.authzApps(t)
		srv := newAuthzServer(t, fx)
		b := newAuthzBrowser(t, srv)
		_, login := b.get(authzURL(a.ledger, "state=xyz"))
		form := hiddenInputs(login)
		require.NotEmpty(t, form.Get("csrf_token"))
		expired := pageAlert("This form has expired. Please start again.")
		creds := func(f url.Values) url.Values {
			f = copyForm(f)
			f.Set("username", "ann@example.com")
			f.Set("password", "s3cret!")
			return f
		}

		// No cookie: another user agent posts the same form.
		other := newAuthzBrowser(t, srv)
		resp, body := other.post(creds(form))
		assert.Contains(t, assertPage(t, http.StatusBadRequest, resp.StatusCode, resp.Header, body), expired)

		// A cookie of its own that does not match the form.
		other.get(authzURL(a.ledger, ""))
		resp, body = other.post(creds(form))
		assert.Contains(t, assertPage(t, http.StatusBadRequest, resp.StatusCode, resp.Header, body), expired)

		// The token missing, empty or changed.
		for _, token := range []string{"", "x", strings.ToUpper(form.Get("csrf_token"))} {
			f := creds(form)
			if token == "" {
				f.Del("csrf_token")
			} else {
				f.Set("csrf_token", token)
			}
			resp, body = b.post(f)
			assert.Contains(t, assertPage(t, http.StatusBadRequest, resp.StatusCode, resp.Header, body), expired, "token %q", token)
		}
		f := creds(form)
		f.Add("csrf_token", form.Get("csrf_token"))
		resp, body = b.post(f)
		assert.Contains(t, assertPage(t, http.StatusBadRequest, resp.StatusCode, resp.Header, body), expired, "repeated")

		// The CSRF check comes before §4.1 B: a bad response_type with a bad token is not redirected.
		f = creds(form)
		f.Set("response_type", "token")
		resp, body = other.post(f)
		assert.Contains(t, assertPage(t, http.StatusBadRequest, resp.StatusCode, resp.Header, body), expired)
		// With the right token it is.
		resp, _ = b.post(f)
		require.Equal(t, http.StatusSeeOther, resp.StatusCode)
		assert.Equal(t, authzCallback+"?error=unsupported_response_type&error_description=Only+response_type%3Dcode+is+supported.&state=xyz", resp.Header.Get("Location"))

		// Nothing above signed anyone in; the right form does.
		resp, body = b.post(creds(form))
		assert.Contains(t, assertPage(t, http.StatusOK, resp.StatusCode, resp.Header, body), `id="allow"`)
		assert.Empty(t, resp.Header.Get("Set-Cookie"), "a POST keeps the cookie")
	})
}

// copyForm copies a form, so that a case can change its copy.
func copyForm(v url.Values) url.Values {
	out := url.Values{}
	for k, vs := range v {
		out[k] = append([]string(nil), vs...)
	}
	return out
}

func TestAuthorizeLogin(t *testing.T) {
	each(t, func(t *testing.T, fx *fixture) {
		a := fx.authzApps(t)
		pw, err := auth.HashPassword("s3cret!")
		require.NoError(t, err)
		fx.user(models.NewUser{Username: "svc@example.com", FirstName: "Svc", PasswordHash: &pw, Type: models.UserService})
		srv := newAuthzServer(t, fx)
		b := newAuthzBrowser(t, srv)
		_, login := b.get(authzURL(a.ledger, "scope=fileid%3A777+fileid%3A780+fileid%3A999&state=xyz"))
		wrong := pageAlert("The user name or password is incorrect.")

		for _, c := range []struct{ name, username, password string }{
			{"wrong password", "Ann@Example.com", "nope!!"},
			{"unknown user", "nobody@example.com", "s3cret!"},
			{"service account", "svc@example.com", "s3cret!"},
			{"empty password", "Ann@Example.com", ""},
		} {
			resp, body := b.submit(login, "username", c.username, "password", c.password)
			body = assertPage(t, http.StatusOK, resp.StatusCode, resp.Header, body)
			assert.Contains(t, body, wrong, c.name)
			assert.Contains(t, body, `name="username" value="`+html.EscapeString(c.username)+`"`, "the username is kept")
			assert.Contains(t, body, `id="sign-in"`)
			assert.Equal(t, hiddenInputs(login), hiddenInputs(body), "the next form carries the same request")
		}

		resp, consent := b.submit(login, "username", "ann@example.com", "password", "s3cret!")
		consent = assertPage(t, http.StatusOK, resp.StatusCode, resp.Header, consent)
		assert.Contains(t, consent, "<strong>Ledger Sync</strong>")
		assert.Contains(t, consent, "<li>Acme Pty Ltd</li>")
		assert.NotContains(t, consent, "Delta Pty Ltd", "780 is not ann's")
		assert.Contains(t, consent, `<button type="submit" name="decision" value="allow" id="allow">Allow</button>`)
		assert.Contains(t, consent, `<button type="submit" name="decision" value="deny" id="deny">Deny</button>`)
		hidden := hiddenInputs(consent)
		assert.Equal(t, "consent", hidden.Get("step"))
		assert.Regexp(t, `^fa_lt_[A-Za-z0-9_-]{43}$`, hidden.Get("login_ticket"))

		// No file asked for: every membership is shown.
		_, login2 := b.get(authzURL(a.ledger, ""))
		_, consent2 := b.submit(login2, "username", "ann@example.com", "password", "s3cret!")
		assert.Contains(t, consent2, "<li>Acme Pty Ltd</li>\n<li>Beta Pty Ltd</li>\n<li>Gamma Pty Ltd</li>")
		_, consent3 := b.submit(login2, "username", "bob@example.com", "password", "s3cret!")
		assert.Contains(t, consent3, "It will be able to use these files")
		assert.Contains(t, consent3, "<li>Delta Pty Ltd</li>")
		// bob asks for ann's file: nothing to grant.
		_, login4 := b.get(authzURL(a.ledger, "scope=fileid%3A777"))
		_, consent4 := b.submit(login4, "username", "bob@example.com", "password", "s3cret!")
		assert.Contains(t, consent4, "It will not be able to use any of your files.")
	})
}

// TestAuthorizeRateLimit: the login page shares the credential limits of the token endpoints.
func TestAuthorizeRateLimit(t *testing.T) {
	each(t, func(t *testing.T, fx *fixture) {
		a := fx.authzApps(t)
		b := newAuthzBrowser(t, newAuthzServer(t, fx))
		_, login := b.get(authzURL(a.ledger, ""))
		for i := 0; i < 9; i++ {
			resp, _ := b.submit(login, "username", "ann@example.com", "password", "wrong!")
			require.Equal(t, http.StatusOK, resp.StatusCode)
		}
		resp, body := b.submit(login, "username", "ANN@example.com", "password", "s3cret!")
		require.Equal(t, http.StatusOK, resp.StatusCode)
		require.Contains(t, body, `id="allow"`, "9 failures: still allowed, and the success resets the count")
		for i := 0; i < 10; i++ {
			resp, _ := b.submit(login, "username", "ann@example.com", "password", "wrong!")
			require.Equal(t, http.StatusOK, resp.StatusCode)
		}
		resp, body = b.submit(login, "username", "Ann@example.com", "password", "s3cret!")
		body = assertPage(t, http.StatusTooManyRequests, resp.StatusCode, resp.Header, body)
		assert.Contains(t, body, pageAlert("Too many failed attempts. Try again later."))
		assert.Contains(t, body, `value="Ann@example.com"`)
		assert.Equal(t, "900", resp.Header.Get("Retry-After"))

		token := func(remote string) int {
			req := httptest.NewRequest("POST", "/authorisation/token", strings.NewReader(`{"grant_type":"password","username":"ann@example.com","password":"s3cret!"}`))
			req.Header.Set("Content-Type", "application/json")
			req.RemoteAddr = remote
			w := httptest.NewRecorder()
			fx.raw.ServeHTTP(w, req)
			return w.Code
		}
		assert.Equal(t, http.StatusTooManyRequests, token("127.0.0.1:40000"), "the counters are shared with the token endpoint")
		assert.Equal(t, http.StatusOK, token("192.0.2.77:40000"), "another address is not locked out (the lockout is per username and address)")
		resp, body = b.submit(login, "username", "bob@example.com", "password", "s3cret!")
		require.Equal(t, http.StatusOK, resp.StatusCode)
		assert.Contains(t, body, `id="allow"`, "other users go on")
	})
}

func TestAuthorize2FA(t *testing.T) {
	each(t, func(t *testing.T, fx *fixture) {
		ctx := context.Background()
		a := fx.authzApps(t)
		_, _, err := fx.store.UpdateProfile(ctx, fx.ann.ID, models.ProfileChange{MobileNumber: models.To("0412 345 678")}, models.ChangeOptions{Via: "test"})
		require.NoError(t, err)
		fx.enable2FA(fx.ann.ID)
		sms := func() []models.OutboxMessage {
			msgs, err := fx.store.Outbox(ctx, "+61412345678")
			require.NoError(t, err)
			return msgs
		}
		b := newAuthzBrowser(t, newAuthzServer(t, fx))
		_, login := b.get(authzURL(a.ledger, "state=xyz"))

		// A wrong password sends nothing.
		b.submit(login, "username", "ann@example.com", "password", "wrong!")
		require.Empty(t, sms())

		resp, page := b.submit(login, "username", "ann@example.com", "password", "s3cret!")
		page = assertPage(t, http.StatusOK, resp.StatusCode, resp.Header, page)
		assert.Contains(t, page, "We sent a code to your mobile.")
		assert.Contains(t, page, `<label for="otp">`)
		assert.Contains(t, page, `<input type="text" id="otp" name="otp" inputmode="numeric" autocomplete="one-time-code"`)
		assert.Contains(t, page, `<button type="submit" id="verify">Verify</button>`)
		assert.NotContains(t, page, `id="allow"`)
		hidden := hiddenInputs(page)
		assert.Equal(t, "otp", hidden.Get("step"))
		otpTicket := hidden.Get("login_ticket")
		require.Regexp(t, `^fa_lt_[A-Za-z0-9_-]{43}$`, otpTicket)
		msgs := sms()
		require.Len(t, msgs, 1)
		m := smsCode.FindStringSubmatch(msgs[0].Body)
		require.NotNil(t, m, msgs[0].Body)
		code := m[1]
		wrong := "000000"
		if code == wrong {
			wrong = "111111"
		}

		// The code page's ticket does not open the consent step.
		resp, body := b.submit(page, "step", "consent", "decision", "allow")
		assert.Contains(t, assertPage(t, http.StatusBadRequest, resp.StatusCode, resp.Header, body), pageAlert("This sign-in has expired. Please start again."))

		resp, body = b.submit(page, "otp", wrong)
		body = assertPage(t, http.StatusOK, resp.StatusCode, resp.Header, body)
		assert.Contains(t, body, pageAlert("The verification code is incorrect."))
		assert.Equal(t, otpTicket, hiddenInputs(body).Get("login_ticket"))
		resp, body = b.submit(page, "otp", "")
		assert.Contains(t, assertPage(t, http.StatusOK, resp.StatusCode, resp.Header, body), pageAlert("The verification code is incorrect."))

		resp, consent := b.submit(page, "otp", " "+code+" ")
		consent = assertPage(t, http.StatusOK, resp.StatusCode, resp.Header, consent)
		assert.Contains(t, consent, `id="allow"`)
		assert.Equal(t, otpTicket, hiddenInputs(consent).Get("login_ticket"), "the same ticket goes on to consent")
		resp, body = b.submit(page, "otp", code)
		assert.Contains(t, assertPage(t, http.StatusBadRequest, resp.StatusCode, resp.Header, body), pageAlert("This sign-in has expired. Please start again."),
			"the ticket is past the code step")

		resp, _ = b.submit(consent, "decision", "allow")
		require.Equal(t, http.StatusSeeOther, resp.StatusCode)
		assert.Regexp(t, `^`+regexp.QuoteMeta(authzCallback)+`\?code=fa_ac_[A-Za-z0-9_-]{43}&state=xyz$`, resp.Header.Get("Location"))

		// An expired code ends the sign-in.
		start := fx.store.Now()
		fx.store.Now = func() time.Time { return start.Add(2 * time.Minute) }
		_, page = b.submit(login, "username", "ann@example.com", "password", "s3cret!")
		require.Len(t, sms(), 2)
		fx.store.Now = func() time.Time { return start.Add(8 * time.Minute) }
		resp, body = b.submit(page, "otp", smsCode.FindStringSubmatch(sms()[1].Body)[1])
		body = assertPage(t, http.StatusOK, resp.StatusCode, resp.Header, body)
		assert.Contains(t, body, pageAlert("The verification code has expired. Sign in again."))
		assert.Contains(t, body, `id="sign-in"`)
		assert.Contains(t, body, `value="ann@example.com"`)
		resp, body = b.submit(page, "otp", "123456")
		assert.Contains(t, assertPage(t, http.StatusBadRequest, resp.StatusCode, resp.Header, body), pageAlert("This sign-in has expired. Please start again."))
	})
}

func TestAuthorizeConsent(t *testing.T) {
	each(t, func(t *testing.T, fx *fixture) {
		a := fx.authzApps(t)
		b := newAuthzBrowser(t, newAuthzServer(t, fx))
		expired := pageAlert("This sign-in has expired. Please start again.")
		signIn := func(query string) string {
			t.Helper()
			_, login := b.get(authzURL(a.ledger, query))
			resp, consent := b.submit(login, "username", "ann@example.com", "password", "s3cret!")
			require.Equal(t, http.StatusOK, resp.StatusCode, consent)
			require.Contains(t, consent, `id="allow"`)
			return consent
		}
		assertExpired := func(resp *http.Response, body, msg string) {
			t.Helper()
			assert.Contains(t, assertPage(t, http.StatusBadRequest, resp.StatusCode, resp.Header, body), expired, msg)
		}

		// Deny: access_denied, and the ticket is used up.
		consent := signIn("state=xyz")
		resp, _ := b.submit(consent, "decision", "deny")
		require.Equal(t, http.StatusSeeOther, resp.StatusCode)
		assert.Equal(t, authzCallback+"?error=access_denied&error_description=The+user+denied+the+request.&state=xyz", resp.Header.Get("Location"))
		assert.Equal(t, "no-store", resp.Header.Get("Cache-Control"))
		resp, body := b.submit(consent, "decision", "allow")
		assertExpired(resp, body, "denied, then allowed")

		// Allow: a code, once.
		consent = signIn("")
		resp, body = b.submit(consent)
		assert.Contains(t, assertPage(t, http.StatusOK, resp.StatusCode, resp.Header, body), `id="allow"`, "no decision: the page again")
		resp, _ = b.submit(consent, "decision", "allow")
		require.Equal(t, http.StatusSeeOther, resp.StatusCode)
		assert.Regexp(t, `^`+regexp.QuoteMeta(authzCallback)+`\?code=fa_ac_[A-Za-z0-9_-]{43}$`, resp.Header.Get("Location"), "no state sent, none echoed")
		resp, body = b.submit(consent, "decision", "allow")
		assertExpired(resp, body, "reused")
		resp, body = b.submit(consent, "decision", "deny")
		assertExpired(resp, body, "reused for deny")

		// A ticket for another request.
		consent = signIn("scope=fileid%3A777&state=xyz")
		for _, c := range []struct{ name, field, value string }{
			{"another scope", "scope", "fileid:778"},
			{"another client", "client_id", a.plain},
			{"a redirect URI sent now", "redirect_uri", authzCallback},
			{"a challenge added", "code_challenge", authzChallenge},
			{"missing ticket", "login_ticket", ""},
			{"unknown ticket", "login_ticket", auth.NewSecret(auth.PrefixTicket)},
		} {
			f := hiddenInputs(consent)
			f.Set("decision", "allow")
			if c.value == "" {
				f.Del(c.field)
			} else {
				f.Set(c.field, c.value)
			}
			if c.field == "code_challenge" {
				f.Set("code_challenge_method", "S256")
			}
			resp, body := b.post(f)
			assertExpired(resp, body, c.name)
		}
		// The state is not bound: it only travels back.
		resp, _ = b.submit(consent, "decision", "allow", "state", "other")
		require.Equal(t, http.StatusSeeOther, resp.StatusCode)
		assert.Regexp(t, `&state=other$`, resp.Header.Get("Location"))

		// A ticket lives 10 minutes.
		consent = signIn("")
		start := fx.store.Now()
		fx.store.Now = func() time.Time { return start.Add(auth.TicketTTL) }
		resp, body = b.submit(consent, "decision", "allow")
		assertExpired(resp, body, "expired")
	})
}

// TestAuthorizeFailures: a failure after §4.1 A goes to the client as server_error, with the state; the
// database lost before it gets a 503 page, since nothing may be redirected yet.
func TestAuthorizeFailures(t *testing.T) {
	each(t, func(t *testing.T, fx *fixture) {
		a := fx.authzApps(t)
		b := newAuthzBrowser(t, newAuthzServer(t, fx))
		_, login := b.get(authzURL(a.ledger, "state=xyz"))
		// Without the table of login tickets (migration 3) the sign-in cannot go on.
		fx.migrateDownTo(t, 2)
		resp, body := b.submit(login, "username", "ann@example.com", "password", "s3cret!")
		require.Equal(t, http.StatusSeeOther, resp.StatusCode, body)
		assert.Equal(t, authzCallback+"?error=server_error&error_description=An+unexpected+error+occurred.&state=xyz", resp.Header.Get("Location"))
	})
	for _, dialect := range modelstest.Dialects() {
		if dialect != "mysql" {
			continue // an embedded SQLite file cannot go away; MariaDB runs in make test-mysql and CI
		}
		t.Run(dialect+" outage", func(t *testing.T) {
			dsn := modelstest.NewDSN(t, "mysql")
			p := newProxy(t, dsn.Config.Addr)
			dsn.Config = dsn.Config.Clone()
			dsn.Config.Addr = p.addr
			fx := newFixture(t, dsn)
			a := fx.authzApps(t)
			p.stop()
			w := fx.do("GET", authzURL(a.ledger, "state=xyz"), "")
			body := assertPage(t, http.StatusServiceUnavailable, w.Code, w.Header(), w.Body.String())
			assert.Contains(t, body, pageAlert("The service is temporarily unavailable."))
			assert.Equal(t, "5", w.Header().Get("Retry-After"))
			assert.Empty(t, w.Header().Get("Location"))
			p.start()
			w = fx.do("GET", authzURL(a.ledger, "state=xyz"), "")
			assertPage(t, http.StatusOK, w.Code, w.Header(), w.Body.String())
		})
	}
}

// authzLocation reads the query of a redirect to the client.
func authzLocation(t *testing.T, resp *http.Response) url.Values {
	t.Helper()
	require.Equal(t, http.StatusSeeOther, resp.StatusCode)
	loc, err := url.Parse(resp.Header.Get("Location"))
	require.NoError(t, err)
	return loc.Query()
}

// TestAuthorizeCodeFlow runs the whole authorization code flow with golang.org/x/oauth2, unmodified: its
// authorization URL, the pages driven over HTTP, the code from the redirect, the exchange with the PKCE
// verifier, and a call with the token.
func TestAuthorizeCodeFlow(t *testing.T) {
	each(t, func(t *testing.T, fx *fixture) {
		a := fx.authzApps(t)
		srv := newAuthzServer(t, fx)
		ctx := context.WithValue(context.Background(), oauth2.HTTPClient, srv.Client())
		endpoint := oauth2.Endpoint{AuthURL: srv.URL + "/oauth/v2/authorize", TokenURL: srv.URL + "/oauth/v2/token"}
		for _, c := range []struct {
			name, id, secret, redirect string
		}{
			{"confidential client", a.ledger, a.ledgerSecret, authzCallback},
			{"public client", a.public, "", authzCallback},
			{"no redirect_uri sent", a.plain, a.plainSecret, ""},
		} {
			t.Run(c.name, func(t *testing.T) {
				cfg := &oauth2.Config{ClientID: c.id, ClientSecret: c.secret, Endpoint: endpoint, RedirectURL: c.redirect,
					Scopes: []string{"full", "fileid:777"}}
				verifier := oauth2.GenerateVerifier()
				state := "st/" + c.name + "?&="
				b := newAuthzBrowser(t, srv)
				resp, login := b.get(cfg.AuthCodeURL(state, oauth2.S256ChallengeOption(verifier), oauth2.AccessTypeOffline))
				require.Equal(t, http.StatusOK, resp.StatusCode, login)
				resp, consent := b.submit(login, "username", "ann@example.com", "password", "s3cret!")
				require.Equal(t, http.StatusOK, resp.StatusCode, consent)
				resp, _ = b.submit(consent, "decision", "allow")
				q := authzLocation(t, resp)
				assert.True(t, strings.HasPrefix(resp.Header.Get("Location"), authzCallback+"?code="))
				assert.Equal(t, state, q.Get("state"))
				code := q.Get("code")
				require.Regexp(t, `^fa_ac_[A-Za-z0-9_-]{43}$`, code)

				tok, err := cfg.Exchange(ctx, code, oauth2.VerifierOption(verifier))
				require.NoError(t, err)
				assert.Equal(t, "Bearer", tok.TokenType)
				assert.Equal(t, "full fileid:777", tok.Extra("scope"))
				assert.Regexp(t, `^fa_rt_`, tok.RefreshToken)

				get := func(target string) int {
					resp, err := cfg.Client(ctx, tok).Get(srv.URL + target)
					require.NoError(t, err)
					_ = resp.Body.Close()
					return resp.StatusCode
				}
				assert.Equal(t, http.StatusOK, get("/User?FileId=777"))
				assert.Equal(t, http.StatusUnauthorized, get("/User?FileId=778"), "778 was not asked for")

				_, err = cfg.Exchange(ctx, code, oauth2.VerifierOption(verifier))
				require.Error(t, err, "a code works once")
			})
		}
	})
}

package handlers

import (
	"bytes"
	"net/http"

	"github.com/gin-gonic/gin"
)

// The pages of the authorization endpoint (oauth.md §4.4): server-rendered, English, no JavaScript. Every
// value goes through html/template, so client names, file names and echoed parameters are escaped.

// pageCSP allows inline styles and nothing else. It has no form-action: browsers apply that to the redirect
// that follows the form post, which goes to the client.
const pageCSP = "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'"

// authzPage is what a page shows and what its form carries back.
type authzPage struct {
	Title    string
	Message  string       // an error or a notice, shown above the form
	Client   string       // the client's name
	Params   []authzParam // the authorization parameters as sent, repeated as hidden inputs
	CSRF     string
	Username string // the login page: the username as typed
	User     string // the code and consent pages: who is signing in
	Ticket   string // the code and consent pages: the login ticket
	Files    []string
}

// authzParam is one authorization parameter repeated in a form.
type authzParam struct{ Name, Value string }

// Template names, one per page.
const (
	tmplError   = "error"
	tmplLogin   = "login"
	tmplCode    = "otp"
	tmplConsent = "consent"
)

// pagesHTML holds the pages of the authorization endpoint; "top", "bottom" and "alert" are the shared layout
// (pages_layout.go).
const pagesHTML = `
{{define "hidden"}}{{range .Params}}<input type="hidden" name="{{.Name}}" value="{{.Value}}">
{{end}}<input type="hidden" name="csrf_token" value="{{.CSRF}}">
{{end}}

{{define "error"}}{{template "top" .}}<h1>{{.Title}}</h1>
<p class="alert" role="alert">{{.Message}}</p>
{{template "bottom" .}}{{end}}

{{define "login"}}{{template "top" .}}<h1>Sign in</h1>
<p>to continue to <strong>{{.Client}}</strong></p>
{{template "alert" .}}<form method="post" action="/oauth/v2/authorize">
{{template "hidden" .}}<input type="hidden" name="step" value="login">
<label for="username">Email address</label>
<input type="text" id="username" name="username" value="{{.Username}}" autocomplete="username" autocapitalize="none" spellcheck="false" required>
<label for="password">Password</label>
<input type="password" id="password" name="password" autocomplete="current-password" required>
<button type="submit" id="sign-in">Sign in</button>
</form>
<p class="aside"><a href="/password-reset" id="forgot-password">Forgot your password?</a></p>
{{template "bottom" .}}{{end}}

{{define "otp"}}{{template "top" .}}<h1>Enter your code</h1>
<p>We sent a code to your mobile.</p>
<p class="who">Signing in as {{.User}} to continue to <strong>{{.Client}}</strong></p>
{{template "alert" .}}<form method="post" action="/oauth/v2/authorize">
{{template "hidden" .}}<input type="hidden" name="step" value="otp">
<input type="hidden" id="login_ticket" name="login_ticket" value="{{.Ticket}}">
<label for="otp">Verification code</label>
<input type="text" id="otp" name="otp" inputmode="numeric" autocomplete="one-time-code" required>
<button type="submit" id="verify">Verify</button>
</form>
{{template "bottom" .}}{{end}}

{{define "consent"}}{{template "top" .}}<h1>Allow access?</h1>
<p><strong>{{.Client}}</strong> wants to access your account.</p>
{{if .Files}}<p>It will be able to use these files:</p>
<ul>
{{range .Files}}<li>{{.}}</li>
{{end}}</ul>
{{else}}<p>It will not be able to use any of your files.</p>
{{end}}<p class="who">Signed in as {{.User}}</p>
<form method="post" action="/oauth/v2/authorize">
{{template "hidden" .}}<input type="hidden" name="step" value="consent">
<input type="hidden" id="login_ticket" name="login_ticket" value="{{.Ticket}}">
<button type="submit" name="decision" value="allow" id="allow">Allow</button>
<button type="submit" name="decision" value="deny" id="deny">Deny</button>
</form>
{{template "bottom" .}}{{end}}
`

var pages = newPages("pages", pagesHTML)

// pageHeaders go on every answer of a server-rendered page (the authorization endpoint's pages and redirects,
// the password-reset page): nothing is cached, framed or leaked through Referer, under the page's CSP.
func pageHeaders(c *gin.Context, csp string) {
	c.Header("Cache-Control", "no-store")
	c.Header("X-Frame-Options", "DENY")
	c.Header("Referrer-Policy", "no-referrer")
	c.Header("Content-Security-Policy", csp)
}

// renderPage writes one page. It is rendered whole before anything is sent, so a template failure is an
// ordinary error, not half a page.
func renderPage(c *gin.Context, status int, name string, p authzPage) error {
	var b bytes.Buffer
	if err := pages.ExecuteTemplate(&b, name, p); err != nil {
		return err
	}
	pageHeaders(c, pageCSP)
	c.Data(status, "text/html; charset=utf-8", b.Bytes())
	return nil
}

// errorPage answers with a page that only says what went wrong: nothing is redirected to a client that
// could not be trusted, or whose sign-in cannot go on.
func errorPage(c *gin.Context, status int, msg string) error {
	title := "Sign-in problem"
	if status >= http.StatusInternalServerError {
		title = "Something went wrong"
	}
	return renderPage(c, status, tmplError, authzPage{Title: title, Message: msg})
}

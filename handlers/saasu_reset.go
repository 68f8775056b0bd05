package handlers

import (
	"bytes"
	"errors"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/gin-gonic/gin"

	"github.com/fileapi/fileapi/auth"
	"github.com/fileapi/fileapi/hal"
	"github.com/fileapi/fileapi/models"
)

// Password reset (saasu.md §6.3): the anonymous request, and the page its e-mail links to.
const (
	PrefixReset = "fa_pr_"
	resetTTL    = time.Hour
	resetCSP    = "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)

// saasuReset serves POST /User/reset-password and GET/POST /password-reset.
type saasuReset struct {
	saasu *saasuDialect
	store *models.Store
	links linker
	log   *slog.Logger
	// limits counts requests (not failures): 3 per username and 20 per address an hour.
	limits *auth.Limiter
}

// request answers the same 200 for known and unknown usernames; a known human user with an address gets an
// e-mail with a one-time link. Any credential or FileId sent along is ignored.
func (h *saasuReset) request(c *gin.Context) error {
	b, err := h.saasu.readBody(c)
	if err != nil {
		return err
	}
	if err := h.start(c, credentialField(b, "Username")); err != nil {
		return err
	}
	msg := "A password reset email has been sent."
	return h.saasu.render(c, http.StatusOK, hal.BaseResponseModel{Root: "PasswordResetResponse", StatusMessage: &msg, Links: hal.Links{}})
}

// start is a reset request, of the API (request) or of the page's request form (requested): a username is
// required, every request counts towards the limits, and an e-mail goes out only to a user send finds. Its
// outcome never tells whether the user exists.
func (h *saasuReset) start(c *gin.Context, name string) error {
	if strings.TrimFunc(name, unicode.IsSpace) == "" {
		return models.Errorf(models.KindInvalid, "Username is required.")
	}
	key, addr := models.Fold(name), clientAddr(c.Request)
	ctx := c.Request.Context()
	if wait, err := h.limits.Check(ctx, key, addr); err != nil {
		return err
	} else if wait > 0 {
		return rateLimited{wait: wait}
	}
	if err := h.limits.Fail(ctx, key, addr); err != nil { // every request counts
		return err
	}
	return h.send(c, name)
}

// send finds the user (username, else a unique e-mail) and writes the reset e-mail; unknown users, service
// accounts and users without an address get nothing, silently.
func (h *saasuReset) send(c *gin.Context, name string) error {
	ctx := c.Request.Context()
	u, err := h.store.UserByUsername(ctx, name)
	if models.KindOf(err) == models.KindNotFound {
		u, err = h.store.UserByEmail(ctx, name)
	}
	if models.KindOf(err) == models.KindNotFound || (err == nil && u.UserType != models.UserHuman) {
		return nil
	}
	if err != nil {
		return err
	}
	to := ""
	switch {
	case u.Email != nil && isAddress(*u.Email):
		to = *u.Email
	case isAddress(u.Username):
		to = u.Username
	default:
		return nil
	}
	token := auth.NewSecret(PrefixReset)
	link := h.links.sent() + "/password-reset?token=" + url.QueryEscape(token)
	return h.store.StartReset(ctx, u.ID, auth.HashSecret(token), h.store.Now().Add(resetTTL), models.Message{
		Kind: models.MessageEmail, To: to, Subject: "Reset your password",
		Body: "Someone asked to reset the password of your account " + u.Username + ".\n\nTo choose a new password, open this link within an hour:\n\n" +
			link + "\n\nIf it was not you, ignore this e-mail: your password stays as it is.\n",
	})
}

// The password rule of every way to set a password (saasu_credential.go, workspace_session.go), in characters.
const (
	passwordMin = 6
	passwordMax = 250
)

// resetPages are the reset page's three faces on the shared layout (pages_layout.go): the form of a live link
// ("reset"), a message alone ("reset-message"), and the form that requests a link ("reset-request").
var resetPages = newPages("reset", `
{{define "reset"}}{{template "top" .}}<h1>{{.Title}}</h1>
{{template "alert" .}}<form method="post" action="/password-reset">
<input type="hidden" name="token" value="{{.Token}}">
<input type="hidden" name="csrf_token" value="{{.CSRF}}">
<label for="password">New password</label>
<input type="password" id="password" name="password" autocomplete="new-password" minlength="{{.Min}}" maxlength="{{.Max}}" aria-describedby="password-rule" required>
<p class="hint" id="password-rule">{{.Min}} to {{.Max}} characters.</p>
<label for="password_confirm">New password again</label>
<input type="password" id="password_confirm" name="password_confirm" autocomplete="new-password" minlength="{{.Min}}" maxlength="{{.Max}}" required>
<button type="submit" id="set-password">Set password</button>
</form>
{{template "bottom" .}}{{end}}

{{define "reset-message"}}{{template "top" .}}<h1>{{.Title}}</h1>
{{if .Done}}<p class="notice" role="status">{{.Message}}</p>
{{else}}<p class="alert" role="alert">{{.Message}}</p>
{{end}}{{template "bottom" .}}{{end}}

{{define "reset-request"}}{{template "top" .}}<h1>{{.Title}}</h1>
<p>Enter the email address or username of your account. We will send a link to choose a new password to the email address of the account.</p>
{{template "alert" .}}<form method="post" action="/password-reset">
<input type="hidden" name="csrf_token" value="{{.CSRF}}">
<label for="username">Email address or username</label>
<input type="text" id="username" name="username" value="{{.Username}}" autocomplete="username" autocapitalize="none" spellcheck="false" required>
<button type="submit" id="send-link">Send reset link</button>
</form>
{{template "bottom" .}}{{end}}
`)

type resetView struct {
	Title, Message, Token, CSRF string
	Username                    string // the request form: the username as typed
	Form, Done                  bool
	Request                     bool // the request form rather than the form of a link
}

// Min and Max are the password rule, stated on the form and enforced by its inputs.
func (resetView) Min() int { return passwordMin }
func (resetView) Max() int { return passwordMax }

func (h *saasuReset) render(c *gin.Context, status int, v resetView) error {
	name := "reset-message"
	switch {
	case v.Request:
		name = "reset-request"
	case v.Form:
		name = "reset"
	}
	var b bytes.Buffer
	if err := resetPages.ExecuteTemplate(&b, name, v); err != nil {
		return err
	}
	pageHeaders(c, resetCSP)
	c.Data(status, "text/html; charset=utf-8", b.Bytes())
	return nil
}

// newCSRF sets the double-submit cookie of the page's forms and returns its value.
func (h *saasuReset) newCSRF(c *gin.Context) string {
	token := auth.NewSecret("")
	http.SetCookie(c.Writer, &http.Cookie{Name: csrfCookie, Value: token, Path: "/password-reset", HttpOnly: true,
		SameSite: http.SameSiteLaxMode, Secure: h.links.secure(c.Request)})
	return token
}

// Texts of the reset page (saasu.md §6.3).
const (
	resetInvalid  = "This link is invalid or has expired."
	resetMismatch = "The passwords do not match."
	resetLength   = "The password must be between 6 and 250 characters."
	resetDone     = "Your password has been changed."
	resetExpired  = "This form has expired. Please open the link again."

	resetRequestTitle   = "Reset your password"
	resetRequestExpired = "This form has expired. Please try again."
	resetRequestNoName  = "Enter your email address or username."
	resetRequestSent    = "If an account with that email address or username exists, we have sent it an email with a link to choose a new password. The link is valid for one hour."
	resetRequestTooMany = "Too many requests. Try again later."
)

// page serves the form of a live link (GET) and sets the new password (POST). The link stays valid after a
// mistake in the form; using it revokes every token of the user. Without a token, the GET serves the form
// that requests a link, and its POST (a username and no token) is handled by requested.
func (h *saasuReset) page(c *gin.Context) error {
	ctx := c.Request.Context()
	v := resetView{Title: "Choose a new password"}
	if c.Request.Method == http.MethodGet {
		v.Token = c.Query("token")
		if v.Token == "" {
			return h.render(c, http.StatusOK, resetView{Title: resetRequestTitle, Request: true, CSRF: h.newCSRF(c)})
		}
		if _, err := h.store.ResetUser(ctx, auth.HashSecret(v.Token)); err != nil {
			return h.failed(c, err, v)
		}
		v.CSRF = h.newCSRF(c)
		v.Form = true
		return h.render(c, http.StatusOK, v)
	}
	raw, tooLarge, err := readBody(c.Request)
	switch {
	case tooLarge:
		return h.render(c, http.StatusRequestEntityTooLarge, resetView{Title: v.Title, Message: textTooLarge})
	case err != nil:
		return err
	}
	f, err := url.ParseQuery(string(raw))
	if err != nil {
		return h.render(c, http.StatusBadRequest, resetView{Title: v.Title, Message: resetInvalid})
	}
	if !f.Has("token") && f.Has("username") {
		return h.requested(c, f)
	}
	v.Token, v.CSRF = f.Get("token"), f.Get("csrf_token")
	if !csrfMatches(c, v.CSRF) {
		return h.render(c, http.StatusBadRequest, resetView{Title: v.Title, Message: resetExpired})
	}
	if _, err := h.store.ResetUser(ctx, auth.HashSecret(v.Token)); err != nil {
		return h.failed(c, err, v)
	}
	pw := f.Get("password")
	v.Form = true
	switch n := utf8.RuneCountInString(pw); {
	case pw != f.Get("password_confirm"):
		v.Message = resetMismatch
		return h.render(c, http.StatusBadRequest, v)
	case n < passwordMin || n > passwordMax:
		v.Message = resetLength
		return h.render(c, http.StatusBadRequest, v)
	}
	hash, err := auth.HashPassword(pw)
	if err != nil {
		return err
	}
	if err := h.store.CompleteReset(ctx, auth.HashSecret(v.Token), hash); err != nil {
		return h.failed(c, err, v)
	}
	return h.render(c, http.StatusOK, resetView{Title: "Password changed", Message: resetDone, Done: true})
}

// requested is the POST of the request form: the request of the API (start), answered as a page. Like the
// API, it answers the same whether or not the user exists.
func (h *saasuReset) requested(c *gin.Context, f url.Values) error {
	v := resetView{Title: resetRequestTitle, Request: true, Username: f.Get("username")}
	if !csrfMatches(c, f.Get("csrf_token")) {
		v.Message, v.CSRF = resetRequestExpired, h.newCSRF(c)
		return h.render(c, http.StatusBadRequest, v)
	}
	err := h.start(c, v.Username)
	if err == nil {
		return h.render(c, http.StatusOK, resetView{Title: "Check your email", Message: resetRequestSent, Done: true})
	}
	var limited rateLimited
	switch {
	case models.KindOf(err) == models.KindInvalid:
		v.Message, v.CSRF = resetRequestNoName, f.Get("csrf_token")
		return h.render(c, http.StatusBadRequest, v)
	case errors.As(err, &limited):
		c.Header("Retry-After", seconds(limited.wait))
		return h.render(c, http.StatusTooManyRequests, resetView{Title: v.Title, Message: resetRequestTooMany})
	}
	return h.failed(c, err, v)
}

// failed answers a page for an invalid link, or for an outage or a bug (logged).
func (h *saasuReset) failed(c *gin.Context, err error, v resetView) error {
	switch e := models.AsError(err); e.Kind {
	case models.KindNotFound:
		return h.render(c, http.StatusBadRequest, resetView{Title: v.Title, Message: resetInvalid})
	case models.KindUnavailable:
		c.Header("Retry-After", "5")
		return h.render(c, http.StatusServiceUnavailable, resetView{Title: v.Title, Message: "The service is temporarily unavailable. Please try again shortly."})
	default:
		h.log.Error("password reset", slog.String("request_id", c.GetString(requestIDKey)), slog.Any("error", err))
		return h.render(c, http.StatusInternalServerError, resetView{Title: v.Title, Message: "Something went wrong. Please try again."})
	}
}

// serve adapts page to gin: anything page returns is answered by failed, as a page.
func (h *saasuReset) serve(c *gin.Context) {
	if err := h.page(c); err != nil {
		_ = h.failed(c, err, resetView{Title: "Choose a new password"})
	}
}

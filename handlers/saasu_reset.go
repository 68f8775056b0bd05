package handlers

import (
	"bytes"
	"html/template"
	"log/slog"
	"net/http"
	"net/url"
	"time"
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
	name := credentialField(b, "Username")
	if name == "" {
		return models.Errorf(models.KindInvalid, "Username is required.")
	}
	key, addr := models.Fold(name), clientAddr(c.Request)
	ctx := c.Request.Context()
	if wait, err := h.limits.Check(ctx, key, addr); err != nil {
		return err
	} else if wait > 0 {
		return &models.Error{Kind: models.KindRateLimited, RetryAfter: wait}
	}
	if err := h.limits.Fail(ctx, key, addr); err != nil { // every request counts
		return err
	}
	if err := h.send(c, name); err != nil {
		return err
	}
	msg := "A password reset email has been sent."
	return h.saasu.render(c, http.StatusOK, hal.BaseResponseModel{Root: "PasswordResetResponse", StatusMessage: &msg, Links: hal.Links{}})
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

var resetPage = template.Must(template.New("reset").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{{.Title}}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>body{font-family:system-ui,sans-serif;max-width:28rem;margin:3rem auto;padding:0 1rem}label{display:block;margin-top:1rem}input{width:100%;padding:.5rem;font-size:1rem}button{margin-top:1.5rem;padding:.6rem 1.2rem;font-size:1rem}.msg{padding:.75rem;background:#fdecea;border-radius:4px}.ok{background:#e8f5e9}</style>
</head><body><main><h1>{{.Title}}</h1>
{{if .Message}}<p class="msg{{if .Done}} ok{{end}}" role="{{if .Done}}status{{else}}alert{{end}}">{{.Message}}</p>{{end}}
{{if .Form}}<form method="post" action="/password-reset">
<input type="hidden" name="token" value="{{.Token}}"><input type="hidden" name="csrf_token" value="{{.CSRF}}">
<label for="password">New password</label><input id="password" name="password" type="password" autocomplete="new-password" minlength="6" maxlength="250" required>
<label for="password_confirm">New password again</label><input id="password_confirm" name="password_confirm" type="password" autocomplete="new-password" minlength="6" maxlength="250" required>
<button type="submit" id="set-password">Set password</button>
</form>{{end}}
</main></body></html>`))

type resetView struct {
	Title, Message, Token, CSRF string
	Form, Done                  bool
}

func (h *saasuReset) render(c *gin.Context, status int, v resetView) error {
	var b bytes.Buffer
	if err := resetPage.Execute(&b, v); err != nil {
		return err
	}
	pageHeaders(c, resetCSP)
	c.Data(status, "text/html; charset=utf-8", b.Bytes())
	return nil
}

// Texts of the reset page (saasu.md §6.3).
const (
	resetInvalid  = "This link is invalid or has expired."
	resetMismatch = "The passwords do not match."
	resetLength   = "The password must be between 6 and 250 characters."
	resetDone     = "Your password has been changed."
	resetExpired  = "This form has expired. Please open the link again."
)

// page serves the form of a live link (GET) and sets the new password (POST). The link stays valid after a
// mistake in the form; using it revokes every token of the user.
func (h *saasuReset) page(c *gin.Context) error {
	ctx := c.Request.Context()
	v := resetView{Title: "Choose a new password"}
	if c.Request.Method == http.MethodGet {
		v.Token = c.Query("token")
		if _, err := h.store.ResetUser(ctx, auth.HashSecret(v.Token)); err != nil {
			return h.failed(c, err, v)
		}
		v.CSRF = auth.NewSecret("")
		http.SetCookie(c.Writer, &http.Cookie{Name: csrfCookie, Value: v.CSRF, Path: "/password-reset", HttpOnly: true,
			SameSite: http.SameSiteLaxMode, Secure: h.links.secure(c.Request)})
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
	case n < 6 || n > 250:
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

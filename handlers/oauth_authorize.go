package handlers

import (
	"crypto/subtle"
	"errors"
	"mime"
	"net/http"
	"net/url"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/fileapi/fileapi/auth"
	"github.com/fileapi/fileapi/handlers/wire"
	"github.com/fileapi/fileapi/models"
)

// authzNames are the authorization parameters (oauth.md §4), in the order the forms repeat them. Any other
// parameter of the request is ignored.
var authzNames = []string{"response_type", "client_id", "redirect_uri", "scope", "state", "code_challenge", "code_challenge_method"}

// csrfCookie carries the double-submit token of the pages (oauth.md §4.4).
const csrfCookie = "fileapi_csrf"

// The texts of the pages (oauth.md §4.1, §4.4).
const (
	textUnknownClient = "Unknown client."
	textBadRedirect   = "Invalid redirect URI."
	textFormExpired   = "This form has expired. Please start again."
	textTicketExpired = "This sign-in has expired. Please start again."
	textTooMany       = "Too many failed attempts. Try again later."
	textBadLogin      = "The user name or password is incorrect."
	textWrongCode     = "The verification code is incorrect."
	textOldCode       = "The verification code has expired. Sign in again."
	textTooLarge      = "The request is too large."
	textUnavailable   = "The service is temporarily unavailable."
	textUnexpected    = "An unexpected error occurred."
)

// pageError is an answer that must not go back to the client: a page with a status and a text.
type pageError struct {
	status int
	text   string
}

func (e *pageError) Error() string { return e.text }

// authzRequest is an authorization request that passed §4.1 A: its client is known and its redirect URI
// registered, so errors from here on may be redirected.
type authzRequest struct {
	sent     map[string]string // authorization parameters sent with a value, each exactly once
	repeated bool              // an authorization parameter came more than once
	bad      bool              // a pair of the query or form did not decode
	fields   map[string]string // POST: everything else in the form, by name, when sent once
	client   models.OAuthClient
	redirect string // where redirects go: the redirect URI as sent, else the single registered one
}

// authorize serves GET and POST /oauth/v2/authorize: the checks of oauth.md §4.1 in order, then the login
// page (GET) or the step a form posted (POST). Every answer is a page or a 303 to the client.
func (o *oauthServer) authorize(c *gin.Context) error {
	r, err := o.authzRequest(c)
	if err != nil {
		return o.authzFailed(c, nil, err)
	}
	if c.Request.Method == http.MethodPost && !csrfMatches(c, r.fields["csrf_token"]) {
		return errorPage(c, http.StatusBadRequest, textFormExpired)
	}
	if e := r.check(); e != nil {
		return o.redirectError(c, r, e)
	}
	if c.Request.Method == http.MethodGet {
		token := auth.NewSecret("")
		http.SetCookie(c.Writer, &http.Cookie{Name: csrfCookie, Value: token, Path: "/oauth/v2/authorize", HttpOnly: true,
			SameSite: http.SameSiteLaxMode, Secure: o.links.secure(c.Request)})
		return o.loginPage(c, r, http.StatusOK, "", "", token)
	}
	switch r.fields["step"] {
	case "login":
		err = o.stepLogin(c, r)
	case "otp":
		err = o.stepCode(c, r)
	case "consent":
		err = o.stepConsent(c, r)
	default:
		err = o.loginPage(c, r, http.StatusOK, "", "", r.fields["csrf_token"])
	}
	if err != nil {
		return o.authzFailed(c, r, err)
	}
	return nil
}

// authzRequest reads the request (the query of a GET, the form of a POST) and runs §4.1 A on it.
func (o *oauthServer) authzRequest(c *gin.Context) (*authzRequest, error) {
	raw := c.Request.URL.RawQuery
	if c.Request.Method == http.MethodPost {
		raw = ""
		if mt, _, err := mime.ParseMediaType(c.GetHeader("Content-Type")); err == nil && mt == "application/x-www-form-urlencoded" {
			b, tooLarge, err := readBody(c.Request)
			switch {
			case tooLarge:
				return nil, &pageError{http.StatusRequestEntityTooLarge, textTooLarge}
			case err != nil:
				return nil, &pageError{http.StatusBadRequest, textUnknownClient}
			}
			raw = string(b)
		}
	}
	r := &authzRequest{sent: map[string]string{}, fields: map[string]string{}}
	vals, bad := wire.SplitForm(raw)
	r.bad = bad
	for name, vs := range vals {
		switch {
		case !isAuthzName(name):
			if len(vs) == 1 {
				r.fields[name] = vs[0]
			}
		case len(vs) > 1:
			r.repeated = true
		case vs[0] != "": // RFC 6749 §3.1: a parameter without a value counts as omitted
			r.sent[name] = vs[0]
		}
	}

	id, ok := r.sent["client_id"]
	if !ok || len(vals["client_id"]) > 1 {
		return nil, &pageError{http.StatusBadRequest, textUnknownClient}
	}
	cl, err := o.store.ClientByID(c.Request.Context(), id)
	switch {
	case models.KindOf(err) == models.KindNotFound:
		return nil, &pageError{http.StatusBadRequest, textUnknownClient}
	case err != nil:
		return nil, err
	}
	r.client = cl
	registered := cl.Redirects()
	uri, sent := r.sent["redirect_uri"]
	switch {
	case len(vals["redirect_uri"]) > 1:
		return nil, &pageError{http.StatusBadRequest, textBadRedirect}
	case sent:
		if !wire.RedirectRegistered(registered, uri) {
			return nil, &pageError{http.StatusBadRequest, textBadRedirect}
		}
		r.redirect = uri
	case len(registered) == 1:
		r.redirect = registered[0]
	default:
		return nil, &pageError{http.StatusBadRequest, textBadRedirect}
	}
	return r, nil
}

// check runs §4.1 B: the errors that go back to the client.
func (r *authzRequest) check() *oauthError {
	bad := func(code, desc string) *oauthError { return &oauthError{http.StatusSeeOther, code, desc, ""} }
	challenge, hasChallenge := r.sent["code_challenge"]
	method, hasMethod := r.sent["code_challenge_method"]
	switch {
	case r.repeated || r.bad || r.sent["response_type"] == "":
		return bad("invalid_request", "The request is missing a required parameter or repeats one.")
	case r.sent["response_type"] != "code":
		return bad("unsupported_response_type", "Only response_type=code is supported.")
	case hasMethod && method != "S256", hasChallenge && !hasMethod, hasMethod && !hasChallenge:
		return bad("invalid_request", "code_challenge_method must be S256.")
	case hasChallenge && !validChallenge(challenge):
		return bad("invalid_request", "code_challenge is not a valid S256 challenge.")
	case r.client.Public && !hasChallenge:
		return bad("invalid_request", "code_challenge is required for public clients.")
	}
	return nil
}

// authorization is what the login ticket binds: the request's client, redirect URI, scope and challenge.
func (r *authzRequest) authorization() auth.Authorization {
	az := auth.Authorization{ClientID: r.client.ClientID, Scope: r.sent["scope"]}
	if v, ok := r.sent["redirect_uri"]; ok {
		az.RedirectURI = &v
	}
	if v, ok := r.sent["code_challenge"]; ok {
		az.CodeChallenge = &v
	}
	return az
}

// page starts a page of this request: its client, and the parameters its forms carry back.
func (r *authzRequest) page(title string) authzPage {
	p := authzPage{Title: title, Client: r.client.Name, CSRF: r.fields["csrf_token"]}
	for _, name := range authzNames {
		if v, ok := r.sent[name]; ok {
			p.Params = append(p.Params, authzParam{name, v})
		}
	}
	return p
}

// stepLogin checks the username and password, counting failures in the limits the token endpoints share.
// A 2FA user gets an SMS and the code page; anyone else the consent page.
func (o *oauthServer) stepLogin(c *gin.Context, r *authzRequest) error {
	ctx := c.Request.Context()
	username, password := r.fields["username"], r.fields["password"]
	user, addr := models.Fold(username), clientAddr(c.Request)
	if wait, err := o.authn.Limits.Check(ctx, user, addr); err != nil {
		return err
	} else if wait > 0 {
		c.Header("Retry-After", seconds(wait))
		return o.loginPage(c, r, http.StatusTooManyRequests, textTooMany, username, r.fields["csrf_token"])
	}
	if username == "" || password == "" {
		return o.loginPage(c, r, http.StatusOK, textBadLogin, username, r.fields["csrf_token"])
	}
	u, err := o.authn.PasswordLogin(ctx, username, password)
	if models.KindOf(err) == models.KindInvalid {
		o.metrics.SignIn("oauth", false)
		if err := o.authn.Limits.Fail(ctx, user, addr); err != nil {
			return err
		}
		return o.loginPage(c, r, http.StatusOK, textBadLogin, username, r.fields["csrf_token"])
	}
	if err != nil {
		return err
	}
	switch err := o.authn.SecondFactor(ctx, u, ""); {
	case errors.Is(err, auth.ErrCodeSent):
		ticket, err := o.authn.NewTicket(ctx, u, r.authorization(), models.StageOTP)
		if err != nil {
			return err
		}
		p := r.page("Enter your code")
		p.User, p.Ticket = u.Username, ticket
		return renderPage(c, http.StatusOK, tmplCode, p)
	case err != nil:
		return err
	}
	o.metrics.SignIn("oauth", true)
	if err := o.authn.Limits.Succeed(ctx, user, clientAddr(c.Request)); err != nil {
		return err
	}
	ticket, err := o.authn.NewTicket(ctx, u, r.authorization(), models.StageConsent)
	if err != nil {
		return err
	}
	return o.consentPage(c, r, u, ticket)
}

// stepCode checks the SMS code of a 2FA user. Wrong codes count in the limits, as at the token endpoints;
// an expired code (or one out of tries) ends the sign-in.
func (o *oauthServer) stepCode(c *gin.Context, r *authzRequest) error {
	ctx := c.Request.Context()
	secret := r.fields["login_ticket"]
	u, err := o.ticketUser(c, r, secret, models.StageOTP)
	if err != nil {
		return err
	}
	codePage := func(msg string) error {
		p := r.page("Enter your code")
		p.Message, p.User, p.Ticket = msg, u.Username, secret
		return renderPage(c, http.StatusOK, tmplCode, p)
	}
	code := strings.TrimSpace(r.fields["otp"])
	if code == "" {
		return codePage(textWrongCode)
	}
	user := models.Fold(u.Username)
	err = o.authn.SecondFactor(ctx, u, code)
	switch e := models.AsError(err); {
	case err == nil:
	case e.Kind == models.KindInvalid && e.Message == "The verification code has expired.":
		if err := o.authn.Limits.Fail(ctx, user, clientAddr(c.Request)); err != nil {
			return err
		}
		if _, err := o.authn.EndTicket(ctx, secret); err != nil && models.KindOf(err) != models.KindNotFound {
			return err
		}
		return o.loginPage(c, r, http.StatusOK, textOldCode, u.Username, r.fields["csrf_token"])
	case e.Kind == models.KindInvalid:
		if err := o.authn.Limits.Fail(ctx, user, clientAddr(c.Request)); err != nil {
			return err
		}
		return codePage(textWrongCode)
	default:
		return err
	}
	if err := o.authn.Limits.Succeed(ctx, user, clientAddr(c.Request)); err != nil {
		return err
	}
	if err := o.authn.AdvanceTicket(ctx, secret, models.StageConsent); err != nil {
		return err
	}
	return o.consentPage(c, r, u, secret)
}

// stepConsent ends the sign-in: allow makes the code and sends it to the client, deny sends access_denied.
// Either way the ticket is used up; anything but a decision shows the consent page again.
func (o *oauthServer) stepConsent(c *gin.Context, r *authzRequest) error {
	ctx := c.Request.Context()
	secret := r.fields["login_ticket"]
	u, err := o.ticketUser(c, r, secret, models.StageConsent)
	if err != nil {
		return err
	}
	switch r.fields["decision"] {
	case "allow":
		code, _, err := o.authn.IssueCode(ctx, secret)
		if err != nil {
			return err
		}
		return o.redirectTo(c, r, "code", code)
	case "deny":
		if _, err := o.authn.EndTicket(ctx, secret); err != nil {
			return err
		}
		return o.redirectError(c, r, &oauthError{http.StatusSeeOther, "access_denied", "The user denied the request.", ""})
	}
	return o.consentPage(c, r, u, secret)
}

// ticketUser returns the user of a live ticket issued for this very request and at this stage. Anything
// else (missing, expired, used, another request's, another stage) is the expired-sign-in page.
func (o *oauthServer) ticketUser(c *gin.Context, r *authzRequest, secret, stage string) (models.User, error) {
	expired := &pageError{http.StatusBadRequest, textTicketExpired}
	if secret == "" {
		return models.User{}, expired
	}
	t, err := o.authn.Ticket(c.Request.Context(), secret)
	if err != nil {
		return models.User{}, err
	}
	if !auth.Matches(t, r.authorization()) || t.Stage != stage {
		return models.User{}, expired
	}
	return o.store.UserByID(c.Request.Context(), t.UserID)
}

// loginPage shows the login form, with a message and the username as typed when there are.
func (o *oauthServer) loginPage(c *gin.Context, r *authzRequest, status int, msg, username, csrf string) error {
	p := r.page("Sign in")
	p.Message, p.Username, p.CSRF = msg, username, csrf
	return renderPage(c, status, tmplLogin, p)
}

// consentPage shows the client's name and the names of the files the user would grant now (oauth.md §4.3).
// Files that cannot be found are left out, as they are from the scope.
func (o *oauthServer) consentPage(c *gin.Context, r *authzRequest, u models.User, ticket string) error {
	ctx := c.Request.Context()
	_, ids, err := o.authn.GrantedScope(ctx, u.ID, r.sent["scope"])
	if err != nil {
		return err
	}
	p := r.page("Allow access")
	p.User, p.Ticket = u.Username, ticket
	for _, id := range ids {
		f, err := o.store.FileByID(ctx, id)
		switch {
		case models.KindOf(err) == models.KindNotFound:
			continue
		case err != nil:
			return err
		}
		p.Files = append(p.Files, f.Name)
	}
	return renderPage(c, http.StatusOK, tmplConsent, p)
}

// authzFailed answers an error of the endpoint. Before §4.1 A has passed (r nil) nothing may be redirected,
// so outages and bugs get a page too; after it they go to the client as temporarily_unavailable or
// server_error. Expired tickets and forms are pages either way.
func (o *oauthServer) authzFailed(c *gin.Context, r *authzRequest, err error) error {
	var pe *pageError
	if errors.As(err, &pe) {
		return errorPage(c, pe.status, pe.text)
	}
	kind := models.KindOf(err)
	if kind == models.KindNotFound && r != nil {
		return errorPage(c, http.StatusBadRequest, textTicketExpired) // the ticket went between two reads
	}
	if kind == models.KindUnavailable {
		if r != nil {
			return o.redirectError(c, r, &oauthError{http.StatusSeeOther, "temporarily_unavailable", textUnavailable, ""})
		}
		c.Header("Retry-After", "5")
		return errorPage(c, http.StatusServiceUnavailable, textUnavailable)
	}
	logUnexpected(o.log, c, err)
	if r != nil {
		return o.redirectError(c, r, &oauthError{http.StatusSeeOther, "server_error", textUnexpected, ""})
	}
	return errorPage(c, http.StatusInternalServerError, textUnexpected)
}

// redirectError sends an error to the client (oauth.md §4.2): error, error_description, then state.
func (o *oauthServer) redirectError(c *gin.Context, r *authzRequest, e *oauthError) error {
	return o.redirectTo(c, r, "error", e.code, "error_description", e.desc)
}

// redirectTo answers 303 to the request's redirect URI with the given name/value pairs, then state when it
// was sent, each form-encoded: the client decodes state to the bytes it sent.
func (o *oauthServer) redirectTo(c *gin.Context, r *authzRequest, pairs ...string) error {
	if state, ok := r.sent["state"]; ok {
		pairs = append(pairs, "state", state)
	}
	var b strings.Builder
	b.WriteString(r.redirect)
	switch {
	case strings.HasSuffix(r.redirect, "?") || (strings.Contains(r.redirect, "?") && strings.HasSuffix(r.redirect, "&")):
	case strings.Contains(r.redirect, "?"):
		b.WriteByte('&')
	default:
		b.WriteByte('?')
	}
	for i := 0; i+1 < len(pairs); i += 2 {
		if i > 0 {
			b.WriteByte('&')
		}
		b.WriteString(url.QueryEscape(pairs[i]) + "=" + url.QueryEscape(pairs[i+1]))
	}
	pageHeaders(c, pageCSP)
	c.Header("Location", b.String())
	c.Status(http.StatusSeeOther)
	return nil
}

// csrfMatches is the double-submit check of every POST: the cookie set by the GET and the form's
// csrf_token are both present and equal, compared in constant time.
func csrfMatches(c *gin.Context, token string) bool {
	ck, err := c.Request.Cookie(csrfCookie)
	if err != nil || ck.Value == "" || token == "" {
		return false
	}
	return subtle.ConstantTimeCompare([]byte(ck.Value), []byte(token)) == 1
}

// isAuthzName reports whether name is one of the authorization parameters.
func isAuthzName(name string) bool {
	for _, n := range authzNames {
		if n == name {
			return true
		}
	}
	return false
}

// validChallenge reports whether s can be an S256 challenge: 43 characters of base64url without padding.
func validChallenge(s string) bool {
	if len(s) != 43 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'A' && c <= 'Z', c >= 'a' && c <= 'z', c >= '0' && c <= '9', c == '-', c == '_':
		default:
			return false
		}
	}
	return true
}

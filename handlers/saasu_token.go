package handlers

import (
	"context"
	"errors"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/fileapi/fileapi/auth"
	"github.com/fileapi/fileapi/auth/authwire"
	"github.com/fileapi/fileapi/hal"
	"github.com/fileapi/fileapi/handlers/codec"
	"github.com/fileapi/fileapi/models"
)

// saasuTokens serves the Saasu authorisation endpoints: the password and refresh grants, and ping.
type saasuTokens struct {
	saasu   *saasuDialect
	authn   *auth.Authenticator
	metrics *Metrics
}

// grantError is an error of the token endpoints, answered as OAuthGrantRequestError (saasu.md §5.8).
type grantError struct {
	status     int
	code, desc string
	retryAfter string
	cause      error
}

func (e *grantError) Error() string { return e.code + ": " + e.desc }
func (e *grantError) Unwrap() error { return e.cause }

func badGrantRequest(desc string) *grantError {
	return &grantError{status: http.StatusBadRequest, code: "invalid_request", desc: desc}
}

// grantFields are the members of OAuthPasswordCredentialsGrantRequest and OAuthRefreshAccessTokenRequest.
type grantFields struct {
	grantType, username, password, verificationCode, refreshToken string
}

// fields reads the grant from the query (GET) or the body (POST: JSON, XML or form), names case-insensitive.
func (h *saasuTokens) fields(c *gin.Context) (grantFields, error) {
	var g grantFields
	targets := []struct {
		name string
		to   *string
	}{{"grant_type", &g.grantType}, {"username", &g.username}, {"password", &g.password},
		{"verification_code", &g.verificationCode}, {"refresh_token", &g.refreshToken}}
	if c.Request.Method == http.MethodGet {
		for _, t := range targets {
			*t.to, _ = authwire.QueryValue(c.Request.URL.RawQuery, t.name)
		}
		return g, nil
	}
	body, err := h.saasu.readBody(c)
	if err != nil {
		if models.KindOf(err) == models.KindInvalid {
			return g, badGrantRequest("The request body is not valid.")
		}
		return g, err // 413 and 415 keep their {"Message"} bodies
	}
	for _, t := range targets {
		if v, ok := body.Get(t.name); ok {
			s, _, ok := v.Str()
			if !ok || v.Kind == codec.KindObject {
				return g, badGrantRequest("The request body is not valid.")
			}
			*t.to = s
		}
	}
	return g, nil
}

// token serves /authorisation/token, /authorisation/token-2fa and /authorisation/refresh: all accept the
// password and the refresh grant (golang.org/x/oauth2 refreshes against the token URL; a Python client posts
// the password grant to /refresh). Any credential sent with the request is ignored.
func (h *saasuTokens) token(c *gin.Context) error {
	c.Header("Cache-Control", "no-store")
	c.Header("Pragma", "no-cache")
	g, err := h.fields(c)
	if err != nil {
		return err
	}
	ctx, addr := c.Request.Context(), clientAddr(c.Request)
	var grant auth.Grant
	switch g.grantType {
	case "":
		return badGrantRequest("The grant_type parameter is required.")
	case "password":
		grant, err = h.passwordGrant(ctx, g, addr)
	case "refresh_token":
		grant, err = h.refreshGrant(ctx, g, addr)
	default:
		return &grantError{status: http.StatusBadRequest, code: "unsupported_grant_type", desc: "The grant type is not supported."}
	}
	if err != nil {
		return err
	}
	refresh := grant.RefreshToken
	return h.saasu.render(c, http.StatusOK, hal.OAuthAccessTokenGrant{AccessToken: grant.AccessToken, TokenType: "Bearer",
		ExpiresIn: grant.ExpiresIn, RefreshToken: &refresh, Scope: grant.Scope})
}

// passwordGrant signs in with a username and password, and the SMS code of a user with two-factor
// authentication (asked for, and sent, when missing), under the credential limits.
func (h *saasuTokens) passwordGrant(ctx context.Context, g grantFields, addr string) (auth.Grant, error) {
	if g.username == "" || g.password == "" {
		return auth.Grant{}, badGrantRequest("The username and password parameters are required.")
	}
	user := models.Fold(g.username)
	if err := h.limited(ctx, user, addr); err != nil {
		return auth.Grant{}, err
	}
	u, err := h.authn.PasswordLogin(ctx, g.username, g.password)
	if err == nil {
		err = h.authn.SecondFactor(ctx, u, g.verificationCode)
	}
	switch {
	case errors.Is(err, auth.ErrCodeSent):
		return auth.Grant{}, &grantError{status: http.StatusUnauthorized, code: "2fa_code_required", desc: auth.ErrCodeSent.Message}
	case err != nil:
		h.metrics.SignIn("saasu", false)
		return auth.Grant{}, h.failed(ctx, user, addr, err)
	}
	h.metrics.SignIn("saasu", true)
	if err := h.authn.Limits.Succeed(ctx, user, addr); err != nil {
		return auth.Grant{}, err
	}
	grant, err := h.authn.IssueSaasu(ctx, u)
	if err == nil {
		h.metrics.TokenIssued("password")
	}
	return grant, err
}

// refreshGrant replaces the access token of a refresh token, under the per-address credential limit.
func (h *saasuTokens) refreshGrant(ctx context.Context, g grantFields, addr string) (auth.Grant, error) {
	if g.refreshToken == "" {
		return auth.Grant{}, badGrantRequest("The refresh_token parameter is required.")
	}
	if err := h.limited(ctx, "", addr); err != nil {
		return auth.Grant{}, err
	}
	grant, err := h.authn.RefreshSaasu(ctx, g.refreshToken)
	if err != nil {
		return auth.Grant{}, h.failed(ctx, "", addr, err)
	}
	h.metrics.TokenIssued("refresh_token")
	return grant, nil
}

// limited refuses a credential check when the username or the address is at its limit: the credential is
// then not checked at all. Requests that offer no credential are never limited.
func (h *saasuTokens) limited(ctx context.Context, user, addr string) error {
	if wait, err := h.authn.Limits.Check(ctx, user, addr); err != nil {
		return err
	} else if wait > 0 {
		return &grantError{status: http.StatusTooManyRequests, code: "too_many_requests",
			desc: "Too many failed attempts. Try again later.", retryAfter: seconds(wait)}
	}
	return nil
}

// failed counts a refused credential towards the limits and answers invalid_grant with its message;
// outages and bugs pass through uncounted.
func (h *saasuTokens) failed(ctx context.Context, user, addr string, err error) error {
	if e := models.AsError(err); e.Kind == models.KindInvalid {
		if err := h.authn.Limits.Fail(ctx, user, addr); err != nil {
			return err
		}
		return &grantError{status: http.StatusBadRequest, code: "invalid_grant", desc: e.Message}
	}
	return err
}

// ping answers true to a caller that §3 authorises for the FileId.
func (h *saasuTokens) ping(c *gin.Context, p auth.Principal) error {
	return h.saasu.render(c, http.StatusOK, hal.Boolean(true))
}

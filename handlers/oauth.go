package handlers

import (
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/fileapi/fileapi/auth"
	"github.com/fileapi/fileapi/auth/authwire"
	"github.com/fileapi/fileapi/handlers/wire"
	"github.com/fileapi/fileapi/models"
)

// oauthServer is the standard OAuth 2.0 authorization server for partner apps (oauth.md).
type oauthServer struct {
	log     *slog.Logger
	authn   *auth.Authenticator
	store   *models.Store
	links   linker
	metrics *Metrics
}

// oauthError is an RFC 6749 §5.2 error: {"error","error_description"}.
type oauthError struct {
	status     int
	code, desc string
	retryAfter string
}

func (e *oauthError) Error() string { return e.code + ": " + e.desc }

var (
	errOAuthRequest  = &oauthError{http.StatusBadRequest, "invalid_request", "The request is missing a required parameter, repeats one, or is not form-encoded.", ""}
	errOAuthTwoAuths = &oauthError{http.StatusBadRequest, "invalid_request", "Use exactly one client authentication method.", ""}
	errOAuthClient   = &oauthError{http.StatusUnauthorized, "invalid_client", "Client authentication failed.", ""}
	errOAuthTooLarge = &oauthError{http.StatusRequestEntityTooLarge, "invalid_request", "The request body is too large.", ""}
)

// oauthJSON is the one content type of every /oauth/v2 JSON answer (oauth.md §5.3).
const oauthJSON = "application/json;charset=UTF-8"

// handle adapts an oauth handler to gin, writing the RFC 6749 error body for any error it returns.
func (o *oauthServer) handle(h func(c *gin.Context) error) gin.HandlerFunc {
	return func(c *gin.Context) {
		if err := h(c); err != nil && !disconnected(o.log, c) {
			o.fail(c, err)
		}
	}
}

// fail is the one table from error to status and body for /oauth/v2 and /.well-known.
func (o *oauthServer) fail(c *gin.Context, err error) {
	c.Header("Cache-Control", "no-store")
	c.Header("Pragma", "no-cache")
	var oe *oauthError
	if !errors.As(err, &oe) {
		switch e := models.AsError(err); e.Kind {
		case models.KindUnavailable:
			c.Header("Retry-After", "5")
			oe = &oauthError{http.StatusServiceUnavailable, "temporarily_unavailable", "The service is temporarily unavailable.", ""}
		default:
			logUnexpected(o.log, c, err)
			oe = &oauthError{http.StatusInternalServerError, "server_error", "An unexpected error occurred.", ""}
		}
	}
	if oe.status == http.StatusUnauthorized {
		c.Header("WWW-Authenticate", `Basic realm="fileapi"`)
	}
	if oe.retryAfter != "" {
		c.Header("Retry-After", oe.retryAfter)
	}
	o.json(c, oe.status, struct {
		Error            string `json:"error"`
		ErrorDescription string `json:"error_description"`
	}{oe.code, oe.desc})
}

func (o *oauthServer) json(c *gin.Context, status int, v any) {
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v)
	c.Data(status, oauthJSON, []byte(strings.TrimSuffix(b.String(), "\n")))
}

// oauthAllow lists the methods of each /oauth/v2 and /.well-known path.
var oauthAllow = map[string]string{
	"/oauth/v2/authorize":                     "GET, POST",
	"/oauth/v2/token":                         "POST",
	"/oauth/v2/revoke":                        "POST",
	"/oauth/v2/introspect":                    "POST",
	"/.well-known/oauth-authorization-server": "GET",
}

func (o *oauthServer) noRoute(c *gin.Context) error {
	return &oauthError{http.StatusNotFound, "not_found", "The endpoint does not exist.", ""}
}

func (o *oauthServer) noMethod(c *gin.Context) error {
	if allow, ok := oauthAllow[c.Request.URL.Path]; ok {
		c.Header("Allow", allow)
	}
	return &oauthError{http.StatusMethodNotAllowed, "invalid_request", "The HTTP method is not allowed here.", ""}
}

// form reads an application/x-www-form-urlencoded body of at most MaxBody bytes in which no parameter repeats
// (RFC 6749 §3.2; wire.FormType and wire.FormValues). The query is ignored.
func form(c *gin.Context) (map[string]string, error) {
	if !wire.FormType(c.GetHeader("Content-Type")) {
		return nil, errOAuthRequest
	}
	raw, tooLarge, err := readBody(c.Request)
	switch {
	case tooLarge:
		return nil, errOAuthTooLarge
	case err != nil:
		return nil, errOAuthRequest
	}
	out, ok := wire.FormValues(raw)
	if !ok {
		return nil, errOAuthRequest
	}
	return out, nil
}

// request reads the form of a token, revoke or introspect request and authenticates its client. Every answer
// of these endpoints is no-store.
func (o *oauthServer) request(c *gin.Context) (map[string]string, models.OAuthClient, error) {
	c.Header("Cache-Control", "no-store")
	f, err := form(c)
	if err != nil {
		return nil, models.OAuthClient{}, err
	}
	cl, err := o.client(c, f)
	return f, cl, err
}

// client authenticates the client of a token, revoke or introspect request. Failures count towards the
// per-address credential limit; at the limit nothing is checked.
func (o *oauthServer) client(c *gin.Context, f map[string]string) (models.OAuthClient, error) {
	ctx, addr := c.Request.Context(), clientAddr(c.Request)
	if wait, err := o.authn.Limits.Check(ctx, "", addr); err != nil {
		return models.OAuthClient{}, err
	} else if wait > 0 {
		return models.OAuthClient{}, &oauthError{http.StatusTooManyRequests, "too_many_requests", "Too many failed attempts. Try again later.", seconds(wait)}
	}
	secret, hasSecret := f["client_secret"]
	cl, err := o.authn.AuthenticateClient(ctx, authwire.ClientCredentials{
		Authorization: c.GetHeader("Authorization"), BodyID: f["client_id"], BodySecret: secret, HasBodySecret: hasSecret,
	})
	var ce *authwire.ClientError
	switch {
	case errors.As(err, &ce) && ce.InvalidRequest:
		return cl, errOAuthTwoAuths
	case errors.As(err, &ce):
		if err := o.authn.Limits.Fail(ctx, "", addr); err != nil {
			return cl, err
		}
		return cl, errOAuthClient
	}
	return cl, err
}

// tokenResponse is a successful token answer (oauth.md §5.3), members in this order.
type tokenResponse struct {
	AccessToken  string `json:"access_token"`
	TokenType    string `json:"token_type"`
	ExpiresIn    int64  `json:"expires_in"`
	RefreshToken string `json:"refresh_token,omitempty"`
	Scope        string `json:"scope"`
}

// token serves POST /oauth/v2/token. Client authentication runs first; a failed request consumes nothing.
func (o *oauthServer) token(c *gin.Context) error {
	c.Header("Pragma", "no-cache")
	f, cl, err := o.request(c)
	if err != nil {
		return err
	}
	var g auth.Grant
	switch f["grant_type"] {
	case "":
		return errOAuthRequest
	case "client_credentials":
		if cl.Public || cl.ServiceAccountUserID == nil {
			return &oauthError{http.StatusBadRequest, "unauthorized_client", "This client may not use this grant type.", ""}
		}
		if g, err = o.authn.IssueClientCredentials(c.Request.Context(), cl, f["scope"]); err != nil {
			return err
		}
	case "authorization_code":
		code := f["code"]
		if code == "" {
			return errOAuthRequest
		}
		if g, err = o.authn.ExchangeCode(c.Request.Context(), cl, code, optional(f, "redirect_uri"), optional(f, "code_verifier")); err != nil {
			return o.refused(c, err)
		}
	case "refresh_token":
		rt := f["refresh_token"]
		if rt == "" {
			return errOAuthRequest
		}
		if g, err = o.authn.RotateRefresh(c.Request.Context(), cl, rt); err != nil {
			return o.refused(c, err)
		}
	default:
		// The password grant lives at /authorisation/token.
		return &oauthError{http.StatusBadRequest, "unsupported_grant_type", "The grant type is not supported.", ""}
	}
	o.metrics.TokenIssued(f["grant_type"]) // one of the three above
	o.json(c, http.StatusOK, tokenResponse{AccessToken: g.AccessToken, TokenType: "Bearer", ExpiresIn: g.ExpiresIn, RefreshToken: g.RefreshToken, Scope: g.Scope})
	return nil
}

// optional returns a form parameter that may be absent, telling absent from empty.
func optional(f map[string]string, name string) *string {
	if v, ok := f[name]; ok {
		return &v
	}
	return nil
}

// refused answers a refused grant as invalid_grant with its message, counted towards the per-address limit;
// outages and bugs pass through.
func (o *oauthServer) refused(c *gin.Context, err error) error {
	if e := models.AsError(err); e.Kind == models.KindInvalid {
		if err := o.authn.Limits.Fail(c.Request.Context(), "", clientAddr(c.Request)); err != nil {
			return err
		}
		return &oauthError{http.StatusBadRequest, "invalid_grant", e.Message, ""}
	}
	return err
}

// metadata serves GET /.well-known/oauth-authorization-server (RFC 8414).
func (o *oauthServer) metadata(c *gin.Context) error {
	iss := o.links.base(c.Request)
	c.Header("Cache-Control", "max-age=3600")
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	methods := []string{"client_secret_basic", "client_secret_post", "none"}
	_ = enc.Encode(struct {
		Issuer                   string   `json:"issuer"`
		Authorization            string   `json:"authorization_endpoint"`
		Token                    string   `json:"token_endpoint"`
		Revocation               string   `json:"revocation_endpoint"`
		Introspection            string   `json:"introspection_endpoint"`
		ResponseTypes            []string `json:"response_types_supported"`
		ResponseModes            []string `json:"response_modes_supported"`
		GrantTypes               []string `json:"grant_types_supported"`
		TokenAuthMethods         []string `json:"token_endpoint_auth_methods_supported"`
		RevocationAuthMethods    []string `json:"revocation_endpoint_auth_methods_supported"`
		IntrospectionAuthMethods []string `json:"introspection_endpoint_auth_methods_supported"`
		CodeChallengeMethods     []string `json:"code_challenge_methods_supported"`
	}{iss, iss + "/oauth/v2/authorize", iss + "/oauth/v2/token", iss + "/oauth/v2/revoke", iss + "/oauth/v2/introspect",
		[]string{"code"}, []string{"query"}, []string{"authorization_code", "refresh_token", "client_credentials"},
		methods, methods, methods[:2], []string{"S256"}})
	c.Data(http.StatusOK, "application/json", []byte(strings.TrimSuffix(b.String(), "\n")))
	return nil
}

// revoke serves POST /oauth/v2/revoke (RFC 7009): 200 with an empty body whether or not the token existed.
// A refresh token takes its whole family with it; an access token only itself. Tokens of other clients and
// Saasu-issued tokens are left alone.
func (o *oauthServer) revoke(c *gin.Context) error {
	f, cl, err := o.request(c)
	if err != nil {
		return err
	}
	tok := f["token"]
	if tok == "" {
		return errOAuthRequest
	}
	ti, err := o.store.TokenByHash(c.Request.Context(), auth.HashSecret(tok))
	switch {
	case models.KindOf(err) == models.KindNotFound:
	case err != nil:
		return err
	case ti.Token.ClientID == nil || *ti.Token.ClientID != cl.ClientID:
	case ti.Refresh && ti.Token.FamilyID != nil:
		err = o.store.RevokeFamily(c.Request.Context(), *ti.Token.FamilyID)
	default:
		err = o.store.ExpireAccess(c.Request.Context(), ti.Token.ID)
	}
	if err != nil && models.KindOf(err) != models.KindNotFound {
		return err
	}
	c.Status(http.StatusOK)
	return nil
}

// introspection is an RFC 7662 answer, members in the order of oauth.md §7.
type introspection struct {
	Active    bool   `json:"active"`
	Scope     string `json:"scope,omitempty"`
	ClientID  string `json:"client_id,omitempty"`
	Username  string `json:"username,omitempty"`
	TokenType string `json:"token_type,omitempty"`
	Exp       int64  `json:"exp,omitempty"`
	Iat       int64  `json:"iat,omitempty"`
	Sub       string `json:"sub,omitempty"`
	Iss       string `json:"iss,omitempty"`
}

// introspect serves POST /oauth/v2/introspect for confidential clients, about their own tokens only.
func (o *oauthServer) introspect(c *gin.Context) error {
	f, cl, err := o.request(c)
	if err != nil {
		return err
	}
	if cl.Public {
		return errOAuthClient
	}
	tok := f["token"]
	if tok == "" {
		return errOAuthRequest
	}
	ti, err := o.store.TokenByHash(c.Request.Context(), auth.HashSecret(tok))
	if models.KindOf(err) == models.KindNotFound || (err == nil && (ti.Token.ClientID == nil || *ti.Token.ClientID != cl.ClientID || !ti.Active(o.store.Now()))) {
		o.json(c, http.StatusOK, introspection{Active: false})
		return nil
	}
	if err != nil {
		return err
	}
	out := introspection{Active: true, Scope: ti.Token.Scope, ClientID: cl.ClientID, Username: ti.User.Username,
		Iat: ti.Token.CreatedAt.Unix(), Sub: itoa(ti.User.ID), Iss: o.links.base(c.Request)}
	if ti.Refresh {
		out.Exp = ti.Token.RefreshExpiresAt.Unix()
	} else {
		out.TokenType, out.Exp = "Bearer", ti.Token.ExpiresAt.Unix()
	}
	o.json(c, http.StatusOK, out)
	return nil
}

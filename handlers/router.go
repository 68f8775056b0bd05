// Package handlers is the HTTP surface of fileapi: the router, one file per dialect and resource, request
// decoding, and the error → status mapping of each dialect.
package handlers

import (
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/fileapi/fileapi/auth"
	"github.com/fileapi/fileapi/models"
)

// MaxBody is the largest request body any route reads (1 MiB → 413 in every dialect).
const MaxBody = 1 << 20

// readBody reads a request body of at most MaxBody bytes. tooLarge is true, and nothing is read, when the
// request declares a longer body: it is answered 413 at once, not after waiting for gigabytes that may never
// come. An undeclared (chunked) body is read up to MaxBody+1 bytes to tell.
func readBody(r *http.Request) (raw []byte, tooLarge bool, err error) {
	if r.ContentLength > MaxBody {
		return nil, true, nil
	}
	raw, err = io.ReadAll(io.LimitReader(r.Body, MaxBody+1))
	return raw, len(raw) > MaxBody, err
}

// Config holds what the HTTP surface depends on.
type Config struct {
	Store *models.Store
	// PublicURL is the base of every link href; empty means the request's scheme and host.
	PublicURL string
	// ListenAddr is the server's own address (host:port). Without PublicURL, links sent by e-mail or SMS are
	// based on it: never on the request's Host (anybody can send any Host). Empty means 127.0.0.1:8080.
	ListenAddr string
	Logger     *slog.Logger
	// AccessLog takes the one line per request; nil means Logger.
	AccessLog *slog.Logger
	// Metrics, when set, counts requests, sign-ins, tokens and refusals.
	Metrics *Metrics
}

// New builds the whole HTTP surface: every route of every dialect, behind the path normaliser.
func New(cfg Config) http.Handler {
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.AccessLog == nil {
		cfg.AccessLog = cfg.Logger
	}
	cfg.PublicURL = strings.TrimRight(cfg.PublicURL, "/")
	gin.SetMode(gin.ReleaseMode)
	r := gin.New()
	// Saasu clients follow no redirect: routes answer where they are asked (see normalisePath).
	r.RedirectTrailingSlash = false
	r.RedirectFixedPath = false
	r.HandleMethodNotAllowed = true
	r.ContextWithFallback = true
	// Client addresses (for logs and rate limits) are the connection's: no proxy headers are trusted.
	_ = r.SetTrustedProxies(nil)

	authn := &auth.Authenticator{Store: cfg.Store, Limits: auth.NewLimiter(cfg.Store)}
	authn.Limits.OnRefuse = cfg.Metrics.Refused
	links := linker{publicURL: cfg.PublicURL, listenAddr: cfg.ListenAddr}
	saasu := &saasuDialect{log: cfg.Logger, authn: authn, metrics: cfg.Metrics}
	users := &saasuUsers{saasu: saasu, store: cfg.Store, links: links}

	oauth := &oauthServer{log: cfg.Logger, authn: authn, store: cfg.Store, links: links, metrics: cfg.Metrics}
	zitadel := &zitadelDialect{log: cfg.Logger}
	workspace := &workspaceDialect{log: cfg.Logger, authn: authn, store: cfg.Store, metrics: cfg.Metrics}
	// A panic is answered as an internal error in the dialect that owns the path.
	panicked := func(*gin.Context) error { return errPanic }
	r.Use(requestID(), accessLog(cfg.AccessLog))
	if cfg.Metrics != nil {
		r.Use(cfg.Metrics.observe())
	}
	r.Use(recovery(cfg.Logger,
		byDialect(saasu.chooseFormat, saasu.handle(panicked), oauth.handle(panicked), zitadel.handle(panicked), workspace.handle(panicked))))

	s := r.Group("/", saasu.negotiate())
	s.GET("/User", saasu.authenticated(users.get))
	s.PUT("/User", saasu.authenticated(users.put))
	tokens := &saasuTokens{saasu: saasu, authn: authn, metrics: cfg.Metrics}
	s.POST("/authorisation/token", saasu.handle(tokens.token))
	s.GET("/authorisation/token", saasu.handle(tokens.token))
	s.POST("/authorisation/token-2fa", saasu.handle(tokens.token))
	s.POST("/authorisation/refresh", saasu.handle(tokens.token))
	s.GET("/authorisation/ping", saasu.authenticated(tokens.ping))
	creds := &saasuCredentials{saasu: saasu, store: cfg.Store}
	reset := &saasuReset{saasu: saasu, store: cfg.Store, links: links, log: cfg.Logger,
		limits: auth.NewLimiterOf(cfg.Store, "reset-password", 3, 20, time.Hour)}
	reset.limits.OnRefuse = cfg.Metrics.Refused
	s.POST("/User/reset-password", saasu.handle(reset.request))
	r.GET("/password-reset", reset.serve)
	r.POST("/password-reset", reset.serve)
	s.POST("/User/change-username", saasu.authenticated(creds.changeUsername))
	s.POST("/User/change-password", saasu.authenticated(creds.changePassword))
	twoFA := &saasu2FA{saasu: saasu, store: cfg.Store, creds: creds}
	s.POST("/User/opt-in-to-2fa", saasu.authenticated(twoFA.optIn))
	s.POST("/User/verify-2fa-opt-in", saasu.authenticated(twoFA.verify))
	s.POST("/User/opt-out-from-2fa", saasu.authenticated(twoFA.optOut))
	files := &saasuFiles{saasu: saasu, authn: authn, store: cfg.Store, links: links}
	s.GET("/FileIdentities", saasu.handle(files.list))
	s.GET("/FileIdentity", saasu.authenticated(files.detail))

	r.GET("/oauth/v2/authorize", oauth.handle(oauth.authorize))
	r.POST("/oauth/v2/authorize", oauth.handle(oauth.authorize))
	r.POST("/oauth/v2/token", oauth.handle(oauth.token))
	r.POST("/oauth/v2/revoke", oauth.handle(oauth.revoke))
	r.POST("/oauth/v2/introspect", oauth.handle(oauth.introspect))
	r.GET("/.well-known/oauth-authorization-server", oauth.handle(oauth.metadata))
	r.GET("/openapi.yaml", serveOpenAPI)
	r.HEAD("/openapi.yaml", serveOpenAPI)

	profiles := &zitadelProfiles{z: zitadel, authn: authn, store: cfg.Store}
	r.GET("/auth/v1/users/me/profile", zitadel.handle(profiles.getMine))
	r.PUT("/auth/v1/users/me/profile", zitadel.handle(profiles.putMine))
	r.GET("/management/v1/users/:userId/profile", zitadel.handle(profiles.getHuman))
	r.PUT("/management/v1/users/:userId/profile", zitadel.handle(profiles.putHuman))

	wsProfiles := &workspaceProfiles{ws: workspace, store: cfg.Store}
	wsSessions := &workspaceSessions{ws: workspace, authn: authn, store: cfg.Store, metrics: cfg.Metrics}
	r.GET("/api/workspace/account/profile", workspace.authenticated(wsProfiles.get))
	r.PUT("/api/workspace/account/profile", workspace.authenticated(wsProfiles.put))
	r.POST("/api/workspace/account/change-password", workspace.authenticated(wsSessions.changePassword))
	r.POST("/api/workspace/auth/login", workspace.handle(wsSessions.login))
	r.GET("/api/workspace/auth/me", workspace.authenticated(wsSessions.me))

	r.NoRoute(byDialect(saasu.chooseFormat, saasu.handle(saasu.noRoute), oauth.handle(oauth.noRoute), zitadel.handle(zitadel.noRoute),
		workspace.handle(workspace.noRoute)))
	r.NoMethod(byDialect(saasu.chooseFormat, saasu.handle(saasu.noMethod), oauth.handle(oauth.noMethod), zitadel.handle(zitadel.noMethod),
		workspace.handle(workspace.noMethod)))

	return normalisePath(r)
}

// byDialect answers an unrouted request in the dialect that owns its path: the OAuth server's for /oauth/v2/
// and /.well-known/, ZITADEL's for /auth/v1/ and /management/v1/, the workspace API's for /api/workspace/
// (in canonical case: see normaliseWorkspace), Saasu's for everything else.
func byDialect(negotiate func(*gin.Context), saasu, oauth, zitadel, workspace gin.HandlerFunc) gin.HandlerFunc {
	return func(c *gin.Context) {
		p := c.Request.URL.Path
		if strings.HasPrefix(p, workspacePrefix) {
			workspace(c)
			return
		}
		if strings.HasPrefix(p, "/auth/v1/") || strings.HasPrefix(p, "/management/v1/") {
			zitadel(c)
			return
		}
		if strings.HasPrefix(p, "/oauth/v2/") || strings.HasPrefix(p, "/.well-known/") {
			oauth(c)
			return
		}
		negotiate(c)
		saasu(c)
	}
}

// itoa formats an id.
func itoa(id int64) string { return strconv.FormatInt(id, 10) }

// linker builds absolute link hrefs.
type linker struct{ publicURL, listenAddr string }

// sent is the base of a link sent by e-mail or SMS: FILEAPI_PUBLIC_URL, else http:// and the server's own
// listen address. Never the request's Host or X-Forwarded-*: a reset link built from them would send the
// victim's token to whoever sent the request.
func (l linker) sent() string {
	switch {
	case l.publicURL != "":
		return l.publicURL
	case l.listenAddr != "":
		return "http://" + l.listenAddr
	}
	return "http://127.0.0.1:8080"
}

// secure reports whether links (and so cookies) go over https.
func (l linker) secure(r *http.Request) bool { return strings.HasPrefix(l.base(r), "https://") }

// base is FILEAPI_PUBLIC_URL, else the scheme of this connection and the request Host.
// X-Forwarded-* headers are not trusted.
func (l linker) base(r *http.Request) string {
	if l.publicURL != "" {
		return l.publicURL
	}
	scheme := "http://"
	if r.TLS != nil {
		scheme = "https://"
	}
	return scheme + r.Host
}

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

// ServeGCPercent is the garbage collector's target in a process that serves these handlers: `fileapi serve`
// sets it unless GOGC is set, and make bench measures with it. The live heap of a request server is small and
// its garbage is per request: collecting at 4x the live heap instead of 2x halves the collector's share of the
// CPU for a few MiB more.
const ServeGCPercent = 400

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

	a := newAPI(cfg)
	// A panic is answered as an internal error in the dialect that owns the path.
	panicked := func(*gin.Context) error { return errPanic }
	r.Use(requestID(), accessLog(cfg.AccessLog))
	if cfg.Metrics != nil {
		r.Use(cfg.Metrics.observe())
	}
	r.Use(recovery(cfg.Logger, byDialect(a.saasu.chooseFormat, a.saasu.handle(panicked), a.oauth.handle(panicked),
		a.zitadel.handle(panicked), a.workspace.handle(panicked))))
	negotiate := a.saasu.negotiate()
	for _, rt := range routes {
		h := rt.handler(a)
		if rt.surface == surfaceSaasu {
			r.Handle(rt.method, rt.path, negotiate, h)
		} else {
			r.Handle(rt.method, rt.path, h)
		}
	}
	r.NoRoute(byDialect(a.saasu.chooseFormat, a.saasu.handle(a.saasu.noRoute), a.oauth.handle(a.oauth.noRoute),
		a.zitadel.handle(a.zitadel.noRoute), a.workspace.handle(a.workspace.noRoute)))
	r.NoMethod(byDialect(a.saasu.chooseFormat, a.saasu.handle(a.saasu.noMethod), a.oauth.handle(a.oauth.noMethod),
		a.zitadel.handle(a.zitadel.noMethod), a.workspace.handle(a.workspace.noMethod)))
	return normalisePath(r)
}

// api holds the handlers of every route, each with the dependencies it names, built once by New.
type api struct {
	saasu      *saasuDialect
	users      *saasuUsers
	tokens     *saasuTokens
	creds      *saasuCredentials
	reset      *saasuReset
	twoFA      *saasu2FA
	files      *saasuFiles
	oauth      *oauthServer
	zitadel    *zitadelDialect
	profiles   *zitadelProfiles
	workspace  *workspaceDialect
	wsProfiles *workspaceProfiles
	wsSessions *workspaceSessions
}

func newAPI(cfg Config) *api {
	authn := &auth.Authenticator{Store: cfg.Store, Limits: auth.NewLimiter(cfg.Store)}
	authn.Limits.OnRefuse = cfg.Metrics.Refused
	links := linker{publicURL: cfg.PublicURL, listenAddr: cfg.ListenAddr}
	saasu := &saasuDialect{log: cfg.Logger, authn: authn, metrics: cfg.Metrics}
	workspace := &workspaceDialect{log: cfg.Logger, authn: authn, store: cfg.Store, metrics: cfg.Metrics}
	zitadel := &zitadelDialect{log: cfg.Logger}
	creds := &saasuCredentials{saasu: saasu, store: cfg.Store}
	reset := &saasuReset{saasu: saasu, store: cfg.Store, links: links, log: cfg.Logger,
		limits: auth.NewLimiterOf(cfg.Store, "reset-password", 3, 20, time.Hour)}
	reset.limits.OnRefuse = cfg.Metrics.Refused
	return &api{
		saasu:      saasu,
		users:      &saasuUsers{saasu: saasu, store: cfg.Store, links: links},
		tokens:     &saasuTokens{saasu: saasu, authn: authn, metrics: cfg.Metrics},
		creds:      creds,
		reset:      reset,
		twoFA:      &saasu2FA{saasu: saasu, store: cfg.Store, creds: creds},
		files:      &saasuFiles{saasu: saasu, authn: authn, store: cfg.Store, links: links},
		oauth:      &oauthServer{log: cfg.Logger, authn: authn, store: cfg.Store, links: links, metrics: cfg.Metrics},
		zitadel:    zitadel,
		profiles:   &zitadelProfiles{z: zitadel, authn: authn, store: cfg.Store},
		workspace:  workspace,
		wsProfiles: &workspaceProfiles{ws: workspace, store: cfg.Store},
		wsSessions: &workspaceSessions{ws: workspace, authn: authn, store: cfg.Store, metrics: cfg.Metrics},
	}
}

// surface is the part of the server a route belongs to: it decides how the route's path is normalised
// (normalisePath) and, for Saasu, that the response format is negotiated first.
type surface uint8

const (
	surfaceSaasu     surface = iota // Saasu API v2: case-insensitive paths, one trailing slash, negotiated format
	surfaceWorkspace                // the workspace API: case-insensitive paths, one trailing slash
	surfaceExact                    // OAuth, ZITADEL, the reset pages, the OpenAPI document: paths as registered
)

// route is one row of the route table.
type route struct {
	surface      surface
	method, path string
	handler      func(*api) gin.HandlerFunc
}

// routes is the one route table: every method and path the server answers, and its handler. The path
// normaliser's tables (saasuRoutes, workspaceRoutes) and the Allow headers of 405 answers are built from it.
var routes = []route{
	{surfaceSaasu, http.MethodGet, "/User", func(a *api) gin.HandlerFunc { return a.saasu.authenticated(a.users.get) }},
	{surfaceSaasu, http.MethodPut, "/User", func(a *api) gin.HandlerFunc { return a.saasu.authenticated(a.users.put) }},
	{surfaceSaasu, http.MethodPost, "/authorisation/token", func(a *api) gin.HandlerFunc { return a.saasu.handle(a.tokens.token) }},
	{surfaceSaasu, http.MethodGet, "/authorisation/token", func(a *api) gin.HandlerFunc { return a.saasu.handle(a.tokens.token) }},
	{surfaceSaasu, http.MethodPost, "/authorisation/token-2fa", func(a *api) gin.HandlerFunc { return a.saasu.handle(a.tokens.token) }},
	{surfaceSaasu, http.MethodPost, "/authorisation/refresh", func(a *api) gin.HandlerFunc { return a.saasu.handle(a.tokens.token) }},
	{surfaceSaasu, http.MethodGet, "/authorisation/ping", func(a *api) gin.HandlerFunc { return a.saasu.authenticated(a.tokens.ping) }},
	{surfaceSaasu, http.MethodPost, "/User/reset-password", func(a *api) gin.HandlerFunc { return a.saasu.handle(a.reset.request) }},
	{surfaceSaasu, http.MethodPost, "/User/change-username", func(a *api) gin.HandlerFunc { return a.saasu.authenticated(a.creds.changeUsername) }},
	{surfaceSaasu, http.MethodPost, "/User/change-password", func(a *api) gin.HandlerFunc { return a.saasu.authenticated(a.creds.changePassword) }},
	{surfaceSaasu, http.MethodPost, "/User/opt-in-to-2fa", func(a *api) gin.HandlerFunc { return a.saasu.authenticated(a.twoFA.optIn) }},
	{surfaceSaasu, http.MethodPost, "/User/verify-2fa-opt-in", func(a *api) gin.HandlerFunc { return a.saasu.authenticated(a.twoFA.verify) }},
	{surfaceSaasu, http.MethodPost, "/User/opt-out-from-2fa", func(a *api) gin.HandlerFunc { return a.saasu.authenticated(a.twoFA.optOut) }},
	{surfaceSaasu, http.MethodGet, "/FileIdentities", func(a *api) gin.HandlerFunc { return a.saasu.handle(a.files.list) }},
	{surfaceSaasu, http.MethodGet, "/FileIdentity", func(a *api) gin.HandlerFunc { return a.saasu.authenticated(a.files.detail) }},

	{surfaceExact, http.MethodGet, "/password-reset", func(a *api) gin.HandlerFunc { return a.reset.serve }},
	{surfaceExact, http.MethodPost, "/password-reset", func(a *api) gin.HandlerFunc { return a.reset.serve }},

	{surfaceExact, http.MethodGet, "/oauth/v2/authorize", func(a *api) gin.HandlerFunc { return a.oauth.handle(a.oauth.authorize) }},
	{surfaceExact, http.MethodPost, "/oauth/v2/authorize", func(a *api) gin.HandlerFunc { return a.oauth.handle(a.oauth.authorize) }},
	{surfaceExact, http.MethodPost, "/oauth/v2/token", func(a *api) gin.HandlerFunc { return a.oauth.handle(a.oauth.token) }},
	{surfaceExact, http.MethodPost, "/oauth/v2/revoke", func(a *api) gin.HandlerFunc { return a.oauth.handle(a.oauth.revoke) }},
	{surfaceExact, http.MethodPost, "/oauth/v2/introspect", func(a *api) gin.HandlerFunc { return a.oauth.handle(a.oauth.introspect) }},
	{surfaceExact, http.MethodGet, "/.well-known/oauth-authorization-server", func(a *api) gin.HandlerFunc { return a.oauth.handle(a.oauth.metadata) }},
	{surfaceExact, http.MethodGet, "/openapi.yaml", func(*api) gin.HandlerFunc { return serveOpenAPI }},
	{surfaceExact, http.MethodHead, "/openapi.yaml", func(*api) gin.HandlerFunc { return serveOpenAPI }},

	{surfaceExact, http.MethodGet, "/auth/v1/users/me/profile", func(a *api) gin.HandlerFunc { return a.zitadel.handle(a.profiles.getMine) }},
	{surfaceExact, http.MethodPut, "/auth/v1/users/me/profile", func(a *api) gin.HandlerFunc { return a.zitadel.handle(a.profiles.putMine) }},
	{surfaceExact, http.MethodGet, "/management/v1/users/:userId/profile", func(a *api) gin.HandlerFunc { return a.zitadel.handle(a.profiles.getHuman) }},
	{surfaceExact, http.MethodPut, "/management/v1/users/:userId/profile", func(a *api) gin.HandlerFunc { return a.zitadel.handle(a.profiles.putHuman) }},

	{surfaceWorkspace, http.MethodGet, "/api/workspace/account/profile", func(a *api) gin.HandlerFunc { return a.workspace.authenticated(a.wsProfiles.get) }},
	{surfaceWorkspace, http.MethodPut, "/api/workspace/account/profile", func(a *api) gin.HandlerFunc { return a.workspace.authenticated(a.wsProfiles.put) }},
	{surfaceWorkspace, http.MethodPost, "/api/workspace/account/change-password", func(a *api) gin.HandlerFunc { return a.workspace.authenticated(a.wsSessions.changePassword) }},
	{surfaceWorkspace, http.MethodPost, "/api/workspace/auth/login", func(a *api) gin.HandlerFunc { return a.workspace.handle(a.wsSessions.login) }},
	{surfaceWorkspace, http.MethodGet, "/api/workspace/auth/me", func(a *api) gin.HandlerFunc { return a.workspace.authenticated(a.wsSessions.me) }},
}

// byDialect answers an unrouted request in the dialect that owns its path: the OAuth server's for /oauth/v2/
// and /.well-known/, ZITADEL's for /auth/v1/ and /management/v1/, the workspace API's for /api/workspace/
// (in canonical case: see wire.NormalisePath), Saasu's for everything else.
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

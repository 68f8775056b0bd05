package handlers

import (
	"bytes"
	"encoding/json"
	"errors"
	"log/slog"
	"mime"
	"net/http"
	"reflect"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/go-playground/validator/v10"

	"github.com/fileapi/fileapi/auth"
	"github.com/fileapi/fileapi/auth/authwire"
	"github.com/fileapi/fileapi/handlers/wire"
	"github.com/fileapi/fileapi/models"
)

// workspaceDialect serves the workspace API (workspace.md): one handle adapter, one fail table, the
// envelope for rule failures and RFC 9457 problem details for the protocol ones.
type workspaceDialect struct {
	log     *slog.Logger
	authn   *auth.Authenticator
	store   *models.Store
	metrics *Metrics
}

// workspaceHandler is a workspace route: it returns an error instead of writing one.
type workspaceHandler func(c *gin.Context) error

// Error item types and the one severity we send (§3).
const (
	wsValidation = 0
	wsBusiness   = 1
	wsSeverity   = 0
)

// wsItem is one entry of the envelope's Errors, members in the spec's order.
type wsItem struct {
	Code     string            `json:"Code"`
	Message  string            `json:"Message"`
	Target   *string           `json:"Target"`
	Field    *string           `json:"Field"`
	Metadata map[string]string `json:"Metadata"`
	Type     int               `json:"Type"`
	Severity int               `json:"Severity"`
}

type wsEnvelope struct {
	Data     any      `json:"Data"`
	Errors   []wsItem `json:"Errors"`
	Warnings []wsItem `json:"Warnings"`
	Success  bool     `json:"Success"`
}

// wsFailure is an envelope answer with errors: a 400, 404, 412 or 429.
type wsFailure struct {
	status     int
	items      []wsItem
	retryAfter string // 429 only
	challenge  string // WWW-Authenticate, on Auth.InvalidRequest
}

func (e *wsFailure) Error() string { return e.items[0].Code + ": " + e.items[0].Message }

// wsProblem is a problem-details answer (§7); detail is set on 403 only.
type wsProblem struct {
	status int
	detail string
}

func (e *wsProblem) Error() string { return http.StatusText(e.status) }

// wsChallenge is a 401: an empty body and the WWW-Authenticate value.
type wsChallenge struct{ header string }

func (e *wsChallenge) Error() string { return e.header }

var (
	wsNoCredential  = &wsChallenge{header: "Bearer"}
	wsBadCredential = &wsChallenge{header: `Bearer error="invalid_token"`}
	wsServiceKey    = &wsProblem{status: http.StatusForbidden, detail: "Service accounts cannot access this endpoint via API keys."}
)

// wsProblemTypes are ASP.NET Core's problem types and titles (§7).
var wsProblemTypes = map[int][2]string{
	http.StatusForbidden:             {"https://tools.ietf.org/html/rfc9110#section-15.5.4", "Forbidden"},
	http.StatusNotFound:              {"https://tools.ietf.org/html/rfc9110#section-15.5.5", "Not Found"},
	http.StatusMethodNotAllowed:      {"https://tools.ietf.org/html/rfc9110#section-15.5.6", "Method Not Allowed"},
	http.StatusRequestEntityTooLarge: {"https://tools.ietf.org/html/rfc9110#section-15.5.14", "Content Too Large"},
	http.StatusUnsupportedMediaType:  {"https://tools.ietf.org/html/rfc9110#section-15.5.16", "Unsupported Media Type"},
	http.StatusInternalServerError:   {"https://tools.ietf.org/html/rfc9110#section-15.6.1", "An error occurred while processing your request."},
	http.StatusServiceUnavailable:    {"https://tools.ietf.org/html/rfc9110#section-15.6.4", "Service Unavailable"},
}

type wsProblemBody struct {
	Type     string `json:"type"`
	Title    string `json:"title"`
	Status   int    `json:"status"`
	Detail   string `json:"detail,omitempty"`
	Instance string `json:"instance"`
}

// wsError builds one error item. field is the name as the client sent it ("" for none).
func wsError(code, message, target, field string, typ int, metadata map[string]string) wsItem {
	it := wsItem{Code: code, Message: message, Metadata: metadata, Type: typ, Severity: wsSeverity}
	if target != "" {
		it.Target = &target
	}
	if field != "" {
		it.Field = &field
	}
	return it
}

// wsFail is a one-item envelope failure.
func wsFail(status int, code, message, target, field string, typ int) *wsFailure {
	return &wsFailure{status: status, items: []wsItem{wsError(code, message, target, field, typ, nil)}}
}

var (
	wsNotFound = wsFail(http.StatusNotFound, "Account.NotFound", "The account was not found.", "Account", "", wsBusiness)
	wsConflict = wsFail(http.StatusPreconditionFailed, "Account.Conflict", "The account has changed since it was read.", "Account", "", wsBusiness)
	wsTwoCreds = &wsFailure{status: http.StatusBadRequest, challenge: `Bearer error="invalid_request"`, items: []wsItem{wsError("Auth.InvalidRequest",
		"Send exactly one credential: the Authorization header, the access_token query parameter or the X-Api-Key header.", "Auth", "", wsValidation, nil)}}
)

// wsTooMany is the 429 of the credential limits.
func wsTooMany(retryAfter string) *wsFailure {
	f := wsFail(http.StatusTooManyRequests, "Auth.TooManyAttempts", "Too many failed attempts. Try again later.", "Auth", "", wsBusiness)
	f.retryAfter = retryAfter
	return f
}

// handle adapts a workspaceHandler to gin. Every answer of the dialect, errors included, carries the
// headers of RFC 6750 §5: it may carry a token, or have been asked with one in its URL.
func (d *workspaceDialect) handle(h workspaceHandler) gin.HandlerFunc {
	return func(c *gin.Context) {
		c.Header("Cache-Control", "no-store")
		c.Header("Referrer-Policy", "no-referrer")
		if err := h(c); err != nil && !disconnected(d.log, c) {
			d.fail(c, err)
		}
	}
}

// ok writes a 200 envelope around data.
func (d *workspaceDialect) ok(c *gin.Context, data any) error {
	return d.write(c, http.StatusOK, "application/json; charset=utf-8", wsEnvelope{Data: data, Errors: []wsItem{}, Warnings: []wsItem{}, Success: true})
}

func (d *workspaceDialect) write(c *gin.Context, status int, contentType string, v any) error {
	var buf bytes.Buffer
	if err := json.NewEncoder(&buf).Encode(v); err != nil {
		return err
	}
	c.Data(status, contentType, bytes.TrimRight(buf.Bytes(), "\n"))
	return nil
}

// fail writes the answer for err: the one table from error to status and body (§7). Anything that is
// neither one of ours nor a known models kind is internal: logged, answered generically.
func (d *workspaceDialect) fail(c *gin.Context, err error) {
	var (
		failure   *wsFailure
		problem   *wsProblem
		challenge *wsChallenge
	)
	switch {
	case errors.As(err, &challenge):
		c.Header("WWW-Authenticate", challenge.header)
		c.Status(http.StatusUnauthorized)
		return
	case errors.As(err, &failure):
	case errors.As(err, &problem):
	default:
		switch models.KindOf(err) {
		case models.KindNotFound:
			failure = wsNotFound
		case models.KindPrecondition:
			failure = wsConflict
		case models.KindUnavailable:
			logUnexpected(d.log, c, err)
			c.Header("Retry-After", "5")
			problem = &wsProblem{status: http.StatusServiceUnavailable}
		default:
			logUnexpected(d.log, c, err)
			problem = &wsProblem{status: http.StatusInternalServerError}
		}
	}
	if failure != nil {
		if failure.retryAfter != "" {
			c.Header("Retry-After", failure.retryAfter)
		}
		if failure.challenge != "" {
			c.Header("WWW-Authenticate", failure.challenge)
		}
		_ = d.write(c, failure.status, "application/json; charset=utf-8", wsEnvelope{Errors: failure.items, Warnings: []wsItem{}})
		return
	}
	if problem.status == http.StatusMethodNotAllowed {
		c.Header("Allow", workspaceAllow(c.Request.URL.Path))
	}
	t := wsProblemTypes[problem.status]
	_ = d.write(c, problem.status, "application/problem+json; charset=utf-8", wsProblemBody{Type: t[0], Title: t[1],
		Status: problem.status, Detail: problem.detail, Instance: wire.ReceivedPath(c.Request)})
}

func (d *workspaceDialect) noRoute(c *gin.Context) error {
	return &wsProblem{status: http.StatusNotFound}
}
func (d *workspaceDialect) noMethod(c *gin.Context) error {
	return &wsProblem{status: http.StatusMethodNotAllowed}
}

// workspaceDenials answers each rule of §2 that auth.Authenticator.Workspace found broken.
var workspaceDenials = map[auth.WorkspaceDenial]error{
	auth.WorkspaceNoCredential: wsNoCredential, auth.WorkspaceTwoCredentials: wsTwoCreds,
	auth.WorkspaceBadCredential: wsBadCredential, auth.WorkspaceUserGone: wsNotFound, auth.WorkspaceServiceKey: wsServiceKey,
}

// authenticate reads the credentials of a request (§2: Authorization: Bearer, the access_token query
// parameter, X-Api-Key) and has auth decide.
func (d *workspaceDialect) authenticate(c *gin.Context) (auth.Principal, error) {
	r := c.Request
	var creds auth.WorkspaceCredentials
	for _, h := range r.Header.Values("Authorization") {
		if tok, ok := authwire.BearerToken(h); ok {
			creds.Bearer = append(creds.Bearer, tok)
		}
	}
	creds.AccessTokens = wire.QueryValues(r.URL.RawQuery, "access_token")
	creds.Keys = r.Header.Values("X-Api-Key")
	p, err := d.authn.Workspace(r.Context(), creds)
	var denial auth.WorkspaceDenial
	if errors.As(err, &denial) {
		return p, workspaceDenials[denial]
	}
	return p, err
}

// authenticated runs h for a request with a valid credential.
func (d *workspaceDialect) authenticated(h func(c *gin.Context, p auth.Principal) error) gin.HandlerFunc {
	return d.handle(func(c *gin.Context) error {
		p, err := d.authenticate(c)
		if err != nil {
			return err
		}
		return h(c, p)
	})
}

// readBody reads and parses a JSON object body (§4): media type, size, emptiness, syntax.
func (d *workspaceDialect) readBody(c *gin.Context) (wire.Object, error) {
	r := c.Request
	if ct := r.Header.Get("Content-Type"); ct != "" {
		mt, params, err := mime.ParseMediaType(ct)
		sub, isApp := strings.CutPrefix(mt, "application/")
		json := mt == "application/json" || mt == "text/json" || (isApp && strings.HasSuffix(sub, "+json"))
		if cs, ok := params["charset"]; err != nil || !json || (ok && !strings.EqualFold(cs, "utf-8")) {
			return nil, &wsProblem{status: http.StatusUnsupportedMediaType}
		}
	}
	raw, tooLarge, err := readBody(r)
	switch {
	case tooLarge:
		return nil, &wsProblem{status: http.StatusRequestEntityTooLarge}
	case err != nil:
		return nil, invalidBody("The request body is not valid JSON.")
	}
	if len(raw) == 0 {
		return nil, invalidBody("A non-empty request body is required.")
	}
	b, err := wire.ParseObject(raw)
	if err != nil {
		return nil, invalidBody("The request body is not valid JSON.")
	}
	return b, nil
}

func invalidBody(msg string) error {
	return wsFail(http.StatusBadRequest, "Request.InvalidBody", msg, "", "", wsValidation)
}

// wsProblems collects the field problems of one request, at most one per field, in the order found.
type wsProblems struct {
	target string
	items  []wsItem
}

func (p *wsProblems) add(code, message string, f wire.Field, typ int, metadata map[string]string) {
	p.items = append(p.items, wsError(code, message, p.target, f.Name, typ, metadata))
}

// workspaceRuleProblems are the workspace's answers to failed rules (§5, §6): code, message and metadata.
var workspaceRuleProblems = ruleTable[wsRuleProblem]{
	"required": wsRequired,
	"nonempty": wsRequired,
	"max": func(fe validator.FieldError) wsRuleProblem {
		return wsRuleProblem{code: "Validation.MaxLength", message: fe.Field() + " must be at most " + fe.Param() + " characters.",
			metadata: map[string]string{"MaxLength": fe.Param()}}
	},
	"min": func(fe validator.FieldError) wsRuleProblem {
		return wsRuleProblem{code: "Validation.MinLength", message: fe.Field() + " must be at least " + fe.Param() + " characters.",
			metadata: map[string]string{"MinLength": fe.Param()}}
	},
	"email_or_empty": func(fe validator.FieldError) wsRuleProblem {
		return wsRuleProblem{code: "Validation.EmailInvalid", message: fe.Field() + " must be a valid email address."}
	},
}

func wsRequired(fe validator.FieldError) wsRuleProblem {
	return wsRuleProblem{code: "Validation.Required", message: fe.Field() + " is required."}
}

// wsRuleProblem is a failed rule as the workspace API reports it.
type wsRuleProblem struct {
	code, message string
	metadata      map[string]string
}

// check runs the rules of in (a pointer to an input struct whose *string fields are read from fields, in the
// same order: nil when not sent or null) and adds at most one problem per field, in that order: a value that is
// no string, else the field's failed rule. passed[i] reports that fields[i] has no problem.
func (p *wsProblems) check(in any, fields ...wire.Field) (passed []bool) {
	v := reflect.ValueOf(in).Elem()
	for i, f := range fields {
		if f.Set {
			v.Field(i).Set(reflect.ValueOf(&fields[i].Value))
		}
	}
	failed := failedRules(in)
	passed = make([]bool, len(fields))
	for i, f := range fields {
		if f.BadType {
			p.add("Validation.InvalidType", f.Canon+" must be a string.", f, wsValidation, nil)
		} else if fe := failedRule(failed, f.Canon); fe != nil {
			r := workspaceRuleProblems.message(fe)
			p.add(r.code, r.message, f, wsValidation, r.metadata)
		} else {
			passed[i] = true
		}
	}
	return passed
}

// err is the 400 of the collected problems, or nil.
func (p *wsProblems) err() error {
	if len(p.items) == 0 {
		return nil
	}
	return &wsFailure{status: http.StatusBadRequest, items: p.items}
}

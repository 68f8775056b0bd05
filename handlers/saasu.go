package handlers

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/fileapi/fileapi/auth"
	"github.com/fileapi/fileapi/hal"
	"github.com/fileapi/fileapi/handlers/codec"
	"github.com/fileapi/fileapi/handlers/wire"
	"github.com/fileapi/fileapi/models"
)

// saasuDialect holds what every Saasu API v2 route shares: negotiation, authentication, rendering and the
// one table from error kind to status and body.
type saasuDialect struct {
	log     *slog.Logger
	authn   *auth.Authenticator
	metrics *Metrics
}

// saasuHandler is a Saasu route: it returns an error instead of writing one.
type saasuHandler func(c *gin.Context) error

// saasuAuthHandler is a Saasu route for an authenticated caller.
type saasuAuthHandler func(c *gin.Context, p auth.Principal) error

const saasuFormatKey = "fileapi.saasu.format"

// saasuFormat is the negotiated response format of a request.
type saasuFormat struct {
	format      codec.Format
	contentType string
}

// negotiate chooses the response format from Accept and the request's Content-Type. The body is not read
// yet (it is read only after authentication), so a body without Content-Type is sniffed later, by readBody.
func (d *saasuDialect) negotiate() gin.HandlerFunc {
	return func(c *gin.Context) {
		d.chooseFormat(c)
		c.Next()
	}
}

// chooseFormat sets the response format of the request from its headers (see negotiate).
func (d *saasuDialect) chooseFormat(c *gin.Context) {
	media, _ := codec.RequestMedia(c.GetHeader("Content-Type"), nil)
	f, ct := codec.Negotiate(c.GetHeader("Accept"), media)
	c.Set(saasuFormatKey, saasuFormat{format: f, contentType: ct})
}

// handle adapts a saasuHandler to gin, writing the dialect's error body for any error it returns.
func (d *saasuDialect) handle(h saasuHandler) gin.HandlerFunc {
	return func(c *gin.Context) {
		if err := h(c); err != nil && !disconnected(d.log, c) {
			d.fail(c, err)
		}
	}
}

// authenticated runs h only for a caller that §3 authorises for the FileId of the query.
func (d *saasuDialect) authenticated(h saasuAuthHandler) gin.HandlerFunc {
	return d.handle(func(c *gin.Context) error {
		p, err := d.authn.Saasu(c.Request.Context(), c.Request)
		if err != nil {
			return err
		}
		return h(c, p)
	})
}

// render writes v, a hal wire type (a pointer saves a copy) or a hal.Value, in the negotiated format.
func (d *saasuDialect) render(c *gin.Context, status int, v any) error {
	f, _ := c.Get(saasuFormatKey)
	sf, _ := f.(saasuFormat)
	var body []byte
	if sf.format == codec.FormatXML {
		body = hal.AppendXML(make([]byte, 0, 512), v)
	} else {
		body = hal.AppendJSON(make([]byte, 0, 512), v)
		if sf.contentType == "" {
			sf.contentType = "application/json; charset=utf-8"
		}
	}
	c.Data(status, sf.contentType, body)
	return nil
}

// Texts of the Saasu error bodies (saasu.md §7).
const (
	msgDenied      = "Authorization has been denied for this request."
	msgNoRoute     = "No HTTP resource was found that matches the request URI '%s'."
	msgNoMethod    = "The requested resource does not support http method '%s'."
	msgChanged     = "Record to be updated has changed since last read."
	msgTooLarge    = "The request entity is too large."
	msgMedia       = "The request entity's media type '%s' is not supported for this resource."
	msgTooMany     = "Too many requests. Try again later."
	msgInternal    = "An error has occurred."
	msgUnavailable = "The service is temporarily unavailable."
)

var (
	errPanic = errors.New("panic")
	// errTooLarge is a request body over MaxBody (413).
	errTooLarge = errors.New("request body over the limit")
)

// fail writes the Saasu answer for err: the one table from error kind to status and body.
// Anything that is not a *models.Error is internal: logged with the request id, answered generically.
func (d *saasuDialect) fail(c *gin.Context, err error) {
	var ge *grantError
	if errors.As(err, &ge) {
		c.Header("Cache-Control", "no-store")
		c.Header("Pragma", "no-cache")
		if ge.retryAfter != "" {
			c.Header("Retry-After", ge.retryAfter)
		}
		_ = d.render(c, ge.status, hal.OAuthGrantRequestError{Error: ge.code, ErrorDescription: ge.desc})
		return
	}
	var media *codec.UnsupportedMediaError
	var limited rateLimited
	switch {
	case errors.As(err, &limited):
		c.Header("Retry-After", seconds(limited.wait))
		_ = d.render(c, http.StatusTooManyRequests, hal.Message{Message: msgTooMany})
		return
	case errors.Is(err, errTooLarge):
		_ = d.render(c, http.StatusRequestEntityTooLarge, hal.Message{Message: msgTooLarge})
		return
	case errors.As(err, &media):
		_ = d.render(c, http.StatusUnsupportedMediaType, hal.Message{Message: fmt.Sprintf(msgMedia, media.MediaType)})
		return
	}
	// Body.Check's error comes here from the handler that called it; Decode's was turned by readBody.
	e := models.AsError(fromCodec(err))
	switch e.Kind {
	case models.KindInvalid, models.KindConflict:
		_ = d.render(c, http.StatusBadRequest, hal.String(e.Message))
	case models.KindUnauthorized, models.KindForbidden:
		c.Header("WWW-Authenticate", "Bearer")
		_ = d.render(c, http.StatusUnauthorized, hal.Message{Message: msgDenied})
	case models.KindNotFound:
		_ = d.render(c, http.StatusNotFound, hal.Message{Message: fmt.Sprintf(msgNoRoute, wire.ReceivedPath(c.Request))})
	case models.KindPrecondition:
		_ = d.render(c, http.StatusPreconditionFailed, hal.String(msgChanged))
	case models.KindUnavailable:
		logUnexpected(d.log, c, e)
		c.Header("Retry-After", "5")
		_ = d.render(c, http.StatusServiceUnavailable, hal.Message{Message: msgUnavailable})
	default:
		logUnexpected(d.log, c, err)
		_ = d.render(c, http.StatusInternalServerError, hal.Message{Message: msgInternal})
	}
}

// rateLimited is a request that a limit refused: wait is how long until the limit lets the caller in again.
type rateLimited struct{ wait time.Duration }

func (e rateLimited) Error() string { return "rate limited for " + e.wait.String() }

// seconds renders a wait as Retry-After: whole seconds, rounded up, at least 1.
func seconds(d time.Duration) string {
	s := int64((d + time.Second - 1) / time.Second)
	if s < 1 {
		s = 1
	}
	return strconv.FormatInt(s, 10)
}

// clientAddr is the connection's IP: no proxy header is trusted.
func clientAddr(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

func (d *saasuDialect) noRoute(c *gin.Context) error {
	return &models.Error{Kind: models.KindNotFound}
}

func (d *saasuDialect) noMethod(c *gin.Context) error {
	if route, ok := saasuRoutes[strings.ToLower(c.Request.URL.Path)]; ok {
		c.Header("Allow", route.allow)
	}
	return d.render(c, http.StatusMethodNotAllowed, hal.Message{Message: fmt.Sprintf(msgNoMethod, c.Request.Method)})
}

// readBody reads a request body of at most MaxBody bytes, classifies and decodes it, and re-negotiates the
// response format now that a body without Content-Type can be sniffed. Order (saasu.md §6.2): 415, 413, 400.
func (d *saasuDialect) readBody(c *gin.Context) (codec.Body, error) {
	raw, tooLarge, err := readBody(c.Request)
	if err != nil {
		return nil, &models.Error{Kind: models.KindInvalid, Message: "The request body could not be read.", Err: err}
	}
	media, err := codec.RequestMedia(c.GetHeader("Content-Type"), raw)
	if err != nil {
		return nil, err
	}
	f, ct := codec.Negotiate(c.GetHeader("Accept"), media)
	c.Set(saasuFormatKey, saasuFormat{format: f, contentType: ct})
	if tooLarge {
		return nil, errTooLarge
	}
	b, err := codec.Decode(media, raw)
	return b, fromCodec(err)
}

// fromCodec turns a *codec.BodyError into the error the Saasu handlers and their error table read: a
// *models.Error of kind invalid, with the same field, message and cause. Any other error, and nil, pass
// unchanged.
func fromCodec(err error) error {
	var be *codec.BodyError
	if errors.As(err, &be) {
		return &models.Error{Kind: models.KindInvalid, Field: be.Field, Message: be.Message, Err: be.Err}
	}
	return err
}

package handlers

import (
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"net/url"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/fileapi/fileapi/models"
)

const requestIDKey = "fileapi.request_id"

// requestID gives every request an id: the client's X-Request-Id when it is short and plain, else a new one.
// It is echoed in the response and written on every log line of the request.
func requestID() gin.HandlerFunc {
	return func(c *gin.Context) {
		id := c.GetHeader("X-Request-Id")
		if !plainID(id) {
			var b [12]byte
			_, _ = rand.Read(b[:])
			id = hex.EncodeToString(b[:])
		}
		c.Set(requestIDKey, id)
		c.Header("X-Request-Id", id)
		c.Next()
	}
}

func plainID(s string) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', c == '-', c == '_', c == '.':
		default:
			return false
		}
	}
	return true
}

// secretParams are query parameters whose values never reach a log line (compared case-insensitively).
var secretParams = []string{"wsaccesskey", "password", "refresh_token", "verification_code", "access_token",
	"client_secret", "code", "code_verifier", "token", "otp", "login_ticket", "csrf_token"}

// RedactQuery replaces the values of secret query parameters with REDACTED, keeping everything else as sent.
func RedactQuery(raw string) string {
	if raw == "" {
		return ""
	}
	parts := strings.Split(raw, "&")
	for i, p := range parts {
		k, _, hasValue := strings.Cut(p, "=")
		name, err := url.QueryUnescape(k)
		if err != nil {
			name = k
		}
		for _, s := range secretParams {
			if strings.EqualFold(name, s) {
				if hasValue {
					parts[i] = k + "=REDACTED"
				}
				break
			}
		}
	}
	return strings.Join(parts, "&")
}

// accessLog writes one line per request. Headers are never logged (they carry Authorization and X-Api-Key),
// and secret query values are redacted.
func accessLog(log *slog.Logger) gin.HandlerFunc {
	return func(c *gin.Context) {
		start := time.Now()
		path := c.Request.URL.EscapedPath()
		query := RedactQuery(c.Request.URL.RawQuery)
		c.Next()
		status := c.Writer.Status()
		level := slog.LevelInfo
		if status >= 500 {
			level = slog.LevelError
		}
		log.LogAttrs(c.Request.Context(), level, "request",
			slog.String("request_id", c.GetString(requestIDKey)),
			slog.String("method", c.Request.Method),
			slog.String("path", path),
			slog.String("query", query),
			slog.Int("status", status),
			slog.Int("bytes", c.Writer.Size()),
			slog.Duration("duration", time.Since(start)),
			slog.String("remote", c.ClientIP()),
		)
	}
}

// logUnexpected logs an error that is answered as a 503 (the database is unavailable) or a 500, with the
// request id; the answer itself says nothing of it.
func logUnexpected(log *slog.Logger, c *gin.Context, err error) {
	args := []any{slog.String("request_id", c.GetString(requestIDKey)), slog.Any("error", err)}
	if models.KindOf(err) == models.KindUnavailable {
		log.Warn("database unavailable", args...)
		return
	}
	log.Error("internal error", args...)
}

// recovery turns a panic into the dialect's 500 answer (written by answer) and logs it with the request id.
func recovery(log *slog.Logger, answer gin.HandlerFunc) gin.HandlerFunc {
	return func(c *gin.Context) {
		defer func() {
			if v := recover(); v != nil {
				log.Error("panic", slog.String("request_id", c.GetString(requestIDKey)), slog.Any("panic", v))
				if !c.Writer.Written() {
					answer(c)
				}
				c.Abort()
			}
		}()
		c.Next()
	}
}

package handlers

import (
	"context"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"log/slog"
	"math/rand/v2"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/fileapi/fileapi/handlers/wire"
	"github.com/fileapi/fileapi/models"
)

const requestIDKey = "fileapi.request_id"

// requestID gives every request an id: the client's X-Request-Id when it is short and plain, else a new one.
// It is echoed in the response and written on every log line of the request.
func requestID() gin.HandlerFunc {
	return func(c *gin.Context) {
		id := c.GetHeader("X-Request-Id")
		if !wire.PlainID(id) {
			// Unique, not secret: the runtime's per-thread generator, without a system call.
			var b [12]byte
			binary.LittleEndian.PutUint64(b[:8], rand.Uint64())
			binary.LittleEndian.PutUint32(b[8:], rand.Uint32())
			id = hex.EncodeToString(b[:])
		}
		c.Set(requestIDKey, id)
		c.Header("X-Request-Id", id)
		c.Next()
	}
}

// accessLog writes one line per request. Headers are never logged (they carry Authorization and X-Api-Key),
// and secret query values are redacted.
func accessLog(log *slog.Logger) gin.HandlerFunc {
	return func(c *gin.Context) {
		start := time.Now()
		path := c.Request.URL.EscapedPath()
		query := wire.RedactQuery(c.Request.URL.RawQuery)
		c.Next()
		status := c.Writer.Status()
		level := slog.LevelInfo
		if status >= 500 {
			level = slog.LevelError
		}
		if status == StatusClientClosed {
			// Its own word in the log, so that nobody reads the 499 as an answer the client got.
			log.LogAttrs(c.Request.Context(), level, "request", slog.String("request_id", c.GetString(requestIDKey)),
				slog.String("method", c.Request.Method), slog.String("path", path), slog.String("query", query),
				slog.Int("status", status), slog.String("outcome", "client closed the request"),
				slog.Duration("duration", time.Since(start)), slog.String("remote", clientAddr(c.Request)))
			return
		}
		log.LogAttrs(c.Request.Context(), level, "request",
			slog.String("request_id", c.GetString(requestIDKey)),
			slog.String("method", c.Request.Method),
			slog.String("path", path),
			slog.String("query", query),
			slog.Int("status", status),
			slog.Int("bytes", c.Writer.Size()),
			slog.Duration("duration", time.Since(start)),
			slog.String("remote", clientAddr(c.Request)),
		)
	}
}

// StatusClientClosed is the status recorded (in the access log and the metrics) for a request whose client
// went away before its answer: nginx's 499. No client ever reads it.
const StatusClientClosed = 499

// disconnected reports whether the client of a request that ended in an error has gone away (its context was
// canceled: the connection closed). That is no server error: it is logged at info, recorded as 499, and
// nothing is answered.
func disconnected(log *slog.Logger, c *gin.Context) bool {
	if !errors.Is(c.Request.Context().Err(), context.Canceled) {
		return false
	}
	log.Info("client closed the request", slog.String("request_id", c.GetString(requestIDKey)))
	c.Status(StatusClientClosed)
	return true
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

package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"runtime/debug"
	"sync"
	"time"

	"github.com/fileapi/fileapi/auth"
	"github.com/fileapi/fileapi/handlers"
	"github.com/fileapi/fileapi/models"
)

// Server timeouts: slow or stalled clients cannot hold connections for ever.
const (
	readHeaderTimeout = 10 * time.Second
	readTimeout       = 30 * time.Second
	writeTimeout      = 60 * time.Second
	idleTimeout       = 120 * time.Second
	shutdownTimeout   = 30 * time.Second
)

// setting is a flag's value when it was given, else the environment variable, else the default.
func (c *cli) setting(fs *flag.FlagSet, name, envName, def string) string {
	given := false
	fs.Visit(func(f *flag.Flag) { given = given || f.Name == name })
	if given {
		return fs.Lookup(name).Value.String()
	}
	if v := c.getenv(envName); v != "" {
		return v
	}
	return def
}

// serveGCPercent is the garbage collector's target of serve (see serve).
const serveGCPercent = 400

func (c *cli) serve(ctx context.Context, args []string) error {
	fs, db := c.flags("serve", "serve [--addr 127.0.0.1:8080] [--public-url URL] [--demo] [--log-format text|json] [--smtp-url URL] [--sms-webhook-url URL] [--db DSN]")
	fs.String("addr", "127.0.0.1:8080", "listen address (env FILEAPI_ADDR)")
	fs.String("admin-addr", "", "listen address of /healthz, /readyz and /metrics, e.g. 127.0.0.1:9090 (env FILEAPI_ADMIN_ADDR; default: none)")
	fs.String("public-url", "", "base of every link href, e.g. https://api.example.com (env FILEAPI_PUBLIC_URL; default: the request's scheme and host)")
	fs.String("log-format", "text", "text or json (env FILEAPI_LOG_FORMAT)")
	fs.String("smtp-url", "", "send e-mail over SMTP: smtp://, smtps:// or smtp+insecure://[USER:PASSWORD@]HOST[:PORT][?from=ADDRESS] (env FILEAPI_SMTP_URL; default: to the log)")
	fs.String("sms-webhook-url", "", "send SMS as a JSON POST {\"to\",\"body\"} to this http(s) URL (env FILEAPI_SMS_WEBHOOK_URL; default: to the log)")
	demo := fs.Bool("demo", false, "on an empty database, create a demo file, user and access key, and print a ready curl")
	if err := c.parse(fs, args); err != nil {
		return err
	}
	addr := c.setting(fs, "addr", "FILEAPI_ADDR", "127.0.0.1:8080")
	adminAddr := c.setting(fs, "admin-addr", "FILEAPI_ADMIN_ADDR", "")
	publicURL := c.setting(fs, "public-url", "FILEAPI_PUBLIC_URL", "")
	logFormat := c.setting(fs, "log-format", "FILEAPI_LOG_FORMAT", "text")
	smtpURL := c.setting(fs, "smtp-url", "FILEAPI_SMTP_URL", "")
	webhookURL := c.setting(fs, "sms-webhook-url", "FILEAPI_SMS_WEBHOOK_URL", "")
	if publicURL != "" {
		u, err := url.Parse(publicURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" || u.User != nil {
			return usageError{"serve: --public-url must be an http or https URL without query, fragment or credentials"}
		}
	}
	// Both logs go to stderr; the access log's lines are written out in batches (lineBuffer), flushed at the
	// latest when serve returns.
	accessLines := newLineBuffer(c.stderr)
	defer accessLines.Flush()
	var log, accessLog *slog.Logger
	switch logFormat {
	case "text":
		log, accessLog = slog.New(slog.NewTextHandler(c.stderr, nil)), slog.New(slog.NewTextHandler(accessLines, nil))
	case "json":
		log, accessLog = slog.New(slog.NewJSONHandler(c.stderr, nil)), slog.New(slog.NewJSONHandler(accessLines, nil))
	default:
		return usageError{"serve: --log-format must be text or json"}
	}
	if c.getenv("GOGC") == "" {
		// The live heap of a request server is small and its garbage is per request: collecting at 4x the live
		// heap instead of 2x halves the collector's share of the CPU for a few MiB more. GOGC overrides it.
		debug.SetGCPercent(serveGCPercent)
	}
	deliv, err := parseDelivery(smtpURL, webhookURL)
	if err != nil {
		return err
	}
	// FILEAPI_OUTBOX_LEASE: how long a sender's claim on messages holds before another instance may take them.
	var lease time.Duration
	if v := c.getenv("FILEAPI_OUTBOX_LEASE"); v != "" {
		if lease, err = time.ParseDuration(v); err != nil || lease < time.Second {
			return usageError{"serve: FILEAPI_OUTBOX_LEASE must be a duration of at least 1s, e.g. 2m"}
		}
	}

	s, err := c.open(ctx, *db)
	if err != nil {
		return err
	}
	defer func() { _ = s.Close() }()
	d, _ := c.dsn(*db)
	log.Info("database ready", slog.String("db", d.String()))

	metrics := handlers.NewMetrics(s)
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", addr, err)
	}
	if adminAddr != "" {
		aln, err := net.Listen("tcp", adminAddr)
		if err != nil {
			_ = ln.Close()
			return fmt.Errorf("listen on %s: %w", adminAddr, err)
		}
		admin := &http.Server{Handler: handlers.Admin(s, metrics), ReadHeaderTimeout: readHeaderTimeout,
			ReadTimeout: readTimeout, WriteTimeout: writeTimeout, IdleTimeout: idleTimeout}
		go func() { _ = admin.Serve(aln) }()
		defer func() { _ = admin.Close() }()
		log.Info("admin listening", slog.String("addr", aln.Addr().String()))
	}
	srv := &http.Server{
		Handler: handlers.New(handlers.Config{Store: s, PublicURL: publicURL, ListenAddr: ln.Addr().String(), Logger: log,
			AccessLog: accessLog, Metrics: metrics}),
		ReadHeaderTimeout: readHeaderTimeout,
		ReadTimeout:       readTimeout,
		WriteTimeout:      writeTimeout,
		IdleTimeout:       idleTimeout,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
		BaseContext:       func(net.Listener) context.Context { return context.WithoutCancel(ctx) },
	}
	log.Info("listening", slog.String("addr", ln.Addr().String()))
	if publicURL == "" && !loopback(ln.Addr()) {
		log.Warn("listening beyond loopback without --public-url: links sent by e-mail and SMS point at http://"+
			ln.Addr().String()+", which clients elsewhere may not reach; set --public-url (FILEAPI_PUBLIC_URL)",
			slog.String("addr", ln.Addr().String()))
	}
	if *demo {
		base := publicURL
		if base == "" {
			base = "http://" + ln.Addr().String()
		}
		if err := seedDemo(ctx, s, c.stdout, base); err != nil {
			_ = ln.Close()
			return err
		}
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	// The sender outlives ctx until the server has finished its requests, which may write messages, and
	// stops before the store closes (deferred above, so run later).
	sendCtx, cancelSender := context.WithCancel(context.WithoutCancel(ctx))
	senderDone := make(chan struct{})
	snd := newSender(s, log, deliv)
	snd.metrics = metrics
	if lease != 0 {
		snd.lease = lease
	}
	go func() {
		defer close(senderDone)
		snd.run(sendCtx)
	}()
	stopSender := sync.OnceFunc(func() { cancelSender(); <-senderDone })
	go sweep(sendCtx, s, log)
	defer stopSender()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	// Finish the requests in flight, refuse new ones.
	log.Info("shutting down")
	sctx, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	stopSender()
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	log.Info("stopped")
	return nil
}

// Demo data: the examples of the spec.
const (
	demoFileID   = 777
	demoUsername = "ann@example.com"
)

// seedDemo fills an empty database with one file, one user with a password, and one access key, and
// prints them with ready curl lines. On a database that already holds the demo user it issues a fresh key
// (keys are stored hashed, so the first one cannot be shown again); on any other database it does nothing.
func seedDemo(ctx context.Context, s *models.Store, out io.Writer, base string) error {
	empty, err := s.IsEmpty(ctx)
	if err != nil {
		return err
	}
	password := ""
	var u models.User
	if empty {
		id := int64(demoFileID)
		if _, err := s.CreateFile(ctx, models.NewFile{ID: &id, Name: "Acme Pty Ltd", AllowWebServices: true}); err != nil {
			return err
		}
		password = auth.NewSecret("")[:16]
		h, err := auth.HashPassword(password)
		if err != nil {
			return err
		}
		last := "Lee"
		u, err = s.CreateUser(ctx, models.NewUser{Username: demoUsername, FirstName: "Ann", LastName: &last, PasswordHash: &h, Email: ptr(demoUsername)})
		if err != nil {
			return err
		}
		if _, err := s.Grant(ctx, u.ID, demoFileID, models.AccessAdministrator, true); err != nil {
			return err
		}
	} else {
		u, err = s.UserByUsername(ctx, demoUsername)
		if err != nil {
			fmt.Fprintln(out, "The database is not empty and has no demo user: no demo data created.")
			return nil
		}
		if _, err := s.FileAccess(ctx, u.ID, demoFileID); err != nil {
			fmt.Fprintln(out, "The demo user has no membership on the demo file: no demo key created.")
			return nil
		}
		// Keys are stored as hashes: the last start's key cannot be shown again, so it is revoked and a new one
		// made, rather than leaving one more live key at every start.
		if _, err := s.RevokeUnboundKeys(ctx, u.ID); err != nil {
			return err
		}
	}
	_, key, err := createKey(ctx, s, u.ID, nil)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "\nDemo data: file %d (Acme Pty Ltd), user %s", demoFileID, demoUsername)
	if password != "" {
		fmt.Fprintf(out, " with password %s", password)
	}
	fmt.Fprintf(out, ", access key %s\n", key)
	if password == "" {
		fmt.Fprintf(out, "(The password was printed at the first start; for a new one: bin/fileapi user set-password --user %s.\n"+
			"The key of the last start is revoked.)\n", demoUsername)
	}
	fmt.Fprintf(out, "\nTry:\n")
	fmt.Fprintf(out, "  curl -s '%s/User?FileId=%d&wsAccessKey=%s'\n", base, demoFileID, key)
	fmt.Fprintf(out, "  curl -s -H 'Accept: application/xml' '%s/User?FileId=%d&wsAccessKey=%s'\n", base, demoFileID, key)
	fmt.Fprintf(out, "  curl -s -X PUT -H 'Content-Type: application/json' -H 'X-Api-Key: %s' -d '{\"FirstName\":\"Anne\"}' '%s/User?FileId=%d'\n", key, base, demoFileID)
	fmt.Fprintf(out, "  curl -s -H 'X-Api-Key: %s' '%s/api/workspace/account/profile'\n", key, base)
	fmt.Fprintf(out, "  curl -s '%s/openapi.yaml'\n\n", base)
	return nil
}

func ptr[T any](v T) *T { return &v }

// loopback reports whether a listen address is reachable from this machine only.
func loopback(a net.Addr) bool {
	tcp, ok := a.(*net.TCPAddr)
	return ok && tcp.IP.IsLoopback()
}

// Sweeper timing: every instance sweeps every sweepInterval (with jitter, so that a fleet started at once does
// not sweep in step), deleting at most sweepBatch rows a statement. Several instances sweeping is harmless.
const (
	sweepInterval = time.Minute
	sweepBatch    = 500
	sweepRounds   = 20
)

// sweep deletes what is past its use (models.Store.Sweep) until ctx ends.
func sweep(ctx context.Context, s *models.Store, log *slog.Logger) {
	for {
		select {
		case <-ctx.Done():
			return
		case <-time.After(sweepInterval/2 + rand.N(sweepInterval)):
		}
		w, err := s.Sweep(ctx, sweepBatch, sweepRounds)
		switch {
		case err != nil && ctx.Err() == nil:
			log.Warn("sweep failed; trying again later", slog.String("error", describe(err)))
		case w.Total() > 0:
			log.Info("swept", slog.Int64("codes", w.Codes), slog.Int64("otps", w.OTPs), slog.Int64("tokens", w.Tokens),
				slog.Int64("messages", w.Messages), slog.Int64("limits", w.Limits))
		}
	}
}
